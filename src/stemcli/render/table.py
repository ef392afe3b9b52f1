"""Terminal tables: a small, fast table layout that rich prints.

Why not ``rich.table.Table``: laying out a 50-row table with it takes ~50 ms, more than
all of stemcli's start-up; this layout does the same job (word wrap by display width,
shrinking wide columns first, sections, per-span highlights) in a few milliseconds.
Cells are plain strings or :class:`~stemcli.render.Styled`: data is never parsed as
markup, and control characters are made visible (:func:`stemcli.text.neutralise.clean`).

When the terminal is too narrow for the columns, each row is printed as a block of
``Header: value`` lines instead: empty cells are left out, a no-wrap cell (an id) stays
on one line, and a section's key is said once, as the heading of its rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.cells import cell_len

from stemcli.render.interface import Cell, Report, Styled
from stemcli.text.neutralise import clean

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.segment import Segment
    from rich.text import Text

GAP = 2  # spaces between columns
BREAK_AFTER = "-–/"  # a line may break after these, as after a space
MIN_CAP = 12  # columns shrink to their longest word, but not below this many cells
EMPTY = "—"  # a cell that says there is nothing: left out of the narrow layout


@dataclass(frozen=True)
class _Cell:
    text: str
    style: str | None
    spans: tuple[tuple[int, int, str], ...]


def _prepare(cell: Cell, column_style: str | None) -> _Cell:
    if isinstance(cell, Styled):
        if cell.short is not None:
            return _Cell(
                clean(cell.short), " ".join(s for s in (column_style, cell.style) if s) or None, ()
            )
        text = clean(cell.text)
        spans = cell.spans if text == cell.text else ()
        style = " ".join(s for s in (column_style, cell.style) if s) or None
        return _Cell(text, style, spans)
    return _Cell(clean(cell), column_style, ())


def _cell_len(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _tokens(text: str, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    """Break opportunities: words end at a space or just after a hyphen, dash or slash.

    Yields (start, end, joined) where ``joined`` is True when the token follows a hyphen
    directly (no space to add when it stays on the same line).
    """
    i = start
    joined = False
    while i < end:
        if text[i] == " ":
            i += 1
            joined = False
            continue
        j = i
        while j < end and text[j] != " ":
            j += 1
            if text[j - 1] in BREAK_AFTER and j < end and text[j] != " " and j - i > 1:
                break
        yield i, j, joined
        joined = j < end and text[j] != " "
        i = j


def _longest_token(text: str) -> int:
    return max((_cell_len(text[i:j]) for i, j, _ in _tokens(text, 0, len(text))), default=0)


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap by display width; returns (start, end) offsets of each line.

    Newlines in ``text`` break lines; lines break at spaces and after hyphens; words
    longer than ``width`` are folded.
    """
    width = max(1, width)
    lines: list[tuple[int, int]] = []
    pos = 0
    for para in text.split("\n"):
        para_start = pos
        para_end = pos + len(para)
        pos = para_end + 1
        if _cell_len(para) <= width:
            lines.append((para_start, para_end))
            continue
        line_start = line_end = -1
        line_w = 0
        for i, j, joined in _tokens(text, para_start, para_end):
            word_w = _cell_len(text[i:j])
            sep = 0 if joined else 1
            if line_start != -1 and line_w + sep + word_w <= width:
                line_end, line_w = j, line_w + sep + word_w
                continue
            if line_start != -1:
                lines.append((line_start, line_end))
            if word_w > width:
                i = _fold(text, i, j, width, lines)
                word_w = _cell_len(text[i:j])
            line_start, line_end, line_w = i, j, word_w
        if line_start != -1:
            lines.append((line_start, line_end))
    return lines or [(0, 0)]


def _fold(text: str, i: int, j: int, width: int, lines: list[tuple[int, int]]) -> int:
    """Cut the long word text[i:j] into full-width pieces; return where the rest starts."""
    while cell_len(text[i:j]) > width:
        k, w = i, 0
        while k < j and w + cell_len(text[k]) <= width:
            w += cell_len(text[k])
            k += 1
        k = max(k, i + 1)
        lines.append((i, k))
        i = k
    return i


