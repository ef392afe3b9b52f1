"""Which claims a selection holds, as statements with compact records keyed for the sweep.

:func:`facts` is what every rule reads of a claim, once: the sweep (:mod:`.sweep`), the
rule-by-rule explanation (:mod:`.explain`) and compare's marks all start from it, so they
cannot disagree about a pair.
"""

from __future__ import annotations

import math
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import NamedTuple

from stemcli.errors import UsageError
from stemcli.model import Claim, Dataset, Quantity
from stemcli.ops.conflicts.results import TENSION_GAP, Selection, Statement
from stemcli.ops.rules import (
    TIME,
    ComparabilityKey,
    Interval,
    about,
    comparability_key,
    compared,
    families,
    fold,
    measure_class,
    same_time,
    stages_compatible,
)
from stemcli.quantities import bound_side, dimension, ends


class Facts(NamedTuple):
    """What the rules read of one claim."""

    lo: float  # the value's ends (qualifiers exact, "about" widened by the tolerance)
    hi: float
    dim: str
    about: str  # the outcome, or its family (see rules.about)
    cls: tuple[str, str]  # (outcome, measure class): the same quantity
    key: ComparabilityKey
    stages: tuple[str, ...]  # sorted
    tp: Interval | None  # the timepoint's ends, in days
    case: bool  # a single case report
    bound: str | None  # "lower", "upper" or None (rules.bound_side)
    compared: bool  # False for outcomes that describe a study, not a result


class Memo:
    """What :func:`facts` computes per distinct value, timepoint and text, kept for one
    selection (datasets repeat their values: a million claims hold a few thousand)."""

    __slots__ = ("caps", "family", "folds", "measures", "times", "tolerance", "values")

    def __init__(self, ds: Dataset, tolerance: float) -> None:
        self.family = families(ds)
        self.measures = ds.measures
        self.caps: dict[str, bool] = {}
        self.tolerance = tolerance
        self.values: dict[int, tuple[Quantity, float, float, str, str | None]] = {}
        self.times: dict[int, tuple[Quantity, Interval]] = {}
        self.folds: dict[str | None, str | None] = {None: None}

    def value(self, q: Quantity, capped: bool = True) -> tuple[float, float, str, str | None]:
        """The ends of ``q`` (``capped``: see :func:`capped`), its dimension and bound."""
        key = 2 * id(q) + capped
        hit = self.values.get(key)
        if hit is None or hit[0] is not q:
            lo, hi = ends(q, self.tolerance, capped=capped)
            hit = self.values[key] = (q, lo, hi, dimension(q.unit), bound_side(q))
        return hit[1], hit[2], hit[3], hit[4]

    def capped(self, c: Claim) -> bool:
        """Whether ``c``'s percentages stop at 100: its measure has a ``max_percent`` and it
        is not relative to a comparator (as validate's bound on impossible values)."""
        if c.comparator is not None:
            return False
        cap = self.caps.get(c.measure)
        if cap is None:
            m = self.measures.get(c.measure)
            cap = self.caps[c.measure] = m is not None and m.max_percent is not None
        return cap

    def time(self, q: Quantity) -> Interval:
        hit = self.times.get(id(q))
        if hit is None or hit[0] is not q:
            hit = self.times[id(q)] = (q, ends(q, self.tolerance))
        return hit[1]

    def fold(self, text: str | None) -> str | None:
        out = self.folds.get(text, _MISSING)
        if out is _MISSING:
            out = self.folds[text] = fold(text)
        return out  # type: ignore[return-value]


_MISSING: object = object()


def facts(
    ds: Dataset, c: Claim, tolerance: float, family: dict[str, str], memo: Memo | None = None
) -> Facts:
    """What the rules read of claim ``c`` (``memo`` shares the work across claims)."""
    if memo is None:
        memo = Memo(ds, tolerance)
        memo.family = family
    lo, hi, dim, bound = memo.value(c.value, memo.capped(c))
    what = about(c, memo.family, dim)
    outcome = ds.outcomes.get(c.outcome)
    return Facts(
        lo,
        hi,
        dim,
        what,
        (c.outcome, measure_class(c, dim)),
        comparability_key(c, what, dim, memo.fold),
        c.stages if len(c.stages) < 2 else tuple(sorted(c.stages)),
        None if c.timepoint is None else memo.time(c.timepoint),
        c.basis == "case-report",
        bound,
        outcome is None or outcome.compared,
    )


def question_key(c: Claim, f: Facts) -> tuple[object, ...]:
    """What a claim answers: its source and everything of a statement but the value."""
    return (
        c.source,
        f.key,
        f.stages,
        c.outcome,
        c.measure,
        None if c.timepoint is None else (f.tp, c.timepoint.qualifier),
    )


