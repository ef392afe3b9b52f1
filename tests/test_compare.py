"""stemcli compare: sources side by side, as a table and as range charts.

Golden files (tests/golden/compare_*.txt) are the output at COLUMNS=100 with NO_COLOR;
regenerate them with ``UPDATE_GOLDEN=1 pytest tests/test_compare.py``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from typer.testing import Result

from stemcli.dataset import load
from stemcli.model import Dataset
from stemcli.ops.compare import ANY_STAGE, compare, parse_sources
from stemcli.render import chart as ch

Run = Callable[..., Result]

GOLDEN = Path(__file__).parent / "golden"
MINI = Path(__file__).parent / "fixtures" / "mini"


def handle(claim_id: str) -> str:
    """A claim's handle in a table: these datasets are small enough for 6 characters."""
    return hashlib.sha256(claim_id.encode()).hexdigest()[:6]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def data(result: Result) -> Any:
    return json.loads(ok(result).stdout)


def rows_of(result: Result) -> list[Any]:
    rows = data(result)["rows"]
    assert isinstance(rows, list)
    return rows


def claim_ids(row: Any) -> dict[str, list[str]]:
    return {sid: [c["id"] for c in claims] for sid, claims in row["cells"].items()}


def widest(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines()), default=0)


# ---------------------------------------------------------------------------
# a small dataset written on the fly, for cases the mini fixture does not have


def write_dataset(root: Path, claims: dict[str, str]) -> Path:
    (root / "claims").mkdir(parents=True)
    (root / "sources.yaml").write_text(
        "".join(
            f"- {{id: {sid}, title: T {sid}, publisher: Pub {sid.upper()}, kind: clinic,"
            f" sells_treatment: true}}\n"
            for sid in claims
        ),
        encoding="utf-8",
    )
    (root / "conditions.yaml").write_text(
        "- {id: cond, name: A condition, stages: [early, middle, late]}\n", encoding="utf-8"
    )
    for sid, text in claims.items():
        (root / "claims" / f"{sid}.yaml").write_text(text, encoding="utf-8")
    return root


def claim(cid: str, value: str, *, stages: str = "[]", outcome: str = "pain", **extra: str) -> str:
    measure = extra.pop("measure", "effect")
    more = "".join(f"  {k}: {v}\n" for k, v in extra.items())
    return (
        f"- id: {cid}\n  condition: cond\n  stages: {stages}\n  outcome: {outcome}\n"
        f"  measure: {measure}\n  value: {json.dumps(value)}\n  basis: none\n"
        f"  quote: {json.dumps('says ' + value)}\n{more}"
    )


def dataset_of(tmp_path: Path, claims: dict[str, str]) -> Dataset:
    return load([write_dataset(tmp_path / "ds", claims)], bundled=False, use_cache=False)


# ---------------------------------------------------------------------------
# the operation


def test_rows_are_keyed_by_stage_outcome_measure_and_unit_dimension(tmp_path: Path) -> None:
    ds = dataset_of(
        tmp_path,
        {
            "a": claim("a1", "30%", stages="[early, middle]")
            + claim("a2", "9 points")
            + claim("a3", "40%"),
            "b": claim("b1", "35%", stages="[middle]"),
        },
    )
    result = compare(ds, ds.conditions["cond"])
    got = {(r.stage, r.dimension): sorted(c.id for c in r.claims) for r in result.rows}
    # a claim naming two stages is in both rows; a claim for any stage joins the rows of
    # the stages named about the same thing, and has an "any" row only where none is
    assert got == {
        ("early", "percent"): ["a1", "a3"],
        ("middle", "percent"): ["a1", "a3", "b1"],
        (ANY_STAGE, "points"): ["a2"],
    }
    # stage order of the condition, then "any"
    assert [r.stage for r in result.rows][:2] == ["early", "middle"]