def _widths(
    natural: list[int], minimum: list[int], maximum: list[int | None], total: int
) -> list[int]:
    widths = [min(n, m) if m else n for n, m in zip(natural, maximum, strict=True)]
    excess = sum(widths) + GAP * (len(widths) - 1) - total
    if excess <= 0:
        return widths
    # every column gives up the same share of its room above its minimum width
    room = [max(0, w - lo) for w, lo in zip(widths, minimum, strict=True)]
    spare = sum(room)
    if spare < excess:
        return [max(1, lo) for lo in minimum]
    cut = [r * excess // spare for r in room]
    left = excess - sum(cut)
    for k in sorted(range(len(room)), key=lambda k: -(room[k] - cut[k]))[:left]:
        cut[k] += 1
    return [w - c for w, c in zip(widths, cut, strict=True)]


class FastTable:
    """A rich renderable laying out a :class:`Report` as a table."""

    def __init__(self, report: Report) -> None:
        self.report = report
        cols = report.columns
        self.header = [clean(c.header) for c in cols]
        self.rows = [
            [_prepare(cell, col.style) for cell, col in zip(row, cols, strict=True)]
            for row in report.rows
        ]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        from rich.segment import Segment

        total = options.max_width
        cols = self.report.columns
        natural = [_cell_len(h) for h in self.header]
        longest_word = [max((_cell_len(w) for w in h.split()), default=1) for h in self.header]
        for row in self.rows:
            for k, cell in enumerate(row):
                for para in cell.text.split("\n"):
                    natural[k] = max(natural[k], _cell_len(para))
                if cols[k].no_wrap:
                    longest_word[k] = max(longest_word[k], _cell_len(cell.text))
                else:
                    longest_word[k] = max(longest_word[k], _longest_token(cell.text))
        minimum = [
            max(min(lw, MIN_CAP), c.min_width or 0)
            for lw, c in zip(longest_word, cols, strict=True)
        ]
        minimum = [
            n if c.no_wrap else min(m, n) for m, n, c in zip(minimum, natural, cols, strict=True)
        ]
        if len(cols) > 2 and sum(minimum) + GAP * (len(cols) - 1) > total:
            yield from self._blocks(console, total)
            return
        widths = _widths(natural, minimum, [c.max_width for c in cols], total)
        line_width = sum(widths) + GAP * (len(widths) - 1)
        if self.report.title:
            title = clean(self.report.title)
            pad = max(0, (line_width - _cell_len(title)) // 2)
            yield Segment(" " * pad)
            yield Segment(title, console.get_style("bold"))
            yield Segment.line()
        header_cells = [_Cell(h, "bold", ()) for h in self.header]
        yield from self._row(console, header_cells, widths)
        yield Segment("─" * line_width, console.get_style("dim"))
        yield Segment.line()
        group = self.report.group_by
        previous: str | None = None
        for row in self.rows:
            if group is not None:
                key = row[group].text
                if previous is not None and key != previous:
                    yield Segment.line()
                previous = key
            yield from self._row(console, row, widths)

    def _row(
        self, console: Console, row: Sequence[_Cell], widths: Sequence[int]
    ) -> Iterator[Segment]:
        from rich.segment import Segment

        wrapped = [wrap(cell.text, w) for cell, w in zip(row, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        cols = self.report.columns
        for line_no in range(height):
            # the last column with text on this line: nothing is padded past it
            last = max(
                (
                    k
                    for k, lines in enumerate(wrapped)
                    if line_no < len(lines) and lines[line_no][1] > lines[line_no][0]
                ),
                default=-1,
            )
            for k, cell in enumerate(row[: last + 1]):
                if k:
                    yield Segment(" " * GAP)
                lines = wrapped[k]
                if line_no < len(lines):
                    start, end = lines[line_no]
                    used = _cell_len(cell.text[start:end])
                    pad = " " * max(0, widths[k] - used)
                    right = cols[k].justify == "right"
                    if right:
                        yield Segment(pad)
                    yield from _styled(console, cell, start, end)
                    if not right and k < last:
                        yield Segment(pad)
                elif k < last:
                    yield Segment(" " * widths[k])
            yield Segment.line()

    def _blocks(self, console: Console, total: int) -> Iterator[Segment]:
        """Narrow terminals: each row as 'Header: value' lines."""
        from rich.segment import Segment

        if self.report.title:
            title = clean(self.report.title)
            for start, end in wrap(title, total):
                yield Segment(title[start:end], console.get_style("bold"))
                yield Segment.line()
        group = self.report.group_by
        previous: str | None = None
        cols = self.report.columns
        for n, row in enumerate(self.rows):
            if n:
                yield Segment.line()
            # a section's key is said once, as its heading, not on every row of it
            if group is not None and row[group].text != previous:
                previous = row[group].text
                heading = f"{self.header[group]}: {previous}".replace("\n", ", ")
                for start, end in wrap(heading, total):
                    yield Segment(heading[start:end], console.get_style("bold underline"))
                    yield Segment.line()
            for k, (header, cell) in enumerate(zip(self.header, row, strict=True)):
                # nothing to say (an empty cell, or one that says so) is left out
                if cell.text in ("", EMPTY) or k == group:
                    continue
                label = f"{header}: "
                first = True
                room = max(1, total - _cell_len(label))
                # a no-wrap cell (an id to copy) stays whole on its line
                lines = _paragraphs(cell.text) if cols[k].no_wrap else wrap(cell.text, room)
                if cols[k].no_wrap and max(e - s for s, e in lines) > room:
                    # too long to follow its label: on lines of its own, from the margin
                    yield Segment(label.rstrip(), console.get_style("bold"))
                    yield Segment.line()
                    for start, end in lines:
                        # wider than the terminal: in pieces, rather than cut off
                        for a in range(start, max(end, start + 1), max(1, total)):
                            yield from _styled(console, cell, a, min(end, a + total))
                            yield Segment.line()
                    continue
                for start, end in lines:
                    yield Segment(
                        label if first else " " * _cell_len(label),
                        console.get_style("bold") if first else None,
                    )
                    yield from _styled(console, cell, start, end)
                    yield Segment.line()
                    first = False


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of each line of ``text``, unwrapped."""
    lines: list[tuple[int, int]] = []
    pos = 0
    for para in text.split("\n"):
        lines.append((pos, pos + len(para)))
        pos += len(para) + 1
    return lines


def _styled(console: Console, cell: _Cell, start: int, end: int) -> Iterable[Segment]:
    """The text cell.text[start:end] as segments, applying the cell's style and spans."""
    from rich.segment import Segment

    base = console.get_style(cell.style) if cell.style else None
    if not cell.spans:
        yield Segment(cell.text[start:end], base)
        return
    cuts = {start, end}
    for s, e, _ in cell.spans:
        if s < end and e > start:
            cuts.add(max(s, start))
            cuts.add(min(e, end))
    points = sorted(cuts)
    for a, b in itertools.pairwise(points):
        style = base
        for s, e, span_style in cell.spans:
            if s <= a and b <= e:
                extra = console.get_style(span_style)
                style = extra if style is None else style + extra
        yield Segment(cell.text[a:b], style)


def text(cell: Cell) -> Text:
    """A cell as a rich ``Text`` (for renderables composed elsewhere, e.g. charts)."""
    from rich.text import Text

    prepared = _prepare(cell, None)
    t = Text(prepared.text, style=prepared.style or "")
    for start, end, style in prepared.spans:
        t.stylize(style, start, end)
    return t


def render(report: Report) -> RenderableType:
    """The report as a table (and its extras and summary); as plain lines when asked."""
    if report.lines:
        return "".join(": ".join(clean(str(c)) for c in row) + "\n" for row in report.rows)
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = [FastTable(report)] if report.rows else []
    parts.extend(report.extra)
    parts.extend(render(section) for section in report.sections)
    if report.legend and report.rows:
        parts.append(Text(clean(report.legend), style="dim"))
    if report.summary:
        parts.append(Text(clean(report.summary), style="dim"))
    return Group(*parts)
