"""The domain's frozen dataclasses: what every operation takes and returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

KINDS = ("clinic", "broker", "information", "evidence", "survey")
# reference sources: what trials and reviews found (evidence) and what a study of
# clinics found they market (survey); cited by DOI or URL, never marketing themselves
REFERENCE_KINDS = ("evidence", "survey")
# GRADE's certainty of evidence, lowest first
CERTAINTY = ("very-low", "low", "moderate", "high")
MEASURES_BUILTIN = (
    "effect",
    "responder-rate",
    "duration",
    "time-point",
    "cost",
    "dose",
    "count",
    "score",
    "ratio",
    "size",
    "threshold",
)
BASES = ("case-report", "clinic-data", "cited-study", "none")
# what a derived figure does with its two parts (first, second); see docs/DATA.md
DERIVED_OPS = ("ratio", "difference", "percent-change", "reduction", "sum")


def certainty_grades(text: str) -> tuple[str, ...] | None:
    """The grades of a certainty: ``("low",)`` or a range ``("very-low", "low")``, lowest
    first; None when it is not one grade of :data:`CERTAINTY` or a range of two."""
    parts = [p.strip() for p in text.split(" to ")]
    if not 1 <= len(parts) <= 2 or any(p not in CERTAINTY for p in parts):
        return None
    if len(parts) == 2 and CERTAINTY.index(parts[0]) >= CERTAINTY.index(parts[1]):
        return None
    return tuple(parts)


def certainty_words(certainty: str | None) -> str:
    """A certainty in words: "very low to low"; "not stated" when there is none."""
    if not certainty:
        return "not stated"
    return certainty.replace("-", " ")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A parsed value: the interval [low, high] in ``unit``, and how it was qualified."""

    text: str
    low: float
    high: float
    unit: str | None
    qualifier: str = "exact"

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "low": _num(self.low),
            "high": _num(self.high),
            "unit": self.unit,
            "qualifier": self.qualifier,
        }


def _num(x: float) -> float | int:
    return int(x) if x == int(x) and abs(x) < 2**53 else x


