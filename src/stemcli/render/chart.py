"""Range charts: each source's values as bars on one shared axis, one chart per row.

The layout is pure: :func:`layout` turns :class:`RangeChart` objects and a width into
lines of ``(text, role)`` pieces, where a role names what the piece is ("mark",
"axis", ...), not how it looks. Only :class:`ChartGroup` touches rich, mapping roles to
styles. Every distinction is drawn with characters, so a chart reads the same without
colour (``NO_COLOR``, a pipe, a file):

- ``━`` a stated range, ``●`` a single value;
- ``╌`` the open side of a qualified value: "over 85 %" runs on to 100 %, "up to
  24 months" starts at 0;
- ``▶`` at the end of the axis: the value has no upper bound ("over 2 years");
- ``≠`` after a value: another source in the row states nothing that overlaps it;
- ``┄`` the span of a source's values left out of a crowded row ("… 12 more values"),
  from the lowest to the highest of them: no value of its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stemcli.numbers import format_tick as tick_label
from stemcli.numbers import unit_title
from stemcli.text.neutralise import clean_line

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions
    from rich.segment import Segment

BAR = "━"
POINT = "●"
OPEN = "╌"
ARROW = "▶"
TICK = "┼"
RULE = "─"
DISAGREE = "≠"
ELIDED = "┄"

INDENT = 2
NAME_MAX = 22  # longest source name shown before the bars
NAME_MIN = 10
AXIS_MIN = 20  # narrower than this, each value gets its own label line (stacked layout)
AXIS_MAX = 60
WHOLE_UNITS = ("sessions", "patients")  # counted in whole numbers: no 0.5 ticks
LEGEND = (
    f"{BAR} range",
    f"{POINT} single value",
    f"{OPEN} open-ended (over, up to)",
    f"{ARROW} no upper bound",
    f"{DISAGREE} contradicts another value here",
)
ELIDED_LEGEND = f"{ELIDED} span of the values left out"

# role -> rich style (ChartGroup); a role of None is unstyled text
STYLES = {
    "title": "bold",
    "flag": "bold red",
    "legend": "dim",
    "axis": "dim",
    "mark": "cyan",
    "mark.highlight": "bold red",
    "mark.elided": "dim",
    "text.highlight": "bold red",
    "name": "bold",
}

Piece = tuple[str, str | None]
Line = tuple[Piece, ...]


@dataclass(frozen=True)
class Mark:
    """One value of one source, in the chart's axis unit."""

    name: str  # who states it (shown before the bar; empty for a source's later values)
    text: str  # the value as written next to the bar: "60–70 % at 12 months"
    low: float  # the stated bounds
    high: float
    open_low: bool = False  # "up to", "at most": anything from 0 up to ``low`` too
    open_high: bool = False  # "over": anything above ``high`` too
    ceiling: float | None = None  # where an open_high value stops (100 %); None: no bound
    highlight: bool = False  # contradicts another value of its row
    tension: bool = False  # a case report far from it (shown in figures)
    # stands for values left out, from the lowest to the highest of them (not a value)
    elided: bool = False


@dataclass(frozen=True)
class RangeChart:
    title: str
    unit: str | None  # the axis unit: "percent", "days", "usd", "points", None ...
    marks: tuple[Mark, ...]
    flag: str | None = None  # shown after the title, e.g. "≠ sources disagree"


@dataclass(frozen=True)
class Axis:
    low: float
    high: float
    ticks: tuple[float, ...]

    def position(self, x: float, width: int) -> int:
        """The column (0 … width-1) of ``x``; values off the axis stick to its ends."""
        if width <= 1 or self.high <= self.low:
            return 0
        if math.isinf(x):
            return width - 1 if x > 0 else 0
        col = round((x - self.low) / (self.high - self.low) * (width - 1))
        return min(width - 1, max(0, col))


# ---------------------------------------------------------------------------
# numbers


_TINY = 1e-300  # steps below this are denormal floats, where log10 and powers misbehave


