"""lookup, show and search through the CLI, on the bundled data and the mini fixture."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from stemcli.dataset import load
from stemcli.quantities import to_base

Run = Callable[..., Result]


def claims_of(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def ids(result: Result) -> list[str]:
    return [c["id"] for c in claims_of(result)]


def squash(text: str) -> str:
    """Text without any whitespace: compares wrapped table cells with the original."""
    return "".join(text.split())


def last_column(table: str, header: str) -> str:
    """The text of a table's last column (``header``), its wrapped lines joined."""
    lines = table.splitlines()
    head = next(i for i, line in enumerate(lines) if line.rstrip().endswith(header))
    start = lines[head].rindex(header)
    return " ".join(line[start:].strip() for line in lines[head + 2 :])


# ---------------------------------------------------------------------------
# resolving the condition


@pytest.mark.parametrize(
    "name", ["knee-oa", "KNEE-OA", "Knee osteoarthritis", "knee ARTHRITIS", "oa of the knee"]
)
def test_condition_by_id_name_or_alias_case_insensitively(run_mini: Run, name: str) -> None:
    result = run_mini("lookup", name, "--format", "json")
    assert ids(result) == ids(run_mini("lookup", "knee-oa", "--format", "json"))
    assert result.stderr == "", "an exact match is not announced"


@pytest.mark.parametrize(
    "name",
    ["knee osteoarthritis", "Knee OA", "osteoarthritis of the knee", "osteoarthritus knee"],
)
def test_bundled_names_reach_knee_oa(run: Run, name: str) -> None:
    claims = claims_of(run("lookup", name, "--format", "json"))
    assert claims
    assert {c["condition"] for c in claims} == {"knee-oa"}
    assert [c["id"] for c in claims] == ids(run("lookup", "knee-oa", "--format", "json"))


def test_fuzzy_match_is_announced_on_stderr(run: Run) -> None:
    result = run("lookup", "osteoarthritus knee", "--format", "json")
    assert result.exit_code == 0
    assert "matched 'osteoarthritus knee' to knee-oa" in result.stderr
    json.loads(result.stdout)  # the note did not reach stdout


def test_unknown_condition_lists_the_closest(run_mini: Run) -> None:
    result = run_mini("lookup", "xyzzy")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown condition 'xyzzy'; closest:" in result.stderr
    for cid in ("knee-oa", "rotator-cuff"):  # the fixture's two conditions
        assert cid in result.stderr


def test_unknown_condition_on_bundled_data_lists_the_closest(run: Run) -> None:
    result = run("lookup", "knee")
    assert result.exit_code == 2
    listed = result.stderr.split("closest:", 1)[1].splitlines()[0]
    assert "knee-oa" in listed
    assert "knee-injury" in listed


def _two_conditions(tmp_path: Path, first: str, second: str) -> Path:
    (tmp_path / "conditions.yaml").write_text(first + second, encoding="utf-8")
    return tmp_path


def test_alias_shared_by_two_conditions_is_ambiguous(run: Run, tmp_path: Path) -> None:
    root = _two_conditions(
        tmp_path,
        "- {id: left-knee, name: Left knee, aliases: [knee]}\n",
        "- {id: right-knee, name: Right knee, aliases: [knee]}\n",
    )
    result = run("--no-bundled", "--data", str(root), "lookup", "Knee")
    assert result.exit_code == 2
    assert "ambiguous" in result.stderr
    assert "left-knee" in result.stderr
    assert "right-knee" in result.stderr


def test_fuzzy_tie_is_ambiguous_not_a_guess(run: Run, tmp_path: Path) -> None:
    root = _two_conditions(
        tmp_path,
        "- {id: pain-a, name: knee pain a}\n",
        "- {id: pain-b, name: knee pain b}\n",
    )
    result = run("--no-bundled", "--data", str(root), "lookup", "knee pain c")
    assert result.exit_code == 2
    assert "ambiguous" in result.stderr
    assert "pain-a" in result.stderr
    assert "pain-b" in result.stderr


def test_empty_condition_is_a_usage_error(run_mini: Run) -> None:
    assert run_mini("lookup", "  ").exit_code == 2


# ---------------------------------------------------------------------------
# stages


def test_stage_keeps_that_stage_and_claims_for_any_stage(run_mini: Run) -> None:
    every = claims_of(run_mini("lookup", "knee-oa", "--format", "json"))
    kept = claims_of(run_mini("lookup", "knee-oa", "--stage", "middle", "--format", "json"))
    expected = {c["id"] for c in every if not c["stages"] or "middle" in c["stages"]}
    assert {c["id"] for c in kept} == expected
    assert any(c["stages"] == ["middle"] for c in kept)
    assert any(c["stages"] == [] for c in kept)
    dropped = {c["id"] for c in every} - expected
    assert dropped, "the fixture has claims about other stages only"


