"""A cache entry's payload: a validated dataset as compact JSON, and back (checked).

JSON, claims stored column by column:

[format, sources, conditions, outcomes, measures, quantities, columns]
  sources:    [[id, title, publisher, kind, sells_treatment, archive, sha256, reader,
               [review, ...], url, citation, doi, year, certainty, folder, where], ...]
  conditions: [[id, name, [alias, ...], [[stage id, [alias, ...]], ...]], ...]
  outcomes:   [[id, name, family, description, compared], ...]
  measures:   [[id, description, max_percent, [dimension, ...]], ...]
  quantities: [[text, low, high, unit, qualifier], ...], each distinct value once
  columns:    one per field of Claim, in order. value and timepoint are lists of indices
              into quantities (timepoint, ci: or null); every other column is
              [distinct values, [index of each claim's value, ...]].
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

__all__ = ["FORMAT", "decode", "encode"]

FORMAT = 7  # the payload's layout; a new one misses every older entry

if TYPE_CHECKING:
    from stemcli.model import Dataset, Derived, Quantity

_QUANTITY_FIELDS = frozenset({"value", "timepoint", "ci"})


@functools.cache
def _claim_fields() -> tuple[str, ...]:
    """The claim's fields, in the dataclass's order: model.Claim is their one definition."""
    from dataclasses import fields

    from stemcli.model import Claim

    return tuple(f.name for f in fields(Claim))


def encode(ds: Dataset) -> bytes:
    """The payload for ``ds`` (UTF-8 JSON, ASCII only)."""
    import json

    quantities: dict[tuple[Any, ...], int] = {}

    def q(x: Quantity | None) -> int | None:
        if x is None:
            return None
        # the types are part of the identity: 1 and 1.0 are equal but print differently
        fields = (x.text, x.low, x.high, x.unit, x.qualifier)
        ident = (*fields, type(x.low), type(x.high))
        found = quantities.get(ident)
        if found is None:
            found = quantities[ident] = len(quantities)
        return found

    columns: list[Any] = []
    for name in _claim_fields():
        values = [getattr(c, name) for c in ds.claims]
        if name in _QUANTITY_FIELDS:
            columns.append([q(v) for v in values])
            continue
        distinct: dict[tuple[type, Any], int] = {}
        index = [distinct.setdefault((type(v), v), len(distinct)) for v in values]
        if name == "derived":
            columns.append([[None if v is None else v.to_json() for _, v in distinct], index])
            continue
        columns.append([[v for _, v in distinct], index])
    payload = [
        FORMAT,
        [
            [
                s.id,
                s.title,
                s.publisher,
                s.kind,
                s.sells_treatment,
                s.archive,
                s.sha256,
                s.reader,
                s.review,
                s.url,
                s.citation,
                s.doi,
                s.year,
                s.certainty,
                s.folder,
                s.where,
            ]
            for s in ds.sources.values()
        ],
        [
            [c.id, c.name, c.aliases, [[st.id, st.aliases] for st in c.stages]]
            for c in ds.conditions.values()
        ],
        [[o.id, o.name, o.family, o.description, o.compared] for o in ds.outcomes.values()],
        [[m.id, m.description, m.max_percent, m.dimensions] for m in ds.measures.values()],
        [list(ident[:5]) for ident in quantities],
        columns,
    ]
    return json.dumps(payload, separators=(",", ":"), check_circular=False).encode("ascii")


def decode(payload: bytes | bytearray) -> Dataset | None:
    """The dataset in an authenticated payload, or None if it is not one of the right shape.

    Every failure of decoding is a miss (the dataset is then parsed again), whatever it
    is: the payload comes from a file, and a cache must never be why a run fails.
    """
    import gc
    import json

    was_enabled = gc.isenabled()
    gc.disable()  # decoding makes many small acyclic objects: no collections meanwhile
    try:
        return _build(json.loads(payload))
    except Exception:  # any malformed entry, down to RecursionError and MemoryError
        return None
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


_Types = frozenset[type]
_NONE: type = type(None)
_STR: _Types = frozenset({str})
_OPT_STR: _Types = frozenset({str, _NONE})
_BOOL: _Types = frozenset({bool})
_NUMBER: _Types = frozenset({int, float})
_OPT_NUMBER: _Types = frozenset({int, float, _NONE})
_OPT_INT: _Types = frozenset({int, _NONE})
_LIST: _Types = frozenset({list})
_OPT_DICT: _Types = frozenset({dict, _NONE})
_INDEX: _Types = frozenset({int})


class _Malformed(ValueError):
    pass


def _typed(values: Any, allowed: _Types) -> list[Any]:
    """``values``, a JSON list whose every element's type is in ``allowed``."""
    if type(values) is not list or not set(map(type, values)) <= allowed:
        raise _Malformed
    return values


