"""Terminal tables with rich. Cells become ``Text`` objects: data is never markup."""

from __future__ import annotations

from typing import Any

from stemcli.render import Cell, Report, Styled
from stemcli.safe import clean


def text(cell: Cell) -> Any:
    from rich.text import Text

    if isinstance(cell, Styled):
        t = Text(clean(cell.text), style=cell.style or "")
        if clean(cell.text) == cell.text:
            for start, end, style in cell.spans:
                t.stylize(style, start, end)
        return t
    return Text(clean(cell))


def render(report: Report) -> Any:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(clean(report.title), style="bold") if report.title else None,
        box=box.SIMPLE_HEAD,
        show_lines=False,
        expand=False,
        header_style="bold",
        pad_edge=False,
    )
    for col in report.columns:
        table.add_column(
            col.header,
            justify=col.justify,  # type: ignore[arg-type]
            max_width=col.max_width,
            min_width=col.min_width,
            overflow="fold",
            no_wrap=col.no_wrap,
            style=col.style,
        )
    previous: str | None = None
    for row in report.rows:
        if report.group_by is not None:
            key = str(row[report.group_by])
            if previous is not None and key != previous:
                table.add_section()
            previous = key
        table.add_row(*(text(c) for c in row))
    parts: list[Any] = [table] if report.rows else []
    parts.extend(report.extra)
    if report.summary:
        parts.append(Text(clean(report.summary), style="dim"))
    return Group(*parts)
