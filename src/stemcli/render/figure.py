"""Range charts as a figure for articles: one self-contained SVG, and an HTML page around it.

The figure is drawn here, element by element, not recorded from a terminal: a light
background, a system font stack (nothing is loaded from anywhere: no remote fonts, no
scripts, no links), a title naming the filters, a legend, one row per value of each
source with its bar or point on an axis in the value's unit, and a caption naming every
source and the date of the dataset.

It reads in monochrome: a range is a solid bar, a single value a dot, the open side of
"over" or "up to" a dashed line, a value without an upper bound ends in an arrowhead, and
a contradiction or a tension is a glyph (``≠``, ``~``) in a column of its own; colour
only repeats what the shapes say.

Labels never overlap markers by construction: source names sit in a column left of the
plot, glyphs and values in columns right of it, each row on its own line. Column widths
come from :func:`text_width`, which overestimates what the widest font of the stack
(DejaVu Sans) needs, so that a label cut to its column fits it in any of them.

Every text from the data goes through :func:`esc`: made visible by the one neutraliser
(:func:`~stemcli.text.neutralise.clean_line`), then escaped for XML, so that it is shown
as text and never read as markup.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from stemcli.numbers import format_tick, unit_title
from stemcli.render.chart import Axis, Mark, RangeChart, axis_for
from stemcli.text.neutralise import clean_line

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
INK = "#1a1a1a"  # text, axes
MUTED = "#555555"  # secondary text
GRID = "#d9d9d9"
BAR = "#2c5d8f"  # a value (dark enough to print as dark grey)
ALERT = "#b2182b"  # a contradicted value (the glyph says it too)
TENSE = "#8c5a00"  # a value in tension with a case report

MIN_WIDTH = 800
MARGIN = 24
PLOT_MIN = 320
NAME_MAX = 220  # px: longer source names are cut with an ellipsis
VALUE_MAX = 440  # px: likewise the values' texts
GAP = 14  # between the name column and the plot, the plot and the glyphs
GLYPH_W = 16  # the column of ≠ and ~

TITLE_SIZE = 20.0
SUBTITLE_SIZE = 13.0
PANEL_SIZE = 14.0
LABEL_SIZE = 13.0
TICK_SIZE = 12.0
LEGEND_SIZE = 12.0
CAPTION_SIZE = 12.0
ROW_H = 24.0
BAR_H = 8.0
POINT_R = 5.0

CONTRADICTION = "≠"
TENSION = "~"
LEGEND = (
    ("bar", "range"),
    ("point", "single value"),
    ("open", "open-ended (over, up to)"),
    ("arrow", "no upper bound"),
    ("contradiction", "contradicts another value in its row"),
    ("tension", "in tension with a case report"),
)
UNIT_NAMES = {"percent": "percent", "usd": "US dollars"}


@dataclass(frozen=True)
class Attribution:
    """A source named in the caption."""

    name: str  # the publisher
    title: str  # the page's title


@dataclass(frozen=True)
class Figure:
    title: str  # "Knee osteoarthritis, middle stage: improvement"
    charts: tuple[RangeChart, ...]
    sources: tuple[Attribution, ...]  # every source with a value in the figure
    date: str | None = None  # the date of the dataset, "2026-11-30"
    subtitle: str | None = None


# ---------------------------------------------------------------------------
# text


def esc(text: str) -> str:
    """Text from the data, safe in XML character data and in quoted attributes."""
    text = clean_line(text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _char_em(ch: str) -> float:
    """An upper bound of one character's advance in DejaVu Sans, in em."""
    if ch == " ":
        return 0.34
    if ch in "mwMW@…—%":
        return 1.02
    if ch.isdigit() or ch in "$#_–":
        return 0.66
    if ch.isascii():
        if ch.isupper():
            return 0.8
        if ch.islower():
            return 0.64
        return 0.56  # punctuation
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.05
    if unicodedata.combining(ch):
        return 0.0
    return 0.9


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """An estimate of ``text``'s width at ``size`` px that no font of the stack exceeds."""
    width = sum(_char_em(ch) for ch in text) * size
    return width * (1.12 if bold else 1.0) + 1.0


def fit_width(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """``text`` cut (with an ellipsis) to at most ``width`` px."""
    if text_width(text, size, bold=bold) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size, bold=bold) > width:
            break
        out += ch
    return out.rstrip() + "…"