def test_with_a_stage_claims_for_any_stage_join_its_rows(tmp_path: Path) -> None:
    """As in lookup: a claim that is not stage-specific holds for the stage asked for."""
    ds = dataset_of(
        tmp_path,
        {"a": claim("a1", "30%", stages="[early, middle]") + claim("a2", "40%", stages="[late]")}
        | {"b": claim("b1", "50%")},
    )
    result = compare(ds, ds.conditions["cond"], stage="middle")
    assert [(r.stage, [c.id for c in r.claims]) for r in result.rows] == [
        ("middle", ["a1", "b1"]),
    ]
    (row,) = result.rows
    assert row.disagree  # 30 % (middle) against 50 % (any stage)


def test_disagreement_is_per_value_against_each_other_source(tmp_path: Path) -> None:
    ds = dataset_of(
        tmp_path,
        {
            "a": claim("a-low", "10%") + claim("a-mid", "50%"),
            "b": claim("b-mid", "45-55%"),
            "c": claim("c-mid", "about 52%"),
        },
    )
    (row,) = compare(ds, ds.conditions["cond"]).rows
    flags = {e.claim.id: e.disagrees for cell in row.cells for e in cell.entries}
    # a value is marked when conflicts pairs it in a contradiction: 10 % contradicts every
    # other value (a's own 50 % too), and so each of them contradicts it
    assert flags == {"a-low": True, "a-mid": True, "b-mid": True, "c-mid": True}
    from stemcli.ops.conflicts import Selection, find_conflicts

    listed = find_conflicts(ds, Selection(kind="contradiction"), limit=100).conflicts
    paired = {c.id for x in listed for st in (x.a, x.b) if st for c in st.claims}
    assert paired == {cid for cid, flagged in flags.items() if flagged}
    assert {frozenset((x.a.claim.id, x.b.claim.id)) for x in listed if x.b} == {
        frozenset(("a-low", other)) for other in ("a-mid", "b-mid", "c-mid")
    }
    assert row.disagree
    assert row.source_count == 3


def test_study_descriptions_never_disagree(tmp_path: Path) -> None:
    """Follow-up lengths (an outcome marked compared: false) differ without contradiction."""
    ds = dataset_of(
        tmp_path,
        {
            "a": claim("a1", "1 year", outcome="follow-up", measure="duration"),
            "b": claim("b1", "5 years", outcome="follow-up", measure="duration"),
        },
    )
    (row,) = compare(ds, ds.conditions["cond"]).rows
    assert [e.disagrees for cell in row.cells for e in cell.entries] == [False, False]
    assert not row.disagree


def test_values_are_compared_in_base_units(tmp_path: Path) -> None:
    ds = dataset_of(
        tmp_path,
        {
            "a": claim("a1", "1 week", outcome="recovery-time", measure="duration"),
            "b": claim("b1", "7 days", outcome="recovery-time", measure="duration"),
            "c": claim("c1", "2-3 months", outcome="recovery-time", measure="duration"),
        },
    )
    (row,) = compare(ds, ds.conditions["cond"]).rows
    flags = {e.claim.id: e.disagrees for cell in row.cells for e in cell.entries}
    assert flags == {"a1": True, "b1": True, "c1": True}  # 1 week = 7 days, both far from c
    assert row.unit == "days"  # the smallest unit the row's values use
    only_ab = compare(ds, ds.conditions["cond"], sources=("a", "b")).rows[0]
    assert not only_ab.disagree


def test_qualified_values_use_their_open_interval(tmp_path: Path) -> None:
    ds = dataset_of(
        tmp_path,
        {"a": claim("a1", "over 85%"), "b": claim("b1", "up to 90%"), "c": claim("c1", "95%")},
    )
    (row,) = compare(ds, ds.conditions["cond"]).rows
    flags = {e.claim.id: e.disagrees for cell in row.cells for e in cell.entries}
    # [85, 100], [0, 90] and 95: b and c do not overlap each other
    assert flags == {"a1": False, "b1": True, "c1": True}


def test_intervention_and_comparator_split_rows(tmp_path: Path) -> None:
    ds = dataset_of(
        tmp_path,
        {
            "a": claim("a1", "$3,000", outcome="cost", measure="cost"),
            "b": claim(
                "b1", "$30,000", outcome="cost", measure="cost", intervention="knee replacement"
            ),
        },
    )
    rows = compare(ds, ds.conditions["cond"]).rows
    assert [(r.intervention, r.disagree) for r in rows] == [
        (None, False),
        ("knee replacement", False),
    ]


