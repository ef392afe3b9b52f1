"""stemcli conflicts: each rule on examples, every option of the command, the bundled data.

The rules are those of the docstring of stemcli.ops.conflicts: statements (a source saying
the same thing once or more), comparability (condition, stages, outcome, unit, comparator,
intervention, group, timepoint), the verdicts (contradiction, tension, arithmetic) and the
named reason a pair is not flagged.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from pairs import check_pair
from stemcli.dataset import load
from stemcli.errors import UsageError
from stemcli.model import Claim, Dataset, Derived
from stemcli.numbers import format_gap, format_interval
from stemcli.ops import conflicts as cf
from stemcli.ops.conflicts.explain import describe
from stemcli.quantities import dimension, parse

Run = Callable[..., Result]

# claims of the mini fixture (tests/fixtures/mini/claims)
RESPONDERS = "beta-responders"  # 79.3 %, improvement, responder-rate, any stage
ALPHA_MIDDLE = "alpha-pain-middle"  # 30-40 %, pain, effect, middle
ALPHA_EARLY = "alpha-pain-early"  # over 60-70 %, pain, effect, early
BETA_MIDDLE = "beta-pain-middle"  # 60-70 % at 12 months, pain, effect, middle
GAMMA_ANY = "gamma-pain-any"  # about 50 % at 6 months, pain, effect, any stage
CUFF = "gamma-cuff-partial"  # rotator-cuff
ALPHA_RETURN, BETA_RETURN = "alpha-return", "beta-return"  # 2-4 weeks vs 1-2 days

FINDING_KEYS = {"a", "b", "kind", "subkind", "internal", "gap", "relative_gap", "unit", "why"}
STATEMENT_KEYS = {"source", "value", "times", "claims", "unreviewed"}


@pytest.fixture
def mini_ds(mini: Path) -> Dataset:
    return load([mini], bundled=False, use_cache=False)


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _ids(x: dict[str, Any]) -> frozenset[str]:
    """A JSON finding's pair: the first claim of each statement (one id for arithmetic)."""
    ids = [x["a"]["claims"][0]["id"]]
    if x["b"] is not None:
        ids.append(x["b"]["claims"][0]["id"])
    return frozenset(ids)


def _pairs(data: list[dict[str, Any]]) -> set[frozenset[str]]:
    return {_ids(x) for x in data}


def _pair(*ids: str) -> frozenset[str]:
    return frozenset(ids)


# ---------------------------------------------------------------------------
# claims and datasets built for one rule


def claim(
    cid: str,
    value: str,
    *,
    source: str = "alpha",
    outcome: str = "pain",
    measure: str = "effect",
    stages: tuple[str, ...] = (),
    tp: str | None = None,
    **more: Any,
) -> Claim:
    """A claim of the mini fixture's condition knee-oa (sources alpha, beta, gamma)."""
    return Claim(
        cid,
        source,
        more.pop("condition", "knee-oa"),
        stages,
        outcome,
        measure,
        parse(value),
        f"{cid} says {value}.",
        timepoint=None if tp is None else parse(tp),
        **more,
    )


def of(mini_ds: Dataset, *claims: Claim) -> Dataset:
    return replace(mini_ds, claims=tuple(claims))


def listing(ds: Dataset, **selection: Any) -> tuple[cf.Conflict, ...]:
    return cf.find_conflicts(ds, cf.Selection(**selection), limit=cf.MAX_LISTED).conflicts


def found(ds: Dataset, **selection: Any) -> set[tuple[str, str | None, frozenset[str]]]:
    """(kind, subkind, first claim ids) of every finding."""
    out = set()
    for x in listing(ds, **selection):
        ids = {x.a.claim.id} | ({x.b.claim.id} if x.b is not None else set())
        out.add((x.kind, x.subkind, frozenset(ids)))
    return out


def _holds(x: cf.Conflict, a: str, b: str) -> bool:
    """Whether finding ``x`` sets claim ``a`` against claim ``b``."""
    if x.b is None:
        return False
    ia, ib = {c.id for c in x.a.claims}, {c.id for c in x.b.claims}
    return (a in ia and b in ib) or (a in ib and b in ia)


def reason(ds: Dataset, a: str, b: str, **kw: Any) -> str:
    """Why two claims are not flagged ("" when they are); the listing must agree."""
    e = cf.explain(ds, a, b, **kw)
    flagged = any(_holds(x, a, b) for x in listing(ds, **kw))
    assert flagged == (e.conflict is not None), (a, b, e.reason)
    assert (e.reason == "") == (e.conflict is not None)
    return e.reason


# ---------------------------------------------------------------------------
# statements: a source saying one thing once or more


def test_repeats_merge_into_one_statement_that_counts_its_times(mini_ds: Dataset) -> None:
    ds = of(
        mini_ds,
        claim("a-1", "30%"),
        claim("a-2", "30%"),
        claim("a-3", "30%"),
        claim("b-one", "60%", source="beta"),
    )
    [x] = listing(ds)
    assert x.kind == "contradiction"
    assert x.b is not None
    assert [c.id for c in x.b.claims] == ["a-1", "a-2", "a-3"]
    assert (x.b.times, x.b.source, x.b.claim.id) == (3, "alpha", "a-1")
    assert x.a.times == 1
    assert cf.count_conflicts(ds, cf.Selection()).contradiction == 1
    statement = x.b.to_json()
    assert set(statement) == STATEMENT_KEYS - {"unreviewed"}  # the report adds it
    assert statement["times"] == 3
    assert statement["value"] == "30%"
    assert [c["id"] for c in statement["claims"]] == ["a-1", "a-2", "a-3"]


def test_a_source_never_conflicts_with_itself_by_repeating(mini_ds: Dataset) -> None:
    ds = of(mini_ds, claim("a-1", "30%"), claim("a-2", "30%"), claim("a-3", "30%"))
    assert cf.count_conflicts(ds, cf.Selection()).total == 0
    assert cf.count_conflicts(ds, cf.Selection(internal=True)).total == 0
    for a, b in itertools.combinations(("a-1", "a-2", "a-3"), 2):
        assert reason(ds, a, b) == "same-statement"
    # the same value from another source is another statement, and agrees with it
    ds = of(mini_ds, claim("a-1", "30%"), claim("b-one", "30%", source="beta"))
    assert reason(ds, "a-1", "b-one") == "overlap"


def test_the_same_value_for_another_question_is_another_statement(mini_ds: Dataset) -> None:
    ds = of(
        mini_ds,
        claim("a-now", "30%"),
        claim("a-late", "30%", tp="12 months"),
        claim("b-one", "60%", source="beta"),
    )
    xs = listing(ds)
    assert len(xs) == 2
    assert all(x.b is not None and x.b.times == 1 for x in xs)


def test_a_rough_value_folds_into_the_exact_one_it_rounds(mini_ds: Dataset) -> None:
    """'nearly 80%' and '79.3%' of one source for one question: one statement, stated
    twice, whose value is the exact one."""
    ds = of(
        mini_ds,
        claim(
            "b-nearly", "nearly 80%", source="beta", outcome="improvement", measure="responder-rate"
        ),
        claim("b-exact", "79.3%", source="beta", outcome="improvement", measure="responder-rate"),
        claim("a-pain", "30-40%"),
    )
    [x] = listing(ds)
    assert (x.kind, x.subkind) == ("tension", "cross-measure")
    assert x.a.claim.id == "b-exact"
    assert x.a.claim.value.text == "79.3%"
    assert [c.id for c in x.a.claims] == ["b-exact", "b-nearly"]
    assert x.a.times == 2
    assert x.gap == pytest.approx(79.3 - 40)
    assert reason(ds, "b-nearly", "b-exact") == "same-statement"


def test_explain_of_a_folded_rough_claim_agrees_with_the_listing(mini_ds: Dataset) -> None:
    """'nearly 80%' is folded into beta's '79.3%': the listing sets that statement, and so
    the 'nearly 80%' claim, against gamma's 60%; explain must say the same of the pair."""
    rate = {"outcome": "improvement", "measure": "responder-rate"}
    ds = of(
        mini_ds,
        claim("b-nearly", "nearly 80%", source="beta", **rate),
        claim("b-exact", "79.3%", source="beta", **rate),
        claim("g-sixty", "60%", source="gamma", outcome="pain", measure="effect"),
    )
    [x] = listing(ds)
    assert x.kind == "tension"
    assert [c.id for c in x.a.claims] == ["b-exact", "b-nearly"]
    assert cf.explain(ds, "b-exact", "g-sixty").conflict is not None
    # [76, 84] against 60: a gap of 16, under 20% of 84 ("close"), yet listed as a tension
    assert cf.explain(ds, "b-nearly", "g-sixty").conflict is not None


def test_a_rough_value_between_two_exact_ones_stays_its_own(mini_ds: Dataset) -> None:
    """Folded only into exactly one exact value: with two candidates it is left alone."""
    rate = {"source": "beta", "outcome": "improvement", "measure": "responder-rate"}
    ds = of(
        mini_ds,
        claim("b-nearly", "nearly 80%", **rate),
        claim("b-exact", "79.3%", **rate),
        claim("b-other", "78%", **rate),
        claim("g-low", "10%", source="gamma", outcome="improvement", measure="responder-rate"),
    )
    xs = listing(ds)
    assert all(x.a.times == 1 and (x.b is None or x.b.times == 1) for x in xs)
    assert {x.a.claim.id for x in xs if x.b is not None and x.b.claim.id == "g-low"} == {
        "b-nearly",
        "b-exact",
        "b-other",
    }