def test_stage_table_says_which_claims_are_for_any_stage(run_mini: Run) -> None:
    kept = claims_of(run_mini("lookup", "knee-oa", "--stage", "middle", "--format", "json"))
    result = run_mini("lookup", "knee-oa", "--stage", "middle", "--format", "markdown")
    assert result.exit_code == 0
    rows = [
        line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line
    ]
    body = rows[1:]  # after the header
    stage_at = rows[0].split(" | ").index("Stage")
    assert len(body) == len(kept)
    for claim in kept:
        [row] = [r for r in body if claim["quote"] in r]
        stage_cell = row.split(" | ")[stage_at]
        if claim["stages"]:
            assert stage_cell == "middle"
        else:
            assert "any stage" in stage_cell
    table = run_mini("lookup", "knee-oa", "--stage", "middle")
    assert "any stage" in table.stdout
    assert "middle" in table.stdout
    assert "In the early stage" not in table.stdout


@pytest.mark.parametrize("stage", ["middle", "moderate", "K&L 3", "k&l 3", "MODERATE"])
def test_stage_aliases(run_mini: Run, stage: str) -> None:
    assert ids(run_mini("lookup", "knee-oa", "--stage", stage, "--format", "json")) == ids(
        run_mini("lookup", "knee-oa", "--stage", "middle", "--format", "json")
    )


def test_bundled_stage_aliases(run: Run) -> None:
    middle = ids(run("lookup", "knee-oa", "--stage", "middle", "--format", "json"))
    assert middle
    assert ids(run("lookup", "knee-oa", "--stage", "moderate", "--format", "json")) == middle
    assert ids(run("lookup", "knee-oa", "--stage", "K&L 3", "--format", "json")) == middle


def test_unknown_stage_lists_the_valid_ones(run_mini: Run) -> None:
    result = run_mini("lookup", "knee-oa", "--stage", "terminal")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "no stage 'terminal'" in result.stderr
    for stage in ("early", "middle", "late", "moderate", "K&L 3"):
        assert stage in result.stderr


def test_stage_of_a_condition_without_stages(run: Run, tmp_path: Path) -> None:
    (tmp_path / "conditions.yaml").write_text("- {id: flat, name: Flat}\n", encoding="utf-8")
    result = run("--no-bundled", "--data", str(tmp_path), "lookup", "flat", "--stage", "early")
    assert result.exit_code == 2
    assert "has no stages" in result.stderr


# ---------------------------------------------------------------------------
# filters, summary, order, --full


def test_outcome_filter_by_id_or_name(run_mini: Run) -> None:
    every = claims_of(run_mini("lookup", "knee-oa", "--format", "json"))
    pain = claims_of(run_mini("lookup", "knee-oa", "--outcome", "pain", "--format", "json"))
    assert pain
    assert {c["id"] for c in pain} == {c["id"] for c in every if c["outcome"] == "pain"}
    by_name = run_mini("lookup", "knee-oa", "--outcome", "Return to daily activity", "-f", "json")
    assert {c["outcome"] for c in claims_of(by_name)} == {"return-to-activity"}


def test_unknown_outcome_is_a_usage_error(run_mini: Run) -> None:
    result = run_mini("lookup", "knee-oa", "--outcome", "happiness")
    assert result.exit_code == 2
    assert "unknown outcome 'happiness'" in result.stderr
    hint = result.stderr.split("hint:", 1)[1]
    for outcome in load().outcomes:  # nothing close: every outcome is named
        assert outcome in hint
    close = run_mini("lookup", "knee-oa", "--outcome", "pian")
    assert close.exit_code == 2
    assert "closest: pain" in close.stderr


def test_source_filter_by_id_or_publisher(run_mini: Run) -> None:
    every = claims_of(run_mini("lookup", "knee-oa", "--format", "json"))
    beta = claims_of(run_mini("lookup", "knee-oa", "--source", "beta", "--format", "json"))
    assert beta
    assert {c["id"] for c in beta} == {c["id"] for c in every if c["source"] == "beta"}
    assert ids(run_mini("lookup", "knee-oa", "--source", "Beta Broker", "-f", "json")) == [
        c["id"] for c in beta
    ]


def test_unknown_source_lists_the_sources(run_mini: Run) -> None:
    result = run_mini("lookup", "knee-oa", "--source", "delta")
    assert result.exit_code == 2
    assert "unknown source 'delta'" in result.stderr
    assert "alpha, beta, gamma" in result.stderr


def test_filters_combine(run_mini: Run) -> None:
    claims = claims_of(
        run_mini(
            "lookup",
            "knee-oa",
            "--stage",
            "middle",
            "--outcome",
            "pain",
            "--source",
            "beta",
            "--format",
            "json",
        )
    )
    assert claims
    for c in claims:
        assert (c["outcome"], c["source"]) == ("pain", "beta")
        assert c["stages"] in ([], ["middle"])


