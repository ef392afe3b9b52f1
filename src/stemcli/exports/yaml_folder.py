"""A dataset as a YAML folder laid out like ``data/``: ``sources.yaml``,
``conditions.yaml`` and ``claims/<source>.yaml``.

Every string is written double-quoted with YAML's escapes (:func:`yaml_quoted`), so no
text (a quote holding ``#``, ``: `` or a line separator) can become YAML of its own, and
the files read back as exactly the dataset.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stemcli.model import Dataset

HEADER = "# Written by stemcli convert; YAML is the authoring format: edit freely."


def _scalar(value: Any) -> str:
    from stemcli.text.neutralise import yaml_quoted

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        # YAML 1.1 reads an exponent without a point ("1e-05") as text
        return text.replace("e", ".0e", 1) if "e" in text and "." not in text else text
    if isinstance(value, str):
        return yaml_quoted(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _entries(records: Iterable[dict[str, Any]]) -> str:
    """A YAML list of mappings, one field a line, the keys plain (they are field names)."""
    out = [HEADER]
    for record in records:
        for i, (key, value) in enumerate(record.items()):
            out.append(f"{'- ' if i == 0 else '  '}{key}: {_scalar(value)}")
    return "\n".join(out) + "\n"


def write(ds: Dataset, folder: Path) -> None:
    """Fill ``folder`` (new and empty) with the dataset's files."""
    from stemcli.exports.records import claim_record, condition_record, source_record

    (folder / "sources.yaml").write_text(
        _entries(source_record(s) for s in ds.sources.values()), encoding="utf-8"
    )
    (folder / "conditions.yaml").write_text(
        _entries(condition_record(c) for c in ds.conditions.values()), encoding="utf-8"
    )
    by_source: dict[str, list[dict[str, Any]]] = {}
    for c in ds.claims:
        by_source.setdefault(c.source, []).append(claim_record(c, with_source=False))
    (folder / "claims").mkdir()
    for source, records in by_source.items():
        (folder / "claims" / f"{source}.yaml").write_text(_entries(records), encoding="utf-8")