@dataclass(frozen=True, slots=True)
class Derived:
    """How a figure restates two others: ``op`` of (first, second); each part is a claim
    id or, for a figure the page never states on its own, another derivation."""

    op: str
    of: tuple[str | Derived, ...]

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "of": [p if isinstance(p, str) else p.to_json() for p in self.of]}

    def text(self) -> str:
        """The derivation as one line: ``ratio(reduction(a, b), c)``."""
        return f"{self.op}({', '.join(p if isinstance(p, str) else p.text() for p in self.of)})"

    def claim_ids(self) -> tuple[str, ...]:
        """Every claim id the derivation names, nested ones included, in order."""
        out: list[str] = []
        for p in self.of:
            out.extend((p,) if isinstance(p, str) else p.claim_ids())
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str
    kind: str
    sells_treatment: bool
    archive: str | None = None
    sha256: str | None = None
    # how the text was read into the archive ("text", "trafilatura 2.3.1" ...)
    reader: str | None = None
    # fields a person has not checked yet (guessed by extract --into)
    review: tuple[str, ...] = ()
    # where the page is (or was) published: an absolute http(s) URL
    url: str | None = None
    # a reference source's bibliographic citation ("Piuzzi NS, ... J Knee Surg 2018")
    citation: str | None = None
    # its DOI, without "doi:" or a resolver ("10.1055/s-0037-1604443")
    doi: str | None = None
    year: int | None = None
    # GRADE certainty of an evidence source's findings, as it states it: one grade of
    # CERTAINTY or a range of two ("very-low to low")
    certainty: str | None = None
    # the folder of the sources.yaml that defines it, as the dataset path was given;
    # None for the bundled sources (their archives are not shipped)
    folder: str | None = field(default=None, compare=False)
    # where the source is defined: "file:line:col"
    where: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "publisher": self.publisher,
            "kind": self.kind,
            "sells_treatment": self.sells_treatment,
            "archive": self.archive,
            "sha256": self.sha256,
            "reader": self.reader,
            "review": list(self.review),
            "url": self.url,
            "citation": self.citation,
            "doi": self.doi,
            "year": self.year,
            "certainty": self.certainty,
        }

    @property
    def is_reference(self) -> bool:
        """An evidence or survey source: cited, not archived, never marketing."""
        return self.kind in REFERENCE_KINDS


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Condition:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    stages: tuple[Stage, ...] = ()

    @property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "stages": [{"id": s.id, "aliases": list(s.aliases)} for s in self.stages],
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    name: str
    family: str
    description: str = ""
    # False for numbers that describe a study or its patients, not a result
    compared: bool = True


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    description: str = ""
    max_percent: float | None = None
    dimensions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    source: str
    condition: str
    stages: tuple[str, ...]
    outcome: str
    measure: str
    value: Quantity
    quote: str
    basis: str = "none"
    timepoint: Quantity | None = None
    comparator: str | None = None
    intervention: str | None = None
    n: int | None = None
    citation: str | None = None
    # the patient group or study arm the number describes ("one-time treatment group")
    group: str | None = None
    # the figure restates others (a ratio, a difference ...): recomputed by conflicts
    derived: Derived | None = None
    # fields a person has not checked yet: extract's guesses until confirmed
    review: tuple[str, ...] = ()
    # a reference figure's confidence interval, read like the value ("-23.28 to -3.20 points")
    ci: Quantity | None = None
    # the scale the figure is on: VAS, WOMAC, SMD (a standardised mean difference) ...
    scale: str | None = None
    # how many studies a pooled figure comes from
    n_studies: int | None = None
    # a reference claim's figure in the curator's words (it is cited, not quoted)
    statement: str | None = None
    # where the claim is defined: "file:line:col"
    where: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract of a claim (see README)."""
        tp = self.timepoint
        return {
            "id": self.id,
            "source": self.source,
            "condition": self.condition,
            "stages": list(self.stages),
            "outcome": self.outcome,
            "measure": self.measure,
            "value": self.value.to_json(),
            "timepoint": None
            if tp is None
            else {"text": tp.text, "low": _num(tp.low), "high": _num(tp.high), "unit": tp.unit},
            "comparator": self.comparator,
            "intervention": self.intervention,
            "group": self.group,
            "basis": self.basis,
            "n": self.n,
            "citation": self.citation,
            "derived": None if self.derived is None else self.derived.to_json(),
            "review": list(self.review),
            "quote": self.quote,
            "ci": None if self.ci is None else self.ci.to_json(),
            "scale": self.scale,
            "n_studies": self.n_studies,
            "statement": self.statement,
        }


# from this many claims, ClaimColumns.where tests the codes with numpy (imported only then)
_NUMPY_FROM = 20_000


class ClaimColumns:
    """Claims stored column by column, one entry per field of :class:`Claim`: what a cache
    hit holds, so that no per-claim object exists until a command asks for one.

    A column is either *coded*, ``(values, codes)`` with claim ``i``'s value
    ``values[codes[i]]`` (the distinct values once, and an array of small integers), or
    *text*, ``(text, offsets, nulls)`` with claim ``i``'s value
    ``text[offsets[i]:offsets[i + 1]]`` (None where ``nulls[i]``), for fields nearly every
    claim words differently (ids, quotes, locations). ``by_id`` lists the claim positions
    in id order. The engines of conflicts, compare and search read the arrays directly.
    ``handle_length``, when known, is the length of the claims' handles
    (:mod:`stemcli.ops.handles`), which a cache entry stores so that no run hashes them all.
    """

    __slots__ = ("_built", "by_id", "columns", "handle_length", "n")

    def __init__(
        self,
        n: int,
        columns: dict[str, tuple[Any, ...]],
        by_id: Sequence[int],
        *,
        handle_length: int | None = None,
    ) -> None:
        self.n = n
        self.columns = columns
        self.by_id = by_id
        self.handle_length = handle_length
        self._built: dict[int, Claim] = {}  # claims built one by one, reused by claims()

    def values(self, name: str) -> list[Any]:
        """Every claim's value of field ``name``, in claim order."""
        col = self.columns[name]
        if len(col) == 2:
            values, codes = col
            return list(map(values.__getitem__, codes))
        text, offsets, nulls = col
        out: list[Any] = [text[a:b] for a, b in pairwise(offsets)]
        if nulls is not None:
            for i in nulls:
                out[i] = None
        return out

    def value(self, name: str, i: int) -> Any:
        col = self.columns[name]
        if len(col) == 2:
            return col[0][col[1][i]]
        text, offsets, nulls = col
        if nulls is not None and _contains(nulls, i):
            return None
        return text[offsets[i] : offsets[i + 1]]

    def claim(self, i: int) -> Claim:
        """The claim at position ``i``, built on its own (once: the same object each time,
        and the one :meth:`claims` holds)."""
        built = self._built.get(i)
        if built is None:
            built = self._built[i] = Claim(*(self.value(name, i) for name in _claim_field_names()))
        return built

    def claims(self) -> tuple[Claim, ...]:
        from stemcli.collector import paused

        with paused(freeze=True):  # a claim object each, none in a cycle
            claims = list(map(Claim, *(self.values(name) for name in _claim_field_names())))
        for i, c in self._built.items():
            claims[i] = c
        return tuple(claims)

    def positions(self, tests: dict[str, Callable[[Any], bool]]) -> list[int]:
        """The positions, in claim order, of the claims whose every field named in
        ``tests`` passes its test. A coded column's test runs once per distinct value
        (with numpy from :data:`_NUMPY_FROM` claims); a text column's, claim by claim."""
        wanted: list[tuple[list[bool], Any]] = []
        others: list[tuple[str, Callable[[Any], bool]]] = []
        for name, test in tests.items():
            col = self.columns[name]
            if len(col) == 2:
                wanted.append(([bool(test(v)) for v in col[0]], col[1]))
            else:
                others.append((name, test))
        if any(not any(ok) for ok, _ in wanted):
            return []
        found: Iterable[int]
        if wanted and self.n >= _NUMPY_FROM:
            import numpy as np

            mask = np.ones(self.n, dtype=bool)
            for ok, codes in wanted:
                mask &= np.array(ok, dtype=bool)[np.asarray(codes)]
            found = np.nonzero(mask)[0].tolist()
        else:
            found = (i for i in range(self.n) if all(ok[codes[i]] for ok, codes in wanted))
        if not others:
            return list(found)
        return [i for i in found if all(test(self.value(name, i)) for name, test in others)]

    def where(self, tests: dict[str, Callable[[Any], bool]]) -> list[Claim]:
        """The claims at :meth:`positions`; only they are built."""
        return self.claims_at(self.positions(tests))

    def claims_at(self, positions: Sequence[int]) -> list[Claim]:
        """The claims at ``positions``, those not built yet built together, column by
        column (a claim at a time reads each of its fields alone: several times slower
        for the hundreds of thousands a filter of a million may pass). Each is built
        once: the same objects as :meth:`claim` and :meth:`claims` give."""
        built = self._built
        todo = sorted({i for i in positions if i not in built})
        if todo:
            from stemcli.collector import paused

            fields = [self._values_at(name, todo) for name in _claim_field_names()]
            with paused(freeze=True):  # they live as long as the dataset
                built.update(zip(todo, map(Claim, *fields), strict=True))
        return [built[i] for i in positions]

    def _values_at(self, name: str, positions: list[int]) -> list[Any]:
        """Field ``name`` of the claims at ``positions`` (ascending)."""
        col = self.columns[name]
        if len(col) == 2:
            values, codes = col
            return list(map(values.__getitem__, map(codes.__getitem__, positions)))
        text, offsets, nulls = col
        out: list[Any] = [text[offsets[i] : offsets[i + 1]] for i in positions]
        if nulls is not None and len(nulls):
            # both ascending: one walk finds the positions that hold no value
            k, n = 0, len(nulls)
            for j, i in enumerate(positions):
                while k < n and nulls[k] < i:
                    k += 1
                if k < n and nulls[k] == i:
                    out[j] = None
        return out

    def find(self, claim_id: str) -> int | None:
        """The position of the claim ``claim_id`` (a bisection over the id order)."""
        lo, hi = 0, self.n
        by_id = self.by_id
        while lo < hi:
            mid = (lo + hi) // 2
            if self.value("id", by_id[mid]) < claim_id:
                lo = mid + 1
            else:
                hi = mid
        if lo < self.n and self.value("id", by_id[lo]) == claim_id:
            return int(by_id[lo])
        return None