def statement_key(c: Claim, f: Facts) -> tuple[object, ...]:
    """Claims of one source with equal keys state the same value for the same question."""
    return (*question_key(c, f), f.lo, f.hi, c.value.unit, c.value.qualifier)


def restates(rough: Claim, fr: Facts, exact: Claim, fe: Facts) -> bool:
    """Whether ``rough`` ("nearly 80%", "about 2 weeks") rounds the value ``exact``
    ("79.3%") states for the same question of the same source: one statement."""
    return (
        rough.value.qualifier == "about"
        and exact.value.qualifier == "exact"
        and question_key(rough, fr) == question_key(exact, fe)
        and fr.lo <= fe.lo
        and fe.hi <= _rough_top(rough, fr.lo, fr.hi)
    )


def _rough_top(rough: Claim, lo: float, hi: float) -> float:
    """The highest exact value a rough one may round: "nearly 80%" and "almost 80%" are
    just under 80, so at most 80; "about 80%" is either side."""
    words = rough.value.text.lstrip().lower()
    return (lo + hi) / 2 if words.startswith(("nearly", "almost")) else hi


def fold_rough(
    ds: Dataset, claims: Sequence[Claim], tolerance: float, memo: Memo | None = None
) -> list[tuple[Claim, Facts]]:
    """Each of ``claims`` with the claim and facts that stand for its statement: its own,
    or, for a rough value folded into the one exact value it rounds (as :func:`prepare`
    folds it), that value's first claim and facts. ``claims`` must hold every claim of the
    same question (a source's claims, a row of compare)."""
    memo = memo or Memo(ds, tolerance)
    fs = [facts(ds, c, tolerance, memo.family, memo) for c in claims]
    exact: dict[tuple[object, ...], dict[tuple[object, ...], tuple[Claim, Facts]]] = {}
    for c, f in zip(claims, fs, strict=True):
        if c.value.qualifier == "exact":
            statements = exact.setdefault(question_key(c, f), {})
            k = statement_key(c, f)
            if k not in statements or c.id < statements[k][0].id:
                statements[k] = (c, f)
    # each question's exact statements by their lower end: a rough value can round only
    # those whose ends lie within its own (:func:`restates`), found by bisection
    by_low: dict[tuple[object, ...], tuple[list[float], list[tuple[Claim, Facts]]]] = {}
    for question, statements in exact.items():
        held = sorted(statements.values(), key=lambda cf: cf[1].lo)
        by_low[question] = ([fe.lo for _, fe in held], held)
    out: list[tuple[Claim, Facts]] = []
    for c, f in zip(claims, fs, strict=True):
        if c.value.qualifier == "about" and (found := by_low.get(question_key(c, f))):
            lows, held = found
            top = _rough_top(c, f.lo, f.hi)
            start, end = bisect_left(lows, f.lo), bisect_right(lows, top)
            hosts = [held[k] for k in range(start, end) if held[k][1].hi <= top]
            if len(hosts) == 1:
                out.append(hosts[0])
                continue
        out.append((c, f))
    return out


def same_statement(a: Claim, fa: Facts, b: Claim, fb: Facts) -> bool:
    """Whether two claims are one statement (see :func:`prepare`)."""
    return (
        statement_key(a, fa) == statement_key(b, fb)
        or restates(a, fa, b, fb)
        or restates(b, fb, a, fa)
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
    """Merge each rough statement into the exact one it rounds (:func:`restates`: the same
    question, an exact value inside the rough one's ends), when there is exactly one: the
    exact value stands for both."""
    rough = [k for k in by_statement if k[4] == "about"]
    if not rough:
        return
    exact: dict[object, list[_StatementKey]] = {}
    for k in by_statement:
        if k[4] == "exact":
            exact.setdefault(k[0], []).append(k)
    for k in rough:
        lo = k[1]
        hi = _rough_top(by_statement[k][0], lo, k[2])
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


def tension_cut(cut: float, lo: float, top: float) -> float:
    """A tension's partner must lie at least :data:`TENSION_GAP` of the larger value below."""
    return min(cut, math.nextafter(lo - TENSION_GAP * abs(top), math.inf))


def scale(lo: float, hi: float, lower_bound: bool) -> float:
    """The larger value of a pair whose upper side allows [lo, hi]: its number for a value
    bounded below ("at least 60%" is 60, not the 100 % it is capped at), else its upper
    end when finite."""
    if lower_bound or hi == math.inf:
        return lo if lo >= _TINY else 0.0  # "over 0" starts just above 0: its number is 0
    return hi


_TINY = sys.float_info.min


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
    :func:`facts` reads, through the same :class:`Memo` and the rules' own definitions
    inlined (``about``, ``measure_class``, ``comparability_key``), and builds only the
    statement key; the property tests hold it to the verdicts :func:`facts` gives.
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
        top = hi if hi < inf and k[4] != "at-least" else lo if lo >= _TINY else 0.0  # scale()
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
