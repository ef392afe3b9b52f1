"""A loaded dataset as the records its files hold: the fields and spelling of the YAML
files (values as their text, ``"value": "60-70%"``), absent fields left out.

The writers of JSON Lines, Parquet and YAML folders share these, so what one writes the
validator reads back as the same dataset. Generic over the model's fields: a new field
of a claim or a source is carried without an edit here.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from stemcli.model import Claim, Condition, Derived, Quantity, Source

# not data: where an item was read from
_NOT_DATA = ("folder", "where")


@functools.cache
def _names(cls: type) -> tuple[str, ...]:
    names = tuple(f.name for f in dataclasses.fields(cls) if f.name not in _NOT_DATA)
    if cls is Claim:  # in the order the files and the Parquet columns have
        from stemcli.dataset.formats.layout import claim_columns

        return tuple(dict.fromkeys(c.field for c in claim_columns()))
    return names


def _value(value: Any) -> Any:
    if isinstance(value, Quantity):
        return value.text
    if isinstance(value, Derived):
        return value.to_json()
    if isinstance(value, tuple):
        return [_value(v) for v in value]
    return value


def _record(item: Any, names: tuple[str, ...], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(item, name)
        if name in skip or value is None or value == ():
            continue
        out[name] = _value(value)
    return out


def source_record(s: Source) -> dict[str, Any]:
    return _record(s, _names(Source))


def condition_record(c: Condition) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.id, "name": c.name}
    if c.aliases:
        out["aliases"] = list(c.aliases)
    if c.stages:
        out["stages"] = [
            {"id": st.id, "aliases": list(st.aliases)} if st.aliases else st.id for st in c.stages
        ]
    return out


def claim_record(c: Claim, *, with_source: bool = True) -> dict[str, Any]:
    """A claim's fields as a claims file holds them; ``source`` too unless the file's
    name says it (a claims file of a YAML folder)."""
    return _record(c, _names(Claim), () if with_source else ("source",))
