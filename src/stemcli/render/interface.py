"""The renderers' one interface: a :class:`Report` in, text (or a rich renderable) out.

Reports (:mod:`stemcli.reports`) build a Report of plain strings, no markup; each module
of :mod:`stemcli.render` turns one into its format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeAlias, TypeVar, cast, overload

if TYPE_CHECKING:
    from rich.console import RenderableType

Json: TypeAlias = "bool | int | float | str | list[Json] | dict[str, Json] | None"

T = TypeVar("T")
R = TypeVar("R")


class Rows(Sequence[R], Generic[R]):
    """A report's records in one format, each made from its item only when it is read:
    a format that is not written is never built, and one that is, is built (and
    streamed) a record at a time. Slicing keeps it lazy."""

    __slots__ = ("_items", "_make")

    def __init__(self, items: Sequence[Any], make: Callable[[Any], R]) -> None:
        self._items = items
        self._make = make

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, i: int) -> R: ...
    @overload
    def __getitem__(self, i: slice) -> Rows[R]: ...
    def __getitem__(self, i: int | slice) -> R | Rows[R]:
        if isinstance(i, slice):
            return Rows(self._items[i], self._make)
        return self._make(self._items[i])

    def __iter__(self) -> Iterator[R]:
        return map(self._make, self._items)


def lazy(items: Sequence[T], make: Callable[[T], R]) -> list[R]:
    """``[make(x) for x in items]``, made only if and when a renderer reads it.

    Typed as the list a reader of the report's field gets (:class:`Report` turns the
    records into one when a field is read); renderers stream it (:meth:`Report.raw`).
    """
    return cast("list[R]", Rows(items, make))


def joined(*parts: Sequence[R]) -> list[R]:
    """The records of ``parts`` one after another, each record still made only when it is
    read (a part may be :func:`lazy` records or a plain list)."""
    items = [(part, i) for part in parts for i in range(len(part))]
    return lazy(items, lambda item: item[0][item[1]])


# the fields of a Report that may hold Rows
_LAZY_FIELDS = frozenset(("rows", "data", "csv_rows"))


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
    rows: Sequence[tuple[Cell, ...]]
    data: Json  # per the JSON contract; YAML shows the same data
    csv_header: tuple[str, ...] = ()
    csv_rows: Sequence[tuple[str, ...]] = ()
    title: str | None = None
    summary: str | None = None
    # index of a column whose change starts a new section in the table
    group_by: int | None = None
    # extra renderables shown after the table in table format (e.g. a chart)
    extra: tuple[RenderableType, ...] = field(default=())
    # further tables shown after this one, each with its own title, in table and Markdown
    # formats (JSON and CSV carry their records in data and csv_rows)
    sections: tuple[Report, ...] = field(default=())
    # table format as plain 'first: second' lines, one per row (counts read by scripts)
    lines: bool = False
    # a line said before the summary, in table format only (what the table abbreviates)
    legend: str | None = None
    # the report as a YAML document of its own (a claims file with comments), when the
    # data alone would lose what matters
    yaml: str | None = None

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if type(value) is Rows and name in _LAZY_FIELDS:
            # read as a whole (not by a renderer): made once, then kept
            value = list(value) if name == "data" else tuple(value)
            object.__setattr__(self, name, value)
        return value

    def raw(self, name: str) -> Any:
        """A field as it is held: :class:`Rows` stay lazy (for renderers that stream)."""
        return object.__getattribute__(self, name)

    def evolve(self, **changes: Any) -> Report:
        """A copy with ``changes``; the records not changed stay as they are held (lazy
        ones unmade), which :func:`dataclasses.replace` would make."""
        from dataclasses import replace

        for name in _LAZY_FIELDS:
            changes.setdefault(name, self.raw(name))
        return replace(self, **changes)

    def csv(self) -> tuple[tuple[str, ...], Sequence[tuple[str, ...]]]:
        """The CSV header and rows (lazy when the report's are)."""
        if self.csv_header:
            return self.csv_header, self.raw("csv_rows")
        return (
            tuple(csv_name(c.header) for c in self.columns),
            Rows(self.raw("rows"), lambda row: tuple(str(cell) for cell in row)),
        )
