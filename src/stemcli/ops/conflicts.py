"""conflicts: numbers that disagree, across sources and within one.

Two claims are **comparable** when they are about the same condition, compatible stages
(a stage in common, or one of them not stage-specific), related outcomes (one ``family``
of the outcomes vocabulary), values of one unit dimension, the same comparator and the
same intervention (both case-insensitive, none with none), and their timepoints are not
clearly different (:func:`timepoints_apart`). Two comparable claims **conflict** when the
intervals their values allow (:func:`stemcli.quantities.interval`, qualifiers widened) do
not overlap; intervals that touch at one point do not conflict.

A conflict is ``direct`` when both claims have the same outcome and measure, and
``cross-measure`` otherwise (a responder rate against an effect size, pain against
function). It is ``internal`` when both claims come from one source. Severity is the gap
between the intervals, relative to the larger value, then the gap itself.

How it scales (see benchmarks/): claims are grouped by comparability key (condition,
family, dimension, comparator, intervention) and, within a group, sub-grouped by
(stages, timepoint); every pair of claims in one sub-group is compatible, and sub-groups
are paired by the same rules. Two intervals do not overlap exactly when one lies entirely
above the other, so the number of conflicting pairs between two sub-groups is a sum of
bisections over sorted lower and upper bounds: counting never looks at pairs. The most
severe pairs are found best-first: for a fixed upper claim, its partners sorted by upper
bound come in falling severity, so a heap holding each claim's best partner yields the
top N in O(n log n + N log n). N is at most the number of conflicts (counted first), and a
listing of more than :data:`MAX_LISTED` is refused: ``--count`` gives any number of them.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain
from typing import Any, NamedTuple

from stemcli.errors import UsageError
from stemcli.model import Claim, Dataset, Quantity
from stemcli.quantities import dimension, interval

DIRECT = "direct"
CROSS = "cross-measure"
KINDS = (DIRECT, CROSS)
DEFAULT_TOLERANCE = 0.05
# the most conflicts one listing holds: a --limit above it (with more conflicts than it
# selected) is refused, since a million listed pairs is gigabytes and minutes, not a result
MAX_LISTED = 10_000
# a timepoint is clearly later when it starts at least this many times after the other ends
TIMEPOINT_RATIO = 2.0

# what a measure counts, to explain a cross-measure pair in a few words
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

Interval = tuple[float, float]


# ---------------------------------------------------------------------------
# results


@dataclass(frozen=True, slots=True)
class Conflict:
    """Two comparable claims whose intervals do not overlap; ``a`` lies above ``b``."""

    a: Claim
    b: Claim
    kind: str  # DIRECT or CROSS
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

    def of(self, kind: str | None) -> int:
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
    kind: str | None = None
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
    detail: str


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
    verdict: str

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "comparable": self.comparable,
            "checks": [{"check": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
            "overlap": self.overlap,
            "conflict": None if self.conflict is None else self.conflict.to_json(),
            "verdict": self.verdict,
        }


# ---------------------------------------------------------------------------
# the rules, pair by pair


def stages_compatible(a: Sequence[str], b: Sequence[str]) -> bool:
    """A stage in common, or one of the claims is not stage-specific."""
    return not a or not b or not set(a).isdisjoint(b)


def timepoints_apart(a: Interval | None, b: Interval | None) -> bool:
    """Clearly different timepoints (in days): both given, and the later one starts at
    least :data:`TIMEPOINT_RATIO` times after the earlier one ends (6 weeks vs 12 months:
    365 ≥ 2 × 42). A start at day 0 is never clearly later."""
    if a is None or b is None:
        return False
    return (b[0] > 0 and b[0] >= TIMEPOINT_RATIO * a[1]) or (
        a[0] > 0 and a[0] >= TIMEPOINT_RATIO * b[1]
    )


def gap_unit(dim: str) -> str:
    """The unit a gap in dimension ``dim`` is given in: pp, days, usd, mm, cells ..."""
    return _GAP_UNIT.get(dim, dim)


def format_gap(gap: float, unit: str) -> str:
    """ "9.3 pp", "12 days", "$1,000", "2 sessions"."""
    if unit == "usd":
        return f"${_number(gap)}"
    if not unit:
        return _number(gap)
    if unit == "days" and gap == 1:
        return "1 day"
    return f"{_number(gap)} {unit}"


def format_interval(iv: Interval, dim: str) -> str:
    """An interval in the dimension's base unit: "[60, 70] %", "[14, 28] days"."""
    lo, hi = _number(iv[0]), _number(iv[1])
    if dim == "money":
        return f"[${lo}, ${hi}]"
    unit = {"percent": "%", "time": "days", "money": "", "length": "mm", "number": ""}.get(dim, dim)
    return f"[{lo}, {hi}] {unit}".rstrip()


