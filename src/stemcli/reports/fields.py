"""Row descriptions: a report's columns and cells come from one list, never two.

:data:`CLAIM_FIELDS` is the claim's field list, once: each :class:`ClaimField` names its
JSON key, its CSV columns (a quantity spreads over several) and how a claim fills them.
Other reports describe their CSV as ``(header, cell)`` pairs (:func:`csv_of`) and their
table as ``(column, cell)`` pairs (:func:`table_of`), so a header and its cells cannot
drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from stemcli.model import Claim, Dataset, Quantity
from stemcli.numbers import plain
from stemcli.render import Cell, Column, Json, Report, Rows, Styled, lazy

T = TypeVar("T")


def csv_of(
    fields: Sequence[tuple[str, Callable[[T], str]]], items: Sequence[T]
) -> tuple[tuple[str, ...], Sequence[tuple[str, ...]]]:
    """The CSV header and rows of ``items``, one ``(header, cell)`` pair per column; a
    row is made only when it is written."""
    header = tuple(name for name, _ in fields)
    return header, lazy(items, lambda item: tuple(cell(item) for _, cell in fields))


def table_of(
    view: Sequence[tuple[Column, Callable[[T], Cell]]], items: Sequence[T]
) -> tuple[tuple[Column, ...], Sequence[tuple[Cell, ...]]]:
    """The table columns and rows of ``items``, one ``(column, cell)`` pair per column;
    a row is made only when it is shown."""
    columns = tuple(column for column, _ in view)
    return columns, lazy(items, lambda item: tuple(cell(item) for _, cell in view))


def limit_report(report: Report, limit: int | None, keys: Sequence[str] = ()) -> Report:
    """``report`` cut to its first ``limit`` rows (None: all), in every format: table and
    CSV rows, and the data (a list, or the lists under ``keys`` of a dict, filled in
    order: the rows are the first key's items, then the next key's). Rows not yet made
    stay so."""
    from dataclasses import replace

    if limit is None:
        return report
    data = report.raw("data")
    if isinstance(data, (list, Rows)):
        data = data[:limit]
    elif isinstance(data, dict) and keys:
        data = dict(data)
        room = limit
        for key in keys:
            items = data.get(key)
            if isinstance(items, list):
                data[key] = items[:room]
                room = max(0, room - len(items))
    return replace(
        report,
        rows=report.raw("rows")[:limit],
        csv_rows=report.raw("csv_rows")[:limit],
        data=data,
    )


def record_count(report: Report, fmt: str, keys: Sequence[str] = ()) -> int:
    """How many records ``report`` has in format ``fmt``, without making any."""
    if fmt in ("json", "yaml"):
        data = report.raw("data")
        if isinstance(data, dict) and keys:
            return sum(len(v) for k in keys if isinstance(v := data.get(k), list))
        if isinstance(data, (list, Rows)):
            return len(data)
    if fmt == "csv" and report.csv_header:
        return len(report.raw("csv_rows"))
    return len(report.raw("rows"))


def id_column() -> Column:
    """The claim id's column: never wrapped or cut, so that it can be copied."""
    return Column("Id", no_wrap=True)


HANDLE_LEGEND = "Id: a short handle; `stemcli show ID` prints the claim"
HANDLES_LEGEND = "Claims: short handles; `stemcli show ID` prints the claim"


def id_cell(ds: Dataset, c: Claim) -> Styled:
    """A claim's id: its handle in a terminal table, the full id in every other format."""
    from stemcli.ops.handles import handle

    return Styled(c.id, short=handle(ds, c.id))


def ids_text(claims: Sequence[Claim], name: Callable[[Claim], str] = lambda c: c.id) -> str:
    """The first claim's id, and how many more there are: "bookimed-faq-work-1-2-days +2"."""
    if not claims:
        return ""
    return name(claims[0]) + (f" +{len(claims) - 1}" if len(claims) > 1 else "")


def ids_cell(ds: Dataset, lines: Sequence[tuple[str, Sequence[Claim]]]) -> Styled:
    """Lines of ``label ids_text(claims)``: handles in a terminal table, ids elsewhere
    (only the handles shown are asked for)."""
    from stemcli.ops.handles import handle

    def text(name: Callable[[Claim], str]) -> str:
        return "\n".join(
            (label + " " if label else "") + ids_text(claims, name) for label, claims in lines
        )

    return Styled(text(lambda c: c.id), short=text(lambda c: handle(ds, c.id)))


def json_number(x: float) -> float | int:
    """A number for JSON: integral values as integers (12, not 12.0)."""
    return int(x) if x == int(x) and abs(x) < 2**53 else x


@dataclass(frozen=True)
class ClaimField:
    name: str  # the JSON key
    columns: tuple[str, ...]  # the CSV columns
    csv: Callable[[Dataset, Claim], tuple[str, ...]]
    json: Callable[[Claim], Json] | None = None  # None: CSV only (derived from the dataset)


def _text(name: str, get: Callable[[Claim], str]) -> ClaimField:
    return ClaimField(name, (name,), lambda _ds, c: (get(c),), get)


def _optional(name: str, get: Callable[[Claim], str | None]) -> ClaimField:
    return ClaimField(name, (name,), lambda _ds, c: (get(c) or "",), get)


