"""Review marks: `review: [...]` lists the fields of a claim or source a person has not
checked; validate warns of them (fails with --strict), and conflicts and compare say
which values rest on them."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from stemcli.dataset import load
from stemcli.dataset.cache.codec import decode, encode

Run = Callable[..., Result]

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def marked(tmp_path: Path) -> Path:
    """The mini dataset with one claim and one source marked for review."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    claims = root / "claims" / "alpha.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(
        text.replace(
            "- id: alpha-pain-middle\n", "- id: alpha-pain-middle\n  review: [outcome, measure]\n"
        ),
        encoding="utf-8",
    )
    sources = root / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(
        text.replace("  publisher: Beta Broker\n", "  publisher: Beta Broker\n  review: [kind]\n"),
        encoding="utf-8",
    )
    return root


def _on(root: Path, run: Run) -> Run:
    return lambda *args, **kw: run("--no-bundled", "--data", str(root), *args, **kw)


def test_review_is_parsed_into_claims_and_sources(marked: Path) -> None:
    ds = load([marked], bundled=False, use_cache=False)
    claim = ds.claim("alpha-pain-middle")
    assert claim is not None
    assert claim.review == ("outcome", "measure")
    other = ds.claim("alpha-pain-early")
    assert other is not None
    assert other.review == ()
    assert ds.sources["beta"].review == ("kind",)
    assert ds.sources["alpha"].review == ()


def test_validate_warns_of_unreviewed_claims_and_exits_0(marked: Path, run: Run) -> None:
    result = _on(marked, run)("validate", "--format", "json")
    assert result.exit_code == 0, result.output
    entries = json.loads(result.stdout)
    assert {e["level"] for e in entries} == {"warning"}
    by_claim = {e["claim"]: e for e in entries}
    assert set(by_claim) == {"alpha-pain-middle", None}
    claim = by_claim["alpha-pain-middle"]
    assert claim["message"] == "unreviewed: outcome, measure"
    assert claim["file"] == str(marked / "claims" / "alpha.yaml")
    assert claim["line"] == 1
    assert "kind" in by_claim[None]["message"]
    assert "beta" in by_claim[None]["message"]
    assert "2 unreviewed" in result.stderr
    table = _on(marked, run)("validate")
    assert table.exit_code == 0
    assert "unreviewed: outcome, measure" in table.stdout
    assert "2 warnings" in table.stdout


def test_validate_strict_counts_unreviewed_as_problems(marked: Path, run: Run) -> None:
    result = _on(marked, run)("validate", "--strict", "--format", "json")
    assert result.exit_code == 1, result.output
    entries = json.loads(result.stdout)
    assert len(entries) == 2
    assert {e["level"] for e in entries} == {"error"}
    assert "2 problems found" in result.stderr


def test_validate_strict_passes_on_a_reviewed_dataset(run_mini: Run) -> None:
    result = run_mini("validate", "--strict")
    assert result.exit_code == 0, result.output


def test_an_unknown_field_in_review_is_a_located_error(marked: Path, run: Run) -> None:
    claims = marked / "claims" / "alpha.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(
        text.replace("review: [outcome, measure]", "review: [outcome, mesure]"), encoding="utf-8"
    )
    result = _on(marked, run)("validate", "--format", "json")
    assert result.exit_code == 1, result.output
    [error] = [e for e in json.loads(result.stdout) if e["level"] == "error"]
    assert (error["file"], error["line"], error["column"]) == (str(claims), 2, 21)
    assert error["claim"] == "alpha-pain-middle"
    assert "'mesure'" in error["message"]
    assert "'measure'" in error["message"]  # the closest field is suggested
    plain = _on(marked, run)("lookup", "knee-oa")
    assert plain.exit_code == 3
    assert f"{claims}:2:21" in plain.stderr


def test_an_unknown_field_in_a_source_review_is_an_error(marked: Path, run: Run) -> None:
    sources = marked / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace("review: [kind]", "review: [kind, colour]"), encoding="utf-8")
    result = _on(marked, run)("validate", "--format", "json")
    assert result.exit_code == 1
    [error] = [e for e in json.loads(result.stdout) if e["level"] == "error"]
    assert error["file"] == str(sources)
    assert "'colour'" in error["message"]