def _number(x: float) -> str:
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    r = round(x, 2)
    if r == int(r):
        return f"{int(r):,}"
    return f"{r:,.2f}".rstrip("0").rstrip(".")


def _round(x: float) -> float | int:
    r = round(x, 6)
    return int(r) if r == int(r) else r


def _fold(text: str | None) -> str | None:
    return None if text is None else " ".join(text.split()).casefold()


def _relative(gap: float, *ends: float) -> float:
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


def _compared(ds: Dataset, outcome: str) -> bool:
    """False for outcomes marked ``compared: false`` (cohort sizes, follow-up, eligibility)."""
    o = ds.outcomes.get(outcome)
    return o is None or o.compared


def _families(ds: Dataset) -> dict[str, str]:
    return {o.id: o.family for o in ds.outcomes.values()}


def _conflict(a: Claim, b: Claim, ia: Interval, ib: Interval, families: dict[str, str]) -> Conflict:
    """The conflict between ``a`` (above) and ``b`` (below); the caller checked the rules."""
    gap = ia[0] - ib[1]
    family = families.get(a.outcome, a.outcome)
    return Conflict(
        a=a,
        b=b,
        kind=DIRECT if (a.outcome, a.measure) == (b.outcome, b.measure) else CROSS,
        internal=a.source == b.source,
        gap=gap,
        relative_gap=_relative(gap, ia[0], ia[1], ib[0], ib[1]),
        unit=gap_unit(dimension(a.value.unit)),
        why=describe(a, b, family),
    )