def nice_step(span: float, max_ticks: int) -> float:
    """The smallest 1, 2 or 5 × 10^k step that cuts ``span`` into at most max_ticks parts."""
    max_ticks = max(1, max_ticks)
    raw = span / max_ticks
    if not raw >= _TINY or not math.isfinite(raw):  # no span, or one below float precision
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    # power <= raw < 10 * power, so a factor fits (10 when rounding leaves none smaller)
    return power * next((f for f in (1.0, 2.0, 5.0) if f * power >= raw * (1 - 1e-9)), 10.0)


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def axis_for(unit: str | None, marks: Sequence[Mark], width: int) -> Axis:
    """The axis of one chart: 0–100 for percentages, else 0 (or below) to a round number."""
    bounds = _finite(
        [m.low for m in marks]
        + [m.high for m in marks]
        + [m.ceiling for m in marks if m.ceiling is not None]
    )
    unbounded = any(m.open_high and m.ceiling is None for m in marks)
    low = min([0.0, *bounds])
    high = max([0.0, *bounds])
    if unit == "percent":
        high = max(high, 100.0)
    else:  # room after the highest value; more for an open end to show
        high += (high - low) * (0.2 if unbounded else 0.05)
    if high <= low:
        high = low + 1.0
    max_ticks = max(1, min(10, width // 8))
    if unit == "percent" and high == 100.0 and low == 0.0:
        step = 25.0 if max_ticks >= 4 else 50.0
    else:
        step = nice_step(high - low, max_ticks)
        if unit in WHOLE_UNITS:
            step = max(1.0, step)
    low = step * math.floor(low / step + 1e-9)
    high = step * math.ceil(high / step - 1e-9)
    count = round((high - low) / step)
    ticks = tuple(round(low + i * step, 10) for i in range(count + 1))
    return Axis(low, high, ticks)


# ---------------------------------------------------------------------------
# text widths


def cell_width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, with an ellipsis when something was cut."""
    if cell_width(text) <= width:
        return text
    if width <= 0:
        return ""
    out = ""
    for ch in text:
        if cell_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_width(text))


# ---------------------------------------------------------------------------
# bars and axes


def bar(mark: Mark, axis: Axis, width: int) -> list[Piece]:
    """The ``width`` cells of one mark's bar: (character, role) each."""
    role = "mark.highlight" if mark.highlight else "mark"
    cells: list[Piece] = [(" ", None)] * width
    if width <= 0:
        return cells
    a = axis.position(mark.low, width)
    b = axis.position(mark.high, width)
    if mark.elided:
        for i in range(a, b + 1):
            cells[i] = (ELIDED, "mark.elided")
        return cells
    if mark.open_low:
        for i in range(axis.position(min(0.0, mark.low), width), a):
            cells[i] = (OPEN, role)
    if mark.open_high:
        end = axis.position(mark.ceiling, width) if mark.ceiling is not None else width - 1
        for i in range(b + 1, end + 1):
            cells[i] = (OPEN, role)
        if mark.ceiling is None and end > b:
            cells[end] = (ARROW, role)
    if mark.low == mark.high:
        cells[a] = (POINT, role)
    else:
        for i in range(a, b + 1):
            cells[i] = (BAR, role)
    return cells


def axis_lines(axis: Axis, width: int, unit: str | None) -> tuple[str, str]:
    """The rule with ticks, and the tick labels under it (labels never overlap)."""
    rule = [RULE] * width
    positions = [axis.position(t, width) for t in axis.ticks]
    for p in positions:
        if 0 <= p < width:
            rule[p] = TICK
    labels = [" "] * width
    taken: list[tuple[int, int]] = []
    order = list(range(len(axis.ticks)))
    if len(order) > 1:
        order = [order[0], order[-1], *order[1:-1]]
    for k in order:
        text = tick_label(axis.ticks[k], unit)
        n = len(text)
        if n > width:
            continue
        start = min(max(0, positions[k] - n // 2), width - n)
        end = start + n
        if any(start <= e and s <= end for s, e in taken):  # keep one space between labels
            continue
        taken.append((start, end))
        labels[start:end] = list(text)
    return "".join(rule), "".join(labels).rstrip()


def _mark_text(mark: Mark) -> str:
    text = clean_line(mark.text)
    return f"{text} {DISAGREE}" if mark.highlight else text


def wrap_words(text: str, width: int) -> list[str]:
    """Greedy word wrap; a word longer than ``width`` is cut with an ellipsis."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and cell_width(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return [fit(line, width) for line in lines]


def _title_lines(chart: RangeChart, width: int) -> list[Line]:
    title = clean_line(chart.title)
    unit = unit_title(chart.unit)
    if unit:
        title += f" ({unit})"
    lines: list[Line] = [((line, "title"),) for line in wrap_words(title, width)]
    if chart.flag:
        flag = clean_line(chart.flag)
        last = lines[-1][0][0]
        if cell_width(last) + 2 + cell_width(flag) <= width:
            lines[-1] = ((last, "title"), ("  ", None), (flag, "flag"))
        else:
            lines.append(((fit(flag, width), "flag"),))
    return lines


def legend_lines(width: int, *, elided: bool = False) -> list[Line]:
    """The legend, its items wrapped to ``width`` (``elided``: with the span of values
    left out)."""
    lines: list[Line] = []
    current = ""
    for item in (*LEGEND, ELIDED_LEGEND) if elided else LEGEND:
        candidate = f"{current}   {item}" if current else item
        if current and cell_width(candidate) > width:
            lines.append(((fit(current, width), "legend"),))
            current = item
        else:
            current = candidate
    if current:
        lines.append(((fit(current, width), "legend"),))
    return lines


@dataclass(frozen=True)
class Geometry:
    """Column widths shared by every chart of a group, so that their axes line up."""

    stacked: bool
    name: int
    axis: int
    text: int


def geometry(charts: Sequence[RangeChart], width: int) -> Geometry:
    marks = [m for c in charts for m in c.marks]
    longest_name = max((cell_width(clean_line(m.name)) for m in marks), default=0)
    longest_text = max((cell_width(_mark_text(m)) for m in marks), default=0)
    name = min(longest_name, NAME_MAX)
    # names give way first (down to NAME_MIN), then the layout stacks
    name = max(min(name, NAME_MIN), min(name, width - INDENT - 2 - longest_text - AXIS_MIN))
    axis = width - INDENT - name - 1 - 1 - longest_text
    if axis >= AXIS_MIN:
        return Geometry(False, name, min(axis, AXIS_MAX), longest_text)
    axis = max(1, min(width - INDENT - 1, AXIS_MAX))
    return Geometry(True, 0, axis, max(1, width - INDENT))


def chart_lines(chart: RangeChart, width: int, geo: Geometry) -> list[Line]:
    """One chart: title, one line (wide) or two lines (stacked) per mark, the axis."""
    lines = _title_lines(chart, width)
    axis = axis_for(chart.unit, chart.marks, geo.axis)
    indent: Piece = (" " * INDENT, None)
    for mark in chart.marks:
        text_role = "text.highlight" if mark.highlight else None
        name = clean_line(mark.name)
        bar_cells = tuple(bar(mark, axis, geo.axis))
        if geo.stacked:
            head = f"{name}: " if name else ""
            label = fit(head + _mark_text(mark), geo.text)
            cut = min(len(head), len(label))
            lines.append((indent, (label[:cut], "name"), (label[cut:], text_role)))
            lines.append((indent, *bar_cells))
        else:
            lines.append(
                (
                    indent,
                    (pad(fit(name, geo.name), geo.name), "name"),
                    (" ", None),
                    *bar_cells,
                    (" ", None),
                    (_mark_text(mark), text_role),
                )
            )
    rule, labels = axis_lines(axis, geo.axis, chart.unit)
    left = " " * (INDENT if geo.stacked else INDENT + geo.name + 1)
    lines.append(((left, None), (rule, "axis")))
    lines.append(((left, None), (labels, "axis")))
    return lines


def layout(
    charts: Sequence[RangeChart], width: int, *, title: str | None = None, legend: bool = True
) -> list[Line]:
    """Every chart of a group at ``width`` columns, as lines of (text, role) pieces."""
    width = max(1, width)
    lines: list[Line] = []
    if title:
        lines += [((line, "title"),) for line in wrap_words(clean_line(title), width)]
    if legend and charts:
        lines += legend_lines(width, elided=any(m.elided for c in charts for m in c.marks))
    geo = geometry(charts, width)
    for chart in charts:
        if lines:
            lines.append(())
        lines += chart_lines(chart, width, geo)
    if charts:
        lines.append(())  # apart from what follows (the summary)
    return [_trim(line) for line in lines]


def _trim(line: Line) -> Line:
    """Drop trailing blanks so that no line ends in spaces."""
    pieces = list(line)
    while pieces and not pieces[-1][0].strip():
        pieces.pop()
    if pieces:
        text, role = pieces[-1]
        pieces[-1] = (text.rstrip(), role)
    return tuple(pieces)


def plain(lines: Sequence[Line]) -> str:
    """The lines as plain text (for tests and for files)."""
    return "".join("".join(text for text, _ in line) + "\n" for line in lines)


class ChartGroup:
    """A rich renderable: the charts laid out at the console's width."""

    def __init__(
        self, charts: Sequence[RangeChart], *, title: str | None = None, legend: bool = True
    ) -> None:
        self.charts = tuple(charts)
        self.title = title
        self.legend = legend

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        from rich.segment import Segment

        styles = {role: console.get_style(style) for role, style in STYLES.items()}
        for line in layout(self.charts, options.max_width, title=self.title, legend=self.legend):
            for text, role in _merged(line):
                yield Segment(text, styles.get(role) if role else None)
            yield Segment.line()


def _merged(line: Line) -> Iterator[Piece]:
    """Adjacent pieces of one role as one piece (fewer segments, same output)."""
    text, role = "", None
    for piece_text, piece_role in line:
        if piece_role == role:
            text += piece_text
            continue
        if text:
            yield text, role
        text, role = piece_text, piece_role
    if text:
        yield text, role