@pytest.mark.parametrize(
    "args", [[], ["--stage", "middle"], ["--outcome", "pain"], ["--source", "alpha"]]
)
def test_summary_counts_claims_and_sources(run_mini: Run, args: list[str]) -> None:
    claims = claims_of(run_mini("lookup", "knee-oa", *args, "--format", "json"))
    n, m = len(claims), len({c["source"] for c in claims})
    table = run_mini("lookup", "knee-oa", *args)
    assert table.exit_code == 0
    expected = f"{n} claim{'s' if n != 1 else ''} from {m} source{'s' if m != 1 else ''}"
    assert table.stdout.rstrip().endswith(expected)


def test_claims_are_grouped_by_outcome_in_vocabulary_order(run: Run) -> None:
    claims = claims_of(run("lookup", "knee-oa", "--format", "json"))
    order = list(load().outcomes)
    # the marketing claims; the reference claims (evidence, surveys) follow them
    kinds = [c["source_kind"] in ("evidence", "survey") for c in claims]
    assert kinds == sorted(kinds)
    assert any(kinds)
    seq = [c["outcome"] for c in claims if c["source_kind"] not in ("evidence", "survey")]
    blocks = [o for i, o in enumerate(seq) if i == 0 or seq[i - 1] != o]
    assert len(blocks) == len(set(blocks)), "an outcome appears in two groups"
    assert blocks == sorted(blocks, key=order.index)
    assert len(blocks) > 3


def test_table_has_one_section_per_outcome(run_mini: Run) -> None:
    claims = claims_of(run_mini("lookup", "knee-oa", "--format", "json"))
    table = run_mini("lookup", "knee-oa").stdout
    lines = table.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Id "))
    # rows after the rule, up to the summary; sections are separated by blank lines
    body = "\n".join(lines[header + 2 : -1])
    sections = [s for s in body.split("\n\n") if s.strip()]
    assert len(sections) == len({c["outcome"] for c in claims})


def _long_quote_claim(run: Run) -> dict[str, Any]:
    claims = claims_of(run("lookup", "knee-oa", "--format", "json"))
    plain = [c for c in claims if "|" not in c["quote"] and "<" not in c["quote"]]
    return max(plain, key=lambda c: len(c["quote"]))


def test_full_shows_whole_quotes(run: Run) -> None:
    claim = _long_quote_claim(run)
    assert len(claim["quote"]) > 120
    args = ("lookup", "knee-oa", "--outcome", claim["outcome"], "--source", claim["source"])
    short = run(*args, "--format", "markdown").stdout
    full = run(*args, "--format", "markdown", "--full").stdout
    assert claim["quote"] not in short
    # shortened around the value as stated, with an ellipsis where it is cut
    quote_cell = [line for line in short.splitlines() if line.startswith("| ")][-1]
    quote_cell = quote_cell.split(" | ")[-1]
    assert claim["value"]["text"] in quote_cell
    assert "…" in quote_cell
    assert claim["quote"] in full
    short_table = last_column(run(*args).stdout, "Quote")
    full_table = last_column(run(*args, "--full").stdout, "Quote")
    assert squash(claim["quote"]) not in squash(short_table)
    assert "…" in short_table
    assert squash(claim["quote"]) in squash(full_table)


def test_lookup_results_only_about_that_condition(run: Run) -> None:
    for cond in ("rotator-cuff", "neuropathy"):
        claims = claims_of(run("lookup", cond, "--format", "json"))
        assert claims
        assert {c["condition"] for c in claims} == {cond}


def test_stage_without_claims(run_mini: Run) -> None:
    result = run_mini("lookup", "rotator-cuff", "--stage", "full-thickness")
    assert result.exit_code == 0
    assert "0 claims from 0 sources" in result.stdout


# ---------------------------------------------------------------------------
# show


def test_show_prints_every_field_and_the_source(run_mini: Run) -> None:
    data = json.loads(run_mini("show", "beta-responders", "--format", "json").stdout)
    claim, source = data["claim"], data["source"]
    table = run_mini("show", "beta-responders")
    assert table.exit_code == 0
    out = table.stdout
    for label in (
        "id",
        "condition",
        "stages",
        "outcome",
        "measure",
        "value",
        "timepoint",
        "comparator",
        "intervention",
        "basis",
        "citation",
        "quote",
        "source",
        "publisher",
        "title",
        "kind",
    ):
        assert any(line.startswith(label) for line in out.splitlines()), label
    for value in (
        claim["id"],
        claim["condition"],
        claim["outcome"],
        claim["measure"],
        claim["value"]["text"],
        claim["citation"],
        f"n={claim['n']}",
        source["publisher"],
        source["title"],
        source["kind"],
    ):
        assert value in out, value
    assert squash(claim["quote"]) in squash(out)