def test_parse_sources(tmp_path: Path) -> None:
    ds = dataset_of(tmp_path, {"a": claim("a1", "1%"), "b": claim("b1", "2%")})
    assert parse_sources(ds, " b, A ,b,") == ("b", "a")
    with pytest.raises(Exception, match=r"unknown source ids 'x', 'y'; valid ids: a, b"):
        parse_sources(ds, "x,a,y")
    with pytest.raises(Exception, match="at least one"):
        parse_sources(ds, " , ")


# ---------------------------------------------------------------------------
# the command on the mini dataset


def test_without_condition_every_condition_is_compared(run_mini: Run) -> None:
    rows = rows_of(run_mini("compare", "--format", "json"))
    assert {r["condition"] for r in rows} == {"knee-oa", "rotator-cuff"}
    assert len(rows) == 6
    table = ok(run_mini("compare")).stdout
    assert "Condition" in table.splitlines()[1]
    assert "rotator-" in table
    assert "All conditions" in table


def test_condition_by_alias_and_fuzzily(run_mini: Run) -> None:
    exact = run_mini("compare", "knee arthritis")
    assert ok(exact).stderr == ""
    assert exact.stdout.splitlines()[0].strip() == "Knee osteoarthritis (knee-oa)"
    assert "Condition" not in exact.stdout  # one condition: no condition column

    fuzzy = ok(run_mini("compare", "knee osteoarthritus"))
    assert "matched 'knee osteoarthritus' to knee-oa" in fuzzy.stderr
    assert fuzzy.stdout == exact.stdout

    unknown = run_mini("compare", "elbow")
    assert unknown.exit_code == 2
    assert "unknown condition 'elbow'" in unknown.stderr


def test_stage_keeps_the_stage_and_claims_for_any_stage(run_mini: Run) -> None:
    rows = rows_of(run_mini("compare", "knee-oa", "--stage", "moderate", "-f", "json"))
    assert {r["stage"] for r in rows} == {"middle"}
    pain = next(r for r in rows if r["outcome"] == "pain")
    assert claim_ids(pain) == {
        "alpha": ["alpha-pain-middle"],
        "beta": ["beta-pain-middle"],
        "gamma": ["gamma-pain-any"],
    }
    csv_rows = list(
        csv.reader(
            io.StringIO(ok(run_mini("compare", "knee-oa", "--stage", "middle", "-f", "csv")).stdout)
        )
    )
    assert any("≈ 50 % at 6 months (any stage)" in cell for row in csv_rows for cell in row)
    table = ok(run_mini("compare", "knee-oa", "--stage", "middle")).stdout
    assert "Knee osteoarthritis (knee-oa), stage middle" in table
    assert "early" not in table

    bad = run_mini("compare", "knee-oa", "--stage", "terminal")
    assert bad.exit_code == 2
    assert "valid stages: early (mild); middle (moderate, K&L 3); late (severe)" in bad.stderr

    no_condition = run_mini("compare", "--stage", "middle")
    assert no_condition.exit_code == 2
    assert "--stage needs a CONDITION" in no_condition.stderr


def test_sources_choose_and_order_the_columns(run_mini: Run) -> None:
    result = run_mini("compare", "knee-oa", "--sources", "gamma,alpha", "-f", "json")
    payload = data(result)
    assert [s["id"] for s in payload["sources"]] == ["gamma", "alpha"]
    for row in rows_of(result):
        assert list(claim_ids(row)) == ["gamma", "alpha"]
        # gamma's 'about 50 %' (any stage) against alpha's staged pain values; no beta
        assert row["disagree"] == (row["outcome"] == "pain")
    header = ok(run_mini("compare", "knee-oa", "--sources", "gamma,alpha")).stdout.splitlines()[1]
    assert header.index("Gamma Info") < header.index("Alpha Clinic")
    assert "Beta Broker" not in header

    bad = run_mini("compare", "--sources", "alpha,delta")
    assert bad.exit_code == 2
    assert "unknown source id 'delta'; valid ids: alpha, beta, gamma" in bad.stderr