def _contains(sorted_positions: Sequence[int], i: int) -> bool:
    from bisect import bisect_left

    k = bisect_left(sorted_positions, i)
    return k < len(sorted_positions) and sorted_positions[k] == i


_FIELD_NAMES: list[tuple[str, ...]] = []


def _claim_field_names() -> tuple[str, ...]:
    if not _FIELD_NAMES:
        from dataclasses import fields

        _FIELD_NAMES.append(tuple(f.name for f in fields(Claim)))
    return _FIELD_NAMES[0]


@dataclass(frozen=True, init=False)
class Dataset:
    """Everything loaded: vocabularies, sources, conditions and claims, validated.

    ``claims`` may come column by column (``columns``, a cache hit): the claim objects are
    then built on first access of :attr:`claims`, and :meth:`claim` finds one by id without
    building the others.
    """

    sources: dict[str, Source]
    conditions: dict[str, Condition]
    outcomes: dict[str, Outcome]
    measures: dict[str, Measure]
    claims: tuple[Claim, ...]
    columns: ClaimColumns | None = field(default=None, compare=False, repr=False)

    def __init__(
        self,
        sources: dict[str, Source],
        conditions: dict[str, Condition],
        outcomes: dict[str, Outcome],
        measures: dict[str, Measure],
        claims: tuple[Claim, ...] | None = None,
        columns: ClaimColumns | None = None,
    ) -> None:
        put = object.__setattr__
        put(self, "sources", sources)
        put(self, "conditions", conditions)
        put(self, "outcomes", outcomes)
        put(self, "measures", measures)
        put(self, "columns", columns)
        if claims is not None:
            put(self, "claims", claims)
        elif columns is None:
            put(self, "claims", ())

    def __getattr__(self, name: str) -> tuple[Claim, ...]:
        # only called for an attribute not yet set: the claims of a columnar dataset
        columns: ClaimColumns | None = self.__dict__.get("columns")
        if name != "claims" or columns is None:
            raise AttributeError(name)
        claims = columns.claims()
        object.__setattr__(self, "claims", claims)
        return claims

    def with_claims(self, claims: tuple[Claim, ...]) -> Dataset:
        """The same sources and vocabularies with other claims. (Not
        :func:`dataclasses.replace`, which would keep the columns of the old claims.)"""
        return Dataset(self.sources, self.conditions, self.outcomes, self.measures, claims)

    def claim_sources(self) -> set[str]:
        """The sources that have claims, without building the claims."""
        if "claims" not in self.__dict__ and self.columns is not None:
            col = self.columns.columns["source"]
            if len(col) == 2:  # coded: the distinct values are those of some claim
                return set(col[0])
        return {c.source for c in self.claims}

    @property
    def claim_count(self) -> int:
        """How many claims there are, without building them."""
        if "claims" not in self.__dict__ and self.columns is not None:
            return self.columns.n
        return len(self.claims)

    def claims_where(self, **tests: Callable[[Any], bool]) -> list[Claim]:
        """The claims whose every named field passes its test (``source=lambda s: ...``),
        in claim order; from the columns of a cache hit, only those claims are built."""
        if "claims" not in self.__dict__ and self.columns is not None:
            return self.columns.where(tests)
        return [c for c in self.claims if all(t(getattr(c, f)) for f, t in tests.items())]

    def claim_ids(self) -> list[str]:
        """Every claim's id, in claim order, without building the claims."""
        if "claims" not in self.__dict__ and self.columns is not None:
            return self.columns.values("id")
        return [c.id for c in self.claims]

    def claim(self, claim_id: str) -> Claim | None:
        """The claim ``claim_id``, or None (an index built once, not a scan per call)."""
        if "claims" not in self.__dict__ and self.columns is not None:
            i = self.columns.find(claim_id)
            return None if i is None else self.columns.claim(i)
        index: dict[str, Claim] | None = self.__dict__.get("_index")
        if index is None:
            index = {}
            for c in self.claims:
                index.setdefault(c.id, c)
            object.__setattr__(self, "_index", index)
        return index.get(claim_id)