def _publisher(ds: Dataset, c: Claim) -> tuple[str, ...]:
    src = ds.sources.get(c.source)
    return (src.publisher if src else "",)


def _value_csv(_ds: Dataset, c: Claim) -> tuple[str, ...]:
    v = c.value
    return (v.text, plain(v.low), plain(v.high), v.unit or "", v.qualifier)


def _value_json(c: Claim) -> Json:
    v = c.value
    return {
        "text": v.text,
        "low": json_number(v.low),
        "high": json_number(v.high),
        "unit": v.unit,
        "qualifier": v.qualifier,
    }


def _timepoint_csv(_ds: Dataset, c: Claim) -> tuple[str, ...]:
    tp: Quantity | None = c.timepoint
    if tp is None:
        return ("", "", "", "")
    return (tp.text, plain(tp.low), plain(tp.high), tp.unit or "")


def _timepoint_json(c: Claim) -> Json:
    tp = c.timepoint
    if tp is None:
        return None
    return {
        "text": tp.text,
        "low": json_number(tp.low),
        "high": json_number(tp.high),
        "unit": tp.unit,
    }


def _ci_csv(c: Claim) -> tuple[str, ...]:
    ci = c.ci
    return ("", "", "") if ci is None else (ci.text, plain(ci.low), plain(ci.high))


def _ci_json(c: Claim) -> Json:
    return None if c.ci is None else _value_json_of(c.ci)


def _value_json_of(v: Quantity) -> Json:
    return {
        "text": v.text,
        "low": json_number(v.low),
        "high": json_number(v.high),
        "unit": v.unit,
        "qualifier": v.qualifier,
    }


def _source(ds: Dataset, c: Claim, name: str) -> str:
    src = ds.sources.get(c.source)
    value = getattr(src, name, None) if src is not None else None
    return "" if value is None else str(value)


CLAIM_FIELDS: tuple[ClaimField, ...] = (
    _text("id", lambda c: c.id),
    _text("source", lambda c: c.source),
    ClaimField("publisher", ("publisher",), _publisher),
    _text("condition", lambda c: c.condition),
    ClaimField(
        "stages", ("stages",), lambda _ds, c: (";".join(c.stages),), lambda c: list(c.stages)
    ),
    _text("outcome", lambda c: c.outcome),
    _text("measure", lambda c: c.measure),
    ClaimField("value", ("value", "low", "high", "unit", "qualifier"), _value_csv, _value_json),
    ClaimField(
        "timepoint",
        ("timepoint", "timepoint_low", "timepoint_high", "timepoint_unit"),
        _timepoint_csv,
        _timepoint_json,
    ),
    _optional("comparator", lambda c: c.comparator),
    _optional("intervention", lambda c: c.intervention),
    _optional("group", lambda c: c.group),
    _text("basis", lambda c: c.basis),
    ClaimField("n", ("n",), lambda _ds, c: (str(c.n) if c.n is not None else "",), lambda c: c.n),
    _optional("citation", lambda c: c.citation),
    ClaimField(
        "derived",
        ("derived",),
        lambda _ds, c: (c.derived.text() if c.derived else "",),
        lambda c: None if c.derived is None else c.derived.to_json(),
    ),
    ClaimField(
        "review", ("review",), lambda _ds, c: (";".join(c.review),), lambda c: list(c.review)
    ),
    # a reference claim's is empty: it states its figure in the curator's words (statement)
    _text("quote", lambda c: c.quote),
    ClaimField("ci", ("ci", "ci_low", "ci_high"), lambda _ds, c: _ci_csv(c), lambda c: _ci_json(c)),
    _optional("scale", lambda c: c.scale),
    ClaimField(
        "n_studies",
        ("n_studies",),
        lambda _ds, c: (str(c.n_studies) if c.n_studies is not None else "",),
        lambda c: c.n_studies,
    ),
    _optional("statement", lambda c: c.statement),
    # what kind of source states it (clinic ... evidence, survey) and, for evidence, the
    # certainty it grades its findings with: reference claims can be filtered out or in
    ClaimField("source_kind", ("source_kind",), lambda ds, c: (_source(ds, c, "kind"),)),
    ClaimField("certainty", ("certainty",), lambda ds, c: (_source(ds, c, "certainty"),)),
)

CLAIM_CSV_HEADER: tuple[str, ...] = tuple(col for f in CLAIM_FIELDS for col in f.columns)


def claim_csv_row(ds: Dataset, c: Claim) -> tuple[str, ...]:
    return tuple(cell for f in CLAIM_FIELDS for cell in f.csv(ds, c))


def claim_json(c: Claim, ds: Dataset | None = None) -> dict[str, Json]:
    """The stable JSON contract of a claim (see README); with ``ds``, also its source's
    ``source_kind`` and ``certainty`` (so reference claims can be told apart)."""
    out = {f.name: f.json(c) for f in CLAIM_FIELDS if f.json is not None}
    if ds is not None:
        src = ds.sources.get(c.source)
        out["source_kind"] = src.kind if src is not None else None
        out["certainty"] = src.certainty if src is not None else None
    return out