@pytest.mark.parametrize(
    ("old", "new", "suggested"),
    [
        ("condition: knee-oa", "condition: knee-ao", "knee-oa"),
        ("stages: [middle]", "stages: [midle]", "middle"),
        ("outcome: pain", "outcome: pian", "pain"),
        ("measure: effect", "measure: efect", "effect"),
        ("basis: clinic-data", "basis: clinic-dta", "clinic-data"),
        ("value: 30-40%", "value: 30-40 percnt", "percent"),
    ],
    ids=["condition", "stage", "outcome", "measure", "basis", "unit"],
)  # fmt: skip
def test_every_unknown_id_suggests_the_closest(
    tmp_path: Path, run: Run, old: str, new: str, suggested: str
) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    claims = root / "claims" / "alpha.yaml"
    text = claims.read_text(encoding="utf-8")
    assert old in text
    claims.write_text(text.replace(old, new, 1), encoding="utf-8")
    result = _on(root, run)("validate", "--format", "json")
    assert result.exit_code == 1, result.output
    [problem] = json.loads(result.stdout)
    assert f"did you mean {suggested!r}" in problem["message"]


def test_an_unknown_source_suggests_the_closest(tmp_path: Path, run: Run) -> None:
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    (root / "claims" / "alpha.yaml").rename(root / "claims" / "alpah.yaml")
    result = _on(root, run)("validate", "--format", "json")
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)
    assert "did you mean 'alpha'" in problem["message"]


def test_json_contract_carries_review(marked: Path, run: Run) -> None:
    result = _on(marked, run)("show", "alpha-pain-middle", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    claim = data.get("claim", data)
    assert claim["review"] == ["outcome", "measure"]
    export = json.loads(_on(marked, run)("export").stdout)
    assert {c["id"]: c["review"] for c in export}["alpha-pain-early"] == []
    csv = _on(marked, run)("export", "--format", "csv").stdout.splitlines()
    header = csv[0].split(",")
    assert "review" in header
    row = next(line for line in csv if line.startswith("alpha-pain-middle,"))
    assert "outcome;measure" in row


def test_the_cache_keeps_review_and_where_a_source_is(marked: Path) -> None:
    ds = load([marked], bundled=False, use_cache=False)
    back = decode(encode(ds))
    assert back is not None
    assert back.claims == ds.claims
    assert [c.review for c in back.claims] == [c.review for c in ds.claims]
    assert back.sources == ds.sources
    for sid, s in ds.sources.items():
        assert (back.sources[sid].folder, back.sources[sid].where) == (s.folder, s.where)
    assert ds.sources["beta"].folder == str(marked)


def test_a_cached_load_still_warns(marked: Path, run: Run) -> None:
    first = _on(marked, run)("validate", "--format", "json")
    second = _on(marked, run)("validate", "--format", "json")  # from the cache
    assert first.exit_code == second.exit_code == 0
    assert json.loads(first.stdout) == json.loads(second.stdout)
    assert len(json.loads(second.stdout)) == 2


def test_conflicts_marks_a_side_built_on_an_unreviewed_claim(marked: Path, run: Run) -> None:
    result = _on(marked, run)("conflicts", "knee-oa", "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)
    sides = [x[k] for x in findings for k in ("a", "b") if x[k] is not None]
    marked_sides = [s for s in sides if s["unreviewed"]]
    assert marked_sides
    for side in sides:
        ids = {c["id"] for c in side["claims"]}
        assert side["unreviewed"] == ("alpha-pain-middle" in ids)
    table = _on(marked, run)("conflicts", "knee-oa")
    assert "30–40 %?" in table.stdout
    assert "?: built on an unreviewed claim" in table.stdout
    clean = run("--no-bundled", "--data", str(MINI), "conflicts", "knee-oa")
    assert "unreviewed" not in clean.stdout


def test_compare_marks_an_unreviewed_value(marked: Path, run: Run) -> None:
    result = _on(marked, run)("compare", "knee-oa", "--format", "json")
    assert result.exit_code == 0, result.output
    entries = [
        e
        for row in json.loads(result.stdout)["rows"]
        for cell in row["cells"].values()
        for e in cell
    ]
    assert {e["id"] for e in entries if e["unreviewed"]} == {"alpha-pain-middle"}
    table = _on(marked, run)("compare", "knee-oa", "--stage", "middle")
    assert "30–40 %?" in table.stdout
    assert "?: built on an unreviewed claim" in table.stdout


def test_outcomes_lists_both_vocabularies(run: Run) -> None:
    ds = load()
    data = json.loads(run("outcomes", "--format", "json").stdout)
    assert [m["id"] for m in data["measures"]] == list(ds.measures)
    assert [o["id"] for o in data["outcomes"]] == list(ds.outcomes)
    pain = next(o for o in data["outcomes"] if o["id"] == "pain")
    assert pain["family"] == ds.outcomes["pain"].family
    assert pain["claims"] == sum(c.outcome == "pain" for c in ds.claims)
    for fmt in ("table", "csv", "markdown"):
        out = run("outcomes", "--format", fmt)
        assert out.exit_code == 0, out.output
        assert "responder-rate" in out.stdout
        assert "pain" in out.stdout