# ---------------------------------------------------------------------------
# kinds and sub-kinds


def test_contradiction_between_sources(mini_ds: Dataset) -> None:
    e = cf.explain(mini_ds, ALPHA_MIDDLE, BETA_MIDDLE)
    assert e.comparable
    assert e.reason == ""
    x = e.conflict
    assert x is not None
    # the claim whose values lie above comes first, whatever the order asked
    assert x.b is not None
    assert (x.a.claim.id, x.b.claim.id) == (BETA_MIDDLE, ALPHA_MIDDLE)
    assert (x.kind, x.subkind, x.internal, x.unit) == ("contradiction", None, False, "pp")
    assert x.gap == pytest.approx(60 - 40)
    assert x.relative_gap == pytest.approx(20 / 70)
    assert x.why.startswith("Contradiction: the same quantity (pain, effect)")
    assert "timepoint 12 months vs none" in x.why


def test_durations_and_time_points_are_one_quantity(mini_ds: Dataset) -> None:
    ds = of(
        mini_ds,
        claim("a-dur", "2-4 weeks", outcome="return-to-activity", measure="duration"),
        claim(
            "b-at", "1-2 days", source="beta", outcome="return-to-activity", measure="time-point"
        ),
    )
    assert found(ds) == {("contradiction", None, _pair("a-dur", "b-at"))}
    [x] = listing(ds)
    assert (x.unit, x.gap) == ("days", 12)


def test_bound_contradiction(mini_ds: Dataset) -> None:
    span = {"outcome": "benefit-duration", "measure": "duration"}
    ds = of(
        mini_ds,
        claim("a-up-to", "up to 24 months", **span),
        claim("a-over", "over 2 years", **span),
    )
    [x] = listing(ds)
    assert (x.kind, x.subkind, x.internal) == ("contradiction", "bound", True)
    assert x.b is not None
    assert (x.a.claim.id, x.b.claim.id) == ("a-over", "a-up-to")
    assert x.why.startswith(
        "Contradiction: 'over 2 years' and 'up to 24 months' bound the same benefit-duration"
    )
    counts = cf.count_conflicts(ds, cf.Selection())
    assert (counts.contradiction, counts.bound, counts.tension) == (1, 1, 0)


def test_one_bounded_value_against_an_exact_one_is_no_bound(mini_ds: Dataset) -> None:
    ds = of(mini_ds, claim("a-over", "over 60%"), claim("b-exact", "40%", source="beta"))
    assert found(ds) == {("contradiction", None, _pair("a-over", "b-exact"))}
    assert cf.count_conflicts(ds, cf.Selection()).bound == 0


def test_tension_cross_measure(mini_ds: Dataset) -> None:
    ds = of(
        mini_ds,
        claim("b-rate", "79.3%", source="beta", outcome="improvement", measure="responder-rate"),
        claim("a-pain", "30-40%"),
        # the same outcome in another measure is another quantity too
        claim("g-rate", "90%", source="gamma", measure="responder-rate"),
    )
    assert found(ds) == {
        ("tension", "cross-measure", _pair("b-rate", "a-pain")),
        ("tension", "cross-measure", _pair("g-rate", "a-pain")),
    }
    x = next(x for x in listing(ds) if x.a.claim.id == "b-rate")
    assert x.why.startswith(
        "Tension: responder-rate (share of patients) of improvement vs effect (size of the "
        "change) of pain (both benefit); related numbers, not the same quantity"
    )
    counts = cf.count_conflicts(ds, cf.Selection())
    assert (counts.tension, counts.cross_measure, counts.anecdote) == (2, 2, 0)
    assert counts.contradiction == 0


def test_tension_anecdote(mini_ds: Dataset) -> None:
    ds = of(
        mini_ds,
        claim("a-typical", "30-40%"),
        claim("b-case", "90%", source="beta", basis="case-report"),
    )
    [x] = listing(ds)
    assert (x.kind, x.subkind) == ("tension", "anecdote")
    assert x.why.startswith("Tension: a single case report (b-case) far from the other figure")
    counts = cf.count_conflicts(ds, cf.Selection())
    assert (counts.tension, counts.anecdote, counts.contradiction) == (1, 1, 0)
    # two case reports of one quantity, far apart: a tension as well, never a contradiction
    ds = of(
        mini_ds,
        claim("a-case", "30%", basis="case-report"),
        claim("b-case", "90%", source="beta", basis="case-report"),
    )
    assert found(ds) == {("tension", "anecdote", _pair("a-case", "b-case"))}


@pytest.mark.parametrize(
    ("upper", "lower", "flagged"),
    [
        ("50%", "40%", True),  # a gap of exactly TENSION_GAP of the larger value counts
        ("50%", "41%", False),
        ("79.3%", "60-70%", False),
        ("79.3%", "30-40%", True),
    ],
)
def test_tensions_need_a_gap_of_tension_gap(
    mini_ds: Dataset, upper: str, lower: str, flagged: bool
) -> None:
    assert cf.TENSION_GAP == 0.20
    for a_kw, b_kw in (
        ({"measure": "responder-rate", "outcome": "improvement"}, {}),  # cross-measure
        ({"basis": "case-report"}, {}),  # anecdote
    ):
        ds = of(mini_ds, claim("a-up", upper, **a_kw), claim("b-low", lower, source="beta", **b_kw))
        assert reason(ds, "a-up", "b-low") == ("" if flagged else "close")
        assert cf.count_conflicts(ds, cf.Selection()).tension == int(flagged)
    # the same quantity needs no such gap: values that cannot both be true contradict
    ds = of(mini_ds, claim("a-up", upper), claim("b-low", lower, source="beta"))
    assert reason(ds, "a-up", "b-low") == ""


def test_a_lower_bound_is_at_least_as_far_as_its_number(mini_ds: Dataset) -> None:
    """'at least 60%' lies at least as far above 45% as '60%' does, as 'at least 60 days'
    lies as far above 45 days as '60 days': each is a tension when its number is."""
    span = {"outcome": "return-to-activity", "measure": "duration"}
    for upper, lower, kw in (
        ("60 days", "45 days", span),
        ("at least 60 days", "45 days", span),
        ("60%", "45%", {}),
        ("at least 60%", "45%", {}),
    ):
        ds = of(
            mini_ds,
            claim("a-case", upper, basis="case-report", **kw),
            claim("b-typical", lower, source="beta", **kw),
        )
        assert found(ds) == {("tension", "anecdote", _pair("a-case", "b-typical"))}, upper


# ---------------------------------------------------------------------------
# arithmetic


def _arith(mini_ds: Dataset, stated: str, op: str, first: Claim, second: Claim) -> Dataset:
    """``first``, ``second`` and a claim "derived" stating ``op`` of them as ``stated``."""
    measure = {"times": "ratio", "percent": "effect"}.get(
        dimension(parse(stated).unit), first.measure
    )
    derived = claim(
        "derived",
        stated,
        outcome=first.outcome,
        measure=measure,
        derived=Derived(op, (first.id, second.id)),
    )
    return of(mini_ds, first, second, derived)


ARITHMETIC = [
    # (op, outcome, measure, first, second, a value that agrees, one that does not,
    #  what the parts give)
    ("ratio", "cost", "cost", "$20,000", "$5,000", "4-6 times", "10 times", (4, 4)),
    ("difference", "maintenance", "responder-rate", "85%", "73%", "12%", "25% or more", (12, 12)),
    ("percent-change", "pain", "effect", "40%", "60%", "50%", "80%", (50, 50)),
    ("reduction", "scar-depth", "size", "3mm", "1.5mm", "50%", "20%", (50, 50)),
    ("sum", "recovery-time", "duration", "2 weeks", "4 weeks", "6 weeks", "10 weeks", (42, 42)),
]


@pytest.mark.parametrize(
    ("op", "outcome", "measure", "first", "second", "agrees", "disagrees", "recomputed"),
    ARITHMETIC,
    ids=[a[0] for a in ARITHMETIC],
)
def test_arithmetic_per_operation(
    mini_ds: Dataset,
    op: str,
    outcome: str,
    measure: str,
    first: str,
    second: str,
    agrees: str,
    disagrees: str,
    recomputed: tuple[float, float],
) -> None:
    parts = (
        claim("first", first, outcome=outcome, measure=measure),
        claim("second", second, outcome=outcome, measure=measure),
    )
    ok = _arith(mini_ds, agrees, op, *parts)
    assert listing(ok, kind="arithmetic") == ()
    assert cf.count_conflicts(ok, cf.Selection()).arithmetic == 0
    bad = _arith(mini_ds, disagrees, op, *parts)
    [x] = listing(bad, kind="arithmetic")
    assert (x.kind, x.subkind, x.internal, x.b) == ("arithmetic", op, True, None)
    assert x.a.claim.id == "derived"
    assert x.recomputed is not None
    assert x.recomputed.interval == pytest.approx(recomputed)
    assert x.recomputed.text == f"{op}(first, second)"
    assert [c.id for c in x.recomputed.parts] == ["first", "second"]
    assert x.gap > 0
    assert x.why.startswith(f"Arithmetic: {disagrees} restates the ")
    assert cf.count_conflicts(bad, cf.Selection()).arithmetic == 1
    data = x.to_json()
    assert set(data) == FINDING_KEYS | {"recomputed"}
    assert data["b"] is None
    assert data["recomputed"]["derivation"] == f"{op}(first, second)"
    assert (data["recomputed"]["low"], data["recomputed"]["high"]) == pytest.approx(recomputed)


