"""stemcli redflags: the rule set, each rule's hits and near misses, the command."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from stemcli.dataset import load
from stemcli.errors import InputError
from stemcli.ops.redflags import (
    RULES_FILE,
    completeness,
    load_rules,
    parse_rules,
    scan_quotes,
    scan_text,
)
from stemcli.render import Styled
from stemcli.reports import redflags_report

Run = Callable[..., Result]

REQUIRED_RULES = {
    "guarantee-cure",
    "no-risk",
    "many-conditions",
    "superiority-no-citation",
    "bare-percentage",
    "testimonial",
    "fda-registered-as-proof",
    "booster-package-pricing",
}


def hits(text: str, rule: str) -> list[str]:
    """The matched text of every finding of ``rule`` in ``text``."""
    found = [f for f in scan_text(text).findings if f.rule == rule]
    for f in found:
        assert text[f.start : f.end] == f.match
    return [f.match for f in found]


# (rule, a sentence that fires it, what it matches, a near miss that must not fire)
CASES = [
    (
        "guarantee-cure",
        "We guarantee you will walk without pain.",
        "guarantee",
        "The clinic offers no guarantee of results.",
    ),
    (
        "guarantee-cure",
        "Our stem cells cure arthritis for good.",
        "cure",
        "Stem cell therapy is not a definitive cure for arthritis.",
    ),
    (
        "guarantee-cure",
        "A single injection can eliminate knee pain.",
        "eliminate",
        "Injections cannot eliminate every kind of knee pain.",
    ),
    (
        "no-risk",
        "Because these are your own cells, the treatment carries no risk.",
        "Because these are your own",
        "No treatment is without risk, including this one.",
    ),
    (
        "no-risk",
        "The risk of rejection or allergic reaction is negligible.",
        "risk of rejection or allergic reaction is negligible",
        "There is a small risk of infection at the injection site.",
    ),
    (
        "no-risk",
        "Our procedure is completely safe.",
        "completely safe",
        "Our procedure is not completely safe, and no procedure is.",
    ),
    (
        "many-conditions",
        "Our stem cells help with autism, multiple sclerosis, diabetes and arthritis.",
        "autism, multiple sclerosis, diabetes and arthritis",
        "Our stem cells are used for knee arthritis and back pain.",
    ),
    (
        "many-conditions",
        "One injection treats over 50 conditions.",
        "treats over 50 conditions",
        "Researchers study Alzheimer's, Parkinson's and stroke in organoids.",
    ),
    (
        "superiority-no-citation",
        "Stem cells work better than knee surgery.",
        "better than knee surgery",
        "Stem cells worked better than steroids (Smith et al., 2020).",
    ),
    (
        "superiority-no-citation",
        "It gave 50% greater pain reduction than corticosteroids.",
        "50% greater pain reduction than corticosteroids",
        "Surgery is better for severe cases.",
    ),
    (
        "superiority-no-citation",
        "Avoid knee replacement with a single injection.",
        "Avoid knee replacement",
        "Knee replacement helps severe cases.",
    ),
    (
        "bare-percentage",
        "Our patients report 85% improvement.",
        "85%",
        "In 120 patients, pain fell 40%.",
    ),
    (
        "bare-percentage",
        "Pain fell by 60-70 percent.",
        "60-70 percent",
        "Pain fell 40% at 6 months.",
    ),
    (
        "bare-percentage",
        "Nearly 80% felt better.",
        "80%",
        "Pain fell 40% more than with a placebo.",
    ),
    (
        "testimonial",
        "Read how one patient got her life back.",
        "Read how one",
        "Each patient is assessed individually.",
    ),
    (
        "testimonial",
        "A 62-year-old runner was back on the track.",
        "62-year-old runner",
        "Runners over 60 years are assessed first.",
    ),
    (
        "testimonial",
        "Patient testimonials speak for themselves.",
        "testimonials",
        "In a trial of 312 patients, pain fell.",
    ),
    (
        "fda-registered-as-proof",
        "Our laboratory is FDA-registered.",
        "FDA-registered",
        "The FDA has not approved any stem cell product for knee pain.",
    ),
    (
        "fda-registered-as-proof",
        "Our study is listed on ClinicalTrials.gov as NCT01234567.",
        "ClinicalTrials.gov",
        "Stem cell therapy is not yet FDA-approved for orthopedic use.",
    ),
    (
        "booster-package-pricing",
        "Add a booster injection at 6 months.",
        "booster",
        "The price is $5,000 per knee.",
    ),
    (
        "booster-package-pricing",
        "Our 3-session package costs $12,000.",
        "3-session package",
        "No packages or boosters are sold here.",
    ),
]


@pytest.mark.parametrize(("rule", "fires", "match", "near_miss"), CASES)
def test_rule_fires_and_its_near_miss_does_not(
    rule: str, fires: str, match: str, near_miss: str
) -> None:
    assert any(match in h for h in hits(fires, rule)), hits(fires, rule)
    assert hits(near_miss, rule) == []


def test_every_required_rule_is_tested_and_bundled() -> None:
    ids = {r.id for r in load_rules()}
    assert ids >= REQUIRED_RULES
    assert {c[0] for c in CASES} == ids


def test_bundled_rules_cite_public_guidance_by_title() -> None:
    known = (
        "ISSCR, A Closer Look at Stem Cell Treatments",
        "FDA, Important Patient and Consumer Information About Regenerative Medicine Therapies",
        "FTC action against Regenerative Medical Group and Telehealth Medical Group",
        "HealthNewsReview.org review criteria",
    )
    for rule in load_rules():
        assert any(k in rule.citation for k in known), rule.id
        assert "http" not in rule.citation
        assert rule.why
        assert rule.name


def test_the_percentage_rule_wants_all_three_missing() -> None:
    assert hits("85% improved.", "bare-percentage") == ["85%"]
    for context in ("in 40 patients", "at 6 months", "compared with placebo"):
        assert hits(f"85% improved {context}.", "bare-percentage") == []


# ---------------------------------------------------------------------------
# the rule file is checked when loaded

GOOD = """
rules:
  - id: demo
    name: Demo
    patterns: ['\\bdemo\\b']
    why: Because.
    citation: Somebody, Some guidance
