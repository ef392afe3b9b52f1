"""A cache entry's payload: a validated dataset, column by column, and back (checked).

Layout: an 8-byte little-endian length, a JSON header of that length (ASCII), then the
arrays the header points into (native byte order: an entry never leaves its machine)::

  {"format": 7, "n": claims,
   "sources": {"fields": [name, ...], "rows": [[value, ...], ...]},
   "conditions": [[id, name, [alias, ...], [[stage id, [alias, ...]], ...]], ...],
   "outcomes": [[id, name, family, description, compared], ...],
   "measures": [[id, description, max_percent, [dimension, ...]], ...],
   "claims": {"fields": [name, ...], "columns": [column, ...], "by_id": array},
   "handle_length": length of the claims' handles, "size": bytes of arrays}
  column: ["coded", [distinct value, ...], array]     value i = distinct[array[i]]
        | ["text", [start, end], array, nulls]        value i = text[array[i]:array[i + 1]]
  array:  [typecode, start, count], into the bytes after the header

Both tables are generic: a field's JSON form comes from its annotation (:data:`_TYPES`), so
a field added to :class:`~stemcli.model.Source` or :class:`~stemcli.model.Claim` needs no
edit here; an annotation the table does not know makes :func:`encode` refuse (the entry is
then not written), never a wrong entry. Decoding checks every value's type, every index's
range and every name against the dataclasses: an entry of the wrong shape is a miss.

The length of the claims' handles (:func:`stemcli.ids.handle_length`, which needs
every id's sha256: seconds at a million claims) is computed once, when an entry is
written, and carried on the hit's columns: a run that shows a few handles hashes a few ids.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

__all__ = ["FORMAT", "decode", "encode"]

FORMAT = 8  # the payload's layout; a new one misses every older entry

if TYPE_CHECKING:
    from stemcli.model import ClaimColumns, Dataset, Derived, Quantity

# a str field whose distinct values are more than this share of the claims is stored as
# text (one string and offsets) rather than coded: ids, quotes, locations
_TEXT_SHARE = 0.25
# from this many claims the decoder checks arrays with numpy (imported only then)
NUMPY_FROM = 50_000


class _Malformed(ValueError):
    pass


# ---------------------------------------------------------------------------
# the one table: annotation -> (to JSON, from JSON with its check)


def _check_str(v: Any) -> str:
    if type(v) is not str:
        raise _Malformed
    return v


def _check_bool(v: Any) -> bool:
    if type(v) is not bool:
        raise _Malformed
    return v


def _check_int(v: Any) -> int:
    if type(v) is not int:
        raise _Malformed
    return v


def _check_number(v: Any) -> float:
    if type(v) not in (int, float):
        raise _Malformed
    return v  # type: ignore[no-any-return]


def _check_strings(v: Any) -> tuple[str, ...]:
    if type(v) is not list:
        raise _Malformed
    return tuple(map(_check_str, v))


def _quantity_json(q: Quantity) -> list[Any]:
    return [q.text, q.low, q.high, q.unit, q.qualifier]


def _quantity(v: Any) -> Quantity:
    from stemcli.model import Quantity

    if type(v) is not list or len(v) != 5:
        raise _Malformed
    text, low, high, unit, qualifier = v
    return Quantity(
        _check_str(text),
        _check_number(low),
        _check_number(high),
        None if unit is None else _check_str(unit),
        _check_str(qualifier),
    )


def _derived_json(d: Derived) -> Any:
    return d.to_json()


def _derived(raw: Any, depth: int = 0) -> Derived:
    from stemcli.model import DERIVED_OPS, Derived

    if type(raw) is not dict or raw.keys() != {"op", "of"} or depth > 8:
        raise _Malformed
    op, of = raw["op"], raw["of"]
    if op not in DERIVED_OPS or type(of) is not list or len(of) != 2:
        raise _Malformed
    return Derived(op, tuple(p if type(p) is str else _derived(p, depth + 1) for p in of))


def _same(v: Any) -> Any:
    return v


def _strings_json(v: tuple[str, ...]) -> list[str]:
    return list(v)


_Codec = tuple[Callable[[Any], Any], Callable[[Any], Any]]
# every annotation a Source or Claim field may have; "X | None" is derived from "X"
_TYPES: dict[str, _Codec] = {
    "str": (_same, _check_str),
    "bool": (_same, _check_bool),
    "int": (_same, _check_int),
    "float": (_same, _check_number),
    "tuple[str, ...]": (_strings_json, _check_strings),
    "Quantity": (_quantity_json, _quantity),
    "Derived": (_derived_json, _derived),
}


def _optional(codec: _Codec) -> _Codec:
    to, back = codec
    return (lambda v: None if v is None else to(v)), (lambda v: None if v is None else back(v))


@functools.cache
def _codec(annotation: str) -> _Codec:
    base = annotation.removesuffix(" | None")
    codec = _TYPES.get(base)
    if codec is None:
        raise ValueError(f"no cache form for a field of type {annotation!r}")
    return codec if base == annotation else _optional(codec)


@functools.cache
def _fields(cls_name: str) -> tuple[tuple[str, str], ...]:
    """(name, annotation) of the fields of model.Source or model.Claim, in order."""
    from dataclasses import fields

    from stemcli import model

    cls = getattr(model, cls_name)
    return tuple((f.name, str(f.type)) for f in fields(cls))


def _is_text(annotation: str) -> bool:
    return annotation in ("str", "str | None")


# ---------------------------------------------------------------------------
# columns from claims (also what the engines use for a dataset parsed just now)


def columns_of(claims: Sequence[Any], *, text_share: float = _TEXT_SHARE) -> ClaimColumns:
    """The claims as :class:`~stemcli.model.ClaimColumns` (values shared, not copied)."""
    from array import array

    from stemcli.model import ClaimColumns

    n = len(claims)
    columns: dict[str, tuple[Any, ...]] = {}
    for name, annotation in _fields("Claim"):
        values = [getattr(c, name) for c in claims]
        if _is_text(annotation) and n > 64:
            distinct_count = len(set(values))
            if distinct_count > text_share * n:
                columns[name] = _text_column(values)
                continue
        distinct: dict[Any, int] = {}
        if annotation in _PLAIN:  # strings, None, tuples of strings: the value is its identity
            codes = [distinct.setdefault(v, len(distinct)) for v in values]
        else:
            # the types are part of a value's identity: 1 and 1.0 are equal but print
            # differently
            identity = _identity()
            codes = [distinct.setdefault(identity(v), len(distinct)) for v in values]
        vocabulary = _first_of(values, codes, len(distinct))
        columns[name] = (vocabulary, array(_typecode(len(vocabulary)), codes))
    ids = columns["id"]
    order = sorted(range(n), key=functools.partial(_value_at, ids))
    return ClaimColumns(n, columns, array(_typecode(n), order))


# the annotations whose values are equal only when they print the same (no 1 and 1.0)
_PLAIN = frozenset(("str", "str | None", "tuple[str, ...]"))


def _identity() -> Callable[[Any], tuple[Any, ...]]:
    """What tells two values apart: a quantity by its text, ends, unit, qualifier and the
    ends' types, anything else by its type and value."""
    from stemcli.model import Quantity

    def identity(v: Any) -> tuple[Any, ...]:
        if type(v) is Quantity:
            return (Quantity, v.text, v.low, v.high, v.unit, v.qualifier, type(v.low), type(v.high))
        return (type(v), v)

    return identity