def explain(
    ds: Dataset, id_a: str, id_b: str, *, tolerance: float = DEFAULT_TOLERANCE
) -> Explanation:
    """Whether two claims are comparable, each rule with its reason, and the outcome."""
    _check_tolerance(tolerance)
    a, b = _claim(ds, id_a), _claim(ds, id_b)
    if a.id == b.id:
        raise UsageError("--explain needs two different claims")
    families = _families(ds)
    fa, fb = families.get(a.outcome, a.outcome), families.get(b.outcome, b.outcome)
    da, db = dimension(a.value.unit), dimension(b.value.unit)
    checks: list[Check] = []

    same = a.condition == b.condition
    checks.append(
        Check(
            "condition",
            same,
            f"both {a.condition}"
            if same
            else f"{a.condition} vs {b.condition}: different conditions",
        )
    )

    ok = stages_compatible(a.stages, b.stages)
    if not a.stages and not b.stages:
        detail = "neither is stage-specific"
    elif not a.stages or not b.stages:
        detail = (
            f"{_stage_text(a.stages)} vs {_stage_text(b.stages)}: "
            "one of them is not stage-specific, so it holds for every stage"
        )
    elif ok:
        common = ", ".join(s for s in a.stages if s in b.stages)
        detail = f"{_stage_text(a.stages)} vs {_stage_text(b.stages)}: stage {common} in common"
    else:
        detail = f"{_stage_text(a.stages)} vs {_stage_text(b.stages)}: no stage in common"
    checks.append(Check("stages", ok, detail))

    described = [o for o in dict.fromkeys((a.outcome, b.outcome)) if not _compared(ds, o)]
    if described:
        checks.append(
            Check(
                "result",
                False,
                f"{' and '.join(described)} describe{'s' if len(described) == 1 else ''} "
                "a study or its patients, not a result; sources differ on such numbers "
                "legitimately, so they are not compared",
            )
        )

    if a.outcome == b.outcome:
        detail = f"same outcome ({a.outcome})"
    elif fa == fb:
        detail = f"{a.outcome} and {b.outcome} are related: both of the {fa} family"
    else:
        detail = f"{a.outcome} ({fa}) vs {b.outcome} ({fb}): unrelated outcomes"
    checks.append(Check("outcome", fa == fb, detail))

    if da == db:
        detail = f"both {da}" + (", compared in days" if da == "time" else "")
    else:
        detail = f"{da} vs {db}: values in different units cannot be compared"
    checks.append(Check("unit", da == db, detail))

    for name, va, vb, empty in (
        ("comparator", a.comparator, b.comparator, "none (absolute values)"),
        ("intervention", a.intervention, b.intervention, "stem cell treatment"),
    ):
        same = _fold(va) == _fold(vb)
        if same:
            detail = f"both {va or empty}"
        else:
            detail = f"{va or empty} vs {vb or empty}: only the same {name} is compared"
        checks.append(Check(name, same, detail))

    ta = None if a.timepoint is None else interval(a.timepoint, tolerance)
    tb = None if b.timepoint is None else interval(b.timepoint, tolerance)
    apart = timepoints_apart(ta, tb)
    if a.timepoint is None or b.timepoint is None or ta is None or tb is None:
        if a.timepoint is None and b.timepoint is None:
            detail = "neither gives a timepoint"
        else:
            detail = (
                f"{_tp_text(a.timepoint)} vs {_tp_text(b.timepoint)}: only one gives a timepoint"
            )
    else:
        (early, early_text), (late, late_text) = sorted(
            [(ta, a.timepoint.text), (tb, b.timepoint.text)], key=lambda x: x[0]
        )
        both = f"{early_text} vs {late_text}"
        limit = f"{TIMEPOINT_RATIO:g} × the earlier's end, {_number(early[1])} days"
        if apart:
            detail = (
                f"{both}: clearly different times (the later starts at {_number(late[0])} "
                f"days, at least {limit}); such claims are not compared"
            )
        elif late[0] <= 0:
            detail = f"{both}: not clearly different (both may start at day 0)"
        else:
            detail = (
                f"{both}: not clearly different (the later starts at {_number(late[0])} "
                f"days, less than {limit})"
            )
    checks.append(Check("timepoint", not apart, detail))

    ia, ib = interval(a.value, tolerance), interval(b.value, tolerance)
    comparable = all(c.ok for c in checks)
    overlap: bool | None = None
    conflict: Conflict | None = None
    if da == db:
        overlap = ia[0] <= ib[1] and ib[0] <= ia[1]
    if comparable and overlap is False:
        conflict = (
            _conflict(a, b, ia, ib, families)
            if ia[0] > ib[1]
            else _conflict(b, a, ib, ia, families)
        )
    if not comparable:
        failed = ", ".join(c.name for c in checks if not c.ok)
        verdict = f"Not comparable ({failed}): conflicts never pairs these claims."
    elif conflict is None:
        verdict = "Comparable, and no conflict: the intervals overlap (or touch)."
    else:
        verdict = (
            f"Conflict ({conflict.kind}{', internal' if conflict.internal else ''}): gap "
            f"{format_gap(conflict.gap, conflict.unit)} ({conflict.relative_gap:.0%} of the "
            f"larger value). {conflict.why}"
        )
    return Explanation(
        a=a,
        b=b,
        comparable=comparable,
        checks=tuple(checks),
        a_interval=ia,
        b_interval=ib,
        unit=da if da == db else "",
        overlap=overlap,
        conflict=conflict,
        verdict=verdict,
    )


