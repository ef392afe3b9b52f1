"""The renderers' one interface: a :class:`Report` in, text (or a rich renderable) out.

Reports (:mod:`stemcli.reports`) build a Report of plain strings, no markup; each module
of :mod:`stemcli.render` turns one into its format.
"""

from __future__ import annotations

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
    # what a terminal table shows instead of the text (a claim's handle for its id);
    # every other format keeps the text
    short: str | None = None

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


def csv_name(header: str) -> str:
    """A table header as a CSV column name: snake_case ('Stages (claims)' ->
    'stages_claims'), as every report's own CSV header is."""
    import re

    return "_".join(re.findall(r"[a-z0-9]+", header.lower())) or "value"


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
    # a line said before the summary, in table format only (what the table abbreviates)
    legend: str | None = None
    # the report as a YAML document of its own (a claims file with comments), when the
    # data alone would lose what matters
    yaml: str | None = None

    def csv(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        if self.csv_header:
            return self.csv_header, self.csv_rows
        return (
            tuple(csv_name(c.header) for c in self.columns),
            tuple(tuple(str(cell) for cell in row) for row in self.rows),
        )
