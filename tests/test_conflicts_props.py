"""Property tests for conflicts: the sweep agrees with a brute-force O(n²) reading of the rules.

The reference below is written from the rules (docs/DATA.md and the docstring of
stemcli.ops.conflicts), pair by pair, independently of the grouping, bisecting and heap of the
implementation.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pairs import check_pair
from stemcli.model import Claim, Condition, Dataset, Measure, Outcome, Quantity, Source, Stage
from stemcli.ops import conflicts as cf
from stemcli.quantities import dimension, interval, parse

# property tests: many generated examples each (a quick run is -m 'not slow')
pytestmark = pytest.mark.slow

FAMILIES = {
    "pain": "benefit",
    "function": "benefit",
    "improvement": "benefit",
    "cost": "cost",
    "recovery-time": "recovery-time",
}
MEASURES = ("effect", "responder-rate", "duration", "cost")
SOURCES = ("s1", "s2", "s3")
STAGES = ("early", "middle", "late")


# ---------------------------------------------------------------------------
# small random datasets


@st.composite
def quantities(draw: st.DrawFn, *, negative: bool) -> Quantity:
    """Values on a coarse grid, so that touching and nested intervals are frequent."""
    unit = draw(st.sampled_from(["percent", "percent", "days", "weeks", "usd", None]))
    low = draw(st.integers(-2 if negative else 0, 12)) * 5.0
    high = low + draw(st.integers(0, 3)) * 5.0
    qualifier = draw(st.sampled_from(["exact", "exact", "exact", "about", "at-least", "up-to"]))
    if low < 0 and qualifier == "up-to":
        qualifier = "exact"  # "up to -5" widens to [0, -5]: not an interval (nor parseable)
    return Quantity(f"{low}-{high} {unit}", low, high, unit, qualifier)


timepoints = st.one_of(
    st.none(),
    st.builds(
        lambda n, unit, q: Quantity(f"{n} {unit}", float(n), float(n), unit, q),
        st.sampled_from([0, 1, 2, 3, 6, 12]),
        st.sampled_from(["weeks", "months"]),
        st.sampled_from(["exact", "exact", "about", "up-to", "at-least"]),
    ),
)


@st.composite
def datasets(draw: st.DrawFn, max_claims: int = 24) -> Dataset:
    negative = draw(st.booleans())
    n = draw(st.integers(0, max_claims))
    claims = []
    for i in range(n):
        condition = draw(st.sampled_from(["c1", "c1", "c2"]))
        stages: tuple[str, ...] = ()
        if condition == "c1":
            stages = tuple(draw(st.lists(st.sampled_from(STAGES), max_size=2, unique=True)))
        claims.append(
            Claim(
                id=f"claim-{i:02d}",
                source=draw(st.sampled_from(SOURCES)),
                condition=condition,
                stages=stages,
                outcome=draw(st.sampled_from(sorted(FAMILIES))),
                measure=draw(st.sampled_from(MEASURES)),
                value=draw(quantities(negative=negative)),
                quote=f"quote {i}",
                timepoint=draw(timepoints),
                comparator=draw(st.sampled_from([None, None, "steroids", "STEROIDS"])),
                intervention=draw(st.sampled_from([None, None, None, "prp", "PRP"])),
            )
        )
    return make_dataset(claims)


def make_dataset(claims: list[Claim]) -> Dataset:
    return Dataset(
        sources={s: Source(s, f"title {s}", f"Publisher {s}", "clinic", True) for s in SOURCES},
        conditions={
            "c1": Condition("c1", "Condition one", (), tuple(Stage(s) for s in STAGES)),
            "c2": Condition("c2", "Condition two"),
        },
        outcomes={o: Outcome(o, o, f) for o, f in FAMILIES.items()},
        measures={m: Measure(m) for m in MEASURES},
        claims=tuple(claims),
    )


# ---------------------------------------------------------------------------
# the reference: every pair, one by one


@dataclass(frozen=True)
class Pair:
    upper: Claim
    lower: Claim
    kind: str
    internal: bool
    gap: float
    relative_gap: float
    lower_hi: float


def _fold(text: str | None) -> str | None:
    return None if text is None else text.casefold()


def _apart(a: Quantity | None, b: Quantity | None, tol: float) -> bool:
    if a is None or b is None:
        return False
    early, late = sorted([interval(a, tol), interval(b, tol)])
    return late[0] > 0 and late[0] >= 2 * early[1]


def reference(
    ds: Dataset,
    *,
    tol: float = 0.05,
    min_gap: float = 0.0,
    internal: bool = False,
    source: str | None = None,
    kind: str | None = None,
    condition: str | None = None,
    stage: str | None = None,
) -> list[Pair]:
    claims = [
        c
        for c in ds.claims
        if (condition is None or c.condition == condition)
        and (stage is None or not c.stages or stage in c.stages)
    ]
    out = []
    for a, b in itertools.combinations(claims, 2):
        if a.condition != b.condition:
            continue
        if a.stages and b.stages and not set(a.stages) & set(b.stages):
            continue
        if ds.outcomes[a.outcome].family != ds.outcomes[b.outcome].family:
            continue
        if dimension(a.value.unit) != dimension(b.value.unit):
            continue
        if _fold(a.comparator) != _fold(b.comparator):
            continue
        if _fold(a.intervention) != _fold(b.intervention):
            continue
        if _apart(a.timepoint, b.timepoint, tol):
            continue
        ia, ib = interval(a.value, tol), interval(b.value, tol)
        if ia[0] <= ib[1] and ib[0] <= ia[1]:
            continue
        (upper, iu), (lower, il) = ((a, ia), (b, ib)) if ia[0] > ib[1] else ((b, ib), (a, ia))
        if min_gap > 0 and not il[1] <= iu[0] - min_gap:
            continue
        pair_kind = (
            "direct" if (a.outcome, a.measure) == (b.outcome, b.measure) else "cross-measure"
        )
        if kind is not None and pair_kind != kind:
            continue
        if internal and a.source != b.source:
            continue
        if source is not None and source not in (a.source, b.source):
            continue
        gap = iu[0] - il[1]
        larger = max(abs(x) for x in (*iu, *il) if math.isfinite(x))
        out.append(Pair(upper, lower, pair_kind, a.source == b.source, gap, gap / larger, il[1]))
    return out


def severity_order(pairs: list[Pair]) -> list[tuple[str, str]]:
    ranked = sorted(
        pairs, key=lambda p: (-p.relative_gap, -p.gap, p.lower_hi, p.upper.id, p.lower.id)
    )
    return [(p.upper.id, p.lower.id) for p in ranked]


selections = st.builds(
    cf.Selection,
    tolerance=st.sampled_from([0.0, 0.05, 0.1, 0.5]),
    min_gap=st.sampled_from([0.0, 0.0, 2.5, 5.0, 10.0]),
    internal=st.booleans(),
    source=st.sampled_from([None, None, "s1", "s2"]),
    kind=st.sampled_from([None, None, "direct", "cross-measure"]),
)


# ---------------------------------------------------------------------------
# the key property: counting and ranking agree with the reference


@settings(max_examples=settings.default.max_examples // 2)  # heavier: half the profile's
@given(ds=datasets(), sel=selections)
def test_sweep_count_equals_brute_force(ds: Dataset, sel: cf.Selection) -> None:
    ref = reference(
        ds,
        tol=sel.tolerance,
        min_gap=sel.min_gap,
        internal=sel.internal,
        source=sel.source,
    )
    counts = cf.count_conflicts(ds, sel)
    assert counts.direct == sum(p.kind == "direct" for p in ref)
    assert counts.cross_measure == sum(p.kind == "cross-measure" for p in ref)
    assert counts.of(sel.kind) == sum(sel.kind in (None, p.kind) for p in ref)


@settings(max_examples=settings.default.max_examples // 2)  # heavier: half the profile's
@given(ds=datasets(), sel=selections, limit=st.integers(1, 12))
def test_top_conflicts_are_the_most_severe(ds: Dataset, sel: cf.Selection, limit: int) -> None:
    ref = reference(
        ds,
        tol=sel.tolerance,
        min_gap=sel.min_gap,
        internal=sel.internal,
        source=sel.source,
        kind=sel.kind,
    )
    result = cf.find_conflicts(ds, sel, limit=limit)
    assert [(x.a.id, x.b.id) for x in result.conflicts] == severity_order(ref)[:limit]
    assert result.total == len(ref)


@settings(max_examples=settings.default.max_examples // 2)  # heavier: half the profile's
@given(ds=datasets())
def test_listing_everything_gives_every_pair_once_with_its_facts(ds: Dataset) -> None:
    ref = {(p.upper.id, p.lower.id): p for p in reference(ds)}
    found = cf.find_conflicts(ds, cf.Selection(), limit=10_000).conflicts
    assert len(found) == len(ref)
    for x in found:
        p = ref[(x.a.id, x.b.id)]
        assert (x.kind, x.internal) == (p.kind, p.internal)
        assert x.gap == pytest.approx(p.gap)
        assert x.relative_gap == pytest.approx(p.relative_gap)
        assert x.gap > 0


@given(ds=datasets(max_claims=16), data=st.data())
def test_condition_and_stage_select_like_the_reference(ds: Dataset, data: st.DataObject) -> None:
    stage = data.draw(st.sampled_from([None, *STAGES]))
    ref = reference(ds, condition="c1", stage=stage)
    counts = cf.count_conflicts(ds, cf.Selection(condition="c1", stage=stage))
    assert counts.total == len(ref)
    for p in ref:
        assert stage is None or all(not c.stages or stage in c.stages for c in (p.upper, p.lower))


# ---------------------------------------------------------------------------
# pairs


@given(ds=datasets(max_claims=8))
def test_conflict_detection_is_symmetric(ds: Dataset) -> None:
    for a, b in itertools.combinations(ds.claims, 2):
        ab, ba = check_pair(ds, a, b), check_pair(ds, b, a)
        assert (ab is None) == (ba is None)
        if ab is not None and ba is not None:
            assert (ab.a.id, ab.b.id, ab.kind, ab.internal) == (
                ba.a.id,
                ba.b.id,
                ba.kind,
                ba.internal,
            )
            assert ab.gap == ba.gap
        assert cf.explain(ds, a.id, b.id).comparable == cf.explain(ds, b.id, a.id).comparable


def _claim(cid: str, value: Quantity, source: str = "s1", **kw: object) -> Claim:
    fields: dict[str, object] = {
        "condition": "c1",
        "stages": (),
        "outcome": "pain",
        "measure": "effect",
        "quote": "q",
    }
    fields.update(kw)
    return Claim(id=cid, source=source, value=value, **fields)  # type: ignore[arg-type]


@given(
    x=st.integers(0, 200),
    widths=st.tuples(st.integers(0, 50), st.integers(0, 50)),
    unit=st.sampled_from(["percent", "days", "weeks", "months", "usd"]),
    tol=st.sampled_from([0.0, 0.05, 0.2]),
)
def test_touching_intervals_never_conflict(
    x: int, widths: tuple[int, int], unit: str, tol: float
) -> None:
    """[x - w, x] and [x, x + w'] share the point x: never a conflict."""
    below = Quantity("below", float(x - widths[0]), float(x), unit)
    above = Quantity("above", float(x), float(x + widths[1]), unit)
    ds = make_dataset([_claim("a", below), _claim("b", above, source="s2")])
    assert cf.count_conflicts(ds, cf.Selection(tolerance=tol)).total == 0
    assert cf.find_conflicts(ds, cf.Selection(tolerance=tol)).conflicts == ()
    e = cf.explain(ds, "a", "b", tolerance=tol)
    assert e.comparable
    assert e.overlap is True
    assert e.conflict is None


@given(
    a=st.integers(1, 99),
    b=st.integers(0, 100),
    tol=st.sampled_from([0.0, 0.05, 0.1, 0.25]),
    qualifier=st.sampled_from(["over", "up to", "about", "fewer than"]),
)
def test_qualifiers_widen_intervals(a: int, b: int, tol: float, qualifier: str) -> None:
    """'over a%' agrees with anything above a, 'up to'/'fewer than' with anything below,
    'about a%' with anything within a ± tol·a."""
    ds = make_dataset(
        [
            _claim("qualified", parse(f"{qualifier} {a}%")),
            _claim("exact", parse(f"{b}%"), source="s2"),
        ]
    )
    conflict = check_pair(ds, ds.claims[0], ds.claims[1], tolerance=tol)
    if qualifier == "over":
        expected = b < a
    elif qualifier in ("up to", "fewer than"):
        expected = b > a
    else:
        expected = b < a - a * tol or b > a + a * tol
    assert (conflict is not None) == expected
    counts = cf.count_conflicts(ds, cf.Selection(tolerance=tol))
    assert counts.direct == int(expected)


@given(
    a=st.tuples(st.floats(0, 1e4), st.floats(0, 1e4)).map(sorted),
    b=st.tuples(st.floats(0, 1e4), st.floats(0, 1e4)).map(sorted),
)
def test_timepoints_apart_is_symmetric_and_never_with_itself(
    a: list[float], b: list[float]
) -> None:
    ia, ib = (a[0], a[1]), (b[0], b[1])
    assert cf.timepoints_apart(ia, ib) == cf.timepoints_apart(ib, ia)
    assert not cf.timepoints_apart(ia, ia)
    assert not cf.timepoints_apart(ia, None)
    if cf.timepoints_apart(ia, ib):
        # apart timepoints never overlap
        assert ia[1] < ib[0] or ib[1] < ia[0]
