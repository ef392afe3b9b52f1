"""The results of conflicts: statements, findings, counts, selections and explanations."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final, Literal

from stemcli.model import Claim
from stemcli.ops.facts import DEFAULT_TOLERANCE
from stemcli.ops.rules import Interval

Kind = Literal["contradiction", "tension", "arithmetic", "unusual"]
CONTRADICTION: Final = "contradiction"
TENSION: Final = "tension"
ARITHMETIC: Final = "arithmetic"
# a marketing figure outside what a survey found clinics to market (see .unusual)
UNUSUAL: Final = "unusual"
# the order findings are listed in: the kinds --fail-on-conflict looks at first
KINDS: tuple[Kind, ...] = (CONTRADICTION, ARITHMETIC, TENSION, UNUSUAL)
FAILING: tuple[Kind, ...] = (CONTRADICTION, ARITHMETIC)
BOUND: Final = "bound"
# a contradiction between a marketing claim and evidence measuring the same quantity
EVIDENCE: Final = "evidence"
CROSS: Final = "cross-measure"
ANECDOTE: Final = "anecdote"

# the most findings one listing holds: a larger listing (with more findings than it
# selected) is refused, since a million listed pairs is gigabytes and minutes, not a result
MAX_LISTED = 10_000
# from this many claims the array engine (.vector) runs (numpy's import costs ~0.1 s; below
# this the pure-Python sweep is as fast); here, so that a smaller run never imports it
VECTOR_FROM = 20_000

_GAP_UNIT = {"percent": "pp", "time": "days", "money": "usd", "length": "mm", "number": ""}


@dataclass(frozen=True, slots=True)
class Statement:
    """What one source states once or more: claims of one source giving the same value
    for the same question (condition, stages, outcome, measure, timepoint, comparator,
    intervention, group). ``claims`` are in id order, rough values folded into the exact
    one they round after the exact ones; the first stands for them all."""

    claims: tuple[Claim, ...]

    @property
    def claim(self) -> Claim:
        return self.claims[0]

    @property
    def source(self) -> str:
        return self.claims[0].source

    @property
    def times(self) -> int:
        """How often the source states it."""
        return len(self.claims)

    def to_json(self) -> dict[str, Any]:
        c = self.claims[0]
        return {
            "source": c.source,
            "value": c.value.text,
            "times": len(self.claims),
            "claims": [x.to_json() for x in self.claims],
        }


@dataclass(frozen=True, slots=True)
class Recomputed:
    """What a derived figure's parts give: ``op`` over ``parts``, the interval it allows."""

    text: str  # the derivation, e.g. "ratio(reduction(a, b), c)"
    parts: tuple[Claim, ...]
    interval: Interval  # in ``dimension``'s base unit
    dimension: str

    def to_json(self) -> dict[str, Any]:
        return {
            "derivation": self.text,
            "low": _round(self.interval[0]),
            "high": _round(self.interval[1]),
            "dimension": self.dimension,
            "parts": [c.to_json() for c in self.parts],
        }


@dataclass(frozen=True, slots=True)
class Conflict:
    """A finding. For a pair, statement ``a`` lies above ``b``; for ``arithmetic``, ``a``
    is the stated figure, ``b`` is None and ``recomputed`` says what its parts give."""

    a: Statement
    b: Statement | None
    kind: Kind
    subkind: str | None
    internal: bool
    gap: float  # in ``unit``: percentage points, days, dollars ...
    relative_gap: float  # gap / the larger value
    unit: str  # "pp", "days", "usd", "mm", ... ("" for plain numbers)
    why: str
    recomputed: Recomputed | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "a": self.a.to_json(),
            "b": None if self.b is None else self.b.to_json(),
            "kind": self.kind,
            "subkind": self.subkind,
            "internal": self.internal,
            "gap": _round(self.gap),
            "relative_gap": _round(self.relative_gap),
            "unit": self.unit,
            "why": self.why,
        }
        if self.recomputed is not None:
            out["recomputed"] = self.recomputed.to_json()
        return out


