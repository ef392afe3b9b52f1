"""Property tests for conflicts: the sweep agrees with a brute-force O(n²) reading of the rules.

The statements are the engine's own (``select.prepare``: claims of one source giving the same
value for the same question), but every verdict on a pair of them comes from the slow path,
:func:`stemcli.ops.conflicts.pair_finding`, one pair at a time, and every arithmetic finding
from :func:`stemcli.arithmetic.combine` over the parts' ends: independently of the grouping,
bisecting and heap of the sweep.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TypeVar

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stemcli.arithmetic import ArithmeticError_, combine, result_dimension
from stemcli.model import (
    Claim,
    Condition,
    Dataset,
    Derived,
    Measure,
    Outcome,
    Quantity,
    Source,
    Stage,
)
from stemcli.ops import conflicts as cf
from stemcli.ops.conflicts.select import prepare
from stemcli.ops.facts import facts, fold_rough
from stemcli.ops.rules import families
from stemcli.quantities import dimension, ends, overlaps, parse, to_base

T = TypeVar("T")

# property tests: many generated examples each (a quick run is -m 'not slow')
pytestmark = pytest.mark.slow

FAMILIES = {
    "pain": "benefit",
    "function": "benefit",
    "improvement": "benefit",
    "recovery-time": "recovery-time",
    "cost": "cost",
    "cohort": "study",  # compared: false, a number that describes a study
}
NOT_COMPARED = {"cohort"}
MEASURES = ("effect", "responder-rate", "duration", "time-point", "cost")
SOURCES = ("s1", "s2", "s3")
STAGES = ("early", "middle", "late")
UNITS = ("percent", "percent", "days", "weeks", "months", "usd", None)

# qualifier words, by side and by whether they keep their own number
LOWER_STRICT = ("over", "more than", "above")
LOWER_INCLUSIVE = ("at least", "+", "or more")
UPPER_INCLUSIVE = ("up to", "at most", "within")
UPPER_STRICT = ("under", "less than", "fewer than")
STRICT = LOWER_STRICT + UPPER_STRICT
LOWER = LOWER_STRICT + LOWER_INCLUSIVE
WORDS = LOWER + UPPER_INCLUSIVE + UPPER_STRICT


# ---------------------------------------------------------------------------
# value texts, parsed the way a dataset's values are


def _num(x: float) -> str:
    return f"{x:g}"


def _plain(x: float, unit: str | None) -> str:
    n = _num(x)
    if unit == "percent":
        return f"{n}%"
    if unit == "usd":
        return f"${n}"
    if unit == "times":
        return f"{n}x"
    return n if unit is None else f"{n} {unit}"


def value_text(word: str, x: float, unit: str | None) -> str:
    """'over 30%', '30 days+', '$30 or more', 'fewer than 30' ..."""
    plain = _plain(x, unit)
    if word == "+":
        return f"{plain}+"
    if word == "or more":
        return f"{plain} or more"
    return f"{word} {plain}"


def range_text(lo: float, hi: float, unit: str | None) -> str:
    if unit == "usd":
        return f"${_num(lo)}-${_num(hi)}"
    return _plain(lo, unit).replace(_num(lo), f"{_num(lo)}-{_num(hi)}", 1)


@st.composite
def values(draw: st.DrawFn, unit: str | None, *, negative: bool = False) -> Quantity:
    """Values on a coarse grid, so that touching, nested and equal intervals are frequent."""
    if negative:
        # the parser never gives a negative number: built directly, exact or about
        low = draw(st.integers(-3, 8)) * 5.0
        high = low + draw(st.integers(0, 2)) * 5.0
        q = draw(st.sampled_from(["exact", "exact", "about"]))
        return Quantity(f"{low} to {high}", low, high, unit, q)
    n = draw(st.integers(0, 12)) * 5.0
    form = draw(st.sampled_from(["exact", "exact", "range", "about", "bound", "bound"]))
    if form == "exact":
        return parse(_plain(n, unit))
    if form == "range":
        return parse(range_text(n, n + draw(st.integers(1, 3)) * 5.0, unit))
    if form == "about":
        return parse(f"about {_plain(n, unit)}")
    word = draw(st.sampled_from(WORDS))
    if word in UPPER_STRICT and n == 0:
        n = 5.0  # "under 0" is no value at all (see test_a_strict_bound_at_its_cap_*)
    return parse(value_text(word, n, unit))


# timepoints: points, periods that touch ("0-3 months", "3-6 months"), qualified ones
TIMEPOINTS = (
    "3 months",
    "6 months",
    "12 months",
    "0-3 months",
    "3-6 months",
    "6-12 months",
    "1-3 years",
    "3-5 years",
    "about 6 months",
    "up to 6 months",
    "at least 6 months",
    "over 6 months",
    "26 weeks",
)
# periods that touch (consecutive: never the same time) and a point at a period's end (within it)
TOUCHING = (
    ("0-3 months", "3-6 months"),
    ("3-6 months", "6-12 months"),
    ("1-3 years", "3-5 years"),
    ("3 months", "0-3 months"),
    ("6 months", "3-6 months", "over 6 months"),
)
timepoint_sets = st.one_of(
    st.sampled_from(TOUCHING),
    st.lists(st.sampled_from(TIMEPOINTS), min_size=1, max_size=3, unique=True).map(tuple),
)


def _often(focus: int, common: T, *others: T) -> st.SearchStrategy[T]:
    """``common`` ``focus`` times as often as all ``others`` together: in a focused
    dataset most claims share a question and disagree, in a spread one few do."""
    return st.sampled_from([common] * (focus * len(others)) + list(others))


def _timepoint(text: str | None) -> Quantity | None:
    return None if text is None else parse(text)


@st.composite
def base_claims(draw: st.DrawFn, n: int, negative: bool, focus: int) -> list[Claim]:
    claims: list[Claim] = []
    times = draw(timepoint_sets)  # a few timepoints per dataset: claims often share one
    for i in range(n):
        if claims and draw(st.integers(0, 4)) == 0:
            # the same question again, maybe by another source: the same value, rounded
            # ("about 30%" for "30%") or a near one ("31%")
            again = draw(st.sampled_from(claims))
            source = draw(st.sampled_from([again.source, again.source, *SOURCES]))
            value = again.value
            if value.qualifier == "exact" and value.low == value.high:
                how = draw(st.sampled_from(["same", "rough", "near"]))
                x, unit = value.low, value.unit
                if how == "rough":
                    value = Quantity(f"about {value.text}", x, x, unit, "about")
                elif how == "near":  # a second exact value a rough one may hold
                    value = Quantity(_plain(x + 1, unit), x + 1, x + 1, unit, "exact")
            claims.append(replace(again, id=f"claim-{i:02d}", source=source, value=value))
            continue
        condition = draw(_often(focus, "c1", "c2"))
        stages: tuple[str, ...] = ()
        if condition == "c1":
            stages = tuple(draw(st.lists(st.sampled_from(STAGES), max_size=2, unique=True)))
        unit = draw(_often(focus, "percent", *UNITS))
        claims.append(
            Claim(
                id=f"claim-{i:02d}",
                source=draw(st.sampled_from(SOURCES)),
                condition=condition,
                stages=stages,
                outcome=draw(_often(focus, "pain", *sorted(FAMILIES))),
                measure=draw(_often(focus, "effect", *MEASURES)),
                value=draw(values(unit, negative=negative)),
                quote=f"quote {i}",
                basis=draw(_often(focus, "none", "case-report", "trial")),
                timepoint=draw(st.sampled_from([None, *times]).map(_timepoint)),
                comparator=draw(_often(focus, None, "steroids", "STEROIDS")),
                intervention=draw(_often(focus, None, "prp", " PRP ")),
                group=draw(_often(focus, None, "arm a", "Arm  A", "arm b")),
            )
        )
    return claims


_RESULT_UNIT = {"ratio": "times", "percent-change": "percent", "reduction": "percent"}


@st.composite
def derived_claims(draw: st.DrawFn, claims: list[Claim], count: int) -> list[Claim]:
    """Figures that restate two claims of their own source (maybe through a nested
    derivation), stated in the unit the operation gives."""
    out: list[Claim] = []
    for k in range(count):
        first = draw(st.sampled_from(claims))
        dim = dimension(first.value.unit)
        mates = [c for c in claims if c.source == first.source and dimension(c.value.unit) == dim]
        second = draw(st.sampled_from(mates))
        op = draw(st.sampled_from(["ratio", "difference", "percent-change", "reduction", "sum"]))
        d = Derived(op, (first.id, second.id))
        unit = _RESULT_UNIT.get(op, first.value.unit)
        if op in ("difference", "sum") and draw(st.booleans()):
            third = draw(st.sampled_from(mates))
            outer = draw(st.sampled_from(["difference", "sum", "ratio"]))
            d = Derived(outer, (d, third.id) if draw(st.booleans()) else (third.id, d))
            unit = _RESULT_UNIT.get(outer, first.value.unit)
        out.append(
            Claim(
                id=f"derived-{k:02d}",
                source=first.source,
                condition=first.condition,
                stages=first.stages,
                outcome=draw(st.sampled_from(sorted(FAMILIES))),
                measure=draw(st.sampled_from(MEASURES)),
                value=draw(values(unit)),
                quote=f"derived {k}",
                derived=d,
            )
        )
    return out


@st.composite
def datasets(draw: st.DrawFn, max_claims: int = 22) -> Dataset:
    negative = draw(st.integers(0, 4)) == 0
    focus = draw(st.integers(1, 6))
    claims = draw(base_claims(draw(st.integers(0, max_claims)), negative, focus))
    if claims and not negative:
        claims += draw(derived_claims(claims, draw(st.integers(0, 4))))
    return make_dataset(claims)


def make_dataset(claims: list[Claim]) -> Dataset:
    return Dataset(
        sources={s: Source(s, f"title {s}", f"Publisher {s}", "clinic", True) for s in SOURCES},
        conditions={
            "c1": Condition("c1", "Condition one", (), tuple(Stage(s) for s in STAGES)),
            "c2": Condition("c2", "Condition two"),
        },
        outcomes={o: Outcome(o, o, f, compared=o not in NOT_COMPARED) for o, f in FAMILIES.items()},
        measures={m: Measure(m) for m in MEASURES},
        claims=tuple(claims),
    )


selections = st.builds(
    cf.Selection,
    condition=st.sampled_from([None, None, "c1", "c2"]),
    stage=st.sampled_from([None, None, *STAGES]),
    tolerance=st.sampled_from([0.0, 0.05, 0.1, 0.5]),
    min_gap=st.sampled_from([0.0, 0.0, 2.5, 5.0, 10.0]),
    internal=st.booleans(),
    source=st.sampled_from([None, None, "s1", "s2"]),
    kind=st.sampled_from([None, None, *cf.KINDS]),
)


# ---------------------------------------------------------------------------
# the reference: every pair of statements, one by one, through the slow path


@dataclass(frozen=True)
class Found:
    key: tuple[str, str | None]  # (upper statement's claim id, lower's or None)
    kind: str
    subkind: str | None
    internal: bool
    gap: float
    relative_gap: float


def _statements(ds: Dataset, sel: cf.Selection) -> list[cf.Statement]:
    return [it.statement for it in prepare(ds, sel).items]


def reference_pairs(ds: Dataset, sel: cf.Selection) -> list[Found]:
    family = families(ds)
    tol = sel.tolerance
    out: list[Found] = []
    for sa, sb in itertools.combinations(_statements(ds, sel), 2):
        a, b = sa.claim, sb.claim
        if sel.internal and a.source != b.source:
            continue
        if sel.source is not None and sel.source not in (a.source, b.source):
            continue
        fa, fb = facts(ds, a, tol, family), facts(ds, b, tol, family)
        x = cf.pair_finding(a, b, fa, fb, sel.min_gap)
        if x is None:
            continue
        assert x.b is not None
        out.append(
            Found(
                (x.a.claim.id, x.b.claim.id),
                x.kind,
                x.subkind,
                x.internal,
                x.gap,
                x.relative_gap,
            )
        )
    return out


def _capped(ds: Dataset, c: Claim) -> bool:
    """Shares stop at 100 % for a measure with a cap, unless relative to a comparator."""
    m = ds.measures.get(c.measure)
    return c.comparator is None and m is not None and m.max_percent is not None


def _recompute(
    ds: Dataset, by_id: dict[str, Claim], d: Derived, tol: float
) -> tuple[tuple[float, float], str]:
    spans, dims = [], []
    for part in d.of:
        if isinstance(part, Derived):
            span, dim = _recompute(ds, by_id, part, tol)
        else:
            c = by_id[part]
            span, dim = ends(c.value, tol, capped=_capped(ds, c)), dimension(c.value.unit)
        spans.append(span)
        dims.append(dim)
    out = result_dimension(d.op, dims[0], dims[1])
    if out is None:
        raise ArithmeticError_("parts of different dimensions")
    return combine(d.op, spans[0], spans[1]), out


def reference_arithmetic(ds: Dataset, sel: cf.Selection) -> list[Found]:
    by_id = {c.id: c for c in ds.claims}
    out: list[Found] = []
    seen: set[tuple[object, ...]] = set()
    for c in sorted(ds.claims, key=lambda x: x.id):
        if c.derived is None:
            continue
        q, tp = c.value, c.timepoint
        statement = (
            c.source, c.condition, tuple(sorted(c.stages)), c.outcome, c.measure,
            (q.low, q.high, q.unit, q.qualifier),
            None if tp is None else (tp.low, tp.high, tp.unit, tp.qualifier),
            c.comparator, c.intervention, c.group, c.derived,
        )  # fmt: skip
        if statement in seen:  # the same figure stated again: one finding
            continue
        seen.add(statement)
        if sel.condition is not None and c.condition != sel.condition:
            continue
        if sel.stage is not None and c.stages and sel.stage not in c.stages:
            continue
        if sel.source is not None and c.source != sel.source:
            continue
        try:
            (lo, hi), _ = _recompute(ds, by_id, c.derived, sel.tolerance)
        except (KeyError, ArithmeticError_):
            continue
        slo, shi = ends(c.value, sel.tolerance, capped=_capped(ds, c))
        gap = max(slo - hi, lo - shi)
        if gap <= 0 or (sel.min_gap > 0 and gap < sel.min_gap):
            continue
        out.append(Found((c.id, None), cf.ARITHMETIC, c.derived.op, True, gap, math.nan))
    return out


def reference(ds: Dataset, sel: cf.Selection) -> list[Found]:
    return reference_pairs(ds, sel) + reference_arithmetic(ds, sel)


def reference_counts(found: list[Found]) -> cf.ConflictCounts:
    kinds = Counter(x.kind for x in found)
    subs = Counter(x.subkind for x in found if x.kind != cf.ARITHMETIC)
    return cf.ConflictCounts(
        contradiction=kinds[cf.CONTRADICTION],
        tension=kinds[cf.TENSION],
        arithmetic=kinds[cf.ARITHMETIC],
        bound=subs[cf.BOUND],
        cross_measure=subs[cf.CROSS],
        anecdote=subs[cf.ANECDOTE],
    )


def _key(x: cf.Conflict) -> tuple[str, str | None]:
    return (x.a.claim.id, None if x.b is None else x.b.claim.id)


def _listed(ds: Dataset, sel: cf.Selection) -> list[cf.Conflict]:
    return list(cf.find_conflicts(ds, sel, limit=10**12).conflicts)


# ---------------------------------------------------------------------------
# the key properties: counting and listing agree with the reference


@settings(max_examples=settings.default.max_examples // 2)  # heavier: half the profile's
@given(ds=datasets(), sel=selections)
def test_sweep_counts_equal_brute_force(ds: Dataset, sel: cf.Selection) -> None:
    expected = reference_counts(reference(ds, sel))
    got = cf.count_conflicts(ds, sel)
    assert got == expected
    assert got.of(sel.kind) == expected.of(sel.kind)
    assert got.contradiction >= got.bound
    assert got.tension == got.cross_measure + got.anecdote


@settings(max_examples=settings.default.max_examples // 2)  # heavier: half the profile's
@given(ds=datasets(), sel=selections)
def test_listing_everything_gives_every_finding_once_in_order(
    ds: Dataset, sel: cf.Selection
) -> None:
    ref = {x.key: x for x in reference(ds, sel) if sel.kind in (None, x.kind)}
    result = cf.find_conflicts(ds, sel, limit=10**12)
    found = list(result.conflicts)
    keys = [_key(x) for x in found]
    assert len(keys) == len(set(keys)), "a finding listed twice"
    assert set(keys) == set(ref)
    assert result.total == len(ref)
    # kind order, then the most severe first within a kind
    order = [cf.KINDS.index(x.kind) for x in found]
    assert order == sorted(order)
    for x, y in itertools.pairwise(found):
        if x.kind == y.kind:
            assert x.relative_gap >= y.relative_gap
    for x in found:
        r = ref[_key(x)]
        assert (x.kind, x.subkind, x.internal) == (r.kind, r.subkind, r.internal)
        assert x.gap == pytest.approx(r.gap)
        assert x.gap > 0
        if x.b is not None:
            assert x.relative_gap == r.relative_gap
            assert x.gap == r.gap


def _severities(xs: list[cf.Conflict]) -> Counter[tuple[str, float, float]]:
    return Counter((x.kind, x.relative_gap, x.gap) for x in xs)


@settings(max_examples=settings.default.max_examples // 2)  # heavier: half the profile's
@given(ds=datasets(), sel=selections, limit=st.integers(1, 12))
def test_the_top_n_are_the_first_n_of_the_full_listing(
    ds: Dataset, sel: cf.Selection, limit: int
) -> None:
    everything = _listed(ds, sel)
    top = list(cf.find_conflicts(ds, sel, limit=limit).conflicts)
    assert len(top) == min(limit, len(everything))
    # ties may be listed in either order: the severities are the same
    assert _severities(top) == _severities(everything[:limit])
    assert {_key(x) for x in top} <= {_key(x) for x in everything}


@settings(max_examples=settings.default.max_examples // 2)  # heavier: half the profile's
@given(ds=datasets(max_claims=14), data=st.data())
def test_condition_and_stage_select_whole_statements(ds: Dataset, data: st.DataObject) -> None:
    stage = data.draw(st.sampled_from([None, *STAGES]))
    sel = cf.Selection(condition="c1", stage=stage)
    counts = cf.count_conflicts(ds, sel)
    assert counts == reference_counts(reference(ds, sel))
    for x in _listed(ds, sel):
        for s in (x.a, x.b):
            if s is None:
                continue
            for c in s.claims:
                assert c.condition == "c1"
                assert stage is None or not c.stages or stage in c.stages


def _question(ds: Dataset, c: Claim, tol: float) -> tuple[object, ...]:
    """Everything a statement shares but the value, read from the claim itself."""
    tp = None if c.timepoint is None else (ends(c.timepoint, tol), c.timepoint.qualifier)
    folded = tuple(
        None if t is None else " ".join(t.split()).casefold()
        for t in (c.comparator, c.intervention, c.group)
    )
    return (
        c.source,
        c.condition,
        tuple(sorted(c.stages)),
        c.outcome,
        c.measure,
        dimension(c.value.unit),
        tp,
        folded,
    )


@given(ds=datasets(max_claims=14), tol=st.sampled_from([0.0, 0.05, 0.2]))
def test_statements_are_one_value_for_one_question_of_one_source(ds: Dataset, tol: float) -> None:
    statements = _statements(ds, cf.Selection(tolerance=tol))
    ids = [c.id for s in statements for c in s.claims]
    assert len(ids) == len(set(ids))
    assert set(ids) == {c.id for c in ds.claims if c.outcome not in NOT_COMPARED}
    value = {c.id: (ends(c.value, tol), c.value.unit, c.value.qualifier) for c in ds.claims}
    exact = [s for s in statements if s.claim.value.qualifier == "exact"]
    for s in statements:
        assert s.times == len(s.claims)
        first = s.claim
        for c in s.claims:
            assert _question(ds, c, tol) == _question(ds, first, tol)
            if value[c.id] == value[first.id]:
                continue
            # an "about" value folded into the one exact value of the question it holds
            assert c.value.qualifier == "about"
            assert first.value.qualifier == "exact"
        for v in {value[c.id] for c in s.claims}:
            stated = [c.id for c in s.claims if value[c.id] == v]
            assert stated == sorted(stated)
    for s in statements:
        rough = s.claims[-1] if s.claim.value.qualifier == "exact" else s.claim
        if rough.value.qualifier != "about":
            continue
        lo, hi = ends(rough.value, tol)
        hosts = [
            e
            for e in exact
            if _question(ds, e.claim, tol) == _question(ds, rough, tol)
            and lo <= ends(e.claim.value, tol)[0]
            and ends(e.claim.value, tol)[1] <= hi
        ]
        folded = s.claim is not rough
        assert folded == (len(hosts) == 1), (rough.id, [h.claim.id for h in hosts])
        # every statement of one value for one question is one statement
        same = [t for t in statements if t is not s and value[t.claim.id] == value[s.claim.id]]
        assert all(_question(ds, t.claim, tol) != _question(ds, s.claim, tol) for t in same)


@settings(max_examples=settings.default.max_examples // 2)  # heavier: half the profile's
@given(ds=datasets(max_claims=10))
def test_pair_verdicts_are_symmetric_and_explained(ds: Dataset) -> None:
    # what explain sets against each other: each claim's statement (a rough value folded
    # into the exact one it rounds stands with it, as in the listing)
    standing = {
        c.id: f for c, (_, f) in zip(ds.claims, fold_rough(ds, list(ds.claims), 0.05), strict=True)
    }
    for a, b in itertools.combinations(ds.claims, 2):
        fa, fb = standing[a.id], standing[b.id]
        ab, ba = cf.pair_finding(a, b, fa, fb), cf.pair_finding(b, a, fb, fa)
        assert (ab is None) == (ba is None)
        e = cf.explain(ds, a.id, b.id)
        assert (e.conflict is None) == (ab is None)
        assert (e.reason == "") == (ab is not None)
        assert e.reason in ("", *cf.REASONS)
        if ab is not None and ba is not None:
            assert (_key(ab), ab.kind, ab.subkind, ab.gap) == (
                _key(ba),
                ba.kind,
                ba.subkind,
                ba.gap,
            )


# ---------------------------------------------------------------------------
# pairs of two claims, by the rules' words


@given(
    x=st.integers(0, 200),
    widths=st.tuples(st.integers(0, 50), st.integers(0, 50)),
    unit=st.sampled_from(["percent", "days", "weeks", "months", "usd"]),
    tol=st.sampled_from([0.0, 0.05, 0.2]),
)
def test_touching_intervals_never_conflict(
    x: int, widths: tuple[int, int], unit: str, tol: float
) -> None:
    """[x - w, x] and [x, x + w'] share the point x: never a finding."""
    below = Quantity("below", float(x - widths[0]), float(x), unit)
    above = Quantity("above", float(x), float(x + widths[1]), unit)
    ds = make_dataset(
        [replace(_pain("a", "s1", "1%"), value=below), replace(_pain("b", "s2", "1%"), value=above)]
    )
    assert cf.count_conflicts(ds, cf.Selection(tolerance=tol)) == cf.ConflictCounts()
    assert cf.find_conflicts(ds, cf.Selection(tolerance=tol)).conflicts == ()
    e = cf.explain(ds, "a", "b", tolerance=tol)
    assert e.comparable
    assert e.overlap is True
    assert e.conflict is None
    assert e.reason == "overlap"


@given(
    a=st.integers(1, 99),
    b=st.integers(0, 100),
    tol=st.sampled_from([0.0, 0.05, 0.1, 0.25]),
    qualifier=st.sampled_from(["over", "at least", "up to", "fewer than", "about"]),
)
def test_qualifiers_widen_intervals_exactly(a: int, b: int, tol: float, qualifier: str) -> None:
    """'over a%' agrees with anything above a, 'at least a%' with a too; 'up to a%' with
    anything up to a, 'fewer than a%' with anything below; 'about a%' with a ± tol·a."""
    ds = make_dataset([_pain("q", "s1", f"{qualifier} {a}%"), _pain("x", "s2", f"{b}%")])
    expected = {
        "over": b <= a,
        "at least": b < a,
        "up to": b > a,
        "fewer than": b >= a,
    }.get(qualifier, b < a - a * tol or b > a + a * tol)
    counts = cf.count_conflicts(ds, cf.Selection(tolerance=tol))
    assert counts.contradiction == int(expected)
    assert counts.bound == 0
    e = cf.explain(ds, "q", "x", tolerance=tol)
    assert (e.conflict is not None) == expected
    assert e.reason == ("" if expected else "overlap")


# ---------------------------------------------------------------------------
# decimal values: a gap exactly at a threshold (the grid above is exact in binary)


def _pain(cid: str, source: str, text: str, measure: str = "effect") -> Claim:
    return Claim(
        id=cid,
        source=source,
        condition="c1",
        stages=(),
        outcome="pain",
        measure=measure,
        value=parse(text),
        quote="q",
    )


@example(x=242, y=240, min_gap=0.2)
@given(x=st.integers(0, 1000), y=st.integers(0, 1000), min_gap=st.sampled_from([0.1, 0.2, 1.1]))
def test_a_gap_of_exactly_min_gap_is_judged_alike(x: int, y: int, min_gap: float) -> None:
    ds = make_dataset([_pain("a", "s1", f"{x / 10:g}%"), _pain("b", "s2", f"{y / 10:g}%")])
    sel = cf.Selection(min_gap=min_gap)
    assert cf.count_conflicts(ds, sel) == reference_counts(reference(ds, sel))


@example(x=640, y=512)
@given(x=st.integers(0, 1000), y=st.integers(0, 1000))
def test_a_gap_of_exactly_the_tension_gap_is_judged_alike(x: int, y: int) -> None:
    ds = make_dataset(
        [
            _pain("a", "s1", f"{x / 10:g}%", measure="responder-rate"),
            _pain("b", "s2", f"{y / 10:g}%"),
        ]
    )
    sel = cf.Selection()
    assert cf.count_conflicts(ds, sel) == reference_counts(reference(ds, sel))
    assert len(_listed(ds, sel)) == len(reference(ds, sel))


# ---------------------------------------------------------------------------
# a strict bound at the end its interval is capped at


@pytest.mark.parametrize("other", ["over 100%", "150%"])
def test_a_strict_bound_at_its_cap_agrees_with_what_it_allows(other: str) -> None:
    ds = make_dataset([_pain("a", "s1", "over 100%"), _pain("b", "s2", other)])
    listed = cf.find_conflicts(ds, cf.Selection()).conflicts
    flagged = cf.explain(ds, "a", "b").conflict is not None
    # a pair is one finding at most, and never a statement against itself
    assert [_key(x) for x in listed] == ([("b", "a")] if flagged else [])
    assert cf.count_conflicts(ds, cf.Selection()).total == int(flagged)
    if other == "over 100%":  # the same value from two sources: both can be true
        assert not flagged


# ---------------------------------------------------------------------------
# qualifier ends

numbers = st.one_of(
    st.integers(0, 10_000).map(float),
    st.integers(0, 1_000_000).map(lambda n: n / 100),
)
plain_units = st.sampled_from(["percent", "days", "weeks", "months", "usd", None])
tolerances = st.sampled_from([0.0, 0.05, 0.2, 1.0])


@given(x=numbers, unit=plain_units, word=st.sampled_from(WORDS), tol=tolerances)
def test_strict_words_leave_their_number_out_inclusive_words_keep_it(
    x: float, unit: str | None, word: str, tol: float
) -> None:
    q = parse(value_text(word, x, unit))
    lo, hi = ends(q, tol)
    v = to_base(q.low, q.unit)
    assert (lo <= v <= hi) == (word not in STRICT)
    if word in LOWER:
        assert lo in (v, math.nextafter(v, math.inf))
    else:
        assert hi in (v, math.nextafter(v, -math.inf))


@example(x=100.0, unit="percent", word="over", tol=0.05)
@given(x=numbers, unit=plain_units, word=st.sampled_from(WORDS), tol=tolerances)
def test_every_bound_is_an_interval(x: float, unit: str | None, word: str, tol: float) -> None:
    lo, hi = ends(parse(value_text(word, x, unit)), tol)
    # "under 0" allows nothing (and validate refuses it): the one empty interval
    assert lo <= hi or (word in UPPER_STRICT and x == 0)


@given(
    x=numbers,
    unit=plain_units,
    lower=st.sampled_from(LOWER),
    upper=st.sampled_from(UPPER_INCLUSIVE + UPPER_STRICT),
    tol=tolerances,
)
def test_opposite_bounds_at_one_number_overlap_when_both_keep_it(
    x: float, unit: str | None, lower: str, upper: str, tol: float
) -> None:
    a = ends(parse(value_text(lower, x, unit)), tol)
    b = ends(parse(value_text(upper, x, unit)), tol)
    both_keep = lower not in STRICT and upper not in STRICT
    assert overlaps(a, b) == both_keep
    assert overlaps(b, a) == both_keep


# ---------------------------------------------------------------------------
# interval arithmetic

OPS = ("ratio", "difference", "percent-change", "reduction", "sum")
ends_ = st.one_of(
    st.integers(0, 1000).map(float),
    st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
)


@st.composite
def intervals(
    draw: st.DrawFn, *, positive: bool = False, unbounded: bool = True
) -> tuple[float, float]:
    lo = draw(ends_.filter(lambda v: v > 0) if positive else ends_)
    if unbounded and draw(st.integers(0, 5)) == 0:
        return (lo, math.inf)
    return (lo, lo + draw(ends_))


def _apply(op: str, x: float, y: float) -> float:
    if op == "sum":
        return x + y
    if op == "difference":
        return x - y
    if op == "ratio":
        return x / y
    if op == "percent-change":
        return (y - x) / x * 100
    return (x - y) / x * 100


def _points(span: tuple[float, float], ts: list[float]) -> Iterator[float]:
    lo, hi = span
    width = (hi - lo) if math.isfinite(hi) else 1e7
    for t in ts:
        yield lo + t * width
    yield lo
    if math.isfinite(hi):
        yield hi


@given(
    op=st.sampled_from(OPS),
    data=st.data(),
    ts=st.lists(st.floats(0, 1), min_size=1, max_size=4),
)
def test_combine_holds_every_value_of_its_parts(
    op: str, data: st.DataObject, ts: list[float]
) -> None:
    a = data.draw(intervals(positive=op in ("percent-change", "reduction")), "a")
    b = data.draw(intervals(positive=op == "ratio"), "b")
    try:
        lo, hi = combine(op, a, b)
    except ArithmeticError_:  # only when the result leaves the floats (1 / 2e-311)
        corners = [_apply(op, x, y) for x in a for y in b if math.isfinite(x + y)]
        assert any(math.isinf(v) for v in corners), (a, b)
        return
    assert lo <= hi
    for x in _points(a, ts):
        for y in _points(b, ts):
            v = _apply(op, x, y)
            slack = 1e-9 * max(1.0, abs(v))
            assert lo - slack <= v <= hi + slack, (x, y, v)


@given(
    op=st.sampled_from(("sum", "difference", "ratio")),
    data=st.data(),
)
def test_combine_ends_are_reached_at_corners(op: str, data: st.DataObject) -> None:
    a = data.draw(intervals(), "a")
    b = data.draw(intervals(positive=op == "ratio"), "b")
    corners = [v for x in a for y in b if not math.isnan(v := _apply(op, x, y))]
    least = min(corners, default=math.nan)
    if not math.isfinite(least) and not (least == -math.inf and max(corners) > least):
        # every value lies beyond the floats ((1, inf) / 5e-324): refused, not given as inf
        with pytest.raises(ArithmeticError_):
            combine(op, a, b)
        return
    lo, hi = combine(op, a, b)
    assert lo in corners
    assert hi in corners


@given(
    op=st.sampled_from(("ratio", "percent-change", "reduction")),
    other=intervals(),
    width=st.one_of(st.just(0.0), ends_, st.just(math.inf)),
)
def test_dividing_by_an_interval_holding_zero_is_refused(
    op: str, other: tuple[float, float], width: float
) -> None:
    zero = (0.0, width)
    a, b = (other, zero) if op == "ratio" else (zero, other)
    if width == 0 or other[0] / width == math.inf:
        # exactly 0: no bound at all; or a bound beyond the floats (1 / 5e-324)
        with pytest.raises(ArithmeticError_):
            combine(op, a, b)
        return
    # a divisor that only starts at 0 ("up to 5%") still bounds the result on one side
    lo, hi = combine(op, a, b)
    if op == "reduction":
        assert lo == -math.inf
        assert hi <= 100
    else:
        assert hi == math.inf
        assert lo > -math.inf


# compare marks each value with conflicts' verdicts: the same pairs, found another way


@settings(max_examples=settings.default.max_examples // 2)  # heavier: half the profile's
@given(ds=datasets())
def test_compare_marks_the_verdicts_conflicts_lists(ds: Dataset) -> None:
    """Within a row of compare, a value is marked 'contradiction' exactly when conflicts
    lists a contradiction between its statement and another value of that row, and
    'tension' when it lists only a tension (an anecdote: a row holds one measure)."""
    from stemcli.ops.compare import compare

    listed = _listed(ds, cf.Selection())
    pairs: dict[frozenset[str], str] = {}
    for x in listed:
        if x.b is None:
            continue
        for a in x.a.claims:
            for b in x.b.claims:
                pairs[frozenset((a.id, b.id))] = x.kind
    for row in compare(ds).rows:
        ids = [e.claim.id for cell in row.cells for e in cell.entries]
        for cell in row.cells:
            for e in cell.entries:
                kinds = {pairs.get(frozenset((e.claim.id, o))) for o in ids if o != e.claim.id}
                expected = (
                    "contradiction"
                    if "contradiction" in kinds
                    else "tension"
                    if "tension" in kinds
                    else None
                )
                assert e.verdict == expected, (e.claim.id, row.outcome, row.stage)


@pytest.mark.parametrize("case_first", [True, False])
def test_a_statement_is_an_anecdote_only_when_every_claim_of_it_is_a_case_report(
    case_first: bool,
) -> None:
    """A source states 0 % as a case report and as its own figure, and 5 % elsewhere: the 0 %
    is a statement of the source's figures (a contradiction with the 5 %, not a tension),
    whichever claim comes first, and compare marks it as conflicts lists it."""
    from stemcli.ops.compare import compare

    def claim(i: int, text: str, basis: str) -> Claim:
        return Claim(f"claim-{i}", "s1", "c1", (), "pain", "effect", parse(text), "q", basis)

    zero = [claim(1, "0%", "case-report"), claim(2, "0%", "none")]
    ds = make_dataset([*(zero if case_first else zero[::-1]), claim(3, "5%", "none")])
    (finding,) = _listed(ds, cf.Selection())
    assert finding.kind == "contradiction"
    verdicts = {
        e.claim.id: e.verdict
        for row in compare(ds).rows
        for cell in row.cells
        for e in cell.entries
    }
    assert verdicts == dict.fromkeys(("claim-1", "claim-2", "claim-3"), "contradiction")
