"""The Parquet layout of a claim: one flat column per field, named for SQL users.

``id, source, condition, stages, outcome, measure, value_text, value_low, value_high,
value_unit, value_qualifier, timepoint_text, timepoint_low, timepoint_high, timepoint_unit,
basis, comparator, intervention, group, n, citation, derived, review, quote``, then any
further claim field by the same rule: a quantity ``x`` becomes ``x_text, x_low, x_high,
x_unit, x_qualifier`` (``x_text`` is what is read back; the others are its parsed form,
for queries), a tuple a list of strings, a derivation its JSON text, anything else its
scalar. The layout is derived from :class:`~stemcli.model.Claim`'s fields, so a new
field needs no edit here.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import NamedTuple

from stemcli.model import Claim

# the spec'd order of the columns of the fields known today; further fields follow
_ORDER = (
    "id",
    "source",
    "condition",
    "stages",
    "outcome",
    "measure",
    "value",
    "timepoint",
    "basis",
    "comparator",
    "intervention",
    "group",
    "n",
    "citation",
    "derived",
    "review",
    "quote",
)
# not data: where a claim was read from
_SKIPPED = ("where",)
_QUANTITY_PARTS = ("text", "low", "high", "unit", "qualifier")


class Column(NamedTuple):
    name: str  # the column
    field: str  # the claim's field (and its key in YAML)
    kind: str  # text, list, int, float, bool, derived, or a quantity's part: q:text ...


def _kind(annotation: str) -> str:
    base = annotation.replace(" | None", "").replace("None | ", "").strip()
    if base == "Quantity":
        return "quantity"
    if base.startswith("tuple"):
        return "list"
    if base == "Derived":
        return "derived"
    return {"int": "int", "float": "float", "bool": "bool"}.get(base, "text")


@functools.cache
def claim_columns() -> tuple[Column, ...]:
    """Every column of the claims table, in order."""
    fields = [f for f in dataclasses.fields(Claim) if f.name not in _SKIPPED]
    known = {f.name: f for f in fields}
    ordered = [known[n] for n in _ORDER if n in known]
    ordered += [f for f in fields if f.name not in _ORDER]
    out: list[Column] = []
    for f in ordered:
        kind = _kind(str(f.type))
        if kind == "quantity":
            # the timepoint has no qualifier column (it is always exact in practice)
            parts = _QUANTITY_PARTS[:4] if f.name == "timepoint" else _QUANTITY_PARTS
            out += [Column(f"{f.name}_{p}", f.name, f"q:{p}") for p in parts]
        else:
            out.append(Column(f.name, f.name, kind))
    return tuple(out)