"""


def test_parse_rules_reads_a_good_file() -> None:
    (rule,) = parse_rules(GOOD, "mine.yaml")
    assert rule.id == "demo"
    assert rule.patterns[0].search("A DEMO here")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("'\\bdemo\\b'", "'(unclosed'"), "rule 'demo': patterns[0]: invalid pattern"),
        (("'\\bdemo\\b'", "'(a+)+b'"), "repeats a group that itself repeats"),
        (("'\\bdemo\\b'", "'(?:x*y)*'"), "repeats a group that itself repeats"),
        (("    why: Because.\n", ""), "field 'why' must be non-empty text"),
        (("    why: Because.\n", "    why: Because.\n    colour: red\n"), "unknown field 'colour'"),
        (("id: demo", "id: Not A Slug"), "'id' must be a lowercase slug"),
        (("rules:", "rulez:"), "expected a mapping with a 'rules' list"),
        (("patterns: ['\\bdemo\\b']", "patterns: [\n"), "invalid YAML"),
        (("patterns: ['\\bdemo\\b']", "patterns: []"), "needs 'patterns' or an 'enumeration'"),
        (
            ("patterns: ['\\bdemo\\b']", "enumeration: {pattern: x, min_distinct: 1}"),
            "'min_distinct' must be a whole number of 2 or more",
        ),
    ],
)
def test_a_broken_rule_file_is_a_clear_error(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(InputError) as err:
        parse_rules(GOOD.replace(old, new), "mine.yaml")
    assert message in err.value.message
    assert err.value.message.startswith("mine.yaml")


def test_duplicate_ids_and_bounded_repeats() -> None:
    with pytest.raises(InputError, match="used twice"):
        parse_rules(GOOD + GOOD.split("rules:\n")[1], "mine.yaml")
    bounded = GOOD.replace("'\\bdemo\\b'", "'(?:\\w+\\s+){0,3}demo'")
    assert parse_rules(bounded)[0].patterns[0].search("one two demo")


def test_the_bundled_rule_file_ships_inside_the_package() -> None:
    """It lives in data/ with the other vocabularies, which the wheel holds as stemcli/data
    (tests/test_project.py builds the wheel and looks for every data/*.yaml)."""
    from stemcli.dataset.find import bundled_dir

    assert (bundled_dir() / RULES_FILE).is_file()
    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    assert '"data" = "stemcli/data"' in pyproject


# ---------------------------------------------------------------------------
# findings


def test_offsets_are_characters_into_the_file_text() -> None:
    text = "Café über 🎉 naïve.\nWe guarantee results."
    (f,) = [f for f in scan_text(text).findings if f.rule == "guarantee-cure"]
    assert (f.start, f.end) == (text.index("guarantee"), text.index("guarantee") + 9)
    assert (f.line, f.column) == (2, 4)
    assert set(f.to_json()) == {"rule", "name", "match", "start", "end", "why", "citation"}


def test_table_highlights_the_match() -> None:
    text = "Intro. " + "Filler words here. " * 10 + "We guarantee results today."
    result = scan_text(text, path="page.txt")
    report = redflags_report(result)
    (row,) = report.rows
    cell = row[2]
    assert isinstance(cell, Styled)
    ((s, e, style),) = cell.spans
    assert cell.text[s:e] == "guarantee"
    assert "bold" in style


def test_quotes_of_a_source_and_completeness() -> None:
    mini = Path(__file__).parent / "fixtures" / "mini"
    ds = load([mini], bundled=False, use_cache=False)
    claims = [c for c in ds.claims if c.source == "beta"]
    result = scan_quotes(claims, source="beta")
    assert result.completeness is not None
    c = result.completeness
    assert c.claims == len(claims) == 4
    assert (c.with_n, c.with_timepoint, c.with_comparator, c.with_citation) == (1, 1, 0, 1)
    assert c.mean == pytest.approx((0.25 + 0.25 + 0 + 0.25) / 4)
    assert completeness([]).mean == 0
    for f in result.findings:
        claim = ds.claim(f.claim or "")
        assert claim is not None
        assert claim.quote[f.start : f.end] == f.match


# ---------------------------------------------------------------------------
# the command


@pytest.fixture
def page(tmp_path: Path) -> Path:
    p = tmp_path / "page.txt"
    p.write_text(
        "Our clinic guarantees results.\n[bold]Zero risk[/bold]: your own cells.\n",
        encoding="utf-8",
    )
    return p


def test_fail_on_flag_exits_1_only_when_something_is_found(
    run: Run, page: Path, tmp_path: Path
) -> None:
    assert run("redflags", str(page), "--fail-on-flag").exit_code == 1
    clean = tmp_path / "clean.txt"
    clean.write_text("Our clinic is open on Mondays.\n", encoding="utf-8")
    assert run("redflags", str(clean), "--fail-on-flag").exit_code == 0


def test_cli_finds_flags(run: Run, page: Path) -> None:
    result = run("redflags", str(page))
    assert result.exit_code == 0, result.output
    assert "Guaranteed results or cure language" in result.stdout
    assert "[bold]Zero risk[/bold]" in result.stdout  # data is never markup
    assert "ISSCR" in result.stdout


def test_cli_json_is_an_array_of_findings(run: Run, page: Path) -> None:
    result = run("redflags", str(page), "--format", "json")
    assert result.exit_code == 0
    findings = json.loads(result.stdout)
    text = page.read_text(encoding="utf-8")
    assert [f["rule"] for f in findings] == ["guarantee-cure", "no-risk"]
    for f in findings:
        assert set(f) == {"rule", "name", "match", "start", "end", "why", "citation"}
        assert text[f["start"] : f["end"]] == f["match"]


def test_cli_source_mode(run_mini: Run) -> None:
    result = run_mini("redflags", "--source", "beta", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    assert data["source"] == "beta"
    assert data["completeness"]["n"] == {"count": 1, "share": 0.25}
    assert all("claim" in f for f in data["findings"])
    table = run_mini("redflags", "--source", "Beta Broker")
    assert "context completeness of 4 claims: n 25%" in table.stdout


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"GIF89a\x00\x01\x00\x00", 3, "a binary file (NUL byte)"),
        (b"ok\nno risk \xe9", 3, ":2:9: not UTF-8 text"),
        (b"", 0, "0 red flags"),
    ],
)
def test_cli_bad_and_empty_files(
    run: Run, tmp_path: Path, content: bytes, code: int, message: str
) -> None:
    p = tmp_path / "input.txt"
    p.write_bytes(content)
    result = run("redflags", str(p))
    assert result.exit_code == code, result.output
    assert message in (result.stderr if code else result.stdout)
    assert "Traceback" not in result.output
    if code == 0:
        assert json.loads(run("redflags", str(p), "-f", "json").stdout) == []


def test_cli_needs_exactly_one_of_file_and_source(run: Run, run_mini: Run, page: Path) -> None:
    neither = run("redflags")
    assert neither.exit_code == 2
    assert "give a FILE or --source" in neither.stderr
    both = run("redflags", str(page), "--source", "bookimed")
    assert both.exit_code == 2
    assert "not both" in both.stderr
    unknown = run_mini("redflags", "--source", "nobody")
    assert unknown.exit_code == 2
    assert "unknown source" in unknown.stderr


def test_cli_output_file(run: Run, page: Path, tmp_path: Path) -> None:
    out = tmp_path / "flags.csv"
    result = run("redflags", str(page), "-f", "csv", "-o", str(out))
    assert result.exit_code == 0
    assert out.read_text().splitlines()[0] == "rule,name,match,start,end,line,column,why,citation"
    again = run("redflags", str(page), "-f", "csv", "-o", str(out))
    assert again.exit_code == 2
    assert "file exists" in again.stderr


def test_more_flags_than_a_page_has_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import stemcli.ops.redflags as ops

    monkeypatch.setattr(ops, "MAX_FINDINGS", 2)
    assert len(scan_text("We guarantee it. We guarantee it.").findings) == 2
    with pytest.raises(InputError, match="more than 2 red flags"):
        scan_text("We guarantee it. " * 3, path="huge.txt")


def test_a_match_across_a_sentence_end_does_not_hide_one_inside() -> None:
    """Patterns run over the whole text; a match crossing sentences is re-read per sentence."""
    text = "It is the patient's own. Cells are completely safe, the risk is negligible."
    matched = hits(text, "no-risk")
    assert "completely safe" in matched
    assert all(". " not in m for m in matched)


def test_matches_beyond_what_a_page_holds_stop_the_scan_early(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The limit is checked while one rule's matches are collected, not after: holding
    millions of matches of one pattern cost gigabytes before the page was refused."""
    from stemcli.ops import redflags as ops

    calls: list[str] = []
    real = ops._in_segments

    def recording(pattern: Any, text: str, segs: Any) -> Any:
        calls.append("called")
        try:
            return real(pattern, text, segs)
        except ops._TooMany:
            calls.append("over the limit")
            raise

    monkeypatch.setattr(ops, "_MAX_MATCHES", 50)
    monkeypatch.setattr(ops, "_in_segments", recording)
    with pytest.raises(InputError, match="red flags"):
        ops.scan_text("Our success rate is 50%. " * 200, path="page.txt")
    # one pattern went over while its matches were collected, and nothing ran after it
    assert calls[-1] == "over the limit", calls
    assert calls.count("over the limit") == 1