def test_arithmetic_of_ranges_is_interval_arithmetic(mini_ds: Dataset) -> None:
    """$20,000-$33,000 against $3,000-$8,000 is 2.5 to 11 times: 4-6 times agrees."""
    parts = (
        claim("first", "$20,000 - $33,000", outcome="cost", measure="cost"),
        claim("second", "$3,000 - $8,000", outcome="cost", measure="cost"),
    )
    assert listing(_arith(mini_ds, "4-6 times", "ratio", *parts), kind="arithmetic") == ()
    [x] = listing(_arith(mini_ds, "20 times", "ratio", *parts), kind="arithmetic")
    assert x.recomputed is not None
    assert x.recomputed.interval == pytest.approx((2.5, 11))
    assert x.gap == pytest.approx(20 - 11)


def test_nested_arithmetic(mini_ds: Dataset) -> None:
    """A 3mm scar to 1.5mm is a 50% reduction; against 20% that is 2.5 times, not 3-fold."""
    parts = [
        claim("base", "3mm", outcome="scar-depth", measure="size"),
        claim("after", "1.5mm", outcome="scar-depth", measure="size", tp="3 months"),
        claim("other", "20%", outcome="scar-depth", measure="size", intervention="microneedle"),
    ]
    nested = Derived("ratio", (Derived("reduction", ("base", "after")), "other"))

    def stated(value: str) -> Dataset:
        return of(
            mini_ds,
            *parts,
            claim("gap", value, outcome="scar-depth", measure="ratio", derived=nested),
        )

    [x] = listing(stated("3-fold or greater"), kind="arithmetic")
    assert (x.kind, x.subkind) == ("arithmetic", "ratio")
    assert x.recomputed is not None
    assert x.recomputed.text == "ratio(reduction(base, after), other)"
    assert x.recomputed.interval == pytest.approx((2.5, 2.5))
    assert [c.id for c in x.recomputed.parts] == ["base", "after", "other"]
    assert x.gap == pytest.approx(0.5)
    assert x.relative_gap == pytest.approx(0.5 / 3)
    assert "the ratio of the reduction from 3mm to 1.5mm and 20%" in x.why
    assert listing(stated("2-3 times"), kind="arithmetic") == ()


def test_arithmetic_follows_the_selection(mini_ds: Dataset) -> None:
    # parts of two arms: not set against each other
    parts = (claim("first", "85%", group="arm one"), claim("second", "73%", group="arm two"))
    ds = _arith(mini_ds, "25% or more", "difference", *parts)
    assert len(listing(ds)) == 1
    assert listing(ds, condition="rotator-cuff") == ()
    assert listing(ds, source="beta") == ()
    assert len(listing(ds, source="alpha", internal=True)) == 1
    assert listing(ds, min_gap=20) == ()
    assert len(listing(ds, min_gap=13)) == 1
    assert listing(ds, kind="tension") == ()


# ---------------------------------------------------------------------------
# time: milestones and trajectories


def test_times_of_different_outcomes_are_milestones(mini_ds: Dataset) -> None:
    # pain and function are one family, but their times are milestones of one timeline
    ds = of(
        mini_ds,
        claim("a-pain-at", "1-2 weeks", measure="time-point"),
        claim("b-function-at", "6 months", source="beta", outcome="function", measure="time-point"),
        claim("b-pain-at", "6 months", source="beta", measure="time-point"),
    )
    assert reason(ds, "a-pain-at", "b-function-at") == "milestones"
    # the same outcome's times are compared
    assert reason(ds, "a-pain-at", "b-pain-at") == ""
    checks = {c.name: c for c in cf.explain(ds, "a-pain-at", "b-function-at").checks}
    assert (checks["outcome"].ok, checks["outcome"].reason) == (False, "milestones")


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("6 weeks", "12 months", False),
        ("years 1-3", "years 3-5", False),  # periods that only touch are consecutive
        ("3-6 months", "6-12 months", False),
        ("3-6 months", "6 months", True),  # a point at the end of a period is within it
        ("6 months", "6-12 months", True),
        ("6 months", "6 months", True),
        ("3-9 months", "6-12 months", True),
        ("up to 6 months", "week 1", True),
    ],
)
def test_timepoints_that_do_not_overlap_are_a_trajectory(
    mini_ds: Dataset, first: str, second: str, same: bool
) -> None:
    ds = of(
        mini_ds,
        claim("a-then", "85%", outcome="maintenance", measure="responder-rate", tp=first),
        claim("a-later", "50%", outcome="maintenance", measure="responder-rate", tp=second),
    )
    assert reason(ds, "a-then", "a-later") == ("" if same else "trajectory")
    check = {c.name: c for c in cf.explain(ds, "a-then", "a-later").checks}["timepoint"]
    assert check.ok is same
    assert check.fact("a_start") <= check.fact("a_end")
    # a claim without a timepoint is compared with any
    ds = of(
        mini_ds,
        claim("a-then", "85%", outcome="maintenance", measure="responder-rate", tp=first),
        claim("a-any", "50%", outcome="maintenance", measure="responder-rate"),
    )
    assert reason(ds, "a-then", "a-any") == ""


@pytest.mark.parametrize(
    ("first", "second"), [("30-50%", "50-60%"), ("2-4 weeks", "4 weeks"), ("$3,000", "$3,000")]
)
def test_values_that_touch_agree(mini_ds: Dataset, first: str, second: str) -> None:
    dims = {"%": ("pain", "effect"), "s": ("return-to-activity", "duration")}
    outcome, measure = dims.get(first[-1], ("cost", "cost"))
    ds = of(
        mini_ds,
        claim("a-1", first, outcome=outcome, measure=measure),
        claim("b-one", second, source="beta", outcome=outcome, measure=measure),
    )
    assert reason(ds, "a-1", "b-one") == "overlap"
    assert cf.explain(ds, "a-1", "b-one").overlap is True


# ---------------------------------------------------------------------------
# group, comparator, intervention


def test_different_groups_are_never_compared(mini_ds: Dataset) -> None:
    rate = {"outcome": "maintenance", "measure": "responder-rate"}
    ds = of(
        mini_ds,
        claim("a-follow", "85%", group="regular follow-up group", **rate),
        claim("a-once", "50%", group="one-time treatment group", **rate),
        claim("a-all", "10%", **rate),
        claim("a-follow-too", "20%", group=" Regular  follow-up GROUP", **rate),
    )
    assert reason(ds, "a-follow", "a-once") == "group"
    assert reason(ds, "a-follow", "a-all") == "group"  # no group is not some group
    assert reason(ds, "a-once", "a-all") == "group"
    # a group is compared with itself, however it is spelled
    assert reason(ds, "a-follow", "a-follow-too") == ""
    assert found(ds) == {("contradiction", None, _pair("a-follow", "a-follow-too"))}
    check = {c.name: c for c in cf.explain(ds, "a-follow", "a-once").checks}["group"]
    assert not check.ok
    assert "regular follow-up group vs one-time treatment group" in check.detail


def test_comparator_and_intervention_must_match_case_insensitively(mini_ds: Dataset) -> None:
    a = mini_ds.claim(ALPHA_MIDDLE)
    b = mini_ds.claim(BETA_MIDDLE)
    assert a is not None
    assert b is not None
    for field, other in (("comparator", "steroids"), ("intervention", "prp")):
        ds = of(mini_ds, replace(a, **{field: other.upper()}), replace(b, **{field: other}))
        assert cf.count_conflicts(ds, cf.Selection()).contradiction == 1
        ds = of(mini_ds, replace(a, **{field: other}), b)
        assert cf.count_conflicts(ds, cf.Selection()).total == 0
        assert reason(ds, a.id, b.id) == field
        check = {c.name: c for c in cf.explain(ds, a.id, b.id).checks}[field]
        assert not check.ok


# ---------------------------------------------------------------------------
# qualifiers: each end exact


@pytest.mark.parametrize(
    ("first", "second", "conflict"),
    [
        ("up to 24 months", "over 2 years", "bound"),
        ("up to 24 months", "at least 2 years", None),
        ("up to 24 months", "more than 2 years", "bound"),
        ("within 2 weeks", "over 14 days", "bound"),
        ("within 2 weeks", "14 days", None),
        ("fewer than 10 days", "10 days", "contradiction"),
        ("more than 10 days", "10 days", "contradiction"),
        ("at least 10 days", "10 days", None),
    ],
)
def test_qualifier_ends_of_durations(
    mini_ds: Dataset, first: str, second: str, conflict: str | None
) -> None:
    span = {"outcome": "benefit-duration", "measure": "duration"}
    ds = of(mini_ds, claim("a-1", first, **span), claim("b-one", second, source="beta", **span))
    _qualified(ds, conflict)


@pytest.mark.parametrize(
    ("first", "second", "unit_", "conflict"),
    [
        ("over 50%", "at most 50%", "percent", "bound"),
        ("above 50%", "up to 50%", "percent", "bound"),
        ("at least 50%", "at most 50%", "percent", None),
        ("25% or more", "25%", "percent", None),
        ("25%+", "under 25%", "percent", "bound"),
        ("over 50%", "50%", "percent", "contradiction"),
        ("under 5cm", "5cm", "length", "contradiction"),
        ("less than 5cm", "50mm", "length", "contradiction"),
        ("5cm or less", "5cm", "length", None),
        ("under 5cm", "4.9cm", "length", None),
    ],
)
def test_qualifier_ends_of_shares_and_sizes(
    mini_ds: Dataset, first: str, second: str, unit_: str, conflict: str | None
) -> None:
    outcome, measure = ("pain", "effect") if unit_ == "percent" else ("scar-depth", "size")
    ds = of(
        mini_ds,
        claim("a-1", first, outcome=outcome, measure=measure),
        claim("b-one", second, source="beta", outcome=outcome, measure=measure),
    )
    _qualified(ds, conflict)