def wrap_width(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """Greedy word wrap to ``width`` px; a word too long for a line is cut."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size, bold=bold) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return [fit_width(line, width, size, bold=bold) for line in lines]


def _n(x: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


class _Canvas:
    """The SVG's elements, in drawing order, and where text was put."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        role: str,
        bold: bool = False,
        fill: str = INK,
        anchor: str = "start",
    ) -> None:
        weight = ' font-weight="bold"' if bold else ""
        anchor_attr = f' text-anchor="{anchor}"' if anchor != "start" else ""
        self.parts.append(
            f'<text class="{role}" x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"'
            f'{weight}{anchor_attr} fill="{fill}">{esc(text)}</text>'
        )

    def add(self, element: str) -> None:
        self.parts.append(element)


# ---------------------------------------------------------------------------
# layout


@dataclass(frozen=True)
class _Columns:
    width: float  # the whole figure
    name_x: float
    name_w: float
    plot_x: float
    plot_w: float
    glyph_x: float
    value_x: float
    value_w: float


def _columns(figure: Figure) -> _Columns:
    marks = [m for c in figure.charts for m in c.marks]
    name_w = min(
        NAME_MAX, max((text_width(clean_line(m.name), LABEL_SIZE) for m in marks), default=0.0)
    )
    value_w = min(
        VALUE_MAX,
        max([text_width(clean_line(m.text), LABEL_SIZE) for m in marks] + [60.0]),
    )
    fixed = 2 * MARGIN + name_w + GAP + GAP + GLYPH_W + value_w
    plot_w = max(PLOT_MIN, MIN_WIDTH - fixed)
    width = fixed + plot_w
    plot_x = MARGIN + name_w + GAP
    glyph_x = plot_x + plot_w + GAP
    return _Columns(
        width=width,
        name_x=MARGIN,
        name_w=name_w,
        plot_x=plot_x,
        plot_w=plot_w,
        glyph_x=glyph_x,
        value_x=glyph_x + GLYPH_W,
        value_w=value_w,
    )


def _x(axis: Axis, value: float, cols: _Columns) -> float:
    """Where ``value`` is on the plot; values off the axis stick to its ends."""
    if math.isinf(value):
        return cols.plot_x + (cols.plot_w if value > 0 else 0.0)
    span = axis.high - axis.low
    share = (value - axis.low) / span if span > 0 else 0.0
    return cols.plot_x + min(1.0, max(0.0, share)) * cols.plot_w


def _colour(mark: Mark) -> str:
    if mark.highlight:
        return ALERT
    return TENSE if mark.tension else BAR


def _marker(canvas: _Canvas, mark: Mark, axis: Axis, cols: _Columns, y: float) -> None:
    """One value's shapes: dashed open sides, then the bar or the dot, then an arrowhead."""
    colour = _colour(mark)
    a, b = _x(axis, mark.low, cols), _x(axis, mark.high, cols)
    dashed = (
        f'stroke="{colour}" stroke-width="2" stroke-dasharray="5 3" fill="none" class="marker open"'
    )
    if mark.open_low:
        start = _x(axis, min(0.0, mark.low), cols)
        if a - start > 1:
            canvas.add(f'<line x1="{_n(start)}" y1="{_n(y)}" x2="{_n(a)}" y2="{_n(y)}" {dashed}/>')
    if mark.open_high:
        tip = cols.plot_x + cols.plot_w
        end = _x(axis, mark.ceiling, cols) if mark.ceiling is not None else tip - 8
        if end - b > 1:
            canvas.add(f'<line x1="{_n(b)}" y1="{_n(y)}" x2="{_n(end)}" y2="{_n(y)}" {dashed}/>')
        if mark.ceiling is None:
            canvas.add(_arrowhead(tip, y, colour))
    if mark.low == mark.high:
        canvas.add(
            f'<circle class="marker point" cx="{_n(a)}" cy="{_n(y)}" r="{_n(POINT_R)}"'
            f' fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
        )
    else:
        canvas.add(
            f'<rect class="marker bar" x="{_n(a)}" y="{_n(y - BAR_H / 2)}"'
            f' width="{_n(max(2.0, b - a))}" height="{_n(BAR_H)}" fill="{colour}"/>'
        )


def _arrowhead(tip: float, y: float, colour: str) -> str:
    points = f"{_n(tip)},{_n(y)} {_n(tip - 9)},{_n(y - 5)} {_n(tip - 9)},{_n(y + 5)}"
    return f'<polygon class="marker arrow" points="{points}" fill="{colour}"/>'


