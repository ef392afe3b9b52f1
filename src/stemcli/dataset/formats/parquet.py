"""Parquet datasets: one row per claim (see :mod:`.layout`), the sources and conditions as
JSON in the file's key-value metadata under ``stemcli``.

The rows become the Nodes the YAML files give, so the one validator checks them; its
problems are then located as rows and fields: ``file: claim row N (id ID), field F``
(``source N`` and ``condition N`` for the metadata's entries). Needs pyarrow (the
``scale`` extra), imported here only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from stemcli.dataset.find import DataFile
from stemcli.dataset.formats.layout import Column, claim_columns
from stemcli.dataset.formats.nodes import FORMAT, Mark, TooDeep, is_parquet, parts, tree
from stemcli.dataset.yaml_nodes import Node
from stemcli.errors import InputError, Location, Problem

METADATA_KEY = b"stemcli"
# what one run loads at most: a million claims are ~0.5 GiB of Arrow data and ~3 GiB of
# Python objects once validated
MAX_ROWS = 5_000_000
MAX_UNPACKED_BYTES = 4 * 2**30
INSTALL_HINT = "install the scale extra: pip install 'stemcli[scale]'"

# Locations inside the file are numbered: a claim row's field is line ROW, column FIELD
# (1-based: column 0 is the row itself); the metadata's entries are below 0, sources
# from -1 down, conditions from _CONDITIONS down.
_CONDITIONS = -1_000_000_000


def pyarrow() -> Any:
    """pyarrow's Parquet module, or an error naming the extra that installs it."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            "Parquet needs pyarrow, which is not installed", hint=INSTALL_HINT
        ) from None
    return pq


@dataclass(frozen=True)
class RowProblem(Problem):
    """A problem at a row and field of a Parquet file; the location names the claim."""

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class RowIndex:
    """What a Parquet file's numbered locations stand for (see :func:`relocate`)."""

    def __init__(
        self,
        path: str,
        fields: list[str],
        ids: list[Any],
        sources: list[Any],
        conditions: list[Any],
    ) -> None:
        self.path = path
        self.fields = fields
        self.ids = ids
        self.sources = sources
        self.conditions = conditions

    def where(self, line: int, column: int) -> str:
        if line >= 1:
            ident = self.ids[line - 1] if line - 1 < len(self.ids) else None
            what = f"claim row {line:,}" + (f" (id {ident})" if isinstance(ident, str) else "")
            if 1 <= column <= len(self.fields):
                what += f", field {self.fields[column - 1]}"
            return what
        if line > _CONDITIONS:
            return _entry("source", -line - 1, self.sources, column)
        return _entry("condition", _CONDITIONS - line, self.conditions, column)

    def relocate(self, p: Problem) -> Problem:
        import re

        # a message may name another place of the file ("first defined at F:L:C")
        message = re.sub(
            re.escape(self.path) + r":(-?\d+):(-?\d+)",
            lambda m: f"{self.path}: {self.where(int(m[1]), int(m[2]))}",
            p.message,
        )
        loc = p.location
        if loc.line == 0 and loc.column == 0:
            return Problem(loc, message, p.claim_id) if message != p.message else p
        where = Location(f"{self.path}: {self.where(loc.line, loc.column)}")
        return RowProblem(where, message, p.claim_id)


def _entry(kind: str, i: int, entries: list[Any], column: int) -> str:
    entry = entries[i] if 0 <= i < len(entries) else None
    ident = entry.get("id") if isinstance(entry, dict) else None
    what = f"{kind} {i + 1}" + (f" (id {ident})" if isinstance(ident, str) else "")
    keys = list(entry) if isinstance(entry, dict) else []
    if 1 <= column <= len(keys):
        what += f", field {keys[column - 1]}"
    return what


def _fail(path: str, reason: str, hint: str | None = None) -> InputError:
    return InputError(reason, hint=hint, location=Location(path))


def read_parquet(df: DataFile, data: bytes, path: str) -> list[tuple[DataFile, Node | None]]:
    if len(data) < 12 or not is_parquet(data) or data[-4:] != b"PAR1":
        raise _fail(path, "a damaged or truncated Parquet file (it must start and end with PAR1)")
    pq = pyarrow()
    import pyarrow as pa

    try:
        pf = pq.ParquetFile(pa.BufferReader(data))
        meta = pf.schema_arrow.metadata or {}
        schema = pf.schema_arrow
    except (pa.ArrowException, OSError, ValueError) as e:
        raise _fail(path, f"cannot read the Parquet file: {_first_line(e)}") from None
    sources, conditions = _metadata(path, meta.get(METADATA_KEY))
    columns = _check_schema(path, schema)
    n_rows, size = pf.metadata.num_rows, 0
    for i in range(pf.metadata.num_row_groups):
        size += pf.metadata.row_group(i).total_byte_size
    if n_rows > MAX_ROWS or size > MAX_UNPACKED_BYTES:  # a small file can unpack to gigabytes
        raise _fail(
            path,
            f"{n_rows:,} rows, {size / 2**30:.1f} GiB unpacked: more than one run can load "
            f"(at most {MAX_ROWS:,} rows and {MAX_UNPACKED_BYTES // 2**30} GiB)",
            "split the dataset, or query the file with DuckDB or Spark",
        )
    try:
        table = pf.read(columns=[c.name for c in columns])
    except (pa.ArrowException, OSError, ValueError) as e:
        raise _fail(path, f"cannot read the Parquet file: {_first_line(e)}") from None
    readers: list[tuple[Column, int, list[Any]]] = []
    for i, c in enumerate(columns):
        if c.kind.startswith("q:") and c.kind != "q:text":
            continue  # the parsed form of a quantity: the text is what is read
        readers.append((c, i + 1, table.column(c.name).to_pylist()))
    del table
    names = [c.field if c.kind == "q:text" else c.name for c in columns]
    ids: list[Any] = next((values for c, _, values in readers if c.name == "id"), [])
    source_of: list[Any] = next((values for c, _, values in readers if c.name == "source"), [])
    index = RowIndex(path, names, ids, sources, conditions)
    df.index = index
    # column by column: each value a Node at (row, column), absent values left out
    rows: list[dict[str, Node]] = [{} for _ in ids]
    for c, col, values in readers:
        if c.name == "source":
            continue
        key, kind, column = c.field, c.kind, col - 1
        for row, value in enumerate(values):
            if value is None:
                continue
            mark = Mark(row, column)
            if kind == "list":
                rows[row][key] = Node([Node(v, mark) for v in value], mark)
            elif kind == "derived":
                rows[row][key] = _derived(path, index, value, row, col, mark)
            else:
                rows[row][key] = Node(value, mark)
    claims = []
    for row, fields in enumerate(rows):
        source = source_of[row]
        if not isinstance(source, str) or not source.strip():
            raise _fail(f"{path}: {index.where(row + 1, 0)}", "field source is empty")
        claims.append((source.strip(), Node(fields, Mark(row, -1))))
    del rows
    return parts(
        df,
        [_entry_node(path, s, -i - 2) for i, s in enumerate(sources)],
        [_entry_node(path, c, _CONDITIONS - i - 1) for i, c in enumerate(conditions)],
        iter(claims),
        Mark(-1, -1),
    )