def _qualified(ds: Dataset, conflict: str | None) -> None:
    if conflict is None:
        assert reason(ds, "a-1", "b-one") == "overlap"
        assert found(ds) == set()
        return
    assert reason(ds, "a-1", "b-one") == ""
    [x] = listing(ds)
    assert x.kind == "contradiction"
    assert x.subkind == (None if conflict == "contradiction" else "bound")


# ---------------------------------------------------------------------------
# the other reasons, on examples


def test_stages(mini_ds: Dataset) -> None:
    assert cf.stages_compatible((), ("late",))
    assert cf.stages_compatible(("early", "middle"), ("middle",))
    assert not cf.stages_compatible(("early",), ("late",))
    ds = of(
        mini_ds,
        claim("a-early", "30%", stages=("early",)),
        claim("b-late", "60%", source="beta", stages=("late",)),
        claim("b-both", "90%", source="beta", stages=("late", "early")),
    )
    assert reason(ds, "a-early", "b-late") == "stages"
    assert reason(ds, "a-early", "b-both") == ""


def test_conditions_outcomes_units_and_results(mini_ds: Dataset) -> None:
    ds = of(
        mini_ds,
        claim("a-knee", "30%"),
        claim("b-cuff", "60%", source="beta", condition="rotator-cuff"),
        claim("b-recur", "60%", source="beta", outcome="recurrence"),
        claim("b-points", "60 points", source="beta"),
        claim("a-follow", "12 months", outcome="follow-up", measure="duration"),
        claim("b-follow", "5 years", source="beta", outcome="follow-up", measure="duration"),
    )
    assert reason(ds, "a-knee", "b-cuff") == "condition"
    assert reason(ds, "a-knee", "b-recur") == "outcome"
    assert reason(ds, "a-knee", "b-points") == "unit"
    assert reason(ds, "a-follow", "b-follow") == "result"
    assert found(ds) == set()


def test_outcomes_that_describe_a_study_are_not_compared(mini_ds: Dataset) -> None:
    """Follow-up lengths, cohort sizes and eligibility differ legitimately between sources."""
    a = mini_ds.claim(ALPHA_MIDDLE)
    b = mini_ds.claim(BETA_MIDDLE)
    assert a is not None
    assert b is not None
    assert mini_ds.outcomes["follow-up"].compared is False
    ds = of(mini_ds, a, b)
    assert cf.count_conflicts(ds, cf.Selection()).contradiction == 1
    ds = of(mini_ds, replace(a, outcome="follow-up"), replace(b, outcome="follow-up"))
    assert cf.count_conflicts(ds, cf.Selection()).total == 0
    assert cf.find_conflicts(ds, cf.Selection()).conflicts == ()
    explanation = cf.explain(ds, a.id, b.id)
    result = {c.name: c for c in explanation.checks}["result"]
    assert not result.ok
    assert result.reason == "result"
    assert "follow-up describes a study or its patients" in result.detail
    assert not explanation.comparable
    assert explanation.reason == "result"


def test_every_reason_has_words() -> None:
    assert list(cf.REASONS) == [
        "condition",
        "stages",
        "result",
        "outcome",
        "milestones",
        "unit",
        "comparator",
        "intervention",
        "group",
        "trajectory",
        "same-statement",
        "overlap",
        "close",
        "reference",
    ]
    assert all(cf.REASONS.values())


def test_min_gap_and_tolerance_in_explain(mini_ds: Dataset) -> None:
    # about 50% is 47.5-52.5 at ±5%: above 30-40%; at ±30% it is 35-65 and overlaps
    assert reason(mini_ds, GAMMA_ANY, ALPHA_MIDDLE) == ""
    assert reason(mini_ds, GAMMA_ANY, ALPHA_MIDDLE, tolerance=0.3) == "overlap"
    assert cf.explain(mini_ds, ALPHA_MIDDLE, BETA_MIDDLE, min_gap=25).reason == "close"
    assert cf.explain(mini_ds, ALPHA_MIDDLE, BETA_MIDDLE, min_gap=20).reason == ""


def test_gap_and_interval_text() -> None:
    assert format_gap(9.3, "pp") == "9.3 pp"
    assert format_gap(1, "days") == "1 day"
    assert format_gap(1500, "usd") == "$1,500"
    assert format_interval((60.0, 100.0), "percent") == "[60, 100] %"
    assert format_interval((0.0, float("inf")), "time") == "[0, ∞] days"


def test_why_names_only_what_differs() -> None:
    a = claim("a", "60%", stages=("middle", "early"), tp="12 months")
    same = claim("b", "30%", stages=("early", "middle"), tp="12 months")
    assert describe(a, same, "contradiction", None, "benefit") == (
        "Contradiction: the same quantity (pain, effect), values that cannot both be true."
    )
    other = claim(
        "c", "30%", stages=("late",), tp="6 weeks", outcome="function", measure="responder-rate"
    )
    why = describe(a, other, "tension", "cross-measure", "benefit")
    assert why.startswith("Tension: effect (size of the change) of pain vs responder-rate")
    assert "(both benefit)" in why
    assert "stage middle, early vs late" in why
    assert "timepoint 12 months vs 6 weeks" in why


def test_selection_is_checked(mini_ds: Dataset) -> None:
    # the kind is typed (the command line checks its spelling) and a stage without a
    # condition is a command-line matter: neither is the operation's to refuse
    for bad in (
        cf.Selection(min_gap=-1),
        cf.Selection(min_gap=float("nan")),
        cf.Selection(tolerance=2.0),
    ):
        with pytest.raises(UsageError):
            cf.count_conflicts(mini_ds, bad)
    with pytest.raises(UsageError, match="no claim"):
        cf.explain(mini_ds, ALPHA_MIDDLE, "no-such-claim")
    with pytest.raises(UsageError, match="two different"):
        cf.explain(mini_ds, ALPHA_MIDDLE, ALPHA_MIDDLE)
    with pytest.raises(UsageError):
        cf.find_conflicts(mini_ds, cf.Selection(), limit=0)


def test_counts_agree_with_every_pair_checked_one_by_one(mini_ds: Dataset) -> None:
    pairs = [
        x for a, b in itertools.combinations(mini_ds.claims, 2) if (x := check_pair(mini_ds, a, b))
    ]
    counts = cf.count_conflicts(mini_ds, cf.Selection())
    assert counts.contradiction == sum(x.kind == "contradiction" for x in pairs)
    assert counts.tension == sum(x.kind == "tension" for x in pairs)
    assert counts.cross_measure == sum(x.subkind == "cross-measure" for x in pairs)
    assert counts.anecdote == sum(x.subkind == "anecdote" for x in pairs)
    assert counts.bound == sum(x.subkind == "bound" for x in pairs)
    assert (counts.contradiction, counts.tension, counts.arithmetic) == (4, 2, 0)


# ---------------------------------------------------------------------------
# a dataset written for the command


SOURCES_YAML = "".join(
    f"- {{id: {s}, title: T {s}, publisher: Pub {s.upper()}, kind: clinic,"
    " sells_treatment: true}\n"
    for s in ("a", "b")
)


def yaml_claim(cid: str, value: str, **fields: str) -> str:
    """One claim as YAML (knee-oa, pain, effect, no stage unless given); values are raw YAML
    except ``value`` and ``quote``."""
    merged = {
        "condition": "knee-oa",
        "stages": "[]",
        "outcome": "pain",
        "measure": "effect",
        "value": json.dumps(value),
        "basis": "none",
        **fields,
    }
    merged["quote"] = json.dumps(fields.get("quote", f"{cid} says {value}."))
    return f"- id: {cid}\n" + "".join(f"  {k}: {v}\n" for k, v in merged.items())


def write_dataset(root: Path, a: str, b: str = "") -> Path:
    """Sources a and b with the given claims, the mini fixture's conditions."""
    (root / "claims").mkdir(parents=True)
    (root / "sources.yaml").write_text(SOURCES_YAML, encoding="utf-8")
    (root / "conditions.yaml").write_text(
        (Path(__file__).parent / "fixtures" / "mini" / "conditions.yaml").read_text("utf-8"),
        encoding="utf-8",
    )
    (root / "claims" / "a.yaml").write_text(a, encoding="utf-8")
    if b:
        (root / "claims" / "b.yaml").write_text(b, encoding="utf-8")
    return root


@pytest.fixture
def kinds_data(tmp_path: Path) -> Path:
    """One finding of each kind (and a repeat): a contradiction stated three times by a,
    an arithmetic finding of a, a cross-measure tension."""
    a = (
        yaml_claim("a-pain-1", "30%", stages="[early]", quote="First: pain fell 30%.")
        + yaml_claim("a-pain-2", "30%", stages="[early]", quote="Second: pain fell 30%.")
        + yaml_claim("a-pain-3", "30%", stages="[early]", quote="Third: pain fell 30%.")
        + yaml_claim(
            "a-cost-surgery", "$20,000", outcome="cost", measure="cost", intervention="surgery"
        )
        + yaml_claim("a-cost-cells", "$5,000", outcome="cost", measure="cost")
        + yaml_claim(
            "a-cost-ratio",
            "10 times",
            outcome="cost",
            measure="ratio",
            derived="{op: ratio, of: [a-cost-surgery, a-cost-cells]}",
            quote="Ten times cheaper than surgery.",
        )
    )
    b = yaml_claim("b-pain", "60%", quote="Pain fell 60%.") + yaml_claim(
        "b-rate",
        "10%",
        outcome="improvement",
        measure="responder-rate",
        stages="[late]",
        quote="Only 10% improved.",
    )
    return write_dataset(tmp_path / "kinds", a, b)


