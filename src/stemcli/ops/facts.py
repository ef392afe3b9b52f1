"""facts: what the rules read of one claim, for conflicts and compare alike.

:func:`facts` is what every rule reads of a claim, once: the sweep
(:mod:`stemcli.ops.conflicts.sweep`), the rule-by-rule explanation
(:mod:`stemcli.ops.conflicts.explain`) and compare's marks all start from it, so they
cannot disagree about a pair. :func:`fold_rough` folds a rough value into the exact one
it rounds, and :func:`tension_cut` and :func:`scale` are where a tension starts. compare
imports this alone, not the conflicts engine and its results.
"""

from __future__ import annotations

import math
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import NamedTuple

from stemcli.model import Claim, Dataset, Quantity
from stemcli.ops.rules import (
    ComparabilityKey,
    Interval,
    about,
    comparability_key,
    families,
    fold,
    measure_class,
)
from stemcli.quantities import bound_side, dimension, ends

DEFAULT_TOLERANCE = 0.05
# a tension sets related but different quantities against each other: their numbers must
# be at least this far apart (relative to the larger value) for the difference to matter
TENSION_GAP = 0.20


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
        and fe.hi <= rough_top(rough, fr.lo, fr.hi)
    )


def rough_top(rough: Claim, lo: float, hi: float) -> float:
    """The highest exact value a rough one may round: "nearly 80%" and "almost 80%" are
    just under 80, so at most 80; "about 80%" is either side."""
    words = rough.value.text.lstrip().lower()
    return (lo + hi) / 2 if words.startswith(("nearly", "almost")) else hi


def fold_rough(
    ds: Dataset, claims: Sequence[Claim], tolerance: float, memo: Memo | None = None
) -> list[tuple[Claim, Facts]]:
    """Each of ``claims`` with the claim and facts that stand for its statement: its own,
    or, for a rough value folded into the one exact value it rounds (as
    :func:`~stemcli.ops.conflicts.select.prepare` folds it), that value's first claim and
    facts. ``claims`` must hold every claim of the same question (a source's claims, a
    row of compare)."""
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
            top = rough_top(c, f.lo, f.hi)
            start, end = bisect_left(lows, f.lo), bisect_right(lows, top)
            hosts = [held[k] for k in range(start, end) if held[k][1].hi <= top]
            if len(hosts) == 1:
                out.append(hosts[0])
                continue
        out.append((c, f))
    return out


def same_statement(a: Claim, fa: Facts, b: Claim, fb: Facts) -> bool:
    """Whether two claims are one statement (see :func:`~stemcli.ops.conflicts.select.prepare`)."""
    return (
        statement_key(a, fa) == statement_key(b, fb)
        or restates(a, fa, b, fb)
        or restates(b, fb, a, fa)
    )


def tension_cut(cut: float, lo: float, top: float) -> float:
    """A tension's partner must lie at least :data:`TENSION_GAP` of the larger value below."""
    return min(cut, math.nextafter(lo - TENSION_GAP * abs(top), math.inf))


TINY = sys.float_info.min  # the smallest normal float: "over 0" starts just above 0


def scale(lo: float, hi: float, lower_bound: bool) -> float:
    """The larger value of a pair whose upper side allows [lo, hi]: its number for a value
    bounded below ("at least 60%" is 60, not the 100 % it is capped at), else its upper
    end when finite."""
    if lower_bound or hi == math.inf:
        return lo if lo >= TINY else 0.0  # "over 0" starts just above 0: its number is 0
    return hi
