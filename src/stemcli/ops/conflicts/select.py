"""Which claims a selection holds, as statements with compact records keyed for the sweep.

:func:`prepare` reads what :func:`stemcli.ops.facts.facts` reads of each claim, by the same
rules and through the same memo, so the sweep, the rule-by-rule explanation and compare's
marks cannot disagree about a pair.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from operator import attrgetter
from typing import NamedTuple

from stemcli.errors import UsageError
from stemcli.model import Claim, Dataset
from stemcli.ops.conflicts.results import Selection, Statement
from stemcli.ops.facts import (
    TENSION_GAP,
    TINY,
    Memo,
    rough_top,
)
from stemcli.ops.rules import (
    TIME,
    ComparabilityKey,
    Interval,
    comparability_key,
    compared,
    same_time,
    stages_compatible,
)


class Item(NamedTuple):
    idx: int  # rank of the statement's first claim id: the last tie-break
    lo: float
    hi: float
    cut: float  # partners qualify when their ``hi`` < cut (see _cut)
    tcut: float  # the same for a tension (see tension_cut)
    top: float  # the larger value of any pair this statement is the upper one of
    source: int
    cls: int  # (outcome, measure class), interned
    group: int  # comparability key, interned
    sub: int  # (stages, timepoint), interned: an index into Prepared.subkeys
    case: bool
    bound: bool  # the value is bounded on one side only
    claims: list[Claim]  # the statement's claims, the one that stands for them first

    @property
    def statement(self) -> Statement:
        return Statement(tuple(self.claims))


# an item's cut: Item.cut for a contradiction, Item.tcut for a tension
Cut = Callable[["Item"], float]
CUT: Cut = attrgetter("cut")
TCUT: Cut = attrgetter("tcut")


SubKey = tuple[tuple[str, ...], Interval | None]


class Prepared:
    """The selected statements as compact records, and what their interned keys stand for."""

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
            a, b = self.subkeys[s], self.subkeys[t]
            ok = self._compatible[key] = stages_compatible(a[0], b[0]) and same_time(a[1], b[1])
        return ok


def _fold_rough(by_statement: dict[_StatementKey, list[Claim]]) -> None:
    """Merge each rough statement into the exact one it rounds
    (:func:`~stemcli.ops.facts.restates`: the same question, an exact value inside the
    rough one's ends), when there is exactly one: the exact value stands for both."""
    rough = [k for k in by_statement if k[4] == "about"]
    if not rough:
        return
    exact: dict[object, list[_StatementKey]] = {}
    for k in by_statement:
        if k[4] == "exact":
            exact.setdefault(k[0], []).append(k)
    for k in rough:
        lo = k[1]
        hi = rough_top(by_statement[k][0], lo, k[2])
        hosts = [e for e in exact.get(k[0], ()) if lo <= e[1] and e[2] <= hi]
        if len(hosts) == 1:
            # the exact value stands first: the statement's claim is the one it states
            by_statement[hosts[0]] += sorted(by_statement.pop(k), key=lambda x: x.id)


_StatementKey = tuple[tuple[object, ...], float, float, str | None, str]


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


def selected(ds: Dataset, sel: Selection) -> list[Claim]:
    """The selection's claims in id order (outcomes that describe a study left out)."""
    claims = [
        c
        for c in ds.claims
        if (sel.condition is None or c.condition == sel.condition)
        and (sel.stage is None or not c.stages or sel.stage in c.stages)
        and (not (sel.internal and sel.source) or c.source == sel.source)
        and compared(ds, c.outcome)
    ]
    claims.sort(key=lambda c: c.id)
    return claims


def prepare(ds: Dataset, sel: Selection) -> Prepared:
    """The selection's statements as compact records, in first-claim-id order.

    The hot loop of conflicts, at about a microsecond per claim: it reads what
    :func:`~stemcli.ops.facts.facts` reads, through the same
    :class:`~stemcli.ops.facts.Memo` and the rules' own definitions
    inlined (``about``, ``measure_class``, ``comparability_key``), and builds only the
    statement key; the property tests hold it to the verdicts
    :func:`~stemcli.ops.facts.facts` gives.
    """
    memo = Memo(ds, sel.tolerance)
    family = memo.family
    value, fold_ = memo.value, memo.fold
    known, times = memo.values, memo.times
    caps = {m.id: m.max_percent is not None for m in ds.measures.values()}
    # comparability keys, classes and (stages, timepoint) sub-groups, interned as they come
    keys: dict[tuple[object, ...], int] = {}
    groups: dict[ComparabilityKey, int] = {}
    classes: dict[tuple[str, str], int] = {}
    subs: dict[SubKey, int] = {}
    by_statement: dict[_StatementKey, list[Claim]] = {}
    shape: dict[_StatementKey, tuple[int, int, int, bool, bool]] = {}
    k: _StatementKey
    for c in selected(ds, sel):
        q = c.value
        vkey = 2 * id(q) + (c.comparator is None and caps.get(c.measure, False))
        hit = known.get(vkey)
        if hit is None or hit[0] is not q:
            value(q, memo.capped(c))
            hit = known[2 * id(q) + memo.capped(c)]
        _, lo, hi, dim, bound = hit
        outcome = c.outcome
        timed = dim == TIME
        what = outcome if timed else family.get(outcome, outcome)
        raw = (c.condition, what, dim, c.comparator, c.intervention, c.group)
        gid = keys.get(raw)
        if gid is None:
            ckey = comparability_key(c, what, dim, fold_)
            gid = keys[raw] = groups.setdefault(ckey, len(groups))
        stages = c.stages if len(c.stages) < 2 else tuple(sorted(c.stages))
        tpq = c.timepoint
        if tpq is None:
            tp: Interval | None = None
            when: tuple[Interval, str] | None = None
        else:
            seen = times.get(id(tpq))
            tp = seen[1] if seen is not None and seen[0] is tpq else memo.time(tpq)
            when = (tp, tpq.qualifier)
        k = ((c.source, gid, stages, outcome, c.measure, when), lo, hi, q.unit, q.qualifier)
        members = by_statement.get(k)
        if members is None:
            by_statement[k] = [c]
            cls = classes.setdefault((outcome, TIME if timed else c.measure), len(classes))
            sub = subs.setdefault((stages, tp), len(subs))
            shape[k] = (gid, cls, sub, c.basis == "case-report", bound is not None)
        else:
            members.append(c)
    _fold_rough(by_statement)
    sources: dict[str, int] = {}
    inf = math.inf
    min_gap = sel.min_gap
    nextafter = math.nextafter
    new = tuple.__new__
    out: list[Item] = []
    for i, (k, members) in enumerate(by_statement.items()):
        gid, cls, sub, case, bounded = shape[k]
        # a single case report only when every claim of the statement is one (the same
        # value also stated as a clinic's or a study's figure is not an anecdote)
        case = case and all(m.basis == "case-report" for m in members)
        lo, hi = k[1], k[2]
        cut = lo if min_gap <= 0 else _cut(lo, min_gap)
        top = hi if hi < inf and k[4] != "at-least" else lo if lo >= TINY else 0.0  # scale()
        tcut = nextafter(lo - TENSION_GAP * abs(top), inf)
        source = members[0].source
        sid = sources.get(source)
        if sid is None:
            sid = sources[source] = len(sources)
        out.append(
            new(  # Item(...) without its Python-level constructor
                Item,
                (
                    i,
                    lo,
                    hi,
                    cut,
                    tcut if tcut < cut else cut,
                    top,
                    sid,
                    cls,
                    gid,
                    sub,
                    case,
                    bounded,
                    members,
                ),
            )
        )
    return Prepared(out, list(subs), sources, len(classes))
