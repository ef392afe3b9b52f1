"""stemcli conflicts: the rules on examples, every option of the command, the bundled data."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from pairs import check_pair
from stemcli.dataset import load
from stemcli.errors import UsageError
from stemcli.model import Claim, Dataset
from stemcli.numbers import format_gap, format_interval
from stemcli.ops import conflicts as cf
from stemcli.quantities import interval, parse

Run = Callable[..., Result]

# claims of the mini fixture (tests/fixtures/mini/claims)
RESPONDERS = "beta-responders"  # 79.3 %, improvement, responder-rate, any stage
ALPHA_MIDDLE = "alpha-pain-middle"  # 30-40 %, pain, effect, middle
BETA_MIDDLE = "beta-pain-middle"  # 60-70 % at 12 months, pain, effect, middle
GAMMA_ANY = "gamma-pain-any"  # about 50 % at 6 months, pain, effect, any stage
CUFF = "gamma-cuff-partial"  # rotator-cuff
ALPHA_RETURN, BETA_RETURN = "alpha-return", "beta-return"  # 2-4 weeks vs 1-2 days


@pytest.fixture
def mini_ds(mini: Path) -> Dataset:
    return load([mini], bundled=False, use_cache=False)


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _pairs(data: list[dict[str, Any]]) -> set[frozenset[str]]:
    return {frozenset((x["a"]["id"], x["b"]["id"])) for x in data}


def _pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


# ---------------------------------------------------------------------------
# the rules, on examples


def test_stage_rules() -> None:
    assert cf.stages_compatible((), ("late",))
    assert cf.stages_compatible(("early", "middle"), ("middle",))
    assert not cf.stages_compatible(("early",), ("late",))


def test_clearly_different_timepoints() -> None:
    def days(text: str) -> tuple[float, float]:
        return interval(parse(text))

    assert cf.timepoints_apart(days("6 weeks"), days("12 months"))
    assert cf.timepoints_apart(days("12 months"), days("6 weeks"))
    # the later one must start at least twice as late as the earlier one ends
    assert not cf.timepoints_apart(days("8 weeks"), days("3 months"))
    assert cf.timepoints_apart(days("6 months"), days("12 months"))
    assert not cf.timepoints_apart(days("6-12 months"), days("12 months"))
    # "up to 6 months" may be any time from day 0: never clearly later than anything
    assert not cf.timepoints_apart(days("up to 6 months"), days("week 1"))
    assert not cf.timepoints_apart(days("6 weeks"), None)


def test_gap_and_interval_text() -> None:
    assert format_gap(9.3, "pp") == "9.3 pp"
    assert format_gap(1, "days") == "1 day"
    assert format_gap(1500, "usd") == "$1,500"
    assert format_interval((60.0, 100.0), "percent") == "[60, 100] %"
    assert format_interval((0.0, float("inf")), "time") == "[0, ∞] days"


def test_why_names_only_what_differs() -> None:
    def claim(
        cid: str,
        value: str,
        stages: tuple[str, ...],
        tp: str,
        outcome: str = "pain",
        measure: str = "effect",
    ) -> Claim:
        return Claim(
            cid, "s", "knee-oa", stages, outcome, measure, parse(value), "q", timepoint=parse(tp)
        )

    a = claim("a", "60%", ("middle", "early"), "12 months")
    same = claim("b", "30%", ("early", "middle"), "12-month")
    assert cf.describe(a, same, "benefit") == (
        "Direct: same outcome (pain) and measure (effect), yet the values do not overlap."
    )
    other = claim("c", "30%", ("late",), "6 weeks", outcome="function", measure="responder-rate")
    why = cf.describe(a, other, "benefit")
    assert why.startswith("Cross-measure: effect (size of the change) of pain vs responder-rate")
    assert "(both benefit)" in why
    assert "stage middle, early vs late" in why
    assert "timepoint 12 months vs 6 weeks" in why


def test_direct_conflict_between_sources(mini_ds: Dataset) -> None:
    e = cf.explain(mini_ds, ALPHA_MIDDLE, BETA_MIDDLE)
    assert e.comparable
    assert e.conflict is not None
    x = e.conflict
    # the claim whose values lie above comes first, whatever the order asked
    assert (x.a.id, x.b.id) == (BETA_MIDDLE, ALPHA_MIDDLE)
    assert (x.kind, x.internal, x.unit) == ("direct", False, "pp")
    assert x.gap == pytest.approx(60 - 40)
    assert x.relative_gap == pytest.approx(20 / 70)
    assert "timepoint 12 months vs none" in x.why


def test_cross_measure_and_internal(mini_ds: Dataset) -> None:
    x = cf.explain(mini_ds, BETA_MIDDLE, RESPONDERS).conflict
    assert x is not None
    assert (x.kind, x.internal) == ("cross-measure", True)
    assert x.why.startswith("Cross-measure: responder-rate")
    assert "stage not stage-specific vs middle" in x.why


def test_comparator_and_intervention_must_match_case_insensitively(mini_ds: Dataset) -> None:
    a = mini_ds.claim(ALPHA_MIDDLE)
    b = mini_ds.claim(BETA_MIDDLE)
    assert a is not None
    assert b is not None
    for field, other in (("comparator", "steroids"), ("intervention", "prp")):
        claims = [_replace(a, **{field: other.upper()}), _replace(b, **{field: other})]
        ds = _with_claims(mini_ds, claims)
        assert cf.count_conflicts(ds, cf.Selection()).direct == 1
        ds = _with_claims(mini_ds, [_replace(a, **{field: other}), b])
        assert cf.count_conflicts(ds, cf.Selection()).total == 0
        check = {c.name: c for c in cf.explain(ds, a.id, b.id).checks}[field]
        assert not check.ok


def _replace(c: Claim, **changes: Any) -> Claim:
    from dataclasses import replace

    return replace(c, **changes)


def _with_claims(ds: Dataset, claims: list[Claim]) -> Dataset:
    from dataclasses import replace

    return replace(ds, claims=tuple(claims))


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


def test_counts_agree_with_every_pair_checked_one_by_one(mini_ds: Dataset) -> None:
    pairs = [
        x for a, b in itertools.combinations(mini_ds.claims, 2) if (x := check_pair(mini_ds, a, b))
    ]
    counts = cf.count_conflicts(mini_ds, cf.Selection())
    assert counts.direct == sum(x.kind == "direct" for x in pairs)
    assert counts.cross_measure == sum(x.kind == "cross-measure" for x in pairs)
    assert counts.total > 0


# ---------------------------------------------------------------------------
# the command


def test_table_lists_sources_values_gap_kind_and_why(run_mini: Run, mini_ds: Dataset) -> None:
    result = run_mini("conflicts")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for header in ("Source A", "Value A", "Source B", "Value B", "Gap", "Kind", "Internal", "Why"):
        assert header in out
    assert "Beta Broker" in out
    assert "Alpha Clinic" in out
    assert "60–70 % at 12 months" in out
    assert "20 pp" in out
    assert "cross-measure" in out
    total = cf.count_conflicts(mini_ds, cf.Selection()).total
    assert f"{total} of {total} conflicting pairs" in out
    # quotes only with --full
    assert "Moderate knee OA" not in out


def test_full_adds_both_quotes(run_mini: Run) -> None:
    table = run_mini("conflicts", "--full")
    assert table.exit_code == 0, table.output
    assert "Quote A" in table.stdout
    assert "Quote B" in table.stdout
    md = run_mini("conflicts", "--full", "--format", "markdown").stdout
    assert "| Quote A | Quote B |" in md
    assert "| Moderate knee OA: 60-70% pain reduction at 12 months. |" in md
    assert "| In the middle stage, a single injection gives 30-40% pain reduction. |" in md
    assert "Quote A" not in run_mini("conflicts", "--format", "markdown").stdout


def test_json_follows_the_contract(run_mini: Run, mini_ds: Dataset) -> None:
    data = _json(run_mini("conflicts", "--format", "json"))
    assert data
    for x in data:
        assert set(x) == {"a", "b", "kind", "internal", "gap", "relative_gap", "unit", "why"}
        a, b = mini_ds.claim(x["a"]["id"]), mini_ds.claim(x["b"]["id"])
        assert a is not None
        assert b is not None
        assert x["a"] == a.to_json()
        assert x["b"] == b.to_json()
        assert x["internal"] == (a.source == b.source)
        assert x["gap"] > 0
    rel = [(x["relative_gap"], x["gap"]) for x in data]
    assert rel == sorted(rel, reverse=True), "most severe first"


def test_csv_and_markdown(run_mini: Run) -> None:
    result = run_mini("conflicts", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    assert {"kind", "gap", "relative_gap", "unit", "a_id", "b_id", "why", "a_quote"} <= set(rows[0])
    assert {r["kind"] for r in rows} == {"direct", "cross-measure"}
    md = run_mini("conflicts", "--format", "markdown")
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("| Condition | Source A |")
    assert md.stdout.count("\n| knee-oa |") == len(rows)


def test_kind(run_mini: Run) -> None:
    direct = _json(run_mini("conflicts", "--kind", "direct", "--format", "json"))
    cross = _json(run_mini("conflicts", "--kind", "cross-measure", "--format", "json"))
    everything = _json(run_mini("conflicts", "--format", "json"))
    assert direct
    assert cross
    assert {x["kind"] for x in direct} == {"direct"}
    assert {x["kind"] for x in cross} == {"cross-measure"}
    assert _pairs(direct) | _pairs(cross) == _pairs(everything)
    bad = run_mini("conflicts", "--kind", "indirect")
    assert bad.exit_code == 2
    assert "--kind must be direct or cross-measure" in bad.stderr


def test_internal(run_mini: Run) -> None:
    data = _json(run_mini("conflicts", "--internal", "--format", "json"))
    assert _pairs(data) == {_pair(RESPONDERS, BETA_MIDDLE)}
    assert all(x["internal"] for x in data)


def test_source(run_mini: Run) -> None:
    data = _json(run_mini("conflicts", "--source", "gamma", "--format", "json"))
    everything = _json(run_mini("conflicts", "--format", "json"))
    involving = [x for x in everything if "gamma" in (x["a"]["source"], x["b"]["source"])]
    assert data
    assert _pairs(data) == _pairs(involving)
    internal = _json(run_mini("conflicts", "--source", "beta", "--internal", "--format", "json"))
    assert _pairs(internal) == {_pair(RESPONDERS, BETA_MIDDLE)}
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
    assert run_mini("conflicts", "--limit", "0").exit_code == 2


def test_condition_and_stage(run_mini: Run) -> None:
    data = _json(run_mini("conflicts", "knee arthritis", "--stage", "moderate", "--format", "json"))
    assert data
    for x in data:
        for c in (x["a"], x["b"]):
            assert c["condition"] == "knee-oa"
            assert not c["stages"] or "middle" in c["stages"]
    assert _pair("alpha-pain-early", GAMMA_ANY) not in _pairs(data)
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


def test_count_prints_numbers_only(run_mini: Run, mini_ds: Dataset) -> None:
    counts = cf.count_conflicts(mini_ds, cf.Selection())
    result = run_mini("conflicts", "--count")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"direct: {counts.direct}\ncross-measure: {counts.cross_measure}\n"
    assert _json(run_mini("conflicts", "--count", "--format", "json")) == {
        "direct": counts.direct,
        "cross-measure": counts.cross_measure,
    }
    one = run_mini("conflicts", "--count", "--kind", "cross-measure")
    assert one.stdout == f"cross-measure: {counts.cross_measure}\n"
    listing = _json(run_mini("conflicts", "--format", "json", "--limit", "100"))
    assert counts.total == len(listing)
    csv_out = run_mini("conflicts", "--count", "--format", "csv").stdout
    assert csv_out.splitlines()[1:] == [
        f"direct,{counts.direct}",
        f"cross-measure,{counts.cross_measure}",
    ]
    assert "| direct |" in run_mini("conflicts", "--count", "--format", "markdown").stdout


def test_count_never_lists(run_mini: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("--count must not list conflicts")

    monkeypatch.setattr(cf, "top_pairs", refuse)
    monkeypatch.setattr(cf, "make_conflict", refuse)
    result = run_mini("conflicts", "--count", "--source", "beta")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("direct: ")


def test_fail_on_conflict(run_mini: Run) -> None:
    found = run_mini("conflicts", "--fail-on-conflict")
    assert found.exit_code == 1, found.output
    assert "direct conflict" in found.stderr
    assert run_mini("conflicts", "--count", "--fail-on-conflict").exit_code == 1
    # only cross-measure conflicts within beta: no direct one
    internal = run_mini("conflicts", "--internal", "--fail-on-conflict")
    assert internal.exit_code == 0, internal.output
    assert run_mini("conflicts", "rotator-cuff", "--fail-on-conflict").exit_code == 0
    assert run_mini("conflicts", "--min-gap", "90", "--fail-on-conflict").exit_code == 0
    assert run_mini("conflicts").exit_code == 0


def test_output_file(run_mini: Run, tmp_path: Path) -> None:
    target = tmp_path / "conflicts.json"
    first = run_mini("conflicts", "--format", "json", "--output", str(target))
    assert first.exit_code == 0, first.output
    assert first.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))
    again = run_mini("conflicts", "--count", "--output", str(target))
    assert again.exit_code == 2
    assert "file exists" in again.stderr
    forced = run_mini("conflicts", "--count", "--output", str(target), "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_text(encoding="utf-8").startswith("direct: ")


# ---------------------------------------------------------------------------
# --explain


def test_explain_a_comparable_pair(run_mini: Run) -> None:
    result = run_mini("conflicts", "--explain", ALPHA_MIDDLE, BETA_MIDDLE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Conflict (direct): gap 20 pp" in out
    assert "middle vs middle: stage middle in common" in out
    assert "[60, 70] % vs [30, 40] %" not in out  # claim A is the one asked first
    assert "[30, 40] % vs [60, 70] %" in out
    data = _json(run_mini("conflicts", "--explain", ALPHA_MIDDLE, BETA_MIDDLE, "--format", "json"))
    assert data["comparable"] is True
    assert data["overlap"] is False
    assert data["conflict"]["kind"] == "direct"
    assert all(c["ok"] for c in data["checks"])


def test_explain_clearly_different_timepoints(run_mini: Run) -> None:
    """About 50% at 6 months vs 60-70% at 12 months: apart, so not compared."""
    data = _json(run_mini("conflicts", "--explain", GAMMA_ANY, BETA_MIDDLE, "--format", "json"))
    assert data["comparable"] is False
    assert data["conflict"] is None
    failed = [c for c in data["checks"] if not c["ok"]]
    assert [c["check"] for c in failed] == ["timepoint"]
    assert "clearly different times" in failed[0]["detail"]
    assert "6 months vs 12 months" in failed[0]["detail"]
    assert data["verdict"].startswith("Not comparable (timepoint)")
    listing = _json(run_mini("conflicts", "--format", "json"))
    assert _pair(GAMMA_ANY, BETA_MIDDLE) not in _pairs(listing)
    table = run_mini("conflicts", "--explain", GAMMA_ANY, BETA_MIDDLE)
    assert "Not comparable (timepoint)" in table.stdout


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
    rows = list(
        csv.reader(
            io.StringIO(
                run_mini("conflicts", "--explain", RESPONDERS, ALPHA_MIDDLE, "-f", "csv").stdout
            )
        )
    )
    assert rows[0] == ["Check", "Comparable", "Detail"]
    assert rows[4][:2] == ["stages", "yes"]


def test_explain_errors(run_mini: Run) -> None:
    unknown = run_mini("conflicts", "--explain", ALPHA_MIDDLE, "alpha-pain-midle")
    assert unknown.exit_code == 2
    assert "closest: alpha-pain-middle" in unknown.stderr
    mixed = run_mini("conflicts", "knee-oa", "--explain", ALPHA_MIDDLE, BETA_MIDDLE)
    assert mixed.exit_code == 2
    assert "--explain takes two claim ids, not CONDITION" in mixed.stderr
    assert run_mini("conflicts", "--explain", ALPHA_MIDDLE).exit_code == 2


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
# the bundled data


def _bundled_pair(ds: Dataset) -> tuple[list[Claim], list[Claim]]:
    """Bookimed's 79.3 % responder rate and StemMedicare's 60-70 % effects, for knee-oa."""
    bookimed = [
        c
        for c in ds.claims
        if c.source == "bookimed"
        and c.condition == "knee-oa"
        and c.measure == "responder-rate"
        and c.value.unit == "percent"
        and c.value.low == c.value.high == 79.3
    ]
    stemmedicare = [
        c
        for c in ds.claims
        if c.source == "stemmedicare"
        and c.condition == "knee-oa"
        and c.measure == "effect"
        and c.value.unit == "percent"
        and (c.value.low, c.value.high, c.value.qualifier) == (60, 70, "exact")
    ]
    assert bookimed, "the bundled data has Bookimed's 79.3 % for knee-oa"
    assert stemmedicare, "the bundled data has StemMedicare's 60-70 % for knee-oa"
    return bookimed, stemmedicare


def test_bundled_bookimed_vs_stemmedicare_is_cross_measure(run: Run) -> None:
    ds = load()
    bookimed, stemmedicare = _bundled_pair(ds)
    data = _json(run("conflicts", "knee-oa", "--format", "json", "--limit", "1000"))
    wanted = {_pair(b.id, s.id) for b in bookimed for s in stemmedicare}
    found = [x for x in data if _pairs([x]) <= wanted]
    assert found, "the 79.3 % vs 60-70 % pair is reported"
    for x in found:
        assert x["kind"] == "cross-measure"
        assert x["internal"] is False
        assert x["a"]["source"] == "bookimed"
        assert x["a"]["value"]["text"] == "79.3%"
        assert x["gap"] == pytest.approx(9.3)
        assert x["unit"] == "pp"
        assert x["why"].startswith("Cross-measure: responder-rate (share of patients) vs effect")
    table = run("conflicts", "knee-oa", "--kind", "cross-measure", "--limit", "1000")
    assert "79.3 %" in table.stdout
    assert "60–70 %" in table.stdout


def test_bundled_explain_of_the_pair(run: Run) -> None:
    ds = load()
    bookimed, stemmedicare = _bundled_pair(ds)
    for b, s in itertools.product(bookimed, stemmedicare):
        data = _json(run("conflicts", "--explain", b.id, s.id, "--format", "json"))
        assert data["comparable"] is True
        assert data["conflict"]["kind"] == "cross-measure"
        assert data["verdict"].startswith("Conflict (cross-measure): gap 9.3 pp")
        checks = {c["check"]: c["detail"] for c in data["checks"]}
        if not b.stages or not s.stages:
            assert "one of them is not stage-specific" in checks["stages"]
        assert checks["outcome"] in (
            f"same outcome ({b.outcome})",
            f"{b.outcome} and {s.outcome} are related: both of the benefit family",
        )


def test_bundled_counts_match_the_listing(run: Run) -> None:
    counts = _json(run("conflicts", "--count", "--format", "json"))
    listing = _json(run("conflicts", "--format", "json", "--limit", "100000"))
    assert counts["direct"] == sum(x["kind"] == "direct" for x in listing)
    assert counts["cross-measure"] == sum(x["kind"] == "cross-measure" for x in listing)


def test_outcomes_that_describe_a_study_are_not_compared(mini_ds: Dataset) -> None:
    """Follow-up lengths, cohort sizes and eligibility differ legitimately between sources."""
    a = mini_ds.claim(ALPHA_MIDDLE)
    b = mini_ds.claim(BETA_MIDDLE)
    assert a is not None
    assert b is not None
    assert mini_ds.outcomes["follow-up"].compared is False
    ds = _with_claims(mini_ds, [a, b])
    assert cf.count_conflicts(ds, cf.Selection()).direct == 1
    described = [_replace(a, outcome="follow-up"), _replace(b, outcome="follow-up")]
    ds = _with_claims(mini_ds, described)
    assert cf.count_conflicts(ds, cf.Selection()).total == 0
    assert cf.find_conflicts(ds, cf.Selection()).conflicts == ()
    explanation = cf.explain(ds, a.id, b.id)
    result = {c.name: c for c in explanation.checks}["result"]
    assert not result.ok
    assert "follow-up describes a study or its patients" in result.detail
    assert not explanation.comparable