def test_empty_cells_are_shown_not_hidden(run_mini: Run) -> None:
    args = ("compare", "knee-oa", "--outcome", "cost", "--sources", "alpha,gamma")
    (row,) = rows_of(run_mini(*args, "-f", "json"))
    assert claim_ids(row) == {"alpha": ["alpha-cost"], "gamma": []}
    table = ok(run_mini(*args)).stdout
    line = next(x for x in table.splitlines() if "$5,000" in x)
    # gamma's empty cell, then (no second source: no check) the claim ids
    assert line.split()[-2:] == ["—", handle("alpha-cost")]
    assert "Gamma Info" in table


def test_outcome_filters_rows(run_mini: Run) -> None:
    rows = rows_of(run_mini("compare", "--outcome", "Pain", "-f", "json"))
    assert {r["outcome"] for r in rows} == {"pain"}
    assert len(rows) == 3  # knee-oa early and middle (gamma's any-stage claim in both), cuff
    bad = run_mini("compare", "--outcome", "happiness")
    assert bad.exit_code == 2
    assert "unknown outcome 'happiness'" in bad.stderr


def test_no_matching_claims_is_an_empty_comparison(run_mini: Run) -> None:
    result = ok(run_mini("compare", "rotator-cuff", "--sources", "alpha"))
    assert result.stdout.strip() == "0 rows, 1 source, 0 rows where values disagree"
    assert rows_of(run_mini("compare", "rotator-cuff", "--sources", "alpha", "-f", "json")) == []


def test_disagreements_are_marked_and_counted(run_mini: Run) -> None:
    rows = rows_of(run_mini("compare", "knee-oa", "-f", "json"))
    disagreeing = {(r["stage"], r["outcome"]): r["disagreeing"] for r in rows if r["disagree"]}
    assert disagreeing == {
        # gamma's 'about 50 %' holds for any stage: it sits in both stages' rows
        ("early", "pain"): ["alpha-pain-early", "gamma-pain-any"],
        ("middle", "pain"): ["alpha-pain-middle", "beta-pain-middle", "gamma-pain-any"],
        # 2-4 weeks against 1-2 days: compared in days
        (ANY_STAGE, "return-to-activity"): ["alpha-return", "beta-return"],
    }
    table = ok(run_mini("compare", "knee-oa")).stdout
    *body, summary = table.rstrip().splitlines()
    stages = {"early", "middle", "late", "any"}
    marked = [line for line in body if "≠" in line and line.split()[0] in stages]
    assert [line.split()[0] for line in marked] == ["early", "middle", "any"]
    assert all("disagree" in line.split() for line in marked)
    assert "30–40 % ≠" in marked[1]
    overlap = next(line for line in table.splitlines() if "$5,000" in line)
    assert "≠" not in overlap
    assert "overlap" in overlap.split()
    assert summary == (
        "5 rows, 3 sources, 3 rows where values disagree"
        " (≠: contradicts another value here, as conflicts finds)"
    )


def test_json_contract(run_mini: Run) -> None:
    payload = data(run_mini("compare", "knee-oa", "-f", "json"))
    assert set(payload) == {"rows", "sources"}
    assert [s["id"] for s in payload["sources"]] == ["alpha", "beta", "gamma"]
    assert set(payload["sources"][0]) == {
        "id",
        "title",
        "publisher",
        "kind",
        "sells_treatment",
        "archive",
        "sha256",
        "reader",
        "review",
        "url",
        "citation",
        "doi",
        "year",
        "certainty",
    }
    row = next(r for r in payload["rows"] if r["outcome"] == "return-to-activity")
    assert {k: row[k] for k in ("condition", "stage", "measure", "unit", "disagree")} == {
        "condition": "knee-oa",
        "stage": "any",
        "measure": "duration",
        "unit": "days",
        "disagree": True,
    }
    beta = row["cells"]["beta"][0]
    assert beta["value"] == {
        "text": "1-2 days",
        "low": 1,
        "high": 2,
        "unit": "days",
        "qualifier": "exact",
    }
    assert beta["quote"] == "Most patients resume daily activities within 1-2 days."


