"""Renderers: one module per output format behind one small interface.

Commands build a :class:`Report` (plain strings, no markup) and hand it to the renderer
of the chosen :class:`OutputFormat`. JSON, CSV and Markdown renderers return ``str``;
the table renderer returns a rich renderable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, NoReturn


def assert_never(value: NoReturn) -> NoReturn:
    """Mypy proves every enum member is handled; at run time, refuse the impossible."""
    raise AssertionError(f"unhandled value: {value!r}")


class OutputFormat(str, Enum):
    """Formats every listing command offers."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


@dataclass(frozen=True)
class Styled:
    """A cell with a style for the whole cell and/or for spans in it (in table output)."""

    text: str
    style: str | None = None
    spans: tuple[tuple[int, int, str], ...] = ()

    def __str__(self) -> str:
        return self.text


Cell = str | Styled


@dataclass(frozen=True)
class Column:
    header: str
    wrap: bool = True
    max_width: int | None = None
    min_width: int | None = None
    justify: str = "left"
    style: str | None = None
    no_wrap: bool = False


@dataclass(frozen=True)
class Report:
    """What a listing command found, ready for any format."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    data: Any  # JSON-able, per the JSON contract
    csv_header: tuple[str, ...] = ()
    csv_rows: tuple[tuple[str, ...], ...] = ()
    title: str | None = None
    summary: str | None = None
    # index of a column whose change starts a new section in the table
    group_by: int | None = None
    # extra renderables shown after the table in table format (e.g. a chart)
    extra: tuple[Any, ...] = field(default=())

    def csv(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        if self.csv_header:
            return self.csv_header, self.csv_rows
        return (
            tuple(c.header for c in self.columns),
            tuple(tuple(str(cell) for cell in row) for row in self.rows),
        )


def get_renderer(fmt: OutputFormat, *, raw: bool = False) -> Callable[[Report], Any]:
    """The renderer for ``fmt``: a function from Report to str (or a rich renderable).

    ``raw``: CSV cells without the quote that stops spreadsheets running formulas.
    """
    if fmt is OutputFormat.table:
        from stemcli.render.table import render
    elif fmt is OutputFormat.json:
        from stemcli.render.json_ import render
    elif fmt is OutputFormat.csv:
        from functools import partial

        from stemcli.render.csv_ import render as csv_render

        return partial(csv_render, raw=raw)
    elif fmt is OutputFormat.markdown:
        from stemcli.render.markdown import render
    else:
        assert_never(fmt)
    return render