@pytest.fixture
def run_kinds(run: Run, kinds_data: Path) -> Run:
    def invoke(*args: str) -> Result:
        return run("--no-bundled", "--data", str(kinds_data), *args)

    return invoke


def test_kinds_dataset_has_one_of_each(run_kinds: Run) -> None:
    data = _json(run_kinds("conflicts", "--format", "json"))
    assert [(x["kind"], x["subkind"]) for x in data] == [
        ("contradiction", None),
        ("arithmetic", "ratio"),
        ("tension", "cross-measure"),
    ]
    assert _pairs(data) == {
        _pair("a-pain-1", "b-pain"),
        _pair("a-cost-ratio"),
        _pair("b-pain", "b-rate"),
    }


@pytest.mark.parametrize("kind", ["contradiction", "arithmetic", "tension"])
def test_kind(run_kinds: Run, kind: str) -> None:
    data = _json(run_kinds("conflicts", "--kind", kind, "--format", "json"))
    everything = _json(run_kinds("conflicts", "--format", "json"))
    assert data == [x for x in everything if x["kind"] == kind]
    assert len(data) == 1
    table = run_kinds("conflicts", "--kind", kind)
    assert table.exit_code == 0, table.output
    assert "1 of 1 finding" in table.stdout
    count = run_kinds("conflicts", "--kind", kind, "--count")
    assert count.stdout == f"{kind}: 1\n"


def test_an_unknown_kind_is_refused(run_kinds: Run) -> None:
    for bad in ("direct", "cross-measure", "bound"):
        result = run_kinds("conflicts", "--kind", bad)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr.startswith("error: ")
        assert "contradiction" in result.stderr


def test_count_of_each_kind(run_kinds: Run) -> None:
    result = run_kinds("conflicts", "--count")
    assert result.exit_code == 0, result.output
    assert result.stdout == "contradiction: 1\narithmetic: 1\ntension: 1\n"
    assert _json(run_kinds("conflicts", "--count", "--format", "json")) == {
        "contradiction": 1,
        "arithmetic": 1,
        "tension": 1,
    }
    rows = run_kinds("conflicts", "--count", "--format", "csv").stdout.splitlines()
    assert rows[1:] == ["contradiction,1", "arithmetic,1", "tension,1"]
    assert "| arithmetic |" in run_kinds("conflicts", "--count", "--format", "markdown").stdout


def test_table_shows_each_kind_and_how_often_a_statement_is_made(run_kinds: Run) -> None:
    result = run_kinds("conflicts")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for header in ("Kind", "Source A", "Value A", "Source B", "Value B", "Gap", "Why"):
        assert header in out
    assert "Condition" in out  # without a CONDITION, each row names its own
    # the sub-kind under its kind, in the Kind column
    lines = out.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("tension "))
    assert lines[row + 1].startswith("cross-measure")
    assert "30 % ×3" in out
    assert "its own" in out  # arithmetic: b is what the parts give ("its own figures")
    assert "3 of 3 findings: 1 contradiction, 1 arithmetic, 1 tension" in out
    # quotes only with --full
    assert "Second: pain fell 30%." not in out


def test_full_adds_every_quote(run_kinds: Run) -> None:
    table = run_kinds("conflicts", "--full")
    assert table.exit_code == 0, table.output
    assert "Quotes A" in table.stdout
    assert "Quotes B" in table.stdout
    md = run_kinds("conflicts", "--full", "--format", "markdown")
    assert md.exit_code == 0, md.output
    for quote in (
        "a-pain-1: First: pain fell 30%.",
        "a-pain-2: Second: pain fell 30%.",
        "a-pain-3: Third: pain fell 30%.",
        "b-pain: Pain fell 60%.",
        "a-cost-ratio: Ten times cheaper than surgery.",
        "a-cost-surgery: a-cost-surgery says $20,000.",  # the parts of the arithmetic
        "a-cost-cells: a-cost-cells says $5,000.",
        "b-rate: Only 10% improved.",
    ):
        assert quote in md.stdout
    assert "Quotes A" not in run_kinds("conflicts", "--format", "markdown").stdout


def test_json_follows_the_contract(run_kinds: Run, kinds_data: Path) -> None:
    ds = load([kinds_data], bundled=False, use_cache=False)
    data = _json(run_kinds("conflicts", "--format", "json"))
    for x in data:
        assert set(x) == FINDING_KEYS | ({"recomputed"} if x["kind"] == "arithmetic" else set())
        for st in (x["a"], x["b"]):
            if st is None:
                continue
            assert set(st) == STATEMENT_KEYS
            assert st["times"] == len(st["claims"])
            for c in st["claims"]:
                known = ds.claim(c["id"])
                assert known is not None
                assert c == known.to_json()
                assert {"group", "derived", "quote"} <= set(c)
                assert c["source"] == st["source"]
        assert x["internal"] == (x["b"] is None or x["a"]["source"] == x["b"]["source"])
        assert x["gap"] > 0
    contradiction, arithmetic, tension = data
    assert contradiction["b"]["times"] == 3
    assert [c["quote"] for c in contradiction["b"]["claims"]] == [
        "First: pain fell 30%.",
        "Second: pain fell 30%.",
        "Third: pain fell 30%.",
    ]
    assert arithmetic["b"] is None
    assert arithmetic["internal"] is True
    assert arithmetic["a"]["claims"][0]["derived"] == {
        "op": "ratio",
        "of": ["a-cost-surgery", "a-cost-cells"],
    }
    assert arithmetic["recomputed"]["derivation"] == "ratio(a-cost-surgery, a-cost-cells)"
    assert (arithmetic["recomputed"]["low"], arithmetic["recomputed"]["high"]) == (4, 4)
    assert arithmetic["recomputed"]["dimension"] == "times"
    assert [c["quote"] for c in arithmetic["recomputed"]["parts"]] == [
        "a-cost-surgery says $20,000.",
        "a-cost-cells says $5,000.",
    ]
    assert tension["subkind"] == "cross-measure"


def test_json_of_the_mini_dataset(run_mini: Run, mini_ds: Dataset) -> None:
    data = _json(run_mini("conflicts", "--format", "json"))
    assert data
    for x in data:
        assert set(x) == FINDING_KEYS
        a, b = mini_ds.claim(x["a"]["claims"][0]["id"]), mini_ds.claim(x["b"]["claims"][0]["id"])
        assert a is not None
        assert b is not None
        assert x["a"]["claims"] == [a.to_json()]
        assert x["b"]["claims"] == [b.to_json()]
        assert x["internal"] == (a.source == b.source)
    kinds = [x["kind"] for x in data]
    assert kinds == sorted(kinds, key=["contradiction", "arithmetic", "tension"].index)
    for kind in ("contradiction", "tension"):
        rel = [(x["relative_gap"], x["gap"]) for x in data if x["kind"] == kind]
        assert rel == sorted(rel, reverse=True), "most severe first within each kind"


def test_csv_and_markdown(run_kinds: Run) -> None:
    result = run_kinds("conflicts", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["kind"], r["subkind"]) for r in rows] == [
        ("contradiction", ""),
        ("arithmetic", "ratio"),
        ("tension", "cross-measure"),
    ]
    contradiction, arithmetic, _ = rows
    assert contradiction["b_times"] == "3"
    assert contradiction["b_claims"] == "a-pain-1;a-pain-2;a-pain-3"
    assert contradiction["a_id"] == "b-pain"
    assert arithmetic["derivation"] == "ratio(a-cost-surgery, a-cost-cells)"
    low, high = float(arithmetic["recomputed_low"]), float(arithmetic["recomputed_high"])
    assert low <= high
    assert contradiction["recomputed_low"] == contradiction["recomputed_high"] == ""
    assert arithmetic["b_id"] == ""
    assert arithmetic["internal"] == "yes"
    for side in ("a", "b"):  # what makes two claims comparable is in the rows too
        assert {f"{side}_comparator", f"{side}_intervention", f"{side}_group"} <= set(rows[0])
    md = run_kinds("conflicts", "--format", "markdown")
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("| Kind | Condition | Source A |")
    assert md.stdout.count("| knee-oa |") == len(rows)


def test_fail_on_conflict_looks_at_contradictions_and_arithmetic(run_kinds: Run) -> None:
    found_ = run_kinds("conflicts", "--fail-on-conflict")
    assert found_.exit_code == 1, found_.output
    assert "2 findings of kind contradiction or arithmetic" in found_.stderr
    assert found_.stdout  # the listing is still written
    assert run_kinds("conflicts", "--count", "--fail-on-conflict").exit_code == 1
    for kind in ("contradiction", "arithmetic", "tension"):
        assert run_kinds("conflicts", "--kind", kind, "--fail-on-conflict").exit_code == 1
    # a selection with tensions only: no failure unless tensions are asked for
    only_tension = ("conflicts", "--source", "b", "--internal", "--fail-on-conflict")
    assert _json(run_kinds(*only_tension[:-1], "--count", "--format", "json")) == {
        "contradiction": 0,
        "arithmetic": 0,
        "tension": 1,
    }
    assert run_kinds(*only_tension).exit_code == 0
    assert run_kinds(*only_tension, "--kind", "tension").exit_code == 1
    assert run_kinds("conflicts").exit_code == 0


