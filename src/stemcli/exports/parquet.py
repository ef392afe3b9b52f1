"""A dataset as one Parquet file: a row per claim in the columns of
:mod:`stemcli.dataset.formats.layout`, the sources and conditions as JSON in the file's
key-value metadata under ``stemcli`` (read back by :mod:`stemcli.dataset.formats.parquet`,
and by DuckDB or Spark as a plain table). Needs pyarrow (the ``scale`` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stemcli.model import Claim, Dataset


def _cell(c: Claim, field: str, kind: str) -> Any:
    value = getattr(c, field)
    if value is None:
        return None
    if kind.startswith("q:"):
        return getattr(value, kind[2:])
    if kind == "derived":
        import json

        return json.dumps(value.to_json(), ensure_ascii=False)
    if kind == "list":
        return list(value)
    return value


def _arrow_type(pa: Any, kind: str) -> Any:
    return {
        "list": pa.list_(pa.string()),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "q:low": pa.float64(),
        "q:high": pa.float64(),
    }.get(kind, pa.string())


def write(ds: Dataset, path: Path, *, row_group: int = 100_000) -> None:
    """Write ``ds`` to ``path`` (a file the caller puts in place)."""
    import json

    from stemcli.dataset.formats.layout import claim_columns
    from stemcli.dataset.formats.nodes import FORMAT
    from stemcli.dataset.formats.parquet import METADATA_KEY, pyarrow
    from stemcli.exports.records import condition_record, source_record

    pq = pyarrow()
    import pyarrow as pa

    columns = claim_columns()
    meta = {
        "stemcli": "dataset",
        "format": FORMAT,
        "sources": [source_record(s) for s in ds.sources.values()],
        "conditions": [condition_record(c) for c in ds.conditions.values()],
    }
    schema = pa.schema(
        [pa.field(c.name, _arrow_type(pa, c.kind)) for c in columns],
        metadata={METADATA_KEY: json.dumps(meta, ensure_ascii=False, allow_nan=False)},
    )
    claims = ds.claims
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for start in range(0, max(len(claims), 1), row_group):
            part = claims[start : start + row_group]
            arrays = [
                pa.array([_cell(c, col.field, col.kind) for c in part], type=field.type)
                for col, field in zip(columns, schema, strict=True)
            ]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
