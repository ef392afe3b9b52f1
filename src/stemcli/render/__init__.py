"""Renderers: one module per output format behind one small interface.

Commands build a :class:`Report` (plain strings, no markup) and hand it to the renderer
of the chosen :class:`OutputFormat`. JSON, CSV, Markdown and YAML renderers return
``str``; the table renderer returns a rich renderable (:mod:`stemcli.render.recorder`
turns one into text, SVG or HTML).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, NoReturn, TypeAlias

if TYPE_CHECKING:
    from rich.console import RenderableType

Json: TypeAlias = "bool | int | float | str | list[Json] | dict[str, Json] | None"


def assert_never(value: NoReturn) -> NoReturn:
    """Mypy proves every enum member is handled; at run time, refuse the impossible."""
    raise AssertionError(f"unhandled value: {value!r}")


class OutputFormat(str, Enum):
    """Every format a report can be rendered in (each command offers a subset)."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    yaml = "yaml"


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
    """What a command found, ready for any format."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    data: Json  # per the JSON contract; YAML shows the same data
    csv_header: tuple[str, ...] = ()
    csv_rows: tuple[tuple[str, ...], ...] = ()
    title: str | None = None
    summary: str | None = None
    # index of a column whose change starts a new section in the table
    group_by: int | None = None
    # extra renderables shown after the table in table format (e.g. a chart)
    extra: tuple[RenderableType, ...] = field(default=())
    # table format as plain 'first: second' lines, one per row (counts read by scripts)
    lines: bool = False
    # the report as a YAML document of its own (a claims file with comments), when the
    # data alone would lose what matters
    yaml: str | None = None

    def csv(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        if self.csv_header:
            return self.csv_header, self.csv_rows
        return (
            tuple(c.header for c in self.columns),
            tuple(tuple(str(cell) for cell in row) for row in self.rows),
        )


Renderer = Callable[[Report], "RenderableType"]


def get_renderer(fmt: OutputFormat | str, *, raw: bool = False) -> Renderer:
    """The renderer for ``fmt`` (a format or its name): a function from Report to str,
    or to a rich renderable for the table.

    ``raw``: CSV cells without the quote that stops spreadsheets running formulas.
    """
    fmt = OutputFormat(fmt)
    render: Renderer
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
    elif fmt is OutputFormat.yaml:
        from stemcli.render.yaml_ import render
    else:
        assert_never(fmt)
    return render
