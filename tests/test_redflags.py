"""stemcli redflags: the rule set, each rule's hits and near misses, the command."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from stemcli.dataset import load
from stemcli.errors import InputError
from stemcli.ops.redflags import (
    RULES_FILE,
    completeness,
    guess_page_kind,
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
    "hype-headline",
    "urgency-pressure",
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
        "eliminate knee pain",
        "Injections cannot eliminate every kind of knee pain.",
    ),
    (
        "guarantee-cure",
        "The improvement is permanent.",
        "improvement is permanent",
        "The improvement is not permanent for everyone.",
    ),
    (
        "guarantee-cure",
        "They walk without pain, and the improvement is permanent.",
        "improvement is permanent",
        "They walk with less pain, but the improvement is not permanent.",
    ),
    (
        "guarantee-cure",
        "Results last a lifetime.",
        "last a lifetime",
        "A knee replacement lasts 15 years.",
    ),
    (
        "guarantee-cure",
        "Our cells reverse degenerative disease.",
        "reverse degenerative disease",
        "No injection can reverse degenerative disease.",
    ),
    (
        "guarantee-cure",
        "The cartilage regrows, so the damage is reversed instead of masked.",
        "damage is reversed",
        "Some damage cannot be repaired.",
    ),
    (
        "guarantee-cure",
        "Most patients walk again without pain.",
        "walk again",
        "Most patients walk unaided after 24 hours.",
    ),
    (
        "no-risk",
        "Because these are your own cells, the treatment carries no risk.",
        "no risk",
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
        "no-risk",
        "The injections have no side effects.",
        "no side effects",
        "Side effects are usually mild and pass within days.",
    ),
    (
        "no-risk",
        "It is a risk-free, same-day procedure.",
        "risk-free",
        "The procedure uses your own cells, so the risk of rejection is minimal.",
    ),
    (
        "no-risk",
        "There is no risk of rejection with your own cells.",
        "no risk",
        "Rejection is rare with your own cells.",
    ),
    (
        "guarantee-cure",
        "Our cells repair damaged nerves permanently.",
        "repair damaged nerves permanently",
        "Some nerve damage is permanent.",
    ),
    (
        "guarantee-cure",
        "Say goodbye to knee pain forever.",
        "goodbye to knee pain",
        "Scientists hope stem cells could one day cure Parkinson's.",
    ),
    (
        "no-risk",
        "There is no chance of rejection since the cells are yours.",
        "no chance of rejection",
        "No serious adverse events were reported in the trial.",
    ),
    (
        "no-risk",
        "Since the cells are your own, there is no rejection.",
        "no rejection",
        "Rejection is uncommon when the cells are your own.",
    ),
    (
        "no-risk",
        "Your own cells can never be rejected.",
        "never be rejected",
        "Donor cells are sometimes rejected.",
    ),
    (
        "many-conditions",
        "Our stem cells help with autism, multiple sclerosis, diabetes and arthritis.",
        "autism",
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
        "Stem cells work faster and last longer than cortisone injections.",
        "faster and last longer than cortisone",
        "None of the cell treatments did better than the steroid.",
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
        "bare-percentage",
        "In the middle stage, 70-80% of patients improve.",
        "70-80%",
        "Knee osteoarthritis affects 30 % of people over 60.",
    ),
    (
        "testimonial",
        'Patient stories\n"I had been told I needed a new knee. Eight weeks after my injection'
        ' I was hiking again." Linda, 64, retired teacher',
        "Eight weeks after my injection",
        "Patient stories\nEach patient is assessed individually.",
    ),
    (
        "testimonial",
        "\u201cMy knee feels twenty years younger.\u201d \u2014 Maria, 54",
        "Maria, 54",
        "\u201cHow long does the effect last?\u201d is the question we hear most.",
    ),
    (
        "testimonial",
        '"I can play golf again," says John D., a patient from Ohio.',
        "says John D",
        '"Will it work for my knee?" Most patients ask this first.',
    ),
    (
        "testimonial",
        "\u201cLife-changing!\u201d \u2014 Maria, 54",
        "Maria, 54",
        "\u201cLife-changing\u201d is how some describe it.",
    ),
    (
        "testimonial",
        "Maria, 54, from Texas:\n\u201cI can hike again.\u201d",
        "Maria, 54",
        '"I would not do it again," said Margaret Doyle, 71.',
    ),
    (
        "testimonial",
        "Patient stories\nAfter two injections I can hike again. \u2014 Maria, 54\n",
        "Maria, 54",
        "Patient stories\nMost patients hike again after 6 weeks \u2014 Dr Lee, 2024\n",
    ),
    (
        "testimonial",
        "A 62-year-old runner was back on the track within weeks.",
        "62-year-old runner was back",
        "A 55-year-old patient presented with grade 3 osteoarthritis.",
    ),
    (
        "testimonial",
        "Read how one patient got her life back.",
        "Read how one",
        "Each patient is assessed individually.",
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
        "fda-registered-as-proof",
        "Our cells are processed in an FDA-cleared lab.",
        "FDA-cleared",
        "Stem cell treatments for these conditions are not approved by the US FDA.",
    ),
    (
        "fda-registered-as-proof",
        "The therapy is approved by the FDA.",
        "approved by the FDA",
        "The FDA warns that unapproved stem cell products can cause blindness.",
    ),
    (
        "fda-registered-as-proof",
        "Our clinic is registered with the FDA.",
        "registered with the FDA",
        "Insurers do not pay because the therapy has yet to be approved by the FDA.",
    ),
    (
        "fda-registered-as-proof",
        "The FDA has approved our cell processing, and our procedures follow FDA guidelines.",
        "FDA has approved",
        "Only cord blood products are FDA-approved.",
    ),
    (
        "fda-registered-as-proof",
        "Our cells come from an FDA approved laboratory in Florida.",
        "FDA approved",
        "No stem cell therapy is FDA-approved for knees.",
    ),
    (
        "booster-package-pricing",
        "Add a booster injection at 6 months for $1,900.",
        "booster",
        "The price is $5,000 per knee.",
    ),
    (
        "booster-package-pricing",
        "Our 3-session package costs $12,000.",
        "3-session package",
        "No packages or boosters are sold here.",
    ),
    (
        "booster-package-pricing",
        "The 12-treatment option is $41,500.",
        "12-treatment option",
        "Each treatment is priced separately.",
    ),
    (
        "hype-headline",
        "Astounding Results With Stem Cells",
        "Astounding",
        "Stem cells are not a miracle.",
    ),
    (
        "hype-headline",
        "A Revolutionary Breakthrough for Knees",
        "Revolutionary",
        "Stem cells are studied for knee pain.",
    ),
    (
        "urgency-pressure",
        "Only 3 places left this month!",
        "Only 3 places left",
        "We treat 3 patients a day.",
    ),
    (
        "urgency-pressure",
        "Get 20 % off this month.",
        "20 % off",
        "Pain fell 20 % in a month.",
    ),
    (
        "urgency-pressure",
        "Book before 31 March to keep the price.",
        "Book before 31",
        "Book a consultation to learn more.",
    ),
    (
        "urgency-pressure",
        "Save 20% when you book, for the first 10 patients.",
        "Save 20%",
        "A 20% deposit is required.",
    ),
    (
        "testimonial",
        "\u2018I\u2019m back on the tennis court,\u2019 says Anna.",
        "says Anna",
        "\u2018It is not for everyone,\u2019 says Dr Lee.",
    ),
    (
        "urgency-pressure",
        "March is almost fully booked.",
        "almost fully booked",
        "The pain was almost gone and the knee had almost full movement.",
    ),
    (
        "guarantee-cure",
        "You will never need surgery again.",
        "never need surgery",
        "Surgery is never needed for mild cases.",
    ),
    (
        "fda-registered-as-proof",
        "Our clinic follows FDA 361 guidelines.",
        "follows FDA 361 guidelines",
        "Ask whether the FDA has reviewed the treatment.",
    ),
    (
        "urgency-pressure",
        "This is a limited time offer.",
        "limited time",
        "There is no discount for early booking.",
    ),
]


# (rule, a sentence that looks like the rule's kind but is no red flag)
FALSE_ALARMS = [
    # prevalence is not efficacy
    ("bare-percentage", "Knee osteoarthritis is seen in 50-80 % of adults over 65."),
    ("bare-percentage", "Back pain affects 30 % of people over 60."),
    ("bare-percentage", "About 60% of Americans suffer from joint pain."),
    # a percentage that is about something else
    ("bare-percentage", "The treatment is 100 % legal in Mexico."),
    ("bare-percentage", "Our cell products are 100 % natural."),
    ("bare-percentage", "Get 20 % off this month."),
    ("bare-percentage", "Financing at 0% APR, with up to 30% of the cost covered."),
    ("bare-percentage", "80% of people will have back pain at some point."),
    # a risk, or the quality of the cells, is no efficacy figure
    ("bare-percentage", "The risk of infection is under 1%."),
    ("bare-percentage", "About 10% of patients get mild swelling."),
    ("bare-percentage", "Our cells have 95% viability."),
    # "eliminated" alone is not a cure
    ("guarantee-cure", "Injected cells are eliminated from the body within weeks."),
    ("guarantee-cure", "The clinic eliminated waiting lists."),
    # negations stay non-findings
    ("guarantee-cure", "Stem cells are not a cure for osteoarthritis."),
    ("guarantee-cure", "There is no guarantee that the pain will go."),
    ("guarantee-cure", "Nobody can promise results, and we never guarantee them."),
    ("guarantee-cure", "None of the patients were cured."),
    ("guarantee-cure", "The FDA warns about clinics that claim to cure arthritis."),
    ("guarantee-cure", "Most implants last 20 years."),
    ("no-risk", "No procedure is completely safe."),
    ("no-risk", "It is not risk-free."),
    ("fda-registered-as-proof", "The therapy is not approved by the FDA."),
    ("fda-registered-as-proof", "The FDA has warned clinics that claim FDA approval."),
    (
        "fda-registered-as-proof",
        "The FDA has approved stem cell products only for disorders of the blood.",
    ),
    ("no-risk", "No serious adverse events were reported in the trial."),
    ("no-risk", '"They told me there were no side effects," he said.'),
    (
        "guarantee-cure",
        "The FTC took action against clinics that claimed to cure arthritis and reverse ageing.",
    ),
    ("many-conditions", "Patients with diabetes, heart disease or autism were excluded."),
    (
        "many-conditions",
        "We treat knee arthritis.\nCan I have the treatment if I have diabetes or heart disease?",
    ),
    ("many-conditions", "The clinic's website lists autism, COPD and knee pain."),
    ("hype-headline", "This is not a miracle cure."),
    # a comparison that is denied, or a patient quoted in news (no name given as evidence)
    (
        "superiority-no-citation",
        "It has not been shown to work better than a steroid jab that costs under $100.",
    ),
    ("testimonial", '"The clinic told me 9 out of 10 patients were better," she said.'),
]


@pytest.mark.parametrize(("rule", "sentence"), FALSE_ALARMS)
def test_false_alarms_stay_quiet(rule: str, sentence: str) -> None:
    assert hits(sentence, rule) == []


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
        "FDA, FDA Warns About Stem Cell Therapies",
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


PAGE_RULE = "    scope: page\n    groups: {a: x, b: y}\n    min_groups: 2\n    why: Because.\n"


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
        (("    why: Because.\n", "    scope: chapter\n    why: Because.\n"), "'scope' must be"),
        (
            ("    why: Because.\n", "    groups: {a: x, b: y}\n    why: Because.\n"),
            "'groups' and 'min_groups' need 'scope: page'",
        ),
        (
            ("    why: Because.\n", "    scope: page\n    why: Because.\n"),
            "a page-level rule needs 'groups'",
        ),
        (
            ("    why: Because.\n", PAGE_RULE.replace("min_groups: 2", "min_groups: 3")),
            "'min_groups' must be a whole number from 2 to the number of groups",
        ),
        (
            ("    why: Because.\n", PAGE_RULE.replace("b: y", "B C: y")),
            "group name 'B C' must be a lowercase slug",
        ),
        (
            ("    why: Because.\n", PAGE_RULE.replace("b: y", "b: '(y+)+'")),
            "groups.b: pattern '(y+)+' repeats a group that itself repeats",
        ),
        (
            ("    why: Because.\n", "    unless_after: '(z'\n    why: Because.\n"),
            "unless_after: invalid pattern",
        ),
        (
            (
                "    why: Because.\n",
                "    scope: passage\n    enumeration: {pattern: x, min_distinct: 2}\n"
                "    why: Because.\n",
            ),
            "an 'enumeration' is for sentence or heading rules",
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
    assert "Guaranteed, permanent results or cure language" in result.stdout
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
    assert out.read_text().splitlines()[0] == (
        "rule,name,match,start,end,line,column,why,citation,scope,evidence,relayed"
    )
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


# ---------------------------------------------------------------------------
# rule kinds: headings, passages, the page as a whole; words after a match


def kind_rule(body: str) -> Any:
    (rule,) = parse_rules(
        f"rules:\n  - id: demo\n    name: Demo\n{body}    why: W.\n    citation: C\n"
    )
    return rule


def test_a_heading_rule_reads_only_headings() -> None:
    rule = kind_rule("    scope: heading\n    patterns: ['\\bmiracle\\b']\n")
    text = "Miracle Knees\nSome call it a miracle. We do not.\n"
    found = scan_text(text, rules=[rule]).findings
    assert [(f.line, f.match) for f in found] == [(1, "Miracle")]
    assert scan_quotes([], source="s", rules=[rule]).findings == ()


def test_a_passage_rule_matches_across_sentences_and_lines() -> None:
    rule = kind_rule("    scope: passage\n    patterns: ['first\\.\\s+the\\s+second']\n")
    text = "Intro here. It came first.\nThe second one. Outro."
    (f,) = scan_text(text, rules=[rule]).findings
    assert f.match == "first.\nThe second"
    assert f.context == "It came first.\nThe second one."
    assert text[f.context_start :].startswith(f.context)


def test_words_after_a_match_can_undo_it() -> None:
    rule = kind_rule("    patterns: ['\\d+ %']\n    unless_after: '^\\s*of\\s+adults'\n")
    found = scan_text("It affects 30 % of adults. It helps 90 % of them.", rules=[rule]).findings
    assert [f.match for f in found] == ["90 %"]


PAGE = """Stem Cells for Every Condition

