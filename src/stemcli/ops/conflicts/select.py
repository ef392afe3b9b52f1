"""Which claims a selection holds, as statements with compact records keyed for the sweep.

:func:`facts` is what every rule reads of a claim, once: the sweep (:mod:`.sweep`), the
rule-by-rule explanation (:mod:`.explain`) and compare's marks all start from it, so they
cannot disagree about a pair.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from stemcli.errors import UsageError
from stemcli.model import Claim, Dataset
from stemcli.ops.conflicts.results import TENSION_GAP, Selection, Statement
from stemcli.ops.rules import (
    ComparabilityKey,
    Interval,
    about,
    comparability_key,
    compared,
    families,
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


def facts(ds: Dataset, c: Claim, tolerance: float, family: dict[str, str]) -> Facts:
    q = c.value
    lo, hi = ends(q, tolerance)
    dim = dimension(q.unit)
    what = about(c, family, dim)
    return Facts(
        lo,
        hi,
        dim,
        what,
        (c.outcome, measure_class(c, dim)),
        comparability_key(c, what, dim),
        c.stages if len(c.stages) < 2 else tuple(sorted(c.stages)),
        None if c.timepoint is None else ends(c.timepoint, tolerance),
        c.basis == "case-report",
        bound_side(q),
        compared(ds, c.outcome),
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
        and fe.hi <= fr.hi
    )


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
    top: float  # the larger value of any pair this statement is the upper one of
    source: int
    cls: int  # (outcome, measure class), interned
    group: int  # comparability key, interned
    sub: int  # (stages, timepoint), interned: an index into Prepared.subkeys
    case: bool
    bound: bool  # the value is bounded on one side only
    statement: Statement


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


def _fold_rough(
    by_statement: dict[tuple[object, ...], list[Claim]], first: dict[tuple[object, ...], Facts]
) -> None:
    """Merge each rough statement into the exact one it rounds (:func:`restates`), when
    there is exactly one: the exact value stands for both."""
    rough = [k for k, f in first.items() if by_statement[k][0].value.qualifier == "about"]
    if not rough:
        return
    exact: dict[tuple[object, ...], list[tuple[object, ...]]] = {}
    for k, members in by_statement.items():
        if members[0].value.qualifier == "exact":
            exact.setdefault(question_key(members[0], first[k]), []).append(k)
    for k in rough:
        c, f = by_statement[k][0], first[k]
        hosts = [
            e
            for e in exact.get(question_key(c, f), ())
            if restates(c, f, by_statement[e][0], first[e])
        ]
        if len(hosts) == 1:
            # the exact value stands first: the statement's claim is the one it states
            by_statement[hosts[0]] += sorted(by_statement.pop(k), key=lambda x: x.id)
            del first[k]


def _cut(lo: float, min_gap: float) -> float:
    """The bound below which a partner's upper end must lie: ``lo`` itself (the intervals
    must not touch) or, with a minimum gap, the largest float at most ``lo - min_gap``,
    made strict."""
    if min_gap <= 0:
        return lo
    return min(lo, math.nextafter(lo - min_gap, math.inf))


def tension_cut(item: Item) -> float:
    """A tension's partner must lie at least :data:`TENSION_GAP` of the larger value below."""
    return min(item.cut, math.nextafter(item.lo - TENSION_GAP * abs(item.top), math.inf))


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
    """The selection's statements as compact records, in first-claim-id order."""
    family = families(ds)
    tol = sel.tolerance
    by_statement: dict[tuple[object, ...], list[Claim]] = {}
    first: dict[tuple[object, ...], Facts] = {}
    for c in selected(ds, sel):
        f = facts(ds, c, tol, family)
        k = statement_key(c, f)
        members = by_statement.get(k)
        if members is None:
            by_statement[k] = [c]
            first[k] = f
        else:
            members.append(c)
    _fold_rough(by_statement, first)
    groups: dict[ComparabilityKey, int] = {}
    classes: dict[tuple[str, str], int] = {}
    sources: dict[str, int] = {}
    subs: dict[SubKey, int] = {}
    inf = math.inf
    out: list[Item] = []
    for i, (k, members) in enumerate(by_statement.items()):
        f = first[k]
        lo, hi = f.lo, f.hi
        out.append(
            Item(
                i,
                lo,
                hi,
                _cut(lo, sel.min_gap),
                hi if hi < inf else lo,
                sources.setdefault(members[0].source, len(sources)),
                classes.setdefault(f.cls, len(classes)),
                groups.setdefault(f.key, len(groups)),
                subs.setdefault((f.stages, f.tp), len(subs)),
                f.case,
                f.bound is not None,
                Statement(tuple(members)),
            )
        )
    return Prepared(out, list(subs), sources, len(classes))