def test_fail_on_conflict_on_the_mini_dataset(run_mini: Run) -> None:
    assert run_mini("conflicts", "--fail-on-conflict").exit_code == 1
    # only the 39.3 pp tension is 30 or more apart
    assert run_mini("conflicts", "--min-gap", "30", "--fail-on-conflict").exit_code == 0
    assert (
        run_mini(
            "conflicts", "--min-gap", "30", "--kind", "tension", "--fail-on-conflict"
        ).exit_code
        == 1
    )
    assert run_mini("conflicts", "rotator-cuff", "--fail-on-conflict").exit_code == 0
    assert run_mini("conflicts", "--min-gap", "90", "--fail-on-conflict").exit_code == 0


# ---------------------------------------------------------------------------
# the selection options, on the mini fixture


def test_internal(run_mini: Run, run_kinds: Run) -> None:
    # beta's 79.3 % responders and 60-70 % pain are only 9.3 pp apart: close, not flagged
    assert _json(run_mini("conflicts", "--internal", "--format", "json")) == []
    data = _json(run_kinds("conflicts", "--internal", "--format", "json"))
    assert _pairs(data) == {_pair("a-cost-ratio"), _pair("b-pain", "b-rate")}
    assert all(x["internal"] for x in data)


def test_source(run_mini: Run) -> None:
    data = _json(run_mini("conflicts", "--source", "gamma", "--format", "json"))
    everything = _json(run_mini("conflicts", "--format", "json"))
    involving = [x for x in everything if "gamma" in (x["a"]["source"], x["b"]["source"])]
    assert data
    assert _pairs(data) == _pairs(involving)
    counts = _json(run_mini("conflicts", "--source", "gamma", "--count", "--format", "json"))
    assert sum(counts.values()) == len(involving)
    internal = _json(run_mini("conflicts", "--source", "beta", "--internal", "--format", "json"))
    assert internal == []
    bad = run_mini("conflicts", "--source", "delta")
    assert bad.exit_code == 2
    assert "unknown source 'delta'" in bad.stderr


def test_min_gap(run_mini: Run) -> None:
    everything = _json(run_mini("conflicts", "--format", "json"))
    data = _json(run_mini("conflicts", "--min-gap", "20", "--format", "json"))
    assert data
    assert all(x["gap"] >= 20 for x in data)
    assert _pairs(data) == _pairs([x for x in everything if x["gap"] >= 20])
    assert len(data) < len(everything)
    # a gap of exactly 20 pp counts
    assert _pair(ALPHA_MIDDLE, BETA_MIDDLE) in _pairs(data)
    assert run_mini("conflicts", "--min-gap", "-1").exit_code == 2


def test_limit(run_mini: Run) -> None:
    everything = _json(run_mini("conflicts", "--format", "json"))
    data = _json(run_mini("conflicts", "--limit", "2", "--format", "json"))
    assert data == everything[:2]
    result = run_mini("conflicts", "--limit", "2")
    assert f"showing the 2 most severe of {len(everything)}" in result.stderr
    assert _json(run_mini("conflicts", "--limit", "0", "--format", "json")) == everything
    assert run_mini("conflicts", "--limit", "-1").exit_code == 2


def test_condition_and_stage(run_mini: Run) -> None:
    data = _json(run_mini("conflicts", "knee arthritis", "--stage", "moderate", "--format", "json"))
    assert data
    for x in data:
        for st in (x["a"], x["b"]):
            for c in st["claims"]:
                assert c["condition"] == "knee-oa"
                assert not c["stages"] or "middle" in c["stages"]
    assert _pair(ALPHA_EARLY, GAMMA_ANY) not in _pairs(data)
    assert _pair(ALPHA_EARLY, GAMMA_ANY) in _pairs(_json(run_mini("conflicts", "-f", "json")))
    table = run_mini("conflicts", "knee-oa", "--stage", "middle")
    assert "Conflicts: Knee osteoarthritis, stage middle" in table.stdout
    assert "Condition" not in table.stdout.splitlines()[1]
    none = run_mini("conflicts", "rotator-cuff", "--format", "json")
    assert _json(none) == []
    nostage = run_mini("conflicts", "--stage", "middle")
    assert nostage.exit_code == 2
    assert "--stage needs a CONDITION" in nostage.stderr
    assert run_mini("conflicts", "knee-oa", "--stage", "terminal").exit_code == 2


def test_tolerance(run_mini: Run) -> None:
    # about 50% is 47.5-52.5 at ±5%: above 30-40%; at ±30% it is 35-65 and overlaps
    assert _pair(GAMMA_ANY, ALPHA_MIDDLE) in _pairs(
        _json(run_mini("conflicts", "--format", "json"))
    )
    wide = _json(run_mini("conflicts", "--tolerance", "30", "--format", "json"))
    assert _pair(GAMMA_ANY, ALPHA_MIDDLE) not in _pairs(wide)
    assert run_mini("conflicts", "--tolerance", "101").exit_code == 2
    assert run_mini("conflicts", "--tolerance", "nan").exit_code == 2


def test_count_agrees_with_the_listing(run_mini: Run, mini_ds: Dataset) -> None:
    counts = cf.count_conflicts(mini_ds, cf.Selection())
    result = run_mini("conflicts", "--count")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"contradiction: {counts.contradiction}\narithmetic: {counts.arithmetic}\n"
        f"tension: {counts.tension}\n"
    )
    listing_ = _json(run_mini("conflicts", "--format", "json", "--limit", "100"))
    assert counts.total == len(listing_)
    for kind in cf.KINDS:
        assert counts.of(kind) == sum(x["kind"] == kind for x in listing_)