def check_pair(
    ds: Dataset, a: Claim, b: Claim, *, tolerance: float = DEFAULT_TOLERANCE
) -> Conflict | None:
    """The conflict between two claims, or None when they are not comparable or agree."""
    return explain(ds, a.id, b.id, tolerance=tolerance).conflict


def _claim(ds: Dataset, claim_id: str) -> Claim:
    c = ds.claim(claim_id)
    if c is None:
        import difflib

        close = difflib.get_close_matches(claim_id, [x.id for x in ds.claims], n=3, cutoff=0.5)
        raise UsageError(
            f"no claim {claim_id!r}" + (f"; closest: {', '.join(close)}" if close else ""),
            hint="claim ids are listed by 'stemcli lookup CONDITION --format json'",
        )
    return c


# ---------------------------------------------------------------------------
# many claims at once


class _Item(NamedTuple):
    idx: int  # rank of the claim id: the last tie-break
    lo: float
    hi: float
    cut: float  # partners qualify when their ``hi`` < cut (see _cut)
    top: float  # the larger value of any pair this claim is the upper one of
    source: int
    cls: int  # (outcome, measure), interned
    group: int  # comparability key, interned
    sub: int  # (stages, timepoint), interned: an index into _Prepared.subkeys
    claim: Claim


_SubKey = tuple[tuple[str, ...], Interval | None]