def _ticks(canvas: _Canvas, axis: Axis, unit: str | None, cols: _Columns, y: float) -> None:
    """The axis line, its ticks, and the tick labels that fit (ends first, 8 px apart)."""
    left, right = cols.plot_x, cols.plot_x + cols.plot_w
    canvas.add(
        f'<line class="axis" x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}"'
        f' stroke="{INK}" stroke-width="1"/>'
    )
    order = list(range(len(axis.ticks)))
    if len(order) > 1:
        order = [order[0], order[-1], *order[1:-1]]
    taken: list[tuple[float, float]] = []
    placed: list[tuple[float, str]] = []
    for k in order:
        x = _x(axis, axis.ticks[k], cols)
        label = format_tick(axis.ticks[k], unit)
        half = text_width(label, TICK_SIZE) / 2
        if any(x - half - 8 < e and s < x + half + 8 for s, e in taken):
            continue
        taken.append((x - half, x + half))
        placed.append((x, label))
    for x, label in sorted(placed):
        canvas.add(
            f'<line class="tick" x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x)}" y2="{_n(y + 5)}"'
            f' stroke="{INK}" stroke-width="1"/>'
        )
        canvas.text(x, y + 19, label, size=TICK_SIZE, role="tick-label", anchor="middle")
    name = UNIT_NAMES.get(unit or "", unit or "")
    if name:
        canvas.text(cols.value_x, y + 19, name, size=TICK_SIZE, role="unit", fill=MUTED)


def _grid(axis: Axis, cols: _Columns, top: float, bottom: float) -> str:
    lines = []
    for t in axis.ticks:
        x = _x(axis, t, cols)
        lines.append(
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}"'
            f' stroke="{GRID}" stroke-width="1"/>'
        )
    return '<g class="grid">' + "".join(lines) + "</g>"