What we treat
Knee arthritis
Autism
Heart failure

How it works
Our injections rebuild worn joints. Cells are infused into a vein.

What researchers study
Scientists grow organoids to study diabetes and lung disease.
"""


def test_many_conditions_is_one_finding_for_the_page() -> None:
    """Conditions of different groups in a list make one page-level finding, pointing at
    the first mention; what researchers study counts for nothing."""
    (f,) = [f for f in scan_text(PAGE).findings if f.rule == "many-conditions"]
    assert f.scope == "page"
    assert f.match == "arthritis"
    assert [e.split(":")[0] for e in f.evidence] == [
        "joints",
        "development",
        "heart-and-vessels",
    ]
    data = f.to_json()
    assert data["scope"] == "page"
    assert data["evidence"] == list(f.evidence)
    # two groups are not many, and research mentions do not count
    two = PAGE.replace("Heart failure", "Knee pain")
    assert hits(two, "many-conditions") == []
    assert hits("Scientists study autism, heart failure and diabetes.", "many-conditions") == []


def test_many_conditions_in_a_source_reads_its_quotes_together() -> None:
    from stemcli.model import Claim

    mini = Path(__file__).parent / "fixtures" / "mini"
    ds = load([mini], bundled=False, use_cache=False)
    base: Claim = ds.claims[0]
    quotes = [
        "We treat knee arthritis with stem cells.",
        "Children with autism improve after treatment.",
        "Our heart failure patients feel better.",
    ]
    claims = [replace(base, id=f"c{i}", quote=q) for i, q in enumerate(quotes)]
    (f,) = [f for f in scan_quotes(claims, source="x").findings if f.rule == "many-conditions"]
    assert f.claim == "c0"
    assert f.match == "arthritis"
    assert len(f.evidence) == 3
    assert [f.rule for f in scan_quotes(claims[:2], source="x").findings] == []


def test_the_table_marks_a_page_finding_and_lists_its_evidence() -> None:
    report = redflags_report(scan_text(PAGE, path="page.txt"))
    (row,) = [r for r in report.rows if "many" in str(r[1])]
    assert str(row[0]).endswith("(page)")
    assert "across the page: joints: arthritis" in str(row[2])


def test_a_testimonial_finding_covers_the_quote_and_its_name() -> None:
    text = (
        "Patient stories\n"
        '"I had been told I needed a new knee. Eight weeks later I was hiking." Linda, 64\n'
    )
    (f,) = [f for f in scan_text(text).findings if f.rule == "testimonial"]
    assert f.match.startswith('"I had been told')
    assert f.match.endswith("Linda, 64")
    # a quoted question without a name is no testimonial
    assert hits('She asked: "Will it help my knee?"', "testimonial") == []


# ---------------------------------------------------------------------------
# the quality benchmark (benchmarks/redflags_quality.py) on a folder made here


def test_the_quality_benchmark_matches_findings_to_labels(tmp_path: Path) -> None:
    from redflags_quality import locate, measure, report, tallies

    page = (
        "Miracle Knees\n\n"
        "We   GUARANTEE results. Knee pain affects 30 % of adults.\n"
        "Our injections help 85% of patients.\n"
        "We treat autism, heart failure and arthritis.\n"
    )
    (tmp_path / "p.txt").write_text(page, encoding="utf-8")
    (tmp_path / "p.labels.yaml").write_text(
        "page: p.txt\n"
        "twins: [p.html]\n"
        "redflags:\n"
        "  - {rule: guarantee-cure, sentence: 'we guarantee results.'}\n"
        "  - {rule: many-conditions, sentence: null}\n"
        "  - {rule: no-risk, sentence: 'Our injections help 85% of patients.'}\n"
        "  - {rule: testimonial, sentence: 'A sentence that is not on the page.'}\n",
        encoding="utf-8",
    )
    (tmp_path / "p.html").write_text("<p>We guarantee results.</p>", encoding="utf-8")
    (tmp_path / "broken.labels.yaml").write_text("page: [", encoding="utf-8")
    # whitespace and case do not matter when a label's sentence is located
    assert locate(page, "we guarantee RESULTS.") == [(page.index("We"), page.index(" Knee pain"))]
    notes: list[str] = []
    results = measure(tmp_path, load_rules(), notes)
    txt = next(r for r in results if r.name == "p.txt")
    matched = {lab.rule: ok for lab, ok in txt.labels}
    assert matched == {
        "guarantee-cure": True,
        "many-conditions": True,  # a page-level label: any finding of the rule
        "no-risk": False,  # the sentence is there but no-risk does not fire on it
        "testimonial": False,
    }
    assert [lab.rule for lab in txt.unlocated] == ["testimonial"]
    wrong = sorted(f.rule for f, ok in txt.findings if not ok)
    assert wrong == ["bare-percentage", "hype-headline"]  # the prevalence figure is not one
    by_rule, _, total = tallies([txt])
    assert (by_rule["guarantee-cure"].recall, by_rule["guarantee-cure"].precision) == (1.0, 1.0)
    assert (total.labels, total.found) == (4, 2)
    assert any("broken.labels.yaml" in n for n in notes)
    text = report(results, notes, quiet=False)
    assert "miss  p.txt: no-risk" in text
    assert "label not found in the text" in text


def test_cli_json_marks_the_page_finding(run: Run, tmp_path: Path) -> None:
    p = tmp_path / "page.txt"
    p.write_text(PAGE, encoding="utf-8")
    result = run("redflags", str(p), "--format", "json")
    assert result.exit_code == 0, result.output
    (page_level,) = [f for f in json.loads(result.stdout) if f.get("scope") == "page"]
    assert page_level["rule"] == "many-conditions"
    assert PAGE[page_level["start"] : page_level["end"]] == page_level["match"]
    assert len(page_level["evidence"]) == 3


@pytest.mark.parametrize(
    ("pattern", "first"),
    [
        ("\\bfoo", "f"),
        ("\\b(?:foo|bar\\s+x)\\b", "bf"),
        ("x|y", "xy"),
        ("[$€£]\\s?\\d", "\\$£€"),
        ("\\d+%", "\\d"),
        # unsure: optional first parts, lookarounds, anchors, negated or ranged classes
        ("a?b", None),
        ("(?:x|y?z)", None),
        ("(?:ab)?c", None),
        ("a{0,3}b", None),
        ("(?<![\\w.])\\d", None),
        ("^\\s*of", None),
        ("[^a]b", None),
        ("[- ]x", None),
        ("(?m)^x", None),
        ("\\bfoo|[^a]", None),
    ],
)
def test_what_a_match_can_start_with(pattern: str, first: str | None) -> None:
    from stemcli.ops.redflags import _first_chars

    assert _first_chars(pattern) == first


def test_skipping_positions_never_changes_what_a_pattern_matches() -> None:
    """Each bundled pattern is compiled with a look-ahead of the characters a match can
    start with; on every sentence of these tests, in three cases, it finds what the
    pattern alone finds."""
    import re

    texts = [c[1] for c in CASES] + [c[3] for c in CASES] + [t for _, t in FALSE_ALARMS] + [PAGE]
    corpus = "\n".join(texts)
    corpus = "\n".join([corpus, corpus.upper(), corpus.lower()])
    checked = 0
    for rule in load_rules():
        for p in [*rule.patterns, *(g for _, g in rule.groups), *rule.unless]:
            if not p.pattern.startswith("(?=["):
                continue
            plain = re.compile(p.pattern.split("]", 1)[1][4:-1], re.IGNORECASE)
            assert [m.span() for m in p.finditer(corpus)] == [
                m.span() for m in plain.finditer(corpus)
            ], p.pattern
            checked += 1
    assert checked > 50


# ---------------------------------------------------------------------------
# what the evaluation pages taught: each class of miss or false alarm, in general terms


def test_a_table_row_reads_its_header_for_the_context_of_its_cells() -> None:
    table = (
        "Stage | Patients treated | Improved at 12 months | Average pain reduction\n"
        "Early | 612 | 91% | 68%\n"
        "Late | 405 | 54% | 31%\n"
    )
    assert hits(table, "bare-percentage") == []
    # the same cells under a header without n, timepoint or comparator are bare
    bare = table.replace("Patients treated | Improved at 12 months", "Group | Improved")
    assert hits(bare, "bare-percentage") == ["91%", "68%", "54%", "31%"]
    # a row is no header for the rows of another table after a sentence
    apart = table + "Our results speak for themselves.\nEarly | 91% | 68%\n"
    assert hits(apart, "bare-percentage") == ["91%", "68%"]


def test_a_reduction_with_its_before_and_after_scores_is_not_bare() -> None:
    fell = "Average pain scores fell from 7.4 to 2.9, a 61% reduction."
    assert hits(fell, "bare-percentage") == []
    assert hits("Average pain scores fell by 61%.", "bare-percentage") == ["61%"]


def test_an_efficacy_share_without_context_is_bare() -> None:
    assert hits("Our spine program has a 94% success rate.", "bare-percentage") == ["94%"]
    assert hits("92% of our patients report improvement.", "bare-percentage") == ["92%"]


def test_a_patients_own_words_are_a_testimonial_not_a_bare_percentage() -> None:
    quote = '"My acne scars are 80% gone and I finally wear my hair up." Priya, Leicester\n'
    assert hits(quote, "bare-percentage") == []
    assert hits(quote, "testimonial")
    # a clinician quoting figures about patients is still a bare percentage
    doctor = '"I have seen 90% of my patients improve," says our founder.'
    assert hits(doctor, "bare-percentage") == ["90%"]


def test_a_claim_relayed_in_reported_speech_is_not_the_pages_own() -> None:
    relayed = (
        "A clinic with offices across the region tells prospective patients that "
        '"85% of our patients experience significant pain relief" after its injections, and '
        'that the shots can "delay or eliminate the need for knee replacement." '
        "The clinic\u2019s website also describes the injections as having \u201cno side "
        "effects\u201d and calls its laboratory \u201cFDA-registered,\u201d a listing experts "
        "call an administrative requirement."
    )
    found = {f.rule for f in scan_text(relayed).findings}
    assert found.isdisjoint(
        {"bare-percentage", "guarantee-cure", "no-risk", "fda-registered-as-proof"}
    ), found
    # the page's own words, quoted or not, are its claims
    own = (
        'Our clinic tells patients that "85% of our patients experience pain relief". '
        "The injections have no side effects. "
        '"No side effects at all," promises our medical director.'
    )
    assert hits(own, "bare-percentage") == ["85%"]
    assert hits(own, "no-risk") == ["no side effects", "No side effects"]


def test_a_table_of_what_a_clinic_claims_is_no_claim_of_the_page() -> None:
    table = (
        "Claim | What the clinic says | What the evidence shows\n"
        "Pain relief | 85% of patients | About 40% less pain, the same as a steroid shot\n"
    )
    assert hits(table, "bare-percentage") == []
    assert hits("Claim | Result | Note\nPain relief | 85% of patients | -\n", "bare-percentage")


def test_first_person_outcome_stories_are_testimonials_with_or_without_a_name() -> None:
    for story in (
        "After two treatments my rheumatoid arthritis pain is gone and I stopped my medication.",
        "Three months after my injection I hiked the mountain trail again.",
        '"I was back on my bike in a month." Ingrid W., Munich\n',
    ):
        assert hits(story, "testimonial"), story
    for quiet in (
        "After the injection, I recommend two days of rest.",
        "After your treatment our nurse will call you.",
        "Will my pain be gone after one session?",
    ):
        assert hits(quiet, "testimonial") == [], quiet


def test_superiority_over_a_named_alternative_or_by_a_multiple() -> None:
    assert hits(
        "Our procedure is safer and more effective than spinal fusion surgery.",
        "superiority-no-citation",
    )
    assert hits(
        "Umbilical cord cells are 10 times more potent than cells from fat or bone marrow.",
        "superiority-no-citation",
    )
    for quiet in (
        "Our procedure has not been shown to be safer than spinal fusion surgery.",
        "Cord cells were 10 times more potent than cells from fat (Lee et al., 2021).",
        "The cells multiply 10 times in the laboratory.",
    ):
        assert hits(quiet, "superiority-no-citation") == [], quiet


def test_a_price_for_several_treatments_or_a_repeat_is_package_pricing() -> None:
    for priced in (
        "Premium protocol, 3 infusions: US$18,000",
        "A course of 3 sessions costs £2,150 (about US$2,700).",
        "Price: $9,500 per infusion; the repeat infusion is $7,900.",
    ):
        assert hits(priced, "booster-package-pricing"), priced
    for single in (
        "Standard protocol, 1 infusion: US$7,500",
        "Patients with several damaged levels may need 2 to 3 sessions spaced 6 weeks apart.",
        "Price: £3,450 for a single injection.",
    ):
        assert hits(single, "booster-package-pricing") == [], single


def test_many_conditions_does_not_read_a_heading_that_titles_a_section() -> None:
    """A broker's sections ("Skin scars", then one clinic's offer) are no offer of one
    treatment for many conditions; rheumatoid arthritis is autoimmune, not a joint's wear."""
    broker = (
        "Skin scars\nOur partner clinic treats acne scars with injections.\n\n"
        "Rheumatoid arthritis\nThe clinic in Panama gives three infusions.\n\n"
        "Knee injury\nMeniscus tears and ligament sprains in athletes.\n"
    )
    assert hits(broker, "many-conditions") == []
    # the same conditions named in a sentence count
    said = broker.replace("three infusions.", "three infusions for rheumatoid arthritis.")
    assert hits(said, "many-conditions")
    # and so do they in a list of short lines
    listed = "What we treat\nAcne scars\nRheumatoid arthritis\nKnee injury\nMeniscus tears\n"
    assert hits(listed, "many-conditions")