def _first_of(values: list[Any], codes: list[int], count: int) -> list[Any]:
    out: list[Any] = [None] * count
    seen = bytearray(count)
    for v, code in zip(values, codes, strict=True):
        if not seen[code]:
            seen[code] = 1
            out[code] = v
    return out


def _value_at(col: tuple[Any, ...], i: int) -> Any:
    if len(col) == 2:
        return col[0][col[1][i]]
    text, offsets, _ = col
    return text[offsets[i] : offsets[i + 1]]


def _text_column(values: list[Any]) -> tuple[str, Any, Any]:
    from array import array

    nulls = [i for i, v in enumerate(values) if v is None]
    parts = ["" if v is None else v for v in values]
    offsets = array("q", [0])
    total = 0
    for p in parts:
        total += len(p)
        offsets.append(total)
    return "".join(parts), offsets, (array("q", nulls) if nulls else None)


def _typecode(count: int) -> str:
    """The smallest unsigned array type whose values reach ``count - 1``."""
    if count <= 1 << 8:
        return "B"
    if count <= 1 << 16:
        return "H"
    return "I" if count <= 1 << 32 else "Q"


# ---------------------------------------------------------------------------
# encoding


def encode(ds: Dataset) -> bytes:
    """The payload for ``ds``."""
    import json

    columns = ds.columns
    if columns is None:
        columns = columns_of(ds.claims)
    arrays: list[bytes] = []
    size = 0

    def put(data: Any) -> list[Any]:
        nonlocal size
        if size % 8:  # every array starts aligned to its element
            arrays.append(bytes(8 - size % 8))
            size += 8 - size % 8
        start = size
        arrays.append(bytes(data))
        size += len(arrays[-1])
        return [data.typecode, start, len(data)]

    claim_fields = _fields("Claim")
    out_columns: list[Any] = []
    for name, annotation in claim_fields:
        col = columns.columns[name]
        if len(col) == 2:
            to = _codec(annotation)[0]
            vocabulary, codes = col
            out_columns.append(["coded", [to(v) for v in vocabulary], put(_as_array(codes))])
        else:
            text, offsets, nulls = col
            blob = text.encode("utf-8", "surrogateescape")
            start = size
            arrays.append(blob)
            size += len(blob)
            out_columns.append(
                [
                    "text",
                    [start, size],
                    put(_as_array(offsets, "q")),
                    None if nulls is None else put(_as_array(nulls, "q")),
                ]
            )
    from stemcli.ids import ids_handle_length

    source_fields = _fields("Source")
    header = {
        "format": FORMAT,
        "n": columns.n,
        "sources": {
            "fields": [name for name, _ in source_fields],
            "rows": [
                [_codec(a)[0](getattr(s, name)) for name, a in source_fields]
                for s in ds.sources.values()
            ],
        },
        "conditions": [
            [c.id, c.name, list(c.aliases), [[st.id, list(st.aliases)] for st in c.stages]]
            for c in ds.conditions.values()
        ],
        "outcomes": [
            [o.id, o.name, o.family, o.description, o.compared] for o in ds.outcomes.values()
        ],
        "measures": [
            [m.id, m.description, m.max_percent, list(m.dimensions)] for m in ds.measures.values()
        ],
        "claims": {
            "fields": [name for name, _ in claim_fields],
            "columns": out_columns,
            "by_id": put(_as_array(columns.by_id)),
        },
        "handle_length": ids_handle_length(ds.claim_ids()),
        "size": size,
    }
    head = json.dumps(header, separators=(",", ":"), check_circular=False).encode("ascii")
    return b"".join([len(head).to_bytes(8, "little"), head, *arrays])