def _legend(canvas: _Canvas, cols: _Columns, y: float) -> float:
    """The legend's items, wrapped to the figure's width; the y below it."""
    inner = cols.width - 2 * MARGIN
    swatch = 26.0
    item_w = max(swatch + 6 + text_width(label, LEGEND_SIZE) for _, label in LEGEND) + 18
    per_row = max(1, int(inner // item_w))
    col_w = inner / per_row
    for k, (kind, label) in enumerate(LEGEND):
        if k and k % per_row == 0:
            y += 22
        x = MARGIN + (k % per_row) * col_w
        mid = y - 4
        if kind == "bar":
            canvas.add(
                f'<rect class="swatch" x="{_n(x)}" y="{_n(mid - BAR_H / 2)}" width="{_n(swatch)}"'
                f' height="{_n(BAR_H)}" fill="{BAR}"/>'
            )
        elif kind == "point":
            canvas.add(
                f'<circle class="swatch" cx="{_n(x + swatch / 2)}" cy="{_n(mid)}"'
                f' r="{_n(POINT_R)}" fill="{BAR}"/>'
            )
        elif kind in ("open", "arrow"):
            end = x + (swatch - 8 if kind == "arrow" else swatch)
            canvas.add(
                f'<line class="swatch" x1="{_n(x)}" y1="{_n(mid)}" x2="{_n(end)}" y2="{_n(mid)}"'
                f' stroke="{BAR}" stroke-width="2" stroke-dasharray="5 3"/>'
            )
            if kind == "arrow":
                canvas.add(_arrowhead(x + swatch, mid, BAR).replace("marker arrow", "swatch"))
        else:
            glyph = CONTRADICTION if kind == "contradiction" else TENSION
            colour = ALERT if kind == "contradiction" else TENSE
            canvas.text(
                x + swatch / 2,
                y,
                glyph,
                size=LABEL_SIZE,
                role="legend-glyph",
                bold=True,
                fill=colour,
                anchor="middle",
            )
        canvas.text(x + swatch + 6, y, label, size=LEGEND_SIZE, role="legend", fill=INK)
    return y + 14


def _caption(figure: Figure) -> str:
    named = "; ".join(
        f"{clean_line(s.name)}, “{clean_line(s.title).strip()}”"
        if s.title.strip()
        else clean_line(s.name)
        for s in figure.sources
    )
    text = f"Sources: {named}." if named else "Sources: none."
    text += " Values as each source states them."
    if figure.date:
        text += f" Data as of {figure.date}."
    return text + " Figure: stemcli compare."


def svg(figure: Figure) -> str:
    """The figure as one SVG document (no XML declaration, so that HTML can embed it)."""
    cols = _columns(figure)
    canvas = _Canvas()
    inner = cols.width - 2 * MARGIN
    y = MARGIN + TITLE_SIZE
    for line in wrap_width(clean_line(figure.title), inner, TITLE_SIZE, bold=True):
        canvas.text(MARGIN, y, line, size=TITLE_SIZE, role="title", bold=True)
        y += TITLE_SIZE * 1.3
    if figure.subtitle:
        for line in wrap_width(clean_line(figure.subtitle), inner, SUBTITLE_SIZE):
            canvas.text(MARGIN, y, line, size=SUBTITLE_SIZE, role="subtitle", fill=MUTED)
            y += SUBTITLE_SIZE * 1.4
    y += 8
    y = _legend(canvas, cols, y)
    for chart in figure.charts:
        y += 22
        y = _panel(canvas, chart, cols, y)
    y += 18
    for line in wrap_width(_caption(figure), inner, CAPTION_SIZE):
        y += CAPTION_SIZE * 1.45
        canvas.text(MARGIN, y, line, size=CAPTION_SIZE, role="caption", fill=MUTED)
    height = y + MARGIN
    title = esc(figure.title)
    body = "\n".join(canvas.parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(cols.width)}"'
        f' height="{_n(height)}" viewBox="0 0 {_n(cols.width)} {_n(height)}"'
        f' role="img" aria-labelledby="stemcli-figure-title stemcli-figure-desc"'
        f' font-family="{FONT}">\n'
        f'<title id="stemcli-figure-title">{title}</title>\n'
        f'<desc id="stemcli-figure-desc">{esc(describe(figure))}</desc>\n'
        f'<rect class="background" x="0" y="0" width="100%" height="100%" fill="#ffffff"/>\n'
        f"{body}\n</svg>\n"
    )


def _panel(canvas: _Canvas, chart: RangeChart, cols: _Columns, y: float) -> float:
    """One chart: its heading, a row per value, the axis; the y below it."""
    heading = clean_line(chart.title)
    unit = unit_title(chart.unit)
    if unit:
        heading += f" ({unit})"
    if chart.flag:
        heading += f" — {clean_line(chart.flag)}"
    for line in wrap_width(heading, cols.width - 2 * MARGIN, PANEL_SIZE, bold=True):
        canvas.text(MARGIN, y, line, size=PANEL_SIZE, role="panel", bold=True)
        y += PANEL_SIZE * 1.35
    axis = axis_for(chart.unit, chart.marks, int(cols.plot_w / 7))
    top = y - 4
    rows_y = [y + 4 + ROW_H * (i + 0.5) for i in range(len(chart.marks))]
    bottom = y + 4 + ROW_H * len(chart.marks)
    canvas.add(_grid(axis, cols, top, bottom))
    for mark, mid in zip(chart.marks, rows_y, strict=True):
        baseline = mid + LABEL_SIZE * 0.35
        if mark.name:
            name = fit_width(clean_line(mark.name), cols.name_w, LABEL_SIZE)
            canvas.text(cols.name_x, baseline, name, size=LABEL_SIZE, role="name")
        _marker(canvas, mark, axis, cols, mid)
        glyph = CONTRADICTION if mark.highlight else TENSION if mark.tension else ""
        if glyph:
            canvas.text(
                cols.glyph_x + GLYPH_W / 2 - 2,
                baseline,
                glyph,
                size=LABEL_SIZE,
                role="glyph",
                bold=True,
                fill=_colour(mark),
                anchor="middle",
            )
        value = fit_width(clean_line(mark.text), cols.value_w, LABEL_SIZE)
        canvas.text(cols.value_x, baseline, value, size=LABEL_SIZE, role="value")
    _ticks(canvas, axis, chart.unit, cols, bottom)
    return bottom + 28


def describe(figure: Figure) -> str:
    """The figure in words (its <desc>): every value of every chart."""
    parts = [f"Range chart. {figure.title}."]
    for chart in figure.charts:
        unit = unit_title(chart.unit)
        head = chart.title + (f" ({unit})" if unit else "")
        values = []
        name = ""
        for m in chart.marks:
            name = m.name or name
            note = (
                ", contradicts another value"
                if m.highlight
                else ", in tension with a case report"
                if m.tension
                else ""
            )
            values.append(f"{name}: {m.text}{note}")
        parts.append(f"{head}: {'; '.join(values)}.")
    parts.append(_caption(figure))
    return " ".join(parts)


def html(figure: Figure) -> str:
    """A page that shows the figure: the same SVG, inline, on a light page."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(figure.title)}</title>\n"
        "<style>body{margin:0;padding:16px;background:#ffffff;color:#1a1a1a}"
        "figure{margin:0}figure svg{display:block;max-width:100%;height:auto}</style>\n"
        "</head>\n<body>\n<figure>\n"
        f"{svg(figure)}"
        "</figure>\n</body>\n</html>\n"
    )