def _entry_node(path: str, entry: Any, line: int) -> Node:
    """A source or condition of the metadata; each field at its own numbered place."""
    if not isinstance(entry, dict):
        return tree(entry, Mark(line, -1))
    try:
        fields = {k: tree(v, Mark(line, i), 1) for i, (k, v) in enumerate(entry.items())}
    except TooDeep:
        raise _fail(path, "the stemcli metadata is nested too deeply") from None
    return Node(fields, Mark(line, -1))


def _derived(path: str, index: RowIndex, text: Any, row: int, col: int, mark: Mark) -> Node:
    where = f"{path}: {index.where(row + 1, col)}"
    if not isinstance(text, str):
        raise _fail(where, "derived must be JSON text")
    try:
        return tree(json.loads(text, parse_constant=_no_constant), mark, 1)
    except (ValueError, RecursionError, TooDeep) as e:
        raise _fail(where, f"derived is not valid JSON ({_first_line(e)})") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _metadata(path: str, raw: bytes | None) -> tuple[list[Any], list[Any]]:
    hint = "stemcli's export and convert write a dataset in this layout"
    if raw is None:
        raise _fail(path, "a Parquet file without stemcli's metadata: not a stemcli dataset", hint)
    try:
        meta = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as e:
        raise _fail(path, f"the stemcli metadata is not valid JSON ({_first_line(e)})") from None
    if not isinstance(meta, dict) or meta.get("stemcli") != "dataset":
        raise _fail(path, "the stemcli metadata does not describe a dataset", hint)
    if meta.get("format") != FORMAT:
        raise _fail(
            path,
            f"dataset format {meta.get('format')!r}; this stemcli reads format {FORMAT}",
            "convert it with the stemcli that wrote it, or a newer stemcli",
        )
    sources, conditions = meta.get("sources", []), meta.get("conditions", [])
    for key, value in (("sources", sources), ("conditions", conditions)):
        if not isinstance(value, list):
            raise _fail(path, f"the stemcli metadata's {key!r} must be a list")
    return sources, conditions


def _check_schema(path: str, schema: Any) -> list[Column]:
    """The file's columns, each a known one of the right type; one error otherwise."""
    import pyarrow as pa

    known = {c.name: c for c in claim_columns()}
    unknown = [n for n in schema.names if n not in known]
    if unknown:
        from stemcli.ids import closest

        close = closest(unknown[0], known, n=1, cutoff=0.6)
        raise _fail(
            path,
            f"unknown column {unknown[0]!r}" + (f" (did you mean {close[0]!r}?)" if close else ""),
            "the columns are the claim's fields; see docs/DATA.md",
        )
    if len(set(schema.names)) != len(schema.names):
        raise _fail(path, "a column appears twice")
    for needed in ("id", "source"):
        if needed not in schema.names:
            raise _fail(path, f"no column {needed!r}", "every claim row has an id and a source")
    checks = {
        "text": pa.types.is_string,
        "q:text": pa.types.is_string,
        "q:unit": pa.types.is_string,
        "q:qualifier": pa.types.is_string,
        "derived": pa.types.is_string,
        "q:low": pa.types.is_floating,
        "q:high": pa.types.is_floating,
        "int": pa.types.is_integer,
        "float": pa.types.is_floating,
        "bool": pa.types.is_boolean,
    }
    out = []
    for name in schema.names:
        c = known[name]
        t = schema.field(name).type
        if pa.types.is_large_string(t) or pa.types.is_string_view(t):
            ok = c.kind in ("text", "q:text", "q:unit", "q:qualifier", "derived")
        elif c.kind == "list":
            ok = (pa.types.is_list(t) or pa.types.is_large_list(t)) and (
                pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)
            )
        else:
            ok = checks[c.kind](t) or pa.types.is_null(t)
        if not ok:
            raise _fail(path, f"column {name!r} has type {t}, expected {_expected(c.kind)}")
        out.append(c)
    return out


def _expected(kind: str) -> str:
    return {
        "list": "a list of strings",
        "int": "an integer",
        "float": "a float",
        "q:low": "a float",
        "q:high": "a float",
        "bool": "a boolean",
    }.get(kind, "a string")


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
