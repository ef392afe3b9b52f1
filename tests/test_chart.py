"""compare --svg / --html: a self-contained figure for articles (render/figure.py).

Its layout in a real browser is checked in tests/test_chart_browser.py.
"""

from __future__ import annotations

import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from typer.testing import Result

from stemcli.render import figure as fig
from stemcli.render.chart import Mark, RangeChart

Run = Callable[..., Result]
NS = "{http://www.w3.org/2000/svg}"
URL = re.compile(r"(?i)\b(?:https?|ftp|file|data|javascript):[^\s\"'<>]*|//[\w.-]+\.\w+/")
HOSTILE = "</text><script>alert(\"x\")</script>&amp; 'q' \x1b[31m\u202eevil"


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def saved(run: Run, tmp_path: Path, *args: str) -> tuple[str, str]:
    svg, html = tmp_path / "f.svg", tmp_path / "f.html"
    ok(run("compare", *args, "--svg", str(svg), "--html", str(html)))
    return svg.read_text(encoding="utf-8"), html.read_text(encoding="utf-8")


def texts(svg: str, role: str) -> list[str]:
    root = ET.fromstring(svg)
    return [
        "".join(t.itertext())
        for t in root.iter(f"{NS}text")
        if t.get("class", "").split() == [role]
    ]


def external_references(text: str) -> list[str]:
    found = [u for u in URL.findall(text) if u != "http://www.w3.org/2000/svg"]
    found += re.findall(r"(?i)@import|<script|\bhref\s*=|url\(|@font-face|<link\b|<iframe", text)
    return found


def test_svg_is_well_formed_and_self_contained(run_mini: Run, tmp_path: Path) -> None:
    svg, html = saved(run_mini, tmp_path, "knee-oa")
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.find(f"{NS}title") is not None
    assert root.find(f"{NS}desc") is not None
    assert root.get("role") == "img"
    assert "sans-serif" in (root.get("font-family") or "")
    assert external_references(svg) == []
    assert external_references(html) == []
    # light: a white background, and no terminal window
    background = root.find(f"{NS}rect")
    assert background is not None
    assert background.get("fill") == "#ffffff"


def test_html_embeds_the_same_svg(run_mini: Run, tmp_path: Path) -> None:
    svg, html = saved(run_mini, tmp_path, "knee-oa")
    assert html.count("<svg") == 1
    assert svg.strip() in html
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert '<meta charset="utf-8">' in html


def test_title_names_the_filters(run_mini: Run, tmp_path: Path) -> None:
    svg, html = saved(run_mini, tmp_path, "knee-oa", "--stage", "middle", "--outcome", "pain")
    assert texts(svg, "title") == ["Knee osteoarthritis, middle stage: pain"]
    root = ET.fromstring(svg)
    assert root.findtext(f"{NS}title") == "Knee osteoarthritis, middle stage: pain"
    assert "<title>Knee osteoarthritis, middle stage: pain</title>" in html
    svg, _ = saved(run_mini, tmp_path, "--force")
    assert texts(svg, "title") == ["All conditions: all outcomes"]


def test_caption_names_every_source_and_the_date(run: Run, mini: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(mini, data)
    newest = 981_158_400  # 2001-02-03 00:00 UTC
    for path in data.rglob("*.yaml"):
        os.utime(path, (newest - 86_400, newest - 86_400))
    os.utime(data / "sources.yaml", (newest + 3_600, newest + 3_600))
    out = tmp_path / "out"
    out.mkdir()
    svg, _ = saved(
        lambda *a: run("--no-bundled", "--data", str(data), *a),
        out,
        "knee-oa",
        "--sources",
        "alpha,beta",
    )
    caption = " ".join(texts(svg, "caption"))
    for name in ("Alpha Clinic", "Alpha Clinic knee page", "Beta Broker", "Beta Broker guide"):
        assert name in caption
    assert "Gamma" not in caption  # not in the figure
    assert "2001-02-03" in caption
    assert "2001-02-02" not in caption


def test_a_source_without_values_is_not_named(run_mini: Run, tmp_path: Path) -> None:
    svg, _ = saved(run_mini, tmp_path, "knee-oa", "--outcome", "improvement")
    caption = " ".join(texts(svg, "caption"))
    assert "Beta Broker" in caption
    assert "Alpha Clinic" not in caption
    assert "Gamma Info" not in caption


def _hostile_figure() -> fig.Figure:
    marks = (
        Mark(HOSTILE, f"10 % {HOSTILE}", 10, 10, highlight=True),
        Mark("Plain", "20–30 %", 20, 30, tension=True),
        Mark("", "over 50 %", 50, 50, open_high=True, ceiling=100),
        Mark("Unbounded", "over 2 years", 730, 730, open_high=True),
    )
    return fig.Figure(
        title=f"Title {HOSTILE}",
        charts=(
            RangeChart(f"chart {HOSTILE}", "percent", marks[:3]),
            RangeChart("t", "days", marks[3:]),
        ),
        sources=(fig.Attribution(HOSTILE, f"“{HOSTILE}”"), fig.Attribution("Plain", "")),
        date="2001-02-03",
        subtitle=HOSTILE,
    )


def test_text_from_the_data_is_never_markup() -> None:
    figure = _hostile_figure()
    for document in (fig.svg(figure), fig.html(figure)):
        assert "<script" not in document
        assert "\x1b" not in document
        assert "\u202e" not in document
        assert external_references(document) == []
    root = ET.fromstring(fig.svg(figure))  # well-formed despite quotes, brackets, controls
    shown = "".join(root.itertext())
    assert "</text><script>alert(\"x\")</script>&amp; 'q' \\x1b[31m\\u202eevil" in shown
    assert all(t.get("class") for t in root.iter(f"{NS}text"))  # no element was injected
    assert {el.tag for el in root.iter()} <= {
        f"{NS}{tag}"
        for tag in ("svg", "title", "desc", "rect", "text", "line", "circle", "polygon", "g")
    }


def test_every_distinction_has_a_shape_not_only_a_colour() -> None:
    svg = fig.svg(_hostile_figure())
    root = ET.fromstring(svg)
    classes = [el.get("class", "") for el in root.iter()]
    assert "marker point" in classes
    assert "marker bar" in classes
    assert "marker open" in classes  # the dashed open side of "over 50 %"
    assert "marker arrow" in classes  # "over 2 years" has no upper bound
    glyphs = texts(svg, "glyph")
    assert glyphs == [fig.CONTRADICTION, fig.TENSION]  # one per flagged value, in a column
    legend = texts(svg, "legend")
    assert len(legend) == len(fig.LEGEND)
    assert any("contradicts" in t for t in legend)
    assert any("tension" in t for t in legend)


def test_labels_are_cut_to_their_columns() -> None:
    long = "A very long publisher name that goes on and on and on " * 3
    cut = fig.fit_width(long, fig.NAME_MAX, fig.LABEL_SIZE)
    assert cut.endswith("…")
    assert fig.text_width(cut, fig.LABEL_SIZE) <= fig.NAME_MAX
    assert fig.fit_width("short", fig.NAME_MAX, fig.LABEL_SIZE) == "short"
    # the estimate holds for wide characters too
    assert fig.text_width("漢字", 10) > fig.text_width("ab", 10)
