"""Reference sources (evidence, surveys): their fields and rules, how they sit beside the
marketing claims (lookup, compare, context), and never among them (conflicts, redflags).

Golden files (tests/golden/context_*.txt) are `stemcli context` on the bundled data at
COLUMNS=120 with NO_COLOR; UPDATE_GOLDEN=1 rewrites them.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from stemcli.dataset import load
from stemcli.ops.rules import is_reference, marketing

Run = Callable[..., Result]
GOLDEN = Path(__file__).parent / "golden"
WIDE = {"COLUMNS": "120", "NO_COLOR": "1"}

SOURCES = """\
- id: clinic
  title: A clinic page
  publisher: Some Clinic
  kind: clinic
  sells_treatment: true
- id: ev
  title: A meta-analysis
  publisher: A Journal
  kind: evidence
  sells_treatment: false
  doi: 10.1000/xyz123
  year: 2020
  certainty: very-low to low
- id: sv
  title: A survey of clinics
  publisher: A Survey
  kind: survey
  sells_treatment: false
  url: https://example.org/survey
  year: 2018
"""
CONDITIONS = "- id: knee\n  name: Knee\n"
URL = "url: https://example.org/s"
CI = 'ci: "-23 to -3 points"'

SURVEY = """\
- id: sv-rate-range
  condition: knee
  outcome: improvement
  measure: responder-rate
  value: "55-100%"
  n: 36
  basis: cited-study
  statement: "Centres claimed 55% to 100% of patients improve."
- id: sv-rate-mean
  condition: knee
  outcome: improvement
  measure: responder-rate
  value: "82%"
  ci: "79-85.5%"
  basis: cited-study
  statement: "On average centres claimed 82%."
- id: sv-price-range
  condition: knee
  outcome: cost
  measure: cost
  value: "$1,150 to $12,000"
  n: 65
  basis: cited-study
  statement: "Prices of one injection ranged from $1,150 to $12,000."
"""
EVIDENCE = """\
- id: ev-vas
  condition: knee
  outcome: pain
  measure: effect
  value: "-13 points"
  ci: "-23 to -3 points"
  scale: VAS
  comparator: control
  n: 256
  n_studies: 7
  basis: cited-study
  statement: "Pain was 13 points lower than with control on a VAS."