def test_count_never_lists(run_mini: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("--count must not list conflicts")

    monkeypatch.setattr(cf, "top_pairs", refuse)
    monkeypatch.setattr(cf, "finding", refuse)
    result = run_mini("conflicts", "--count", "--source", "beta")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("contradiction: ")


def test_output_file(run_mini: Run, tmp_path: Path) -> None:
    target = tmp_path / "conflicts.json"
    first = run_mini("conflicts", "--format", "json", "--output", str(target))
    assert first.exit_code == 0, first.output
    assert first.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))
    again = run_mini("conflicts", "--count", "--output", str(target))
    assert again.exit_code == 2
    assert "file exists" in again.stderr
    assert json.loads(target.read_text(encoding="utf-8"))  # left as it was
    forced = run_mini("conflicts", "--count", "--output", str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_text(encoding="utf-8").startswith("contradiction: ")


# ---------------------------------------------------------------------------
# --explain


def test_explain_a_comparable_pair(run_mini: Run) -> None:
    result = run_mini("conflicts", "--explain", ALPHA_MIDDLE, BETA_MIDDLE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "contradiction: gap 20 pp" in out
    assert "middle vs middle: stage middle in common" in out
    assert "[60, 70] % vs [30, 40] %" not in out  # claim A is the one asked first
    assert "[30, 40] % vs [60, 70] %" in out
    data = _json(run_mini("conflicts", "--explain", ALPHA_MIDDLE, BETA_MIDDLE, "--format", "json"))
    assert data["comparable"] is True
    assert data["overlap"] is False
    assert data["reason"] == ""
    assert data["conflict"]["kind"] == "contradiction"
    assert data["conflict"]["subkind"] is None
    assert all(c["ok"] and c["reason"] == "" for c in data["checks"])
    assert data["verdict"].startswith("contradiction: gap 20 pp")


def test_explain_a_trajectory(run_mini: Run) -> None:
    """About 50% at 6 months vs 60-70% at 12 months: different times, not compared."""
    data = _json(run_mini("conflicts", "--explain", GAMMA_ANY, BETA_MIDDLE, "--format", "json"))
    assert data["comparable"] is False
    assert data["conflict"] is None
    assert data["reason"] == "trajectory"
    failed = [c for c in data["checks"] if not c["ok"]]
    assert [(c["check"], c["reason"]) for c in failed] == [("timepoint", "trajectory")]
    assert "6 months vs 12 months" in failed[0]["detail"]
    assert data["verdict"].startswith("Not flagged: ")
    assert "[trajectory]" in data["verdict"]
    listing_ = _json(run_mini("conflicts", "--format", "json"))
    assert _pair(GAMMA_ANY, BETA_MIDDLE) not in _pairs(listing_)
    table = run_mini("conflicts", "--explain", GAMMA_ANY, BETA_MIDDLE)
    assert "[trajectory]" in table.stdout


def test_explain_different_conditions(run_mini: Run) -> None:
    result = run_mini("conflicts", "--explain", CUFF, ALPHA_MIDDLE, "--format", "json")
    data = _json(result)
    assert data["comparable"] is False
    checks = {c["check"]: c for c in data["checks"]}
    assert not checks["condition"]["ok"]
    assert "rotator-cuff vs knee-oa" in checks["condition"]["detail"]


def test_explain_a_pair_that_agrees_and_one_of_other_units(run_mini: Run) -> None:
    agree = _json(run_mini("conflicts", "--explain", "alpha-cost", "beta-cost", "--format", "json"))
    assert agree["comparable"] is True
    assert agree["overlap"] is True
    assert agree["conflict"] is None
    assert agree["reason"] == "overlap"
    units = _json(
        run_mini("conflicts", "--explain", "alpha-cost", ALPHA_RETURN, "--format", "json")
    )
    assert units["comparable"] is False
    assert units["overlap"] is None


def test_explain_with_full_markdown_and_csv(run_mini: Run) -> None:
    md = run_mini("conflicts", "--explain", RESPONDERS, ALPHA_MIDDLE, "--full", "-f", "markdown")
    assert md.exit_code == 0, md.output
    assert "| quote A |" in md.stdout
    assert "79.3% of patients with knee osteoarthritis improved." in md.stdout
    assert "In the middle stage, a single injection gives 30-40% pain reduction." in md.stdout
    text = run_mini("conflicts", "--explain", RESPONDERS, ALPHA_MIDDLE, "-f", "csv").stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["check", "passes", "detail"]
    assert [r[:2] for r in rows if r[0] == "stages"] == [["stages", "yes"]]


def test_explain_errors(run_mini: Run) -> None:
    unknown = run_mini("conflicts", "--explain", ALPHA_MIDDLE, "alpha-pain-midle")
    assert unknown.exit_code == 2
    assert "alpha-pain-middle" in unknown.stderr
    mixed = run_mini("conflicts", "knee-oa", "--explain", ALPHA_MIDDLE, BETA_MIDDLE)
    assert mixed.exit_code == 2
    assert "--explain takes two claim ids, not CONDITION" in mixed.stderr
    for option in (("--kind", "tension"), ("--count",), ("--fail-on-conflict",)):
        refused = run_mini("conflicts", "--explain", ALPHA_MIDDLE, BETA_MIDDLE, *option)
        assert refused.exit_code == 2
        assert option[0] in refused.stderr
    same = run_mini("conflicts", "--explain", ALPHA_MIDDLE, ALPHA_MIDDLE)
    assert same.exit_code == 2
    assert run_mini("conflicts", "--explain", ALPHA_MIDDLE).exit_code == 2


# each reason a pair is not flagged, as (reason, claims of a, claims of b, pair)
REASON_CASES: list[tuple[str, str, str, tuple[str, str]]] = [
    (
        "condition",
        yaml_claim("a-x", "30%"),
        yaml_claim("b-x", "60%", condition="rotator-cuff"),
        ("a-x", "b-x"),
    ),
    (
        "stages",
        yaml_claim("a-x", "30%", stages="[early]"),
        yaml_claim("b-x", "60%", stages="[late]"),
        ("a-x", "b-x"),
    ),
    (
        "result",
        yaml_claim("a-x", "12 months", outcome="follow-up", measure="duration"),
        yaml_claim("b-x", "5 years", outcome="follow-up", measure="duration"),
        ("a-x", "b-x"),
    ),
    (
        "outcome",
        yaml_claim("a-x", "30%"),
        yaml_claim("b-x", "60%", outcome="recurrence"),
        ("a-x", "b-x"),
    ),
    (
        "milestones",
        yaml_claim("a-x", "1-2 weeks", measure="time-point"),
        yaml_claim("b-x", "weeks 4-8", outcome="nerve-regeneration", measure="time-point"),
        ("a-x", "b-x"),
    ),
    ("unit", yaml_claim("a-x", "30%"), yaml_claim("b-x", "60 points"), ("a-x", "b-x")),
    (
        "comparator",
        yaml_claim("a-x", "30%", comparator="PRP"),
        yaml_claim("b-x", "60%"),
        ("a-x", "b-x"),
    ),
    (
        "intervention",
        yaml_claim("a-x", "30%", intervention="bone marrow"),
        yaml_claim("b-x", "60%", intervention="fat tissue"),
        ("a-x", "b-x"),
    ),
    (
        "group",
        yaml_claim("a-x", "85%", group="regular follow-up group"),
        yaml_claim("b-x", "50%", group="one-time treatment group"),
        ("a-x", "b-x"),
    ),
    (
        "trajectory",
        yaml_claim("a-x", "85%", timepoint='"years 1-3"'),
        yaml_claim("b-x", "50%", timepoint='"years 3-5"'),
        ("a-x", "b-x"),
    ),
    (
        "same-statement",
        yaml_claim("a-x", "30%") + yaml_claim("a-y", "30%"),
        yaml_claim("b-x", "60%"),
        ("a-x", "a-y"),
    ),
    ("overlap", yaml_claim("a-x", "30-50%"), yaml_claim("b-x", "50-60%"), ("a-x", "b-x")),
    (
        "close",
        yaml_claim("a-x", "79.3%", outcome="improvement", measure="responder-rate"),
        yaml_claim("b-x", "60-70%"),
        ("a-x", "b-x"),
    ),
]


@pytest.mark.parametrize(("code", "a", "b", "pair"), REASON_CASES, ids=[c[0] for c in REASON_CASES])
def test_explain_names_the_reason(
    run: Run, tmp_path: Path, code: str, a: str, b: str, pair: tuple[str, str]
) -> None:
    root = write_dataset(tmp_path / "ds", a, b)
    data = _json(
        run("--no-bundled", "--data", str(root), "conflicts", "--explain", *pair, "-f", "json")
    )
    assert data["reason"] == code
    assert data["conflict"] is None
    assert f"[{code}]" in data["verdict"]
    failed = [c for c in data["checks"] if not c["ok"]]
    if code in ("overlap", "close"):
        assert data["comparable"] is True
        assert failed == []
    else:
        assert data["comparable"] is False
        assert failed[0]["reason"] == code
        assert f"[{code}: {cf.REASONS[code]}]" in failed[0]["detail"]
    for c in data["checks"]:
        assert set(c) == {"check", "ok", "reason", "detail"}
        assert (c["reason"] == "") == c["ok"]
    table = run("--no-bundled", "--data", str(root), "conflicts", "--explain", *pair)
    assert table.exit_code == 0, table.output
    assert f"[{code}]" in table.stdout
    # and the listing agrees: the pair is not flagged
    listing_ = _json(run("--no-bundled", "--data", str(root), "conflicts", "-f", "json"))
    assert frozenset(pair) not in _pairs(listing_)


def test_help(run: Run) -> None:
    result = run("conflicts", "--help")
    assert result.exit_code == 0
    for option in (
        "--stage",
        "--kind",
        "--internal",
        "--source",
        "--min-gap",
        "--limit",
        "--count",
        "--fail-on-conflict",
        "--tolerance",
        "--explain",
        "--full",
        "--format",
        "--output",
        "--force",
    ):
        assert option in result.stdout


# ---------------------------------------------------------------------------
# derived and group in validate


def _problems(run: Run, root: Path) -> list[dict[str, Any]]:
    result = run("--no-bundled", "--data", str(root), "validate", "--format", "json")
    assert result.exit_code == 1, result.output
    problems: list[dict[str, Any]] = json.loads(result.stdout)
    return problems


def _at(text: str, marker: str) -> tuple[int, int]:
    """1-based (line, column) in ``text`` of the ``|`` in ``marker`` (its first occurrence)."""
    head, _, tail = marker.partition("|")
    before, found_, _ = text.partition(head + tail)
    assert found_, marker
    lines = (before + head).split("\n")
    return len(lines), len(lines[-1]) + 1


PARTS = (
    yaml_claim("p-surgery", "$20,000", outcome="cost", measure="cost")
    + yaml_claim("p-cells", "$5,000", outcome="cost", measure="cost")
    + yaml_claim("p-pain", "30%")
    + yaml_claim("p-before", "3mm", outcome="scar-depth", measure="size")
    + yaml_claim("p-after", "1.5mm", outcome="scar-depth", measure="size")
)
# (name, fields of claim d, marker of the located node, words of the message)
DERIVED_CASES: list[tuple[str, dict[str, str], str, str]] = [
    (
        "group-not-text",
        {"group": "[one, two]"},
        "|[one, two]",
        "field 'group' must be text",
    ),
    (
        "unknown-op",
        {"derived": "{op: ration, of: [p-surgery, p-cells]}"},
        "|ration",
        "derived op must be one of ratio, difference, percent-change, reduction, sum "
        "(did you mean 'ratio'?)",
    ),
    (
        "not-a-mapping",
        {"derived": "ratio"},
        "derived: |ratio",
        "derived must be a mapping",
    ),
    (
        "one-part",
        {"derived": "{op: ratio, of: [p-surgery]}"},
        "|[p-surgery]",
        "derived 'of' must list two parts",
    ),
    (
        "three-parts",
        {"derived": "{op: sum, of: [p-surgery, p-cells, p-cells]}"},
        "|[p-surgery, p-cells, p-cells]",
        "derived 'of' must list two parts",
    ),
    (
        "part-not-an-id",
        {"derived": "{op: ratio, of: [p-surgery, 5]}"},
        "|5]",
        "a derived part is a claim id or a derivation",
    ),
    (
        "unknown-field",
        {"derived": "{op: ratio, of: [p-surgery, p-cells], opp: ratio}"},
        "|{op: ratio, of: [p-surgery, p-cells], opp",
        "unknown derived field 'opp' (did you mean 'op'?)",
    ),
    (
        "unknown-part",
        {"derived": "{op: ratio, of: [p-surgery, p-cels]}"},
        "|{op: ratio, of: [p-surgery, p-cels]}",
        "derived from unknown claim 'p-cels'",
    ),
    (
        "other-source",
        {"derived": "{op: ratio, of: [p-surgery, b-cells]}"},
        "|{op: ratio, of: [p-surgery, b-cells]}",
        "derived from 'b-cells' of source 'b'",
    ),
    (
        "different-units",
        {"derived": "{op: ratio, of: [p-surgery, p-pain]}"},
        "|{op: ratio, of: [p-surgery, p-pain]}",
        "ratio of money and percent: the parts of a derivation share a unit",
    ),
    (
        "result-not-the-value",
        {"derived": "{op: difference, of: [p-surgery, p-cells]}"},
        "|{op: difference, of: [p-surgery, p-cells]}",
        "difference(p-surgery, p-cells) gives money, but the value '10 times' is times",
    ),
    (
        "self",
        {"derived": "{op: ratio, of: [d, p-cells]}"},
        "[|d, p-cells]",
        "a figure cannot be derived from itself",
    ),
    (
        "nested-too-deep",
        {
            "derived": "{op: ratio, of: [{op: ratio, of: [{op: ratio, of: "
            "[{op: ratio, of: [p-surgery, p-cells]}, p-cells]}, p-cells]}, p-cells]}"
        },
        "|{op: ratio, of: [p-surgery, p-cells]}",
        "derivations nest at most 3 deep",
    ),
]


@pytest.mark.parametrize(
    ("name", "fields", "marker", "message"), DERIVED_CASES, ids=[c[0] for c in DERIVED_CASES]
)
def test_derived_and_group_in_validate(
    run: Run, tmp_path: Path, name: str, fields: dict[str, str], marker: str, message: str
) -> None:
    defaults = {"outcome": "cost", "measure": "ratio"}
    a = PARTS + yaml_claim("d", "10 times", **{**defaults, **fields})
    b = yaml_claim("b-cells", "$5,000", outcome="cost", measure="cost")
    root = write_dataset(tmp_path / "ds", a, b)
    [p] = _problems(run, root)
    line, col = _at(a, marker)
    assert (p["file"], p["line"], p["column"]) == (str(root / "claims" / "a.yaml"), line, col)
    assert p["claim"] == "d"
    assert message in p["message"]
    # every other command refuses the dataset with that one located error
    result = run("--no-bundled", "--data", str(root), "conflicts")
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ")
    assert f"{root / 'claims' / 'a.yaml'}:{line}:{col}" in lines[0]
    assert message in lines[0]
    assert not any(x.startswith("error: ") for x in lines[1:])
    assert "Traceback" not in result.stderr


def test_a_derived_figure_of_an_invalid_part_is_one_problem(run: Run, tmp_path: Path) -> None:
    """p-surgery is defined, with a misspelt outcome: that is the one problem; the derived
    figure that uses it must not be reported as derived from an unknown claim."""
    a = (
        yaml_claim("p-surgery", "$20,000", outcome="cots", measure="cost")
        + yaml_claim("p-cells", "$5,000", outcome="cost", measure="cost")
        + yaml_claim(
            "d",
            "4 times",
            outcome="cost",
            measure="ratio",
            derived="{op: ratio, of: [p-surgery, p-cells]}",
        )
    )
    root = write_dataset(tmp_path / "ds", a)
    problems = _problems(run, root)
    assert [p["claim"] for p in problems] == ["p-surgery"]
    assert not any("unknown claim 'p-surgery'" in p["message"] for p in problems)


def test_derived_nests_three_deep_and_group_is_text(run: Run, tmp_path: Path) -> None:
    a = PARTS + yaml_claim(
        "d",
        "10 times",
        outcome="cost",
        measure="ratio",
        group="'patients over 60'",
        derived="{op: ratio, of: [{op: difference, of: [{op: difference, of: "
        "[p-surgery, p-cells]}, p-cells]}, p-cells]}",
    )
    root = write_dataset(tmp_path / "ds", a)
    result = run("--no-bundled", "--data", str(root), "validate", "--format", "json")
    assert result.exit_code == 0, result.output
    shown = _json(run("--no-bundled", "--data", str(root), "show", "d", "--format", "json"))
    assert shown["claim"]["group"] == "patients over 60"
    assert shown["claim"]["derived"]["op"] == "ratio"
    args = ("--no-bundled", "--data", str(root), "conflicts", "--kind", "arithmetic")
    [x] = _json(run(*args, "-f", "json"))
    # (20,000 - 5,000 - 5,000) / 5,000 is 2 times, not 10
    assert x["kind"] == "arithmetic"
    assert (x["recomputed"]["low"], x["recomputed"]["high"]) == (2, 2)
    assert x["recomputed"]["derivation"] == (
        "ratio(difference(difference(p-surgery, p-cells), p-cells), p-cells)"
    )


# ---------------------------------------------------------------------------
# the bundled data: the findings a fact-checker signs


def _find(data: list[dict[str, Any]], *ids: str) -> dict[str, Any]:
    """The finding whose statements hold every one of ``ids``."""
    for x in data:
        held = {c["id"] for st in (x["a"], x["b"]) if st is not None for c in st["claims"]}
        if set(ids) <= held:
            return x
    raise AssertionError(f"no finding of {ids}")


@pytest.fixture
def bundled_listing(run: Run) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = _json(run("conflicts", "--format", "json", "--limit", "1000"))
    return data


def test_bundled_benefit_up_to_24_months_and_over_2_years_contradict(
    run: Run, bundled_listing: list[dict[str, Any]]
) -> None:
    up_to, over = (
        "bookimed-faq-benefit-up-to-24-months",
        "bookimed-lasting-improvement-over-2-years",
    )
    x = _find(bundled_listing, up_to, over)
    assert (x["kind"], x["subkind"], x["internal"]) == ("contradiction", "bound", True)
    assert x["a"]["value"] == "over 2 years"
    assert x["b"]["value"] == "up to 24 months"
    data = _json(run("conflicts", "--explain", up_to, over, "--format", "json"))
    assert data["conflict"]["subkind"] == "bound"
    assert data["reason"] == ""


def test_bundled_scar_ratio_is_arithmetic(bundled_listing: list[dict[str, Any]]) -> None:
    x = _find(bundled_listing, "stemmedicare-case-scar-direct-vs-microneedle")
    assert (x["kind"], x["subkind"], x["b"]) == ("arithmetic", "ratio", None)
    assert (x["recomputed"]["low"], x["recomputed"]["high"]) == (2.5, 2.5)
    assert x["recomputed"]["dimension"] == "times"
    assert x["recomputed"]["derivation"] == (
        "ratio(reduction(stemmedicare-case-scar-baseline-depth, "
        "stemmedicare-case-scar-direct-depth-3-months), stemmedicare-case-scar-microneedle-depth)"
    )
    assert x["gap"] == pytest.approx(0.5)


def test_bundled_maintenance_years_are_a_trajectory(run: Run) -> None:
    data = _json(
        run(
            "conflicts",
            "--explain",
            "stemmedicare-maintenance-follow-up-years-1-3",
            "stemmedicare-maintenance-follow-up-years-3-5",
            "--format",
            "json",
        )
    )
    assert data["reason"] == "trajectory"
    assert data["conflict"] is None


def test_bundled_neuropathy_onsets_are_milestones(run: Run) -> None:
    data = _json(
        run(
            "conflicts",
            "--explain",
            "stemmedicare-neuro-pain-onset",
            "stemmedicare-neuro-regeneration-onset",
            "--format",
            "json",
        )
    )
    assert data["reason"] == "milestones"
    assert [c["reason"] for c in data["checks"] if not c["ok"]] == ["milestones"]


def test_bundled_79_percent_is_stated_three_times(bundled_listing: list[dict[str, Any]]) -> None:
    statements = [
        st
        for x in bundled_listing
        for st in (x["a"], x["b"])
        if st is not None and st["value"] == "79.3%" and st["source"] == "bookimed"
    ]
    assert statements, "the 79.3 % responder rate is in a finding"
    for st in statements:
        assert st["times"] == 3
        ids = [c["id"] for c in st["claims"]]
        assert "bookimed-intro-improved-nearly-80pct" in ids  # "nearly 80%" folded in
        assert ids[0] != "bookimed-intro-improved-nearly-80pct"  # the exact value stands first
    x = _find(bundled_listing, "bookimed-trial-oa-responders-79pct", "stemmedicare-oa-middle-pain")
    assert (x["kind"], x["subkind"]) == ("tension", "cross-measure")


def test_bundled_explain_of_nearly_80_agrees_with_the_listing(
    run: Run, bundled_listing: list[dict[str, Any]]
) -> None:
    nearly, sixty = "bookimed-intro-improved-nearly-80pct", "nexgenesis-knee-oa-improvement-60pct"
    x = _find(bundled_listing, nearly, sixty)
    assert (x["kind"], x["subkind"]) == ("tension", "cross-measure")
    data = _json(run("conflicts", "--explain", nearly, sixty, "--format", "json"))
    assert data["conflict"] is not None, data["verdict"]
    # and it says why: the rough value is compared as the exact one it rounds
    (statement,) = [c for c in data["checks"] if c["check"] == "statement"]
    assert "rounds bookimed-takeaway-oa-responders-79pct (79.3%)" in statement["detail"]


def test_bundled_counts_match_the_listing(run: Run, bundled_listing: list[dict[str, Any]]) -> None:
    counts = _json(run("conflicts", "--count", "--format", "json"))
    # the bundled survey makes unusual marketing countable (none lies outside its ranges)
    assert set(counts) == {"contradiction", "arithmetic", "tension", "unusual"}
    for kind, n in counts.items():
        assert n == sum(x["kind"] == kind for x in bundled_listing)
    assert counts.pop("unusual") == 0
    assert all(counts.values()), "the bundled data has findings of every marketing kind"


def test_bundled_fail_on_conflict(run: Run) -> None:
    failed = run("conflicts", "--fail-on-conflict")
    assert failed.exit_code == 1, failed.output
    assert "of kind contradiction or arithmetic" in failed.stderr
    # knee-oa findings 25 or more apart are tensions only
    only = ("conflicts", "knee-oa", "--min-gap", "25")
    counts = _json(run(*only, "--count", "--format", "json"))
    assert counts["contradiction"] == counts["arithmetic"] == 0
    assert counts["tension"] > 0
    assert run(*only, "--fail-on-conflict").exit_code == 0
    assert run(*only, "--kind", "tension", "--fail-on-conflict").exit_code == 1