def test_unless_reported_is_checked_when_loaded() -> None:
    rule = kind_rule("    patterns: ['\\bsafe\\b']\n    unless_reported: '\\bsays\\b'\n")
    assert rule.unless_reported is not None
    text = 'The clinic says it is "safe". It is "safe".'
    found = scan_text(text, rules=[rule]).findings
    assert [f.start for f in found] == [text.rindex("safe")]
    for scope in ("passage", "page"):
        extra = "    groups: {a: x, b: y}\n    min_groups: 2\n" if scope == "page" else ""
        with pytest.raises(InputError, match="unless_reported"):
            kind_rule(
                f"    scope: {scope}\n    patterns: ['x']\n{extra}    unless_reported: 'says'\n"
            )
    with pytest.raises(InputError, match="repeats"):
        kind_rule("    patterns: ['x']\n    unless_reported: '(a+)+'\n")


def test_the_quality_benchmark_scores_only_the_pages_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from redflags_quality import main, measure

    for name, text in (("a", "We guarantee results.\n"), ("b", "Our cells cure arthritis.\n")):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
        (tmp_path / f"{name}.labels.yaml").write_text(
            f"page: {name}.txt\nredflags:\n  - {{rule: guarantee-cure, sentence: null}}\n",
            encoding="utf-8",
        )
    assert [r.name for r in measure(tmp_path, load_rules(), [], {"b"})] == ["b.txt"]
    assert main(["--pages", str(tmp_path), "--only", "a", "--quiet"]) == 0
    assert capsys.readouterr().out.startswith("1 page files")
    assert main(["--pages", str(tmp_path), "--only", "c"]) == 2
    assert "'c'" in capsys.readouterr().err