def test_show_json_is_the_claim_contract_and_source(run_mini: Run) -> None:
    data = json.loads(run_mini("show", "beta-pain-middle", "--format", "json").stdout)
    assert data["claim"]["timepoint"] == {
        "text": "12 months",
        "low": 12,
        "high": 12,
        "unit": "months",
    }
    assert data["source"]["id"] == data["claim"]["source"] == "beta"


def test_show_full_quote_of_the_longest_bundled_quote(run: Run) -> None:
    claim = _long_quote_claim(run)
    out = run("show", claim["id"]).stdout
    assert squash(claim["quote"]) in squash(out)
    assert "…" not in out


def test_show_unknown_claim_lists_the_closest(run_mini: Run) -> None:
    result = run_mini("show", "beta-respnders")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "no claim 'beta-respnders'" in result.stderr
    assert "beta-responders" in result.stderr


# ---------------------------------------------------------------------------
# search


def hits_of(result: Result) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


@pytest.mark.parametrize(
    ("text", "outcome", "word"),
    [
        ("return to sports", "return-to-sport", "sport"),
        ("cost", "cost", "cost"),
        ("recurrence", "recurrence", "recurrence"),
    ],
)
def test_search_finds_relevant_claims_first(run: Run, text: str, outcome: str, word: str) -> None:
    hits = hits_of(run("search", text, "--limit", "5", "--format", "json"))
    assert 0 < len(hits) <= 5
    top = hits[0]["claim"]
    assert top["outcome"] == outcome
    for h in hits[:3]:
        c = h["claim"]
        assert word in c["quote"].lower() or c["outcome"] == outcome, c


def test_search_is_ranked_best_first_with_scores(run: Run) -> None:
    hits = hits_of(run("search", "pain reduction", "--limit", "50", "--format", "json"))
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 100 for s in scores)
    table = run("search", "pain reduction", "--limit", "3")
    assert table.stdout.splitlines()[0].split()[0] == "Score"
    assert f"{hits[0]['score']:.0f}" in table.stdout


@pytest.mark.parametrize("limit", ["1", "3", "7"])
def test_search_limit(run: Run, limit: str) -> None:
    hits = hits_of(run("search", "pain", "--limit", limit, "--format", "json"))
    assert len(hits) == int(limit)
    assert f"{limit} match" in run("search", "pain", "--limit", limit).stdout


def test_search_limit_zero_lists_every_match(run: Run) -> None:
    every = hits_of(run("search", "pain", "--limit", "0", "--format", "json"))
    assert len(every) > len(hits_of(run("search", "pain", "--format", "json"))) == 20
    assert run("search", "pain", "--limit", "-1").exit_code == 2


def test_search_with_no_match(run_mini: Run) -> None:
    result = run_mini("search", "zzzzqqqq", "--format", "json")
    assert hits_of(result) == []
    assert "0 matches" in run_mini("search", "zzzzqqqq").stdout


def test_lookup_says_what_a_claim_is_about_and_sorts_in_base_units(run: Run) -> None:
    """Knee replacement prices and prosthesis lifespans must not read as stem cell figures."""
    result = run(
        "lookup",
        "knee-oa",
        "--source",
        "bookimed",
        "--outcome",
        "benefit-duration",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    lows_in_days = [to_base(float(r["low"]), r["unit"]) for r in rows]
    assert lows_in_days == sorted(lows_in_days)  # "24 months" before "15-20 years"
    # what is said, whatever the width (the table at 250 columns wraps the outcome)
    table = run("lookup", "knee-oa", "--outcome", "cost", "--format", "markdown").stdout
    assert "cost (knee replacement)" in table
    assert "cost vs knee surgery" in table


@pytest.mark.parametrize("other_joint", ["hip osteoarthritis", "osteoarthritis of the hip"])
def test_another_joint_is_not_guessed_to_be_the_knee(run: Run, other_joint: str) -> None:
    result = run("lookup", other_joint)
    assert result.exit_code == 2
    assert f"unknown condition {other_joint!r}; closest: knee-oa" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("query", ["x", " a ", "%%"])
def test_search_refuses_a_query_too_short_to_mean_anything(run: Run, query: str) -> None:
    result = run("search", query)
    assert result.exit_code == 2
    assert "search needs at least 3 letters or digits" in result.stderr


@pytest.mark.parametrize("option", ["--source", "--outcome"])
def test_an_empty_filter_is_an_error_not_ignored(run: Run, option: str) -> None:
    result = run("lookup", "knee-oa", option, "")
    assert result.exit_code == 2
    assert result.stdout == ""