def test_csv_one_line_per_row_one_column_per_source(run_mini: Run) -> None:
    out = ok(run_mini("compare", "knee-oa", "-f", "csv")).stdout
    records = list(csv.DictReader(io.StringIO(out)))
    assert list(records[0]) == [
        "condition",
        "stage",
        "outcome",
        "measure",
        "unit",
        "intervention",
        "comparator",
        "group",
        "alpha",
        "beta",
        "gamma",
        "disagree",
        "evidence",
    ]
    middle = next(r for r in records if r["stage"] == "middle")
    assert (middle["alpha"], middle["beta"], middle["gamma"], middle["disagree"]) == (
        "30–40 %",
        "60–70 % at 12 months",
        "≈ 50 % at 6 months (any stage)",
        "yes",
    )
    assert len(records) == 5
    assert "\x1b" not in out


def test_markdown_table(run_mini: Run) -> None:
    out = ok(run_mini("compare", "knee-oa", "-f", "markdown")).stdout
    lines = out.splitlines()
    assert lines[0] == "### Knee osteoarthritis (knee-oa)"
    assert lines[2] == (
        "| Stage | Outcome / measure | Alpha Clinic | Beta Broker | Gamma Info | Check | Claims |"
    )
    middle = next(line for line in lines if line.startswith("| middle"))
    assert middle == (
        "| middle | pain<br>effect | **30–40 % ≠** | **60–70 % at 12 months ≠** "
        "| **≈ 50 % at 6 months (any stage) ≠** | **disagree** "
        "| alpha-pain-middle<br>beta-pain-middle<br>gamma-pain-any |"
    )
    assert sum(1 for line in lines if line.startswith("| ")) == 6  # header + 5 rows
    assert lines[-1].startswith("5 rows, 3 sources, 3 rows where values disagree")


def test_stacked_values_in_one_cell(tmp_path: Path, run: Run) -> None:
    root = write_dataset(
        tmp_path / "ds",
        {
            "a": claim("a1", "30%", timepoint="6 weeks") + claim("a2", "60%") + claim("a3", "60 %"),
            "b": claim("b1", "40-70%"),
        },
    )
    out = ok(run("--no-bundled", "--data", str(root), "compare", "cond")).stdout
    lines = out.splitlines()
    first = next(i for i, line in enumerate(lines) if "30 % at 6 weeks ≠" in line)
    # the repeated 60 % is counted, not repeated, and is on the next line of the same cell
    # 60 % and the 30 % of the same source contradict each other, as conflicts says
    assert lines[first + 1].split()[:5] == ["effect", "60", "%", "(×2)", "≠"]
    # the Claims column names the claims of each value, the first and how many more
    assert lines[first].split()[-1] == handle("a1")
    assert lines[first + 1].split()[-2:] == [handle("a2"), "+1"]


# ---------------------------------------------------------------------------
# charts


def test_chart_draws_each_row_on_one_axis(run_mini: Run) -> None:
    out = ok(run_mini("compare", "knee-oa", "--chart")).stdout
    assert "Outcome / measure" not in out  # charts instead of the table
    block = out.split("stage middle · pain · effect (%)")[1].split("\n\n")[0]
    lines = block.splitlines()
    assert lines[0].strip() == "≠ sources disagree"
    alpha, beta, gamma, rule, labels = lines[1:6]
    assert gamma.lstrip().startswith("Gamma Info")
    assert gamma.endswith("≈ 50 % at 6 months (any stage) ≠")
    assert alpha.lstrip().startswith("Alpha Clinic")
    assert alpha.endswith("30–40 % ≠")
    assert beta.lstrip().startswith("Beta Broker")
    assert beta.endswith("60–70 % at 12 months ≠")
    # both bars on the same axis: alpha's ends before beta's starts
    assert alpha.rindex(ch.BAR) < beta.index(ch.BAR)
    assert rule.count(ch.TICK) == 5
    assert labels.split() == ["0", "25", "50", "75", "100"]
    # the 0 tick is where the axis starts
    assert rule.index(ch.TICK) == labels.index("0")
    # "over 60-70%" is open-ended: dashes after the bar, up to 100 %
    early = out.split("stage early · pain · effect (%)")[1].splitlines()[1]
    assert f"{ch.BAR}{ch.OPEN}" in early
    assert early.endswith("> 60–70 % ≠")  # against gamma's 'about 50 %' (any stage)
    last = out.rstrip().splitlines()[-1]
    assert last.startswith("5 rows, 3 sources, 3 rows where values disagree")