@dataclass(frozen=True, slots=True)
class ConflictCounts:
    """How many findings a selection holds, per kind (and the bound contradictions,
    the cross-measure and anecdote tensions among them)."""

    contradiction: int = 0
    tension: int = 0
    arithmetic: int = 0
    bound: int = 0
    cross_measure: int = 0
    anecdote: int = 0
    unusual: int = 0
    # whether the selection has a survey of what clinics market, without which nothing
    # can be unusual: the kind is counted (and listed in to_json) only then
    surveyed: bool = False

    @classmethod
    def of_sweeps(
        cls, contradiction: int, bound: int, cross: int, same_far: int, typical_far: int
    ) -> ConflictCounts:
        """The counts from the sweeps either engine runs: ``cross``, far pairs across
        measures and classes; ``same_far``, far pairs within a class; ``typical_far``, those
        of them without a case report (the rest are anecdote tensions)."""
        cross -= same_far
        anecdote = same_far - typical_far
        return cls(
            contradiction=contradiction,
            tension=cross + anecdote,
            bound=bound,
            cross_measure=cross,
            anecdote=anecdote,
        )

    @property
    def total(self) -> int:
        return self.contradiction + self.tension + self.arithmetic + self.unusual

    def of(self, kind: str | None) -> int:
        """The number of findings of ``kind`` (None: every kind)."""
        if kind is None:
            return self.total
        return int(getattr(self, kind))

    def failing(self, kind: str | None) -> int:
        """The findings --fail-on-conflict counts: of ``kind``, or (None) the kinds of
        :data:`FAILING`."""
        return self.of(kind) if kind is not None else sum(self.of(k) for k in FAILING)

    def to_json(self, kind: str | None = None) -> dict[str, int]:
        if kind is not None:
            return {kind: self.of(kind)}
        return {k: self.of(k) for k in KINDS if k != UNUSUAL or self.surveyed or self.unusual}

    def __sub__(self, other: ConflictCounts) -> ConflictCounts:
        return ConflictCounts(*(getattr(self, f) - getattr(other, f) for f in _COUNT_FIELDS))


_COUNT_FIELDS = (
    "contradiction",
    "tension",
    "arithmetic",
    "bound",
    "cross_measure",
    "anecdote",
    "unusual",
)


@dataclass(frozen=True, slots=True)
class Selection:
    """Which findings to consider. ``min_gap`` is in each pair's unit; ``tolerance`` a
    fraction."""

    condition: str | None = None
    stage: str | None = None
    kind: Kind | None = None
    internal: bool = False
    source: str | None = None
    min_gap: float = 0.0
    tolerance: float = DEFAULT_TOLERANCE


@dataclass(frozen=True, slots=True)
class ConflictList:
    """The first findings of a selection (contradictions, arithmetic, tensions; the most
    severe first within each), and how many there are in all."""

    conflicts: tuple[Conflict, ...]
    counts: ConflictCounts  # every kind, whatever ``selection.kind``
    selection: Selection

    @property
    def total(self) -> int:
        """The number of findings of the selected kind(s)."""
        return self.counts.of(self.selection.kind)


@dataclass(frozen=True, slots=True)
class Check:
    """One rule of comparability, whether the pair passes it, and why."""

    name: str
    ok: bool
    detail: str  # in words, from the claims' own ids and texts; no number is formatted here
    reason: str = ""  # a code naming the case: "trajectory", "milestones", "group" ...
    facts: tuple[tuple[str, float], ...] = ()  # the numbers behind it, by name

    def fact(self, name: str) -> float:
        return dict(self.facts)[name]


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why two claims are, or are not, set against each other, and the verdict."""

    a: Claim
    b: Claim
    comparable: bool
    checks: tuple[Check, ...]
    a_interval: Interval
    b_interval: Interval
    unit: str
    overlap: bool | None  # None when the units cannot be compared
    conflict: Conflict | None
    reason: str  # the first failed rule's code, "overlap", "close", or "" when flagged

    @property
    def failed(self) -> tuple[str, ...]:
        """The names of the rules the pair fails."""
        return tuple(c.name for c in self.checks if not c.ok)

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "comparable": self.comparable,
            "checks": [
                {"check": c.name, "ok": c.ok, "reason": c.reason, "detail": c.detail}
                for c in self.checks
            ],
            "overlap": self.overlap,
            "reason": self.reason,
            "conflict": None if self.conflict is None else self.conflict.to_json(),
        }


def gap_unit(dim: str) -> str:
    """The unit a gap in dimension ``dim`` is given in: pp, days, usd, mm, cells ..."""
    return _GAP_UNIT.get(dim, dim)


def _round(x: float) -> float | int | None:
    if not math.isfinite(x):
        return None
    r = round(x, 6)
    return int(r) if r == int(r) else r


def relative(gap: float, *ends: float) -> float:
    larger = max((abs(x) for x in ends if math.isfinite(x)), default=0.0)
    return gap / larger if larger > 0 else 0.0
