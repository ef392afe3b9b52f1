"""The range chart's layout (render/chart.py), without rich: axes, ticks, bars, widths."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from stemcli.render import chart as ch
from stemcli.render.chart import Axis, Mark, RangeChart


def test_nice_steps() -> None:
    assert ch.nice_step(100, 4) == 50  # 1, 2 or 5 times a power of ten: 25 is not one
    assert ch.nice_step(100, 5) == 20
    assert ch.nice_step(28, 7) == 5
    assert ch.nice_step(0.7, 7) == 0.1
    assert ch.nice_step(0, 5) == 1


def test_percent_axis_is_0_to_100() -> None:
    axis = ch.axis_for("percent", [Mark("a", "30 %", 30, 30)], 40)
    assert (axis.low, axis.high, axis.ticks) == (0, 100, (0, 25, 50, 75, 100))
    narrow = ch.axis_for("percent", [Mark("a", "30 %", 30, 30)], 20)
    assert narrow.ticks == (0, 50, 100)


def test_axis_covers_every_value_and_leaves_room_for_open_ends() -> None:
    marks = [Mark("a", "", 14, 28), Mark("b", "", 1, 2)]
    axis = ch.axis_for("days", marks, 50)
    assert axis.low == 0
    assert axis.high >= 28
    assert axis.ticks[-1] == axis.high
    steps = {round(b - a, 9) for a, b in zip(axis.ticks, axis.ticks[1:], strict=False)}
    assert len(steps) == 1
    open_axis = ch.axis_for("days", [Mark("a", "", 28, 28, open_high=True)], 50)
    assert open_axis.high > 28 * 1.1
    whole = ch.axis_for("sessions", [Mark("a", "", 1, 1)], 60)
    assert all(t == int(t) for t in whole.ticks)


def test_positions_stay_on_the_axis() -> None:
    axis = Axis(0, 100, (0, 100))
    assert [axis.position(x, 11) for x in (0, 50, 100, 150, -5, float("inf"))] == [
        0,
        5,
        10,
        10,
        0,
        10,
    ]


def chars(mark: Mark, axis: Axis, width: int) -> str:
    return "".join(c for c, _ in ch.bar(mark, axis, width))


def test_bars_points_and_open_ends() -> None:
    axis = Axis(0, 100, (0, 50, 100))
    assert chars(Mark("a", "", 20, 40), axis, 11) == "  ━━━      "
    assert chars(Mark("a", "", 50, 50), axis, 11) == "     ●     "
    # up to 40 %: open from 0
    assert chars(Mark("a", "", 40, 40, open_low=True), axis, 11) == "╌╌╌╌●      "
    # up to 20-40 %: open from 0, then the stated range
    assert chars(Mark("a", "", 20, 40, open_low=True), axis, 11) == "╌╌━━━      "
    # over 60 % (capped at 100 %): open to the cap, no arrow
    assert chars(Mark("a", "", 60, 60, open_high=True, ceiling=100), axis, 11) == "      ●╌╌╌╌"
    # over 60 units, unbounded: open to the end, with an arrow
    assert chars(Mark("a", "", 60, 60, open_high=True), axis, 11) == "      ●╌╌╌▶"
    roles = {r for _, r in ch.bar(Mark("a", "", 20, 40, highlight=True), axis, 11) if r}
    assert roles == {"mark.highlight"}


def test_tick_labels_never_overlap() -> None:
    axis = Axis(0, 10000, tuple(float(x) for x in range(0, 10001, 1000)))
    rule, labels = ch.axis_lines(axis, 30, "usd")
    assert len(rule) == 30
    assert rule.count(ch.TICK) == 11
    words = labels.split()
    assert words[0] == "$0"
    assert words[-1] == "$10k"
    assert len(words) < 11  # some labels give way
    assert all(re.fullmatch(r"\$\d+k?", w) for w in words)  # none runs into another


def test_tick_label_forms() -> None:
    assert [ch.tick_label(x, "usd") for x in (0, 2500, 10000, 1.5e6)] == [
        "$0",
        "$2.5k",
        "$10k",
        "$1.5M",
    ]
    assert [ch.tick_label(x, "percent") for x in (0, 25, 100)] == ["0", "25", "100"]
    assert ch.tick_label(5e7, "cells") == "50M"
    assert ch.tick_label(0.1 + 0.2, "days") == "0.3"


def test_layout_is_plain_text_with_roles() -> None:
    chart = RangeChart(
        "pain · effect",
        "percent",
        (Mark("Alpha", "30 %", 30, 30), Mark("", "40–50 %", 40, 50, highlight=True)),
        flag="≠ sources disagree",
    )
    lines = ch.layout([chart], 60, legend=False)
    text = ch.plain(lines).splitlines()
    assert text[0] == "pain · effect (%)  ≠ sources disagree"
    assert text[1].startswith("  Alpha ")
    assert text[1].endswith(" 30 %")
    assert text[2].startswith("        ")
    assert text[2].endswith(" 40–50 % ≠")
    assert text[1].index(ch.POINT) < text[2].index(ch.BAR)
    roles = {role for line in lines for _, role in line}
    assert {"title", "flag", "axis", "mark", "mark.highlight", "text.highlight"} <= roles


def test_stacked_layout_when_narrow() -> None:
    chart = RangeChart(
        "t", "percent", (Mark("A long publisher name", "60–70 % at 12 months", 60, 70),)
    )
    text = ch.plain(ch.layout([chart], 30, legend=False)).splitlines()
    assert text[1] == "  A long publisher name: 60–7…"
    assert ch.BAR in text[2]
    assert max(cell_len(line) for line in text) <= 30


def test_legend_names_every_mark() -> None:
    legend = ch.plain(ch.legend_lines(200))
    for mark in (ch.BAR, ch.POINT, ch.OPEN, ch.ARROW, ch.DISAGREE):
        assert mark in legend
    assert all(cell_len(line) <= 24 for line in ch.plain(ch.legend_lines(24)).splitlines())


def test_data_text_is_cleaned() -> None:
    chart = RangeChart("t\x1b[31m", None, (Mark("Evil\x1b]0;x\x07", "1", 1, 1),))
    out = ch.plain(ch.layout([chart], 60))
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\\x1b" in out


MARKS = st.builds(
    Mark,
    # labels are never exactly a drawing glyph: the test finds bars by their glyphs
    name=st.text(min_size=0, max_size=30).filter(lambda t: t not in (ch.BAR, ch.POINT)),
    text=st.text(min_size=1, max_size=40).filter(lambda t: t not in (ch.BAR, ch.POINT)),
    low=st.floats(0, 1e6),
    high=st.floats(0, 1e6),
    open_low=st.booleans(),
    open_high=st.booleans(),
    ceiling=st.none() | st.floats(0, 1e6),
    highlight=st.booleans(),
).filter(lambda m: m.low <= m.high and (m.ceiling is None or m.ceiling >= m.high))


@settings(max_examples=settings.default.max_examples // 2)  # heavier: half the profile's
@given(
    marks=st.lists(MARKS, min_size=1, max_size=5),
    unit=st.sampled_from(["percent", "days", "usd", None]),
    width=st.integers(12, 200),
)
def test_layout_fits_any_width(marks: list[Mark], unit: str | None, width: int) -> None:
    chart = RangeChart("a title that may need to wrap onto more lines", unit, tuple(marks))
    lines = ch.layout([chart, chart], width, title="Title")
    assert all(cell_len("".join(t for t, _ in line)) <= width for line in lines)
    bars = [line for line in lines if any(t in (ch.BAR, ch.POINT) for t, _ in line)]
    assert len(bars) == 2 * len(marks)  # every value is drawn, in every chart


@pytest.mark.parametrize("span", [5e-324, 1e-310, 2.2e-308, 1e-300])
def test_a_span_below_float_precision_gets_a_plain_step(span: float) -> None:
    from stemcli.render.chart import nice_step

    for ticks in (1, 3, 12, 19):
        step = nice_step(span, ticks)
        assert step > 0
        assert math.isfinite(step)
        assert step * ticks >= span  # at most `ticks` parts
