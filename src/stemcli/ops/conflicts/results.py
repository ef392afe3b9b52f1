"""The results of conflicts: pairs, counts, selections and explanations (frozen)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from stemcli.model import Claim, Quantity
from stemcli.ops.rules import Interval
from stemcli.quantities import dimension

ConflictKind = Literal["direct", "cross-measure"]
DIRECT: Final = "direct"
CROSS: Final = "cross-measure"
KINDS: tuple[ConflictKind, ...] = (DIRECT, CROSS)
DEFAULT_TOLERANCE = 0.05
# the most conflicts one listing holds: a larger listing (with more conflicts than it
# selected) is refused, since a million listed pairs is gigabytes and minutes, not a result
MAX_LISTED = 10_000

_MEASURE_GLOSS = {
    "effect": "size of the change",
    "responder-rate": "share of patients",
    "duration": "how long",
    "time-point": "when",
    "cost": "price",
    "dose": "cells given",
    "count": "how many",
    "score": "points on a scale",
    "ratio": "times more or less",
    "size": "measured size",
    "threshold": "cut-off",
}
_GAP_UNIT = {"percent": "pp", "time": "days", "money": "usd", "length": "mm", "number": ""}


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two comparable claims whose intervals do not overlap; ``a`` lies above ``b``."""

    a: Claim
    b: Claim
    kind: ConflictKind
    internal: bool
    gap: float  # in ``unit``: percentage points, days, dollars ...
    relative_gap: float  # gap / the larger value
    unit: str  # "pp", "days", "usd", "mm", ... ("" for plain numbers)
    why: str

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "kind": self.kind,
            "internal": self.internal,
            "gap": _round(self.gap),
            "relative_gap": _round(self.relative_gap),
            "unit": self.unit,
            "why": self.why,
        }


@dataclass(frozen=True, slots=True)
class ConflictCounts:
    """How many conflicting pairs a selection holds, per kind."""

    direct: int
    cross_measure: int

    @property
    def total(self) -> int:
        return self.direct + self.cross_measure

    def of(self, kind: ConflictKind | None) -> int:
        """The number of pairs of ``kind`` (None: every kind)."""
        if kind is None:
            return self.total
        return self.direct if kind == DIRECT else self.cross_measure

    def to_json(self, kind: str | None = None) -> dict[str, int]:
        out = {DIRECT: self.direct, CROSS: self.cross_measure}
        return out if kind is None else {kind: out[kind]}


@dataclass(frozen=True, slots=True)
class Selection:
    """Which pairs to consider. ``min_gap`` is in each pair's unit; ``tolerance`` a fraction."""

    condition: str | None = None
    stage: str | None = None
    kind: ConflictKind | None = None
    internal: bool = False
    source: str | None = None
    min_gap: float = 0.0
    tolerance: float = DEFAULT_TOLERANCE


@dataclass(frozen=True, slots=True)
class ConflictList:
    """The most severe conflicts of a selection, and how many there are in all."""

    conflicts: tuple[Conflict, ...]
    counts: ConflictCounts  # every kind, whatever ``selection.kind``
    selection: Selection

    @property
    def total(self) -> int:
        """The number of pairs of the selected kind(s)."""
        return self.counts.of(self.selection.kind)


@dataclass(frozen=True, slots=True)
class Check:
    """One rule of comparability, whether the pair passes it, and why."""

    name: str
    ok: bool
    detail: str  # in words, from the claims' own ids and texts; no number is formatted here
    reason: str = ""  # for checks whose numbers matter: a code naming the case
    facts: tuple[tuple[str, float], ...] = ()  # the numbers behind it, by name

    def fact(self, name: str) -> float:
        return dict(self.facts)[name]


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why two claims are, or are not, compared, and what comparing them gives."""

    a: Claim
    b: Claim
    comparable: bool
    checks: tuple[Check, ...]
    a_interval: Interval
    b_interval: Interval
    unit: str
    overlap: bool | None  # None when the units cannot be compared
    conflict: Conflict | None

    @property
    def failed(self) -> tuple[str, ...]:
        """The names of the rules the pair fails."""
        return tuple(c.name for c in self.checks if not c.ok)

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "comparable": self.comparable,
            "checks": [{"check": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
            "overlap": self.overlap,
            "conflict": None if self.conflict is None else self.conflict.to_json(),
        }


def gap_unit(dim: str) -> str:
    """The unit a gap in dimension ``dim`` is given in: pp, days, usd, mm, cells ..."""
    return _GAP_UNIT.get(dim, dim)


def _round(x: float) -> float | int:
    r = round(x, 6)
    return int(r) if r == int(r) else r


def relative(gap: float, *ends: float) -> float:
    larger = max((abs(x) for x in ends if math.isfinite(x)), default=0.0)
    return gap / larger if larger > 0 else 0.0


def _stage_text(stages: Sequence[str]) -> str:
    return ", ".join(stages) if stages else "not stage-specific"


def _tp_text(tp: Quantity | None) -> str:
    return "none" if tp is None else tp.text


def _tp_key(tp: Quantity | None) -> tuple[float, float, str | None, str] | None:
    return None if tp is None else (tp.low, tp.high, tp.unit, tp.qualifier)


def _measure_text(measure: str) -> str:
    gloss = _MEASURE_GLOSS.get(measure)
    return f"{measure} ({gloss})" if gloss else measure


def describe(a: Claim, b: Claim, family: str) -> str:
    """One sentence naming what differs between two conflicting claims."""
    if (a.outcome, a.measure) == (b.outcome, b.measure):
        head = (
            f"Direct: same outcome ({a.outcome}) and measure ({a.measure}), "
            "yet the values do not overlap"
        )
    else:
        ma, mb = _measure_text(a.measure), _measure_text(b.measure)
        if a.outcome == b.outcome:
            what = f"{ma} vs {mb} of {a.outcome}"
        elif a.measure == b.measure:
            what = f"{a.outcome} vs {b.outcome} (both {family}), each as {ma}"
        else:
            what = f"{ma} of {a.outcome} vs {mb} of {b.outcome} (both {family})"
        head = f"Cross-measure: {what}, related numbers but not the same quantity"
    parts = [head]
    if sorted(a.stages) != sorted(b.stages):
        parts.append(f"stage {_stage_text(a.stages)} vs {_stage_text(b.stages)}")
    if _tp_key(a.timepoint) != _tp_key(b.timepoint):
        parts.append(f"timepoint {_tp_text(a.timepoint)} vs {_tp_text(b.timepoint)}")
    return "; ".join(parts) + "."


def make_conflict(
    a: Claim, b: Claim, ia: Interval, ib: Interval, families: dict[str, str]
) -> Conflict:
    """The conflict between ``a`` (above) and ``b`` (below); the caller checked the rules."""
    gap = ia[0] - ib[1]
    family = families.get(a.outcome, a.outcome)
    return Conflict(
        a=a,
        b=b,
        kind=DIRECT if (a.outcome, a.measure) == (b.outcome, b.measure) else CROSS,
        internal=a.source == b.source,
        gap=gap,
        relative_gap=relative(gap, ia[0], ia[1], ib[0], ib[1]),
        unit=gap_unit(dimension(a.value.unit)),
        why=describe(a, b, family),
    )