def test_chart_durations_share_one_time_axis(run_mini: Run) -> None:
    out = ok(run_mini("compare", "knee-oa", "--outcome", "return-to-activity", "--chart")).stdout
    block = out.split("return-to-activity · duration (days)")[1]
    alpha, beta = block.splitlines()[1:3]
    # 1-2 days is drawn left of 2-4 weeks (14-28 days) on the same day axis
    assert beta.index(ch.BAR) < alpha.index(ch.BAR)


def test_chart_needs_the_table_format(run_mini: Run) -> None:
    result = run_mini("compare", "--chart", "-f", "json")
    assert result.exit_code == 2
    assert "--chart, --svg and --html go with --format table" in result.stderr


@pytest.mark.parametrize("width", [80, 40])
@pytest.mark.parametrize("chart", [False, True])
def test_narrow_terminals(run_mini: Run, width: int, chart: bool) -> None:
    args = ["compare", "knee-oa"] + (["--chart"] if chart else [])
    result = ok(run_mini(*args, env={"COLUMNS": str(width)}))
    assert widest(result.stdout) <= width
    # the publisher's name, whole or as a header wrapped over two lines
    assert re.search(r"Alpha\s+Clinic|Alpha\s.*\n.*Clinic", result.stdout)
    assert "30–40 %" in result.stdout
    if chart:
        assert result.stdout.count(ch.TICK) >= 6 * 3  # every chart keeps its axis


def test_bundled_chart_at_80_columns(run: Run) -> None:
    result = ok(run("compare", "knee-oa", "--chart", env={"COLUMNS": "80"}))
    assert widest(result.stdout) <= 80
    assert ch.ARROW in result.stdout  # "over 2 years" has no upper bound


SGR = re.compile(r"\x1b\[([0-9;]*)m")
COLOUR_CODES = {str(n) for n in [*range(30, 39), *range(40, 49), *range(90, 98), *range(100, 108)]}


def colours(text: str) -> set[str]:
    return {p for m in SGR.finditer(text) for p in m.group(1).split(";") if p in COLOUR_CODES}


def test_colour_and_no_color(run_mini: Run) -> None:
    terminal = {"FORCE_COLOR": "1", "TERM": "xterm-256color", "COLORTERM": "truecolor"}
    coloured = ok(run_mini("compare", "knee-oa", "--chart", env=terminal)).stdout
    assert colours(coloured)  # bars and disagreements in colour on a terminal
    mono = ok(run_mini("compare", "knee-oa", "--chart", env={**terminal, "NO_COLOR": "1"})).stdout
    assert not colours(mono)
    plain = SGR.sub("", mono)
    # without colour, every distinction is still in the characters
    for mark in (ch.BAR, ch.POINT, ch.OPEN, ch.TICK, "≠ sources disagree", "30–40 % ≠"):
        assert mark in plain
    assert plain == SGR.sub("", coloured)


# ---------------------------------------------------------------------------
# --svg and --html