class _Prepared:
    """The selected claims as compact records, and what their interned keys stand for."""

    def __init__(
        self, items: list[_Item], subkeys: list[_SubKey], sources: dict[str, int], classes: int
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


def _check_tolerance(tolerance: float) -> None:
    if not (math.isfinite(tolerance) and 0 <= tolerance <= 1):
        raise UsageError("--tolerance must be a percentage from 0 to 100")


def _validate(sel: Selection) -> None:
    _check_tolerance(sel.tolerance)
    if sel.kind is not None and sel.kind not in KINDS:
        raise UsageError(f"--kind must be {' or '.join(KINDS)}, not {sel.kind!r}")
    if not (math.isfinite(sel.min_gap) and sel.min_gap >= 0):
        raise UsageError("--min-gap must be a number of at least 0")
    if sel.stage is not None and sel.condition is None:
        raise UsageError(
            "--stage needs a CONDITION", hint="e.g. stemcli conflicts knee-oa --stage middle"
        )


def _prepare(ds: Dataset, sel: Selection) -> _Prepared:
    """The selected claims as compact records, in claim-id order, keys interned."""
    claims = [
        c
        for c in ds.claims
        if (sel.condition is None or c.condition == sel.condition)
        and (sel.stage is None or not c.stages or sel.stage in c.stages)
        and (not (sel.internal and sel.source) or c.source == sel.source)
        and _compared(ds, c.outcome)
    ]
    claims.sort(key=lambda c: c.id)
    families = _families(ds)
    dims: dict[str | None, str] = {}
    tol, min_gap = sel.tolerance, sel.min_gap
    groups: dict[Hashable, int] = {}
    classes: dict[tuple[str, str], int] = {}
    sources: dict[str, int] = {}
    subs: dict[_SubKey, int] = {}
    inf = math.inf
    out: list[_Item] = []
    for i, c in enumerate(claims):
        q = c.value
        lo, hi = interval(q, tol)
        dim = dims.get(q.unit)
        if dim is None:
            dim = dims[q.unit] = dimension(q.unit)
        tp = None if c.timepoint is None else interval(c.timepoint, tol)
        key = (
            c.condition,
            families.get(c.outcome, c.outcome),
            dim,
            None if c.comparator is None else _fold(c.comparator),
            None if c.intervention is None else _fold(c.intervention),
        )
        stages = c.stages if len(c.stages) < 2 else tuple(sorted(c.stages))
        out.append(
            _Item(
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
    return _Prepared(out, list(subs), sources, len(classes))


def _compatible(s: _SubKey, t: _SubKey) -> bool:
    return stages_compatible(s[0], t[0]) and not timepoints_apart(s[1], t[1])


def _partition(
    prep: _Prepared, items: Iterable[_Item], *, by_class: bool, by_source: bool
) -> Iterator[list[tuple[int, list[_Item]]]]:
    """Groups of mutually comparable claims (but for stages and timepoints), as
    (sub-group key, members) lists; groups that cannot hold a pair are left out."""
    groups: dict[int, dict[int, list[_Item]]] = {}
    nc = prep.n_classes if by_class else 1
    ns = prep.n_sources if by_source else 1
    for it in items:
        key = it.group
        if by_class:
            key = key * nc + it.cls
        if by_source:
            key = key * ns + it.source
        group = groups.get(key)
        if group is None:
            groups[key] = {it.sub: [it]}
            continue
        members = group.get(it.sub)
        if members is None:
            group[it.sub] = [it]
        else:
            members.append(it)
    for group in groups.values():
        if len(group) > 1 or any(len(m) > 1 for m in group.values()):
            yield list(group.items())


def _compat_lists(prep: _Prepared, keys: Sequence[int]) -> list[list[int]]:
    """For each sub-group, the sub-groups it may be paired with (itself included)."""
    m = len(keys)
    out: list[list[int]] = [[i] for i in range(m)]
    for i in range(m):
        for j in range(i + 1, m):
            if prep.compatible(keys[i], keys[j]):
                out[i].append(j)
                out[j].append(i)
    return out


def _above(x_cuts: list[float], y_his: list[float]) -> int:
    """#{(x, y): y.hi < x.cut} for x with sorted ``x_cuts`` and y with sorted ``y_his``.

    Iterates over the smaller side: for each y, the x whose cut exceeds y.hi are
    ``len - bisect_right``; for each x, the y below it are ``bisect_left``.
    """
    if not x_cuts or not y_his or x_cuts[-1] <= y_his[0]:
        return 0
    if len(x_cuts) <= len(y_his):
        return sum(map(partial(bisect_left, y_his), x_cuts))
    return len(x_cuts) * len(y_his) - sum(map(partial(bisect_right, x_cuts), y_his))


def _count_items(
    prep: _Prepared, items: Sequence[_Item], *, by_class: bool, by_source: bool
) -> int:
    total = 0
    compatible = prep.compatible
    for subs in _partition(prep, items, by_class=by_class, by_source=by_source):
        keys = [k for k, _ in subs]
        cuts = [sorted([it.cut for it in members]) for _, members in subs]
        his = [sorted([it.hi for it in members]) for _, members in subs]
        m = len(subs)
        for i in range(m):
            total += _above(cuts[i], his[i])
            for j in range(i + 1, m):
                if compatible(keys[i], keys[j]):
                    total += _above(cuts[i], his[j]) + _above(cuts[j], his[i])
    return total


def _counts(prep: _Prepared, items: Sequence[_Item], *, by_source: bool) -> ConflictCounts:
    total = _count_items(prep, items, by_class=False, by_source=by_source)
    direct = _count_items(prep, items, by_class=True, by_source=by_source)
    return ConflictCounts(direct=direct, cross_measure=total - direct)


def _selection_counts(prep: _Prepared, sel: Selection) -> ConflictCounts:
    items = prep.items
    if sel.source is None or sel.internal:
        return _counts(prep, items, by_source=sel.internal)
    # pairs involving the source = all pairs - pairs among the other sources' claims
    everything = _counts(prep, items, by_source=False)
    src = prep.source_ids.get(sel.source, -1)
    others = _counts(prep, [it for it in items if it.source != src], by_source=False)
    return ConflictCounts(
        direct=everything.direct - others.direct,
        cross_measure=everything.cross_measure - others.cross_measure,
    )


def count_conflicts(ds: Dataset, sel: Selection) -> ConflictCounts:
    """The number of conflicting pairs per kind, without listing them (``sel.kind`` aside)."""
    _validate(sel)
    return _selection_counts(_prepare(ds, sel), sel)


class _Partners:
    """Candidate lower partners sorted by (hi, idx), with runs of one class to skip."""

    __slots__ = ("cls", "items", "keys", "run_end")

    def __init__(self, items: list[_Item]) -> None:
        self.items = items
        self.keys = [(it.hi, it.idx) for it in items]
        self.cls = [it.cls for it in items]
        n = len(items)
        run_end = [n] * n
        for i in range(n - 2, -1, -1):
            run_end[i] = run_end[i + 1] if self.cls[i + 1] == self.cls[i] else i + 1
        self.run_end = run_end

    def first(self, pos: int, skip: int | None) -> int:
        """The first position at or after ``pos`` whose class is not ``skip``."""
        if skip is not None and pos < len(self.items) and self.cls[pos] == skip:
            return self.run_end[pos]
        return pos


def _by_hi(items: Iterable[_Item]) -> list[_Item]:
    return sorted(items, key=lambda it: (it.hi, it.idx))


# (-relative gap, -gap, lower hi, upper idx, lower idx, upper, lower, stream)
_Entry = tuple[float, float, float, int, int, _Item, _Item, Any]


def _entry(a: _Item, b: _Item, stream: Any) -> _Entry:
    gap = a.lo - b.hi
    # for non-negative values the larger value of the pair is a.top (b lies below a)
    rel = gap / a.top if a.top > 0 else 0.0
    return (-rel, -gap, b.hi, a.idx, b.idx, a, b, stream)


def _entries(uppers: Iterable[_Item], b: _Item, stream: Any) -> list[_Entry]:
    """:func:`_entry` for every claim of ``uppers`` that lies above ``b`` (batched: hot)."""
    b_hi, b_idx = b.hi, b.idx
    out: list[_Entry] = []
    for a in uppers:
        if b_hi < a.cut:
            gap = a.lo - b_hi
            rel = gap / a.top if a.top > 0 else 0.0
            out.append((-rel, -gap, b_hi, a.idx, b_idx, a, b, stream))
    return out


def _top_pairs(prep: _Prepared, sel: Selection, limit: int) -> list[tuple[_Item, _Item]]:
    """The ``limit`` most severe (upper, lower) pairs of the selection, best first.

    Every unordered conflicting pair has exactly one upper claim (its interval lies above
    the other's), so each pair belongs to one stream: its upper claim's partners in
    (hi, idx) order, which for a fixed upper claim is falling severity. The heap holds the
    head of every stream; popping one advances its stream.
    """
    if limit <= 0:
        return []
    skip_class = sel.kind == CROSS
    restrict: int | None = None
    if sel.source is not None and not sel.internal:
        restrict = prep.source_ids.get(sel.source, -1)
    heap: list[_Entry] = []
    merged_cache: dict[tuple[int, int, int | None], _Partners] = {}
    group_data: list[tuple[list[list[_Item]], list[list[int]]]] = []
    parts = _partition(prep, prep.items, by_class=sel.kind == DIRECT, by_source=sel.internal)
    for g, subs in enumerate(parts):
        members = [m for _, m in subs]
        compat = _compat_lists(prep, [k for k, _ in subs])
        group_data.append((members, compat))
        if any(it.lo < 0 for m in members for it in m):
            # severity falls along a stream only for non-negative values (all the parser
            # produces); rank such a group's pairs exhaustively
            heap.extend(heapq.nsmallest(limit, _exhaustive(members, compat, sel, restrict)))
            continue
        lists: dict[int | None, list[_Partners]] = {None: [_Partners(_by_hi(m)) for m in members]}
        if restrict is not None:
            lists[restrict] = [
                _Partners(_by_hi(it for it in m if it.source == restrict)) for m in members
            ]
        for i, m in enumerate(members):
            # claims of the selected source pair with anyone, the others with it only
            buckets: list[tuple[int | None, list[_Item]]] = [(None, m)]
            if restrict is not None:
                buckets = [
                    (None, [it for it in m if it.source == restrict]),
                    (restrict, [it for it in m if it.source != restrict]),
                ]
            for r, uppers in buckets:
                best, second = _heads(lists[r], compat[i]) if uppers else (None, None)
                if best is None:
                    continue
                if not skip_class:
                    heap += _entries(uppers, best, (g, i, r))
                    continue
                heap += _entries([it for it in uppers if it.cls != best.cls], best, (g, i, r))
                if second is not None:
                    same = [it for it in uppers if it.cls == best.cls]
                    heap += _entries(same, second, (g, i, r))
    heapq.heapify(heap)
    out: list[tuple[_Item, _Item]] = []
    while heap and len(out) < limit:
        entry = heapq.heappop(heap)
        a, b, stream = entry[5], entry[6], entry[7]
        out.append((a, b))
        if stream is None:
            continue
        g, i, r = stream
        merged = merged_cache.get(stream)
        if merged is None:
            members, compat = group_data[g]
            pool = chain.from_iterable(members[j] for j in compat[i])
            merged = merged_cache[stream] = _Partners(
                _by_hi(it for it in pool if r is None or it.source == r)
            )
        pos = merged.first(bisect_right(merged.keys, (b.hi, b.idx)), a.cls if skip_class else None)
        if pos < len(merged.items) and merged.items[pos].hi < a.cut:
            heapq.heappush(heap, _entry(a, merged.items[pos], stream))
    return out


def _heads(lists: Sequence[_Partners], compat: Sequence[int]) -> tuple[_Item | None, _Item | None]:
    """Over the compatible sub-groups: the lowest partner, and the lowest of another class."""
    best: _Item | None = None
    for j in compat:
        p = lists[j]
        if p.items and (best is None or p.keys[0] < (best.hi, best.idx)):
            best = p.items[0]
    if best is None:
        return None, None
    second: _Item | None = None
    for j in compat:
        p = lists[j]
        pos = p.first(0, best.cls)
        if pos < len(p.items) and (second is None or p.keys[pos] < (second.hi, second.idx)):
            second = p.items[pos]
    return best, second


def _exhaustive(
    members: Sequence[Sequence[_Item]],
    compat: Sequence[Sequence[int]],
    sel: Selection,
    restrict: int | None,
) -> Iterator[_Entry]:
    """Every conflicting pair of one group, as final heap entries (no stream)."""
    for i, m in enumerate(members):
        for j in compat[i]:
            for a in m:
                for b in members[j]:
                    if b.hi >= a.cut or (sel.kind == CROSS and a.cls == b.cls):
                        continue
                    if restrict is not None and restrict not in (a.source, b.source):
                        continue
                    gap = a.lo - b.hi
                    rel = _relative(gap, a.lo, a.hi, b.lo, b.hi)
                    yield (-rel, -gap, b.hi, a.idx, b.idx, a, b, None)


def find_conflicts(ds: Dataset, sel: Selection, *, limit: int = 20) -> ConflictList:
    """The ``limit`` most severe conflicts of the selection, and the counts of all of them.

    The pairs are counted first (without listing them), so a listing never holds more
    than the conflicts that exist, however large ``limit`` is; one that would hold more
    than :data:`MAX_LISTED` is refused with a :class:`UsageError`.
    """
    _validate(sel)
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    prep = _prepare(ds, sel)
    counts = _selection_counts(prep, sel)
    total = counts.of(sel.kind)
    wanted = min(limit, total)
    if wanted > MAX_LISTED:
        raise UsageError(
            f"--limit would list {wanted:,} of {total:,} conflicts; "
            f"at most {MAX_LISTED:,} are listed at once",
            hint="--count gives the numbers; a CONDITION, --kind, --source or --min-gap "
            f"narrows the selection; --limit {MAX_LISTED} lists the most severe",
        )
    families = _families(ds)
    conflicts = tuple(
        _conflict(a.claim, b.claim, (a.lo, a.hi), (b.lo, b.hi), families)
        for a, b in _top_pairs(prep, sel, wanted)
    )
    return ConflictList(conflicts=conflicts, counts=counts, selection=sel)