"""


def clinic(cid: str, value: str, **fields: str) -> str:
    """A marketing claim as YAML (raw YAML values in ``fields``)."""
    merged = {
        "condition": "knee",
        "outcome": "pain",
        "measure": "effect",
        "value": json.dumps(value),
        "basis": "none",
        "quote": json.dumps(f"It says {value}."),
        **fields,
    }
    return f"- id: {cid}\n" + "".join(f"  {k}: {v}\n" for k, v in merged.items())


def dataset(
    root: Path,
    clinic_claims: str = "",
    *,
    sources: str = SOURCES,
    survey: str = SURVEY,
    evidence: str = EVIDENCE,
) -> Path:
    (root / "claims").mkdir(parents=True, exist_ok=True)
    (root / "sources.yaml").write_text(sources, encoding="utf-8")
    (root / "conditions.yaml").write_text(CONDITIONS, encoding="utf-8")
    for name, text in (("clinic", clinic_claims), ("sv", survey), ("ev", evidence)):
        (root / "claims" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


def on(run: Run, root: Path, *args: str, **kw: Any) -> Result:
    return run("--no-bundled", "--no-cache", "--data", str(root), *args, **kw)


def problems(run: Run, root: Path) -> list[dict[str, Any]]:
    result = on(run, root, "validate", "-f", "json")
    assert result.exit_code in (0, 1), result.output
    found: list[dict[str, Any]] = json.loads(result.stdout)
    return [p for p in found if p["level"] == "error"]


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output + result.stderr
    return result


# ---------------------------------------------------------------------------
# validate: the fields and rules of reference sources and claims


def test_a_valid_reference_dataset_loads_with_every_field(run: Run, tmp_path: Path) -> None:
    root = dataset(tmp_path, clinic("c1", "60-70%"))
    assert problems(run, root) == []
    show = json.loads(ok(on(run, root, "show", "ev-vas", "-f", "json")).stdout)
    c, src = show["claim"], show["source"]
    assert (c["value"]["low"], c["ci"]["low"], c["ci"]["high"]) == (-13, -23, -3)
    assert (c["scale"], c["n_studies"], c["comparator"]) == ("VAS", 7, "control")
    assert c["statement"].startswith("Pain was 13 points lower")
    assert (c["source_kind"], c["certainty"]) == ("evidence", "very-low to low")
    assert (src["doi"], src["year"], src["certainty"]) == (
        "10.1000/xyz123",
        2020,
        "very-low to low",
    )


@pytest.mark.parametrize(
    ("edit", "line", "needle"),
    [
        # a reference source needs a doi or a url
        (("  doi: 10.1000/xyz123\n", ""), 6, "give its doi or url"),
        (("doi: 10.1000/xyz123", "doi: doi:10.1000/xyz123"), 11, "'10.1000/xyz123'"),
        (("certainty: very-low to low", "certainty: moderat"), 13, "'moderate'"),
        (("certainty: very-low to low", "certainty: low to very-low"), 13, "lowest first"),
        (("url: https://example.org/survey\n", f"{URL}\n  certainty: low\n"), 20, "has none"),
        (("year: 2020", "year: twenty"), 12, "year must be a year"),
    ],
)  # fmt: skip
def test_reference_source_problems_are_located(
    run: Run, tmp_path: Path, edit: tuple[str, str], line: int, needle: str
) -> None:
    root = dataset(tmp_path, sources=SOURCES.replace(*edit, 1))
    found = problems(run, root)
    assert [(Path(p["file"]).name, p["line"]) for p in found] == [("sources.yaml", line)]
    assert needle in found[0]["message"]


@pytest.mark.parametrize(
    ("file", "claims", "needle"),
    [
        ("ev", EVIDENCE.replace("  statement:", '  quote: "x"\n  statement:'), "not as 'quote'"),
        ("ev", "\n".join(EVIDENCE.splitlines()[:-1]) + "\n", "'statement'"),
        ("clinic", clinic("c1", "60%", statement='"in my words"'), "did you mean 'quote'"),
        ("clinic", clinic("c1", "60%").replace('  quote: "It says 60%."\n', ""), "'quote'"),
        ("clinic", clinic("c1", "-60%"), "unparseable value"),  # marketing reads no sign
        ("ev", EVIDENCE.replace(CI, 'ci: "-10 to -3 points"'), "outside its confidence"),
        ("ev", EVIDENCE.replace(CI, 'ci: "-23 to -3 days"'), "is in days"),
        ("ev", EVIDENCE.replace("n_studies: 7", "n_studies: -7"), "n_studies must be a positive"),
        ("ev", EVIDENCE.replace('"-13 points"', '"-13 to points"'), "unparseable value"),
    ],
)  # fmt: skip
def test_reference_claim_problems_are_located(
    run: Run, tmp_path: Path, file: str, claims: str, needle: str
) -> None:
    parts = {"clinic_claims": claims} if file == "clinic" else {"evidence": claims}
    root = dataset(tmp_path, **parts)  # type: ignore[arg-type]
    found = problems(run, root)
    assert len(found) == 1, found
    assert Path(found[0]["file"]).name == f"{file}.yaml"
    assert found[0]["line"]
    assert found[0]["column"]
    assert found[0]["claim"] in ("ev-vas", "c1")
    assert needle in found[0]["message"]


def test_the_bundled_dataset_cites_every_reference_source() -> None:
    ds = load([], bundled=True, use_cache=False)
    refs = [s for s in ds.sources.values() if s.is_reference]
    assert {s.kind for s in refs} == {"evidence", "survey"}
    for s in refs:
        assert s.doi or s.url, s.id
        assert s.year
        assert s.citation
        assert not s.sells_treatment
        assert s.archive is None
    for c in ds.claims:
        assert bool(c.statement) == is_reference(ds, c), c.id
        assert bool(c.quote) != is_reference(ds, c), c.id
    # the figures of the publications, as they state them
    by_id = {c.id: c for c in ds.claims}
    vas = by_id["bjr-2020-msc-rcts-vas-pain"]
    assert (vas.value.low, vas.scale, vas.comparator) == (-13.24, "VAS", "control")
    # how many trials each pooled figure comes from is not stated: none is invented
    assert (vas.n, vas.n_studies) == (None, None)
    trials = by_id["bjr-2020-msc-rcts-trials"]
    assert (trials.value.low, trials.n_studies) == (256, 7)
    assert vas.ci is not None
    assert (vas.ci.low, vas.ci.high) == (-23.28, -3.2)
    price = by_id["piuzzi-2018-survey-price-range"]
    assert (price.value.low, price.value.high, price.value.unit) == (1150, 12000, "usd")
    rate = by_id["piuzzi-2018-survey-efficacy-range"]
    assert (rate.value.low, rate.value.high, rate.n) == (55, 100, 36)
    assert ds.sources["iijima-2018"].certainty == "very-low to low"
    share = by_id["fares-2024-better-than-control-share"]
    assert (share.measure, share.value.low, share.n_studies) == ("study-share", 76.7, 43)


def test_marketing_leaves_the_reference_claims_out() -> None:
    ds = load([], bundled=True, use_cache=False)
    market = marketing(ds)
    assert market.claims
    assert all(not is_reference(ds, c) for c in market.claims)
    assert len(market.claims) < len(ds.claims)


# ---------------------------------------------------------------------------
# conflicts: reference claims are never marketing


def test_bundled_conflicts_are_the_marketing_ones_alone(run: Run) -> None:
    findings = json.loads(ok(run("conflicts", "--limit", "0", "-f", "json")).stdout)
    ds = load([], bundled=True, use_cache=False)
    refs = {s.id for s in ds.sources.values() if s.is_reference}
    sides = [x[k]["source"] for x in findings for k in ("a", "b") if x[k] is not None]
    assert sides
    assert not set(sides) & refs
    counts = json.loads(ok(run("conflicts", "--count", "-f", "json")).stdout)
    # as before the reference sources: unusual counts none (the survey's ranges hold them)
    assert counts == {"contradiction": 5, "arithmetic": 3, "tension": 6, "unusual": 0}


def _kinds(run: Run, root: Path, *args: str) -> list[tuple[str, str | None]]:
    found = json.loads(ok(on(run, root, "conflicts", "--limit", "0", "-f", "json", *args)).stdout)
    return [(x["kind"], x["subkind"]) for x in found]


def test_evidence_contradicts_only_what_it_measures_the_same_way(run: Run, tmp_path: Path) -> None:
    # an uncontrolled reduction in percent, and one in VAS points with no comparator:
    # not the evidence's quantity, so never a contradiction
    uncontrolled = clinic("c1", "60-70%") + clinic("c2", "30 points", scale="VAS")
    assert _kinds(run, dataset(tmp_path / "a", uncontrolled)) == []
    # the same quantity the same way (vs control, VAS points) outside the CI: contradiction
    same = clinic("c3", "50 points", scale="VAS", comparator="control")
    assert _kinds(run, dataset(tmp_path / "b", same)) == [("contradiction", "evidence")]
    # inside the evidence's confidence interval: none (a reduction given as its size)
    sized = EVIDENCE.replace('"-13 points"', '"13 points"').replace(
        '"-23 to -3 points"', '"3 to 23 points"'
    )
    inside = clinic("c4", "20 points", scale="VAS", comparator="control")
    assert _kinds(run, dataset(tmp_path / "c", inside, evidence=sized)) == []
    outside = clinic("c5", "30 points", scale="VAS", comparator="control")
    assert _kinds(run, dataset(tmp_path / "d", outside, evidence=sized)) == [
        ("contradiction", "evidence")
    ]


def test_explain_names_why_evidence_is_not_set_against_a_claim(run: Run, tmp_path: Path) -> None:
    root = dataset(tmp_path, clinic("c1", "60-70%"))
    data = json.loads(
        ok(on(run, root, "conflicts", "--explain", "c1", "ev-vas", "-f", "json")).stdout
    )
    assert data["reason"] == "reference"
    assert data["conflict"] is None
    data = json.loads(
        ok(on(run, root, "conflicts", "--explain", "c1", "sv-rate-mean", "-f", "json")).stdout
    )
    assert data["reason"] == "reference"


def test_unusual_is_outside_the_survey_range(run: Run, tmp_path: Path) -> None:
    claims = (
        clinic("c-cheap", "$500", outcome="cost", measure="cost")
        + clinic("c-dear", "$15,000 - $20,000", outcome="cost", measure="cost")
        + clinic("c-typical", "$3,000 - $8,000", outcome="cost", measure="cost")
        + clinic("c-euro", "€20,000", outcome="cost", measure="cost")
        + clinic("c-low-rate", "40%", outcome="improvement", measure="responder-rate")
        + clinic("c-top-rate", "95%", outcome="improvement", measure="responder-rate")
    )
    root = dataset(tmp_path, claims)
    found = json.loads(ok(on(run, root, "conflicts", "--kind", "unusual", "-f", "json")).stdout)
    ids = sorted(x["a"]["claims"][0]["id"] for x in found)
    # a euro price is never set against dollars; the survey's top band is typical
    assert ids == ["c-cheap", "c-dear", "c-low-rate"]
    assert {x["b"]["source"] for x in found} == {"sv"}
    assert all(x["kind"] == "unusual" for x in found)
    counts = json.loads(ok(on(run, root, "conflicts", "--count", "-f", "json")).stdout)
    assert counts["unusual"] == 3
    # a failing kind only when asked for
    assert on(run, root, "conflicts", "--kind", "unusual", "--fail-on-conflict").exit_code == 1
    alone = dataset(tmp_path / "alone", clinic("c-dear", "$15,000", outcome="cost", measure="cost"))
    assert on(run, alone, "conflicts", "--fail-on-conflict").exit_code == 0


# ---------------------------------------------------------------------------
# lookup, compare, context, verify, redflags, export


def test_lookup_shows_reference_claims_in_their_own_table(run: Run, tmp_path: Path) -> None:
    root = dataset(tmp_path, clinic("c1", "60-70%"))
    table = ok(on(run, root, "lookup", "knee", env=WIDE)).stdout
    head, _, rest = table.partition("Evidence and surveys")
    assert "Some Clinic" in head
    assert "−13 points" not in head
    assert "−13" in rest
    assert "low to low" in rest
    assert "It says" not in rest
    claims = json.loads(ok(on(run, root, "lookup", "knee", "-f", "json")).stdout)
    assert [c["source_kind"] for c in claims] == [
        "clinic",
        "survey",
        "survey",
        "survey",
        "evidence",
    ]


def test_compare_puts_evidence_in_a_column_of_its_own(run: Run, tmp_path: Path) -> None:
    root = dataset(tmp_path, clinic("c1", "60-70%") + clinic("c2", "20%"))
    payload = json.loads(ok(on(run, root, "compare", "knee", "-f", "json")).stdout)
    assert [s["id"] for s in payload["sources"]] == ["clinic"]
    (row,) = payload["rows"]
    assert list(row["cells"]) == ["clinic"]
    assert [c["id"] for c in row["evidence"]] == ["ev-vas"]
    out = ok(on(run, root, "compare", "knee", "-f", "csv")).stdout
    (record,) = csv.DictReader(io.StringIO(out))
    assert "vs control" in record["evidence"]
    assert "VAS" in record["evidence"]
    assert record["disagree"] == "yes"  # the marketing values, as before


def test_verify_lists_reference_sources_as_cited(run: Run, tmp_path: Path) -> None:
    references = SOURCES[SOURCES.index("- id: ev") :]
    root = dataset(tmp_path, sources=references)
    result = on(run, root, "verify", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert sorted(data["cited"]) == ["ev", "sv"]
    assert all(m["source"] not in ("ev", "sv") for m in data["misses"])


def test_redflags_refuses_a_reference_source(run: Run) -> None:
    result = run("redflags", "--source", "shang-2023")
    assert result.exit_code == 2
    assert result.stderr.startswith("error:")
    assert "Traceback" not in result.stderr


def test_export_csv_carries_kind_and_certainty(run: Run) -> None:
    out = ok(run("export", "-f", "csv")).stdout
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert (
        rows["iijima-2018-pain-smd"]["source_kind"],
        rows["iijima-2018-pain-smd"]["certainty"],
    ) == ("evidence", "very-low to low")
    assert rows["bookimed-takeaway-cost"]["source_kind"] == "broker"
    assert rows["iijima-2018-pain-smd"]["ci_low"] == "-1.94"


@pytest.mark.parametrize(
    ("name", "claim"),
    [
        ("context_responders.txt", "bookimed-trial-oa-responders-79pct"),
        ("context_price.txt", "bookimed-takeaway-cost"),
    ],
)
def test_context_golden(run: Run, name: str, claim: str) -> None:
    result = ok(run("context", claim, env=WIDE))
    got = "".join(line.rstrip() + "\n" for line in result.stdout.splitlines())
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")


def test_context_of_the_79_percent_claim(run: Run) -> None:
    data = json.loads(ok(run("context", "bookimed-trial-oa-responders-79pct", "-f", "json")).stdout)
    assert data["position"]["unusual"] is False
    assert data["position"]["range"] == "piuzzi-2018-survey-efficacy-range"
    assert data["position"]["mean"] == "piuzzi-2018-survey-efficacy-mean"
    evidence = data["evidence"]
    assert evidence
    assert not any(e["comparable"] for e in evidence)
    # what each measures is said: a difference from control is not an absolute change
    vas = next(e for e in evidence if e["claim"]["id"] == "bjr-2020-msc-rcts-vas-pain")
    assert "difference from control" in vas["why"]
    assert "no comparator stated" in vas["why"]
    assert data["certainty"] == "very-low to low"
    assert {s["claim"]["source_kind"] for s in data["survey"]} == {"survey"}


def test_context_of_a_price_and_of_a_reference_claim(run: Run) -> None:
    data = json.loads(ok(run("context", "bookimed-takeaway-cost", "-f", "json")).stdout)
    assert data["position"]["range"] == "piuzzi-2018-survey-price-range"
    assert data["evidence"] == []
    ref = json.loads(ok(run("context", "piuzzi-2018-survey-efficacy-mean", "-f", "json")).stdout)
    assert ref["reference"] is True
    assert ref["position"] is None
    for fmt in ("markdown", "csv"):
        assert ok(run("context", "bookimed-takeaway-cost", "-f", fmt)).stdout.strip()
    assert run("context", "no-such-claim").exit_code == 2


def test_context_handles_resolve_like_show(run: Run) -> None:
    ds = load([], bundled=True, use_cache=False)
    from stemcli.ops.handles import handle

    short = handle(ds, "bookimed-takeaway-cost")
    data = json.loads(ok(run("context", short, "-f", "json")).stdout)
    assert data["claim"]["id"] == "bookimed-takeaway-cost"


def test_markdown_lookup_shows_the_evidence_table_after_the_marketing_one(run: Run) -> None:
    out = ok(run("lookup", "knee-oa", "--outcome", "pain", "-f", "markdown")).stdout
    marketing, _, reference = out.partition("### Evidence and surveys")
    assert "| stemmedicare-oa-middle-pain |" in marketing
    assert "iijima-2018-pain-smd" not in marketing
    assert "| iijima-2018-pain-smd |" in reference
    assert "very low to low" in reference