def test_svg_and_html_save_the_figure(run_mini: Run, tmp_path: Path) -> None:
    svg, html = tmp_path / "chart.svg", tmp_path / "chart.html"
    result = ok(run_mini("compare", "knee-oa", "--chart", "--svg", str(svg), "--html", str(html)))
    assert "Alpha Clinic" in result.stdout  # the terminal still shows its chart
    assert ch.TICK in result.stdout
    assert f"wrote {svg}" in result.stderr
    assert f"wrote {html}" in result.stderr
    root = ET.parse(svg).getroot()  # well-formed XML
    assert root.tag.endswith("svg")
    shown = list(root.itertext())
    assert "Alpha Clinic" in shown
    assert "30–40 %" in shown
    assert "≠" in shown  # the contradiction, in a column of its own
    assert ch.TICK not in "".join(shown)  # a figure, not a recording of the terminal
    assert svg.read_text(encoding="utf-8").strip() in html.read_text(encoding="utf-8")


def test_svg_and_html_never_overwrite_without_force(run_mini: Run, tmp_path: Path) -> None:
    for option in ("--svg", "--html"):
        target = tmp_path / f"out.{option[2:]}"
        target.write_text("keep me", encoding="utf-8")
        refused = run_mini("compare", "knee-oa", option, str(target))
        assert refused.exit_code == 2
        assert "file exists" in refused.stderr
        assert "--force" in refused.stderr
        assert refused.stdout == ""  # refused before anything is shown
        assert target.read_text(encoding="utf-8") == "keep me"
        ok(run_mini("compare", "knee-oa", option, str(target), "--force"))
        assert "Alpha" in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.html", "out.svg"]  # no temp files


def test_svg_with_output_and_other_format(run_mini: Run, tmp_path: Path) -> None:
    out, svg = tmp_path / "table.txt", tmp_path / "table.svg"
    result = ok(run_mini("compare", "knee-oa", "--output", str(out), "--svg", str(svg)))
    assert result.stdout == ""
    assert "Alpha Clinic" in out.read_text(encoding="utf-8")
    ET.parse(svg)
    assert run_mini("compare", "--svg", str(tmp_path / "x.svg"), "-f", "csv").exit_code == 2
    same = run_mini("compare", "--svg", str(svg), "--html", str(svg), "--force")
    assert same.exit_code == 2
    assert "different files" in same.stderr


def test_output_file_refuses_to_overwrite(run_mini: Run, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    ok(run_mini("compare", "-f", "csv", "--output", str(target)))
    assert target.read_text(encoding="utf-8").startswith("condition,stage,")
    assert run_mini("compare", "-f", "csv", "--output", str(target)).exit_code == 2
    ok(run_mini("compare", "-f", "csv", "--output", str(target), "--force"))


# ---------------------------------------------------------------------------
# golden files: the table and the chart of the mini dataset


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("compare_table.txt", ["compare"]),
        ("compare_chart.txt", ["compare", "knee-oa", "--chart"]),
        ("compare_chart_narrow.txt", ["compare", "knee-oa", "--stage", "middle", "--chart"]),
    ],
)
def test_golden(run_mini: Run, name: str, args: list[str]) -> None:
    width = "40" if "narrow" in name else "100"
    result = ok(run_mini(*args, env={"COLUMNS": width, "NO_COLOR": "1"}))
    got = "".join(line.rstrip() + "\n" for line in result.stdout.splitlines())
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")


def test_text_from_the_data_never_reaches_the_terminal_raw(tmp_path: Path, run: Run) -> None:
    root = write_dataset(
        tmp_path / "ds",
        {"a": claim("a1", "30%", intervention='"[red]x \\e[31m"'), "b": claim("b1", "60%")},
    )
    sources = (root / "sources.yaml").read_text(encoding="utf-8")
    (root / "sources.yaml").write_text(
        sources.replace("Pub A", '"Pub \\e]0;title\\a[bold]A"'), encoding="utf-8"
    )
    for args in ([], ["--chart"], ["-f", "markdown"], ["-f", "csv"], ["-f", "json"]):
        result = ok(run("--no-bundled", "--data", str(root), "compare", "cond", *args))
        assert "\x1b" not in result.stdout
        assert "\x07" not in result.stdout
        if args == ["-f", "markdown"]:  # escaped: GitHub shows it as text, not a link
            assert r"\[red\]x" in result.stdout
        elif args != ["-f", "json"]:
            assert "[red]x" in result.stdout  # shown as text, not taken as markup