def test_relayed_words_after_the_quotation_or_in_single_quotes() -> None:
    for relayed in (
        '"No side effects," the clinic says on its homepage.',
        "According to the clinic\u2019s website, the treatment has \u201cno side effects\u201d.",
        "The clinic\u2019s brochure describes the cells as \u2018completely safe\u2019.",
    ):
        assert hits(relayed, "no-risk") == [], relayed
    assert hits('"No side effects," promises our medical director.', "no-risk")
    # an apostrophe is no closing quotation mark: the relay still reaches the quotation
    assert (
        hits(
            "The clinic\u2019s advert calls it \u2018the patient\u2019s cure\u2019.",
            "guarantee-cure",
        )
        == []
    )


def test_a_header_column_that_counts_patients_is_an_n() -> None:
    assert hits("Result | Patients | Improved\nKnee | 40 | 91%\n", "bare-percentage") == []
    assert hits("Result | Share | Improved\nKnee | 40 | 91%\n", "bare-percentage") == ["91%"]


def test_the_price_of_a_second_or_maintenance_treatment_and_a_priced_course_row() -> None:
    for priced in (
        "A second injection, if needed, is $2,500.",
        "Annual maintenance: $3,000.",
        "Neuropathy programme | 2 infusions | $9,800",
    ):
        assert hits(priced, "booster-package-pricing"), priced
    assert hits("The second injection goes into the other knee.", "booster-package-pricing") == []


