"""Which claims a selection holds, as compact records keyed for the sweep."""

from __future__ import annotations

import math
from typing import NamedTuple

from stemcli.errors import UsageError
from stemcli.model import Claim, Dataset
from stemcli.ops.conflicts.results import Selection
from stemcli.ops.rules import (
    ComparabilityKey,
    Interval,
    comparability_key,
    compared,
    families,
    stages_compatible,
    timepoints_apart,
)
from stemcli.quantities import dimension, interval


class Item(NamedTuple):
    idx: int  # rank of the claim id: the last tie-break
    lo: float
    hi: float
    cut: float  # partners qualify when their ``hi`` < cut (see _cut)
    top: float  # the larger value of any pair this claim is the upper one of
    source: int
    cls: int  # (outcome, measure), interned
    group: int  # comparability key, interned
    sub: int  # (stages, timepoint), interned: an index into Prepared.subkeys
    claim: Claim


SubKey = tuple[tuple[str, ...], Interval | None]


class Prepared:
    """The selected claims as compact records, and what their interned keys stand for."""

    def __init__(
        self, items: list[Item], subkeys: list[SubKey], sources: dict[str, int], classes: int
    ) -> None:
        self.items = items
        self.subkeys = subkeys
        self.source_ids = sources
        self.n_classes = max(1, classes)
        self.n_sources = max(1, len(sources))
        self._compatible: dict[int, bool] = {}

    def compatible(self, s: int, t: int) -> bool:
        """Whether sub-groups ``s`` and ``t`` may be paired (cached: few distinct pairs)."""
        key = s * len(self.subkeys) + t
        ok = self._compatible.get(key)
        if ok is None:
            ok = self._compatible[key] = _compatible(self.subkeys[s], self.subkeys[t])
        return ok


def _cut(lo: float, min_gap: float) -> float:
    """The bound below which a partner's upper end must lie: ``lo`` itself (the intervals
    must not touch) or, with a minimum gap, the largest float at most ``lo - min_gap``,
    made strict."""
    if min_gap <= 0:
        return lo
    return min(lo, math.nextafter(lo - min_gap, math.inf))


def check_tolerance(tolerance: float) -> None:
    if not (math.isfinite(tolerance) and 0 <= tolerance <= 1):
        raise UsageError(f"a tolerance is a fraction from 0 to 1, not {tolerance!r}")


def validate(sel: Selection) -> None:
    """Refuse a selection no claims could answer: the tolerance and minimum gap."""
    check_tolerance(sel.tolerance)
    if not (math.isfinite(sel.min_gap) and sel.min_gap >= 0):
        raise UsageError(f"a minimum gap is a number of at least 0, not {sel.min_gap!r}")


def prepare(ds: Dataset, sel: Selection) -> Prepared:
    """The selected claims as compact records, in claim-id order, keys interned."""
    claims = [
        c
        for c in ds.claims
        if (sel.condition is None or c.condition == sel.condition)
        and (sel.stage is None or not c.stages or sel.stage in c.stages)
        and (not (sel.internal and sel.source) or c.source == sel.source)
        and compared(ds, c.outcome)
    ]
    claims.sort(key=lambda c: c.id)
    family = families(ds)
    dims: dict[str | None, str] = {}
    tol, min_gap = sel.tolerance, sel.min_gap
    groups: dict[ComparabilityKey, int] = {}
    classes: dict[tuple[str, str], int] = {}
    sources: dict[str, int] = {}
    subs: dict[SubKey, int] = {}
    inf = math.inf
    out: list[Item] = []
    for i, c in enumerate(claims):
        q = c.value
        lo, hi = interval(q, tol)
        dim = dims.get(q.unit)
        if dim is None:
            dim = dims[q.unit] = dimension(q.unit)
        tp = None if c.timepoint is None else interval(c.timepoint, tol)
        key = comparability_key(c, family.get(c.outcome, c.outcome), dim)
        stages = c.stages if len(c.stages) < 2 else tuple(sorted(c.stages))
        out.append(
            Item(
                i,
                lo,
                hi,
                lo if min_gap <= 0 else _cut(lo, min_gap),
                hi if hi < inf else lo,
                sources.setdefault(c.source, len(sources)),
                classes.setdefault((c.outcome, c.measure), len(classes)),
                groups.setdefault(key, len(groups)),
                subs.setdefault((stages, tp), len(subs)),
                c,
            )
        )
    return Prepared(out, list(subs), sources, len(classes))


def _compatible(s: SubKey, t: SubKey) -> bool:
    return stages_compatible(s[0], t[0]) and not timepoints_apart(s[1], t[1])