def _as_array(values: Any, typecode: str | None = None) -> Any:
    from array import array

    if isinstance(values, array) and (typecode is None or values.typecode == typecode):
        return values
    values = list(values)
    if typecode is None:
        typecode = _typecode(max(values, default=0) + 1)
    return array(typecode, values)


# ---------------------------------------------------------------------------
# decoding


def decode(payload: bytes | bytearray) -> Dataset | None:
    """The dataset in an authenticated payload, or None if it is not one of the right shape.

    Every failure of decoding is a miss (the dataset is then parsed again), whatever it
    is: the payload comes from a file, and a cache must never be why a run fails.
    """
    from stemcli.collector import paused

    # decoding makes many small acyclic objects, and what was loaded is never garbage
    with paused(freeze=True):
        try:
            return _build(payload)
        except Exception:  # any malformed entry, down to RecursionError and MemoryError
            return None


_ARRAY_TYPES = frozenset("BHIQq")


class _Arrays:
    """Typed views into the bytes after the header, each checked as it is taken."""

    def __init__(self, data: memoryview, large: bool) -> None:
        self.data = data
        self.large = large

    def get(self, ref: Any, below: int, *, signed: bool = False) -> Any:
        """The array ``ref`` names, every element in ``[0, below)``."""
        if type(ref) is not list or len(ref) != 3:
            raise _Malformed
        typecode, start, count = ref
        if typecode not in _ARRAY_TYPES or (typecode == "q") != signed:
            raise _Malformed
        _check_int(start)
        _check_int(count)
        width = {"B": 1, "H": 2, "I": 4, "Q": 8, "q": 8}[typecode]
        end = start + count * width
        if not 0 <= start <= end <= len(self.data) or count < 0:
            raise _Malformed
        if start % width:
            raise _Malformed  # every array is written aligned
        view = self.data[start:end].cast(typecode)
        if count and not self._within(view, typecode, below):
            raise _Malformed
        return view

    def _within(self, view: Any, typecode: str, below: int) -> bool:
        if self.large:
            import numpy as np

            arr = np.frombuffer(view, dtype=typecode)
            return bool(arr.min() >= 0 and arr.max() < below)
        return bool(min(view) >= 0 and max(view) < below)