# a news report of a regulator's action: every warning sign in it is someone else's claim
NEWS = (
    "Regulator fines stem cell chain over \u2018miracle\u2019 knee claims\n\n"
    "The Federal Trade Commission on Tuesday ordered the chain to pay $3.6 million.\n\n"
    "According to the complaint, its advertisements said that its cells had "
    "\u201cno side effects\u201d and that its laboratory was \u201cFDA-registered.\u201d\n\n"
    "| What the chain advertised | What the FTC found |\n"
    "|---|---|\n"
    "| No side effects | Patients reported swelling |\n\n"
    "\u201cI was told I\u2019d be walking without a cane in six weeks,\u201d says Marjorie, 71.\n\n"
    "The Food and Drug Administration has approved no stem cell product for arthritis.\n\n"
    "Ask whether the treatment is part of a registered clinical trial. Be wary of any "
    "clinic that offers to treat many unrelated conditions with the same injection.\n\n"
    "Our verdict: this miracle treatment is a breakthrough.\n"
)


def test_a_news_page_relays_what_it_reports_and_keeps_its_own_claims() -> None:
    assert guess_page_kind(NEWS) == "information"
    result = scan_text(NEWS, kind="information")
    own = [(f.rule, f.match) for f in result.own]
    # the page's own words are still its red flags
    assert own == [("hype-headline", "miracle"), ("hype-headline", "breakthrough")]
    relayed = {(f.rule, f.match) for f in result.findings if f.relayed}
    assert {
        ("hype-headline", "miracle"),  # a headline reporting an action, the word quoted
        ("no-risk", "No side effects"),  # a row of a table of what was advertised
        ("fda-registered-as-proof", "registered clinical trial"),  # advice to readers
        ("many-conditions", "treat many unrelated conditions"),  # advice, page-level
    } <= relayed
    assert any(f.rule == "testimonial" for f in result.findings if f.relayed)
    # the same words on a page that sells treatment are all its own
    selling = scan_text(NEWS, kind="clinic")
    assert selling.findings
    assert all(not f.relayed for f in selling.findings)
    assert len(selling.own) == len(result.findings)
    # a quotation on such a page is relayed even with no reporting verb before it
    quoted = scan_text('Every advert reads "FDA-registered" in bold.', kind="information")
    assert [(f.rule, f.relayed) for f in quoted.findings] == [("fda-registered-as-proof", True)]
    assert scan_text(NEWS).own == selling.own  # no kind: every finding is the page's own