def _fields(rows: Any, *allowed: _Types) -> list[list[Any]]:
    """A table of rows as its columns, each checked against its allowed types."""
    _typed(rows, _LIST)
    if not rows:
        return [[] for _ in allowed]
    columns = [list(col) for col in zip(*rows, strict=True)]
    if len(columns) != len(allowed):
        raise _Malformed
    for col, types in zip(columns, allowed, strict=True):
        _typed(col, types)
    return columns


def _derived(raw: Any, depth: int) -> Derived:
    from stemcli.model import DERIVED_OPS, Derived

    if type(raw) is not dict or raw.keys() != {"op", "of"} or depth > 8:
        raise _Malformed
    op, of = raw["op"], _typed(raw["of"], frozenset({str, dict}))
    if op not in DERIVED_OPS or len(of) != 2:
        raise _Malformed
    return Derived(op, tuple(p if type(p) is str else _derived(p, depth + 1) for p in of))


def _strings(values: Any) -> tuple[str, ...]:
    return tuple(_typed(values, _STR))


def _build(raw: Any) -> Dataset:
    from stemcli.model import Claim, Condition, Dataset, Measure, Outcome, Quantity, Source, Stage

    fmt, sources, conditions, outcomes, measures, quantities, columns = _typed(
        raw, frozenset({int, list})
    )
    if fmt != FORMAT:
        raise _Malformed
    src = _fields(
        sources,
        _STR,
        _STR,
        _STR,
        _STR,
        _BOOL,
        _OPT_STR,
        _OPT_STR,
        _OPT_STR,
        _LIST,
        _OPT_STR,
        _OPT_STR,
        _OPT_STR,
        _OPT_INT,
        _OPT_STR,
        _OPT_STR,
        _STR,
    )
    src[8] = [_strings(v) for v in src[8]]
    cond_ids, cond_names, cond_aliases, cond_stages = _fields(conditions, _STR, _STR, _LIST, _LIST)
    out = _fields(outcomes, _STR, _STR, _STR, _STR, _BOOL)
    m_ids, m_texts, m_max, m_dims = _fields(measures, _STR, _STR, _OPT_NUMBER, _LIST)
    q_rows = _fields(quantities, _STR, _NUMBER, _NUMBER, _OPT_STR, _STR)

    def stage(item: Any) -> Stage:
        sid, aliases = _typed(item, frozenset({str, list}))
        if type(sid) is not str:
            raise _Malformed
        return Stage(sid, _strings(aliases))

    ds_sources = {s.id: s for s in map(Source, *src)}
    ds_conditions = {
        c.id: c
        for c in map(
            Condition,
            cond_ids,
            cond_names,
            map(_strings, cond_aliases),
            (tuple(map(stage, _typed(st, _LIST))) for st in cond_stages),
        )
    }
    ds_outcomes = {o.id: o for o in map(Outcome, *out)}
    ds_measures = {m.id: m for m in map(Measure, m_ids, m_texts, m_max, map(_strings, m_dims))}
    table = list(map(Quantity, *q_rows))

    _typed(columns, _LIST)
    if len(columns) != len(_claim_fields()):
        raise _Malformed
    vocabularies: dict[str, _Types] = {
        "id": _STR,
        "source": _STR,
        "condition": _STR,
        "outcome": _STR,
        "measure": _STR,
        "quote": _STR,
        "basis": _STR,
        "comparator": _OPT_STR,
        "intervention": _OPT_STR,
        "n": _OPT_INT,
        "citation": _OPT_STR,
        "group": _OPT_STR,
        "scale": _OPT_STR,
        "n_studies": _OPT_INT,
        "statement": _OPT_STR,
        "where": _STR,
    }
    fields: list[list[Any]] = []
    for name, column in zip(_claim_fields(), columns, strict=True):
        if name == "value":
            fields.append(list(map(table.__getitem__, _typed(column, _INDEX))))
            continue
        if name in ("timepoint", "ci"):
            indices = _typed(column, _OPT_INT)
            fields.append([None if i is None else table[i] for i in indices])
            continue
        distinct, indices = _typed(column, _LIST)
        if name in ("stages", "review"):
            vocabulary: list[Any] = [_strings(v) for v in _typed(distinct, _LIST)]
        elif name == "derived":
            vocabulary = [
                None if v is None else _derived(v, 0) for v in _typed(distinct, _OPT_DICT)
            ]
        else:
            vocabulary = _typed(distinct, vocabularies[name])
        if name == "source" and not set(vocabulary) <= ds_sources.keys():
            raise _Malformed
        if name == "condition" and not set(vocabulary) <= ds_conditions.keys():
            raise _Malformed
        if name == "outcome" and not set(vocabulary) <= ds_outcomes.keys():
            raise _Malformed
        if name == "measure" and not set(vocabulary) <= ds_measures.keys():
            raise _Malformed
        fields.append(list(map(vocabulary.__getitem__, _typed(indices, _INDEX))))
    if len({len(f) for f in fields}) > 1:
        raise _Malformed
    return Dataset(
        sources=ds_sources,
        conditions=ds_conditions,
        outcomes=ds_outcomes,
        measures=ds_measures,
        claims=tuple(map(Claim, *fields)),
    )