def _build(payload: bytes | bytearray) -> Dataset:
    import json

    from stemcli.model import ClaimColumns, Condition, Dataset, Measure, Outcome, Source, Stage

    view = memoryview(payload)
    if len(view) < 8:
        raise _Malformed
    head_len = int.from_bytes(view[:8], "little")
    if not 0 < head_len <= len(view) - 8:
        raise _Malformed
    raw = json.loads(bytes(view[8 : 8 + head_len]))
    if type(raw) is not dict or raw.keys() != {
        "format",
        "n",
        "sources",
        "conditions",
        "outcomes",
        "measures",
        "claims",
        "handle_length",
        "size",
    }:
        raise _Malformed
    if raw["format"] != FORMAT or raw["size"] != len(view) - 8 - head_len:
        raise _Malformed
    n = _check_int(raw["n"])
    if n < 0:
        raise _Malformed
    from stemcli.ids import HANDLE_MIN_LENGTH

    handle_length = _check_int(raw["handle_length"])
    if not HANDLE_MIN_LENGTH <= handle_length <= 64:
        raise _Malformed
    data = view[8 + head_len :]
    arrays = _Arrays(data, n >= NUMPY_FROM)

    # sources: generic over model.Source
    sources_raw = raw["sources"]
    source_fields = _fields("Source")
    if type(sources_raw) is not dict or sources_raw.get("fields") != [f for f, _ in source_fields]:
        raise _Malformed
    back = [_codec(a)[1] for _, a in source_fields]
    ds_sources: dict[str, Source] = {}
    for row in _list(sources_raw.get("rows")):
        if type(row) is not list or len(row) != len(back):
            raise _Malformed
        s = Source(*(b(v) for b, v in zip(back, row, strict=True)))
        ds_sources[s.id] = s

    def stage(item: Any) -> Stage:
        if type(item) is not list or len(item) != 2:
            raise _Malformed
        return Stage(_check_str(item[0]), _check_strings(item[1]))

    ds_conditions: dict[str, Condition] = {}
    for row in _list(raw["conditions"]):
        cid, name, aliases, stages = _row(row, 4)
        ds_conditions[_check_str(cid)] = Condition(
            cid, _check_str(name), _check_strings(aliases), tuple(map(stage, _list(stages)))
        )
    ds_outcomes: dict[str, Outcome] = {}
    for row in _list(raw["outcomes"]):
        oid, name, family, description, compared = _row(row, 5)
        ds_outcomes[_check_str(oid)] = Outcome(
            oid, _check_str(name), _check_str(family), _check_str(description),
            _check_bool(compared),
        )  # fmt: skip
    ds_measures: dict[str, Measure] = {}
    for row in _list(raw["measures"]):
        mid, description, max_percent, dimensions = _row(row, 4)
        ds_measures[_check_str(mid)] = Measure(
            mid,
            _check_str(description),
            None if max_percent is None else _check_number(max_percent),
            _check_strings(dimensions),
        )

    claims_raw = raw["claims"]
    claim_fields = _fields("Claim")
    if type(claims_raw) is not dict or claims_raw.keys() != {"fields", "columns", "by_id"}:
        raise _Malformed
    if claims_raw["fields"] != [f for f, _ in claim_fields]:
        raise _Malformed
    refs = _list(claims_raw["columns"])
    if len(refs) != len(claim_fields):
        raise _Malformed
    known = {
        "source": ds_sources.keys(),
        "condition": ds_conditions.keys(),
        "outcome": ds_outcomes.keys(),
        "measure": ds_measures.keys(),
    }
    columns: dict[str, tuple[Any, ...]] = {}
    for (name, annotation), ref in zip(claim_fields, refs, strict=True):
        if type(ref) is not list or not ref:
            raise _Malformed
        if ref[0] == "coded" and len(ref) == 3:
            check = _codec(annotation)[1]
            vocabulary = [check(v) for v in _list(ref[1])]
            if name in known and not set(vocabulary) <= known[name]:
                raise _Malformed
            codes = arrays.get(ref[2], len(vocabulary))
            if len(codes) != n:
                raise _Malformed
            columns[name] = (vocabulary, codes)
        elif ref[0] == "text" and len(ref) == 4 and _is_text(annotation):
            if name in known:
                raise _Malformed  # ids of other tables are always coded (and checked)
            span = _list(ref[1])
            if len(span) != 2:
                raise _Malformed
            start, end = _check_int(span[0]), _check_int(span[1])
            if not 0 <= start <= end <= len(data):
                raise _Malformed
            text = bytes(data[start:end]).decode("utf-8", "surrogateescape")
            offsets = arrays.get(ref[2], len(text) + 1, signed=True)
            if len(offsets) != n + 1 or offsets[0] != 0 or offsets[n] != len(text):
                raise _Malformed
            _check_sorted(offsets, arrays.large)
            nulls = None if ref[3] is None else arrays.get(ref[3], n, signed=True)
            if nulls is not None:
                if annotation != "str | None":
                    raise _Malformed
                _check_sorted(nulls, arrays.large)
            columns[name] = (text, offsets, nulls)
        else:
            raise _Malformed
    by_id = arrays.get(claims_raw["by_id"], max(n, 1))
    if len(by_id) != n:
        raise _Malformed
    return Dataset(
        sources=ds_sources,
        conditions=ds_conditions,
        outcomes=ds_outcomes,
        measures=ds_measures,
        columns=ClaimColumns(n, columns, by_id, handle_length=handle_length),
    )


def _list(v: Any) -> list[Any]:
    if type(v) is not list:
        raise _Malformed
    return v


def _row(v: Any, size: int) -> list[Any]:
    if type(v) is not list or len(v) != size:
        raise _Malformed
    return v


def _check_sorted(view: Any, large: bool) -> None:
    """Offsets (and null positions) never go back: every slice of the text is a value."""
    if large:
        import numpy as np

        arr = np.frombuffer(view, dtype=view.format)
        if arr.size > 1 and not bool((arr[1:] >= arr[:-1]).all()):
            raise _Malformed
    elif any(b < a for a, b in pairwise(view)):
        raise _Malformed