def test_a_sales_page_is_not_guessed_to_be_information() -> None:
    assert guess_page_kind("Book a free consultation. Our clinic cures arthritis.") == "clinic"
    # no sales words and no reporting: read as selling, so its flags are its own
    assert guess_page_kind("Stem cells cure arthritis, according to our data.") == "clinic"
    assert guess_page_kind("Compare clinics abroad and get a free quote.") == "broker"


def test_relayed_findings_are_marked_and_do_not_fail_the_check(run: Run, tmp_path: Path) -> None:
    news = tmp_path / "news.txt"
    news.write_text(NEWS.replace("Our verdict: this miracle treatment is a breakthrough.\n", ""))
    result = run("redflags", str(news), "--fail-on-flag", "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    assert findings
    assert all(f["relayed"] is True for f in findings)
    table = run("redflags", str(news))
    assert "(relayed)" in table.stdout
    assert "read as information" in table.stdout
    # --kind says what the page is: a clinic's page has no relayed findings
    as_clinic = run("redflags", str(news), "--kind", "clinic", "--fail-on-flag", "-f", "json")
    assert as_clinic.exit_code == 1
    assert all("relayed" not in f for f in json.loads(as_clinic.stdout))
    bad = run("redflags", str(news), "--kind", "newspaper")
    assert bad.exit_code == 2
    assert "--kind must be" in bad.stderr


def test_a_deposit_or_a_refund_is_no_efficacy_percentage() -> None:
    for money in (
        "You pay a deposit of 20% when you book.",
        "If you are not a candidate, you get 100% of the treatment price back.",
        "A 30% deposit secures your date.",
        "We refund 50% of the fee if you cancel.",
    ):
        assert hits(money, "bare-percentage") == [], money
    assert hits("Our treatment helps 90% of patients.", "bare-percentage") == ["90%"]


def test_a_booster_or_package_without_a_price_is_no_package_pricing() -> None:
    for unpriced in (
        "A booster infusion is recommended every 12 months to keep the immune system in balance.",
        "Some patients need a booster injection after a year.",
        "Ask us about maintenance injections.",
    ):
        assert hits(unpriced, "booster-package-pricing") == [], unpriced
    for priced in (
        "A booster infusion every 12 months costs $3,200.",
        "The Panama centre's USD 22,000 package includes a booster infusion at 6 months.",
        "Booster injection at 12 months | Cells from your stored sample | $3,200",
        "Shoulder Recovery Programme, an injection with 12 physiotherapy sessions: €3,400.",
    ):
        assert hits(priced, "booster-package-pricing"), priced
    # what a patient paid is a report, not a price on offer
    paid = "She paid $8,200 for two injections into her left knee in 2023."
    assert hits(paid, "booster-package-pricing") == []


def test_reversing_a_named_disease_and_what_the_fda_has_not_approved() -> None:
    assert hits(
        "Our cells regenerate damaged nerves and reverse neuropathy at its source.",
        "guarantee-cure",
    ) == ["reverse neuropathy"]
    assert (
        hits(
            "The Food and Drug Administration has approved no stem cell product for arthritis.",
            "fda-registered-as-proof",
        )
        == []
    )
    assert hits("The FDA has approved our laboratory.", "fda-registered-as-proof")


def test_a_rule_that_requires_words_in_its_sentence() -> None:
    rules = parse_rules(
        GOOD.replace("    why: Because.\n", "    requires: ['\\$\\d']\n    why: Because.\n")
    )
    assert [f.match for f in scan_text("A demo for $5.", rules=rules).findings] == ["demo"]
    assert scan_text("A demo for free.", rules=rules).findings == ()
    with pytest.raises(InputError, match="'requires' is for sentence or heading rules"):
        parse_rules(
            GOOD.replace(
                "    why: Because.\n", "    scope: passage\n    requires: [x]\n    why: Because.\n"
            )
        )
