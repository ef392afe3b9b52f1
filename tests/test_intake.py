"""extract --into DIR: a page becomes a source of a dataset folder that validate, verify,
lookup and conflicts use; nothing a user has is replaced."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import Result

from stemcli.dataset import load
from stemcli.ops.intake import guess_kind, guess_publisher, plan
from stemcli.ops.redflags import guess_page_kind
from stemcli.text.readers import Page

Run = Callable[..., Result]

PAGE = (
    "Knee Stem Cell Therapy | Regen Clinic\n"
    "\n"
    "At our clinic, 85% of patients with knee osteoarthritis reported less pain "
    "at 6 months.\r\n"
    "Most patients return to daily activities within 2-3 days.\n"
    "A treatment costs $4,000 to $6,000. Book a free consultation today.\n"
)
OTHER = (
    "Stem cells for shoulders\n"
    "Rotator cuff tears: pain fell 50% in 12 weeks for most patients.\n"
    "Recovery takes 4-6 weeks.\n"
)


def _page(tmp_path: Path, name: str, text: str) -> Path:
    page = tmp_path / name
    page.write_bytes(text.encode("utf-8"))
    return page


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _unreview(folder: Path) -> None:
    """What a person does after checking every guess: the review lines go."""
    for path in [folder / "sources.yaml", *(folder / "claims").glob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^ *review: \[.*\]\n", "", text), encoding="utf-8")


@pytest.fixture
def into(tmp_path: Path, run: Run) -> Path:
    """A dataset folder made by one extract --into."""
    folder = tmp_path / "mydata"
    page = _page(tmp_path, "regen-knee.txt", PAGE)
    result = run("extract", str(page), "--into", str(folder), "--source-id", "regen-knee")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    return folder


def test_into_creates_the_layout(into: Path) -> None:
    assert (into / "claims" / "regen-knee.yaml").is_file()
    archive = into / "archive" / "regen-knee.txt"
    # the text exactly as extract read it (the \r\n kept): every quote is a substring
    assert archive.read_bytes() == PAGE.encode("utf-8")
    [entry] = yaml.safe_load((into / "sources.yaml").read_text(encoding="utf-8"))
    assert entry["id"] == "regen-knee"
    assert entry["archive"] == "regen-knee.txt"
    assert entry["sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert entry["title"] == "Knee Stem Cell Therapy | Regen Clinic"
    assert entry["publisher"] == "Regen Clinic"
    assert entry["kind"] == "clinic"
    assert entry["sells_treatment"] is True
    assert entry["reader"] == "text"
    assert entry["review"] == ["publisher", "kind", "sells_treatment", "title"]
    drafts = yaml.safe_load((into / "claims" / "regen-knee.yaml").read_text(encoding="utf-8"))
    assert drafts
    text = PAGE
    for d in drafts:
        assert d["review"], d
        assert " ".join(d["quote"].split()) in " ".join(text.split())


def test_the_draft_header_explains_review_and_lists_the_vocabularies(into: Path) -> None:
    text = (into / "claims" / "regen-knee.yaml").read_text(encoding="utf-8")
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "delete it from the list" in header
    assert "responder-rate" in header
    assert "return-to-activity" in header
    assert "sources.yaml first" not in header  # the source was added already
    assert "# guess" in text


def test_validate_warns_until_reviewed_then_strict_passes(into: Path, run: Run) -> None:
    warned = run("--data", str(into), "validate", "--format", "json")
    assert warned.exit_code == 0, warned.output
    entries = json.loads(warned.stdout)
    assert entries
    assert {e["level"] for e in entries} == {"warning"}
    n_claims = len(yaml.safe_load((into / "claims" / "regen-knee.yaml").read_bytes()))
    assert len(entries) == n_claims + 1  # every draft and the source
    strict = run("--data", str(into), "validate", "--strict")
    assert strict.exit_code == 1
    _unreview(into)
    reviewed = run("--data", str(into), "validate", "--strict")
    assert reviewed.exit_code == 0, reviewed.output


def test_verify_without_sources_checks_the_users_archive(into: Path, run: Run) -> None:
    result = run("--data", str(into), "verify", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["misses"] == []
    assert data["sources_checked"] == 1
    assert data["quotes_checked"] == len(
        yaml.safe_load((into / "claims" / "regen-knee.yaml").read_bytes())
    )
    # the bundled sources' archives are not shipped: listed, not failed; the reference
    # sources (evidence, surveys) are cited, never archived
    sources = load().sources
    assert set(data["not_checked"]) == {s for s in sources if not sources[s].is_reference}
    assert set(data["cited"]) == {s for s in sources if sources[s].is_reference}
    assert "not checked" in result.stderr

    archive = into / "archive" / "regen-knee.txt"
    archive.write_bytes(archive.read_bytes().replace(b"85%", b"95%"))
    edited = run("--data", str(into), "verify", "--format", "json")
    assert edited.exit_code == 1
    misses = json.loads(edited.stdout)["misses"]
    assert any("sha256" in m["message"] for m in misses)
    assert any(m["claim"] is not None for m in misses)  # the 85% quote is gone


def test_verify_with_several_sources_folders(into: Path, run: Run, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    found = run(
        "--data", str(into), "verify", "--source", "regen-knee",
        "--sources", str(empty), "--sources", str(into / "archive"),
    )  # fmt: skip
    assert found.exit_code == 0, found.output
    named = run("--data", str(into), "verify", "--source", "regen-knee", "--sources", str(empty))
    assert named.exit_code == 1  # a folder was named for it, and it is not there


@pytest.mark.parametrize("taken", ["source", "claims", "archive"])
def test_refuses_to_overwrite(tmp_path: Path, run: Run, taken: str) -> None:
    folder = tmp_path / "mydata"
    page = _page(tmp_path, "other.txt", OTHER)
    first = run("extract", str(page), "--into", str(folder), "--source-id", "first")
    assert first.exit_code == 0, first.output
    # the id is taken by a source entry, or only by a claims file or an archive
    if taken == "claims":
        (folder / "claims" / "second.yaml").write_text("# mine\n", encoding="utf-8")
    elif taken == "archive":
        (folder / "archive" / "second.txt").write_text("mine\n", encoding="utf-8")
    sid = "first" if taken == "source" else "second"
    before = _snapshot(folder)
    again = run("extract", str(page), "--into", str(folder), "--source-id", sid)
    assert again.exit_code == 2, again.output
    lines = again.stderr.strip().splitlines()
    assert lines[0].startswith("error: ")
    assert len(lines) == 2
    assert lines[1].startswith("hint: ")
    assert "--source-id" in lines[1]
    assert _snapshot(folder) == before


def test_appends_to_a_sources_file_without_a_final_newline(tmp_path: Path, run: Run) -> None:
    folder = tmp_path / "mydata"
    folder.mkdir()
    old = (
        b"# my sources\n"
        b"- id: mine\n  title: Mine\n  publisher: Me\n  kind: information\n"
        b"  sells_treatment: false"
    )
    (folder / "sources.yaml").write_bytes(old)
    page = _page(tmp_path, "regen-knee.txt", PAGE)
    result = run("extract", str(page), "--into", str(folder))
    assert result.exit_code == 0, result.output
    new = (folder / "sources.yaml").read_bytes()
    assert new.startswith(old)
    ids = [s["id"] for s in yaml.safe_load(new)]
    assert ids == ["mine", "regen-knee"]  # the default id comes from the file name
    valid = run("--data", str(folder), "validate")
    assert valid.exit_code == 0, valid.output


def test_a_sources_file_that_cannot_be_appended_to_is_left_alone(tmp_path: Path, run: Run) -> None:
    folder = tmp_path / "mydata"
    folder.mkdir()
    (folder / "sources.yaml").write_bytes(b"[]")
    before = _snapshot(folder)
    page = _page(tmp_path, "regen-knee.txt", PAGE)
    result = run("extract", str(page), "--into", str(folder))
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("error: ")
    assert _snapshot(folder) == before
    assert not (folder / "claims").exists()


def test_a_second_page_then_lookup_and_conflicts(into: Path, run: Run, tmp_path: Path) -> None:
    page = _page(tmp_path, "shoulder.txt", OTHER)
    second = run("extract", str(page), "--into", str(into), "--source-id", "shoulder-page")
    assert second.exit_code == 0, second.output
    ids = [s["id"] for s in yaml.safe_load((into / "sources.yaml").read_bytes())]
    assert ids == ["regen-knee", "shoulder-page"]
    ds = load([into], use_cache=False)
    mine = [c for c in ds.claims if c.source == "regen-knee"]
    assert mine
    assert ds.sources["regen-knee"].folder == str(into)

    lookup = run(
        "--data", str(into), "lookup", mine[0].condition, "--source", "regen-knee", "-f", "json"
    )
    assert lookup.exit_code == 0, lookup.output
    assert {c["id"] for c in json.loads(lookup.stdout)} == {
        c.id for c in mine if c.condition == mine[0].condition
    }
    conflicts = run(
        "--data", str(into), "conflicts", "knee-oa", "--source", "regen-knee", "-f", "json"
    )
    assert conflicts.exit_code == 0, conflicts.output
    findings = json.loads(conflicts.stdout)
    assert findings  # 85% less pain meets the bundled sources' pain figures
    for x in findings:
        sides = [x["a"], *([x["b"]] if x["b"] else [])]
        assert any(s["source"] == "regen-knee" for s in sides)
        for s in sides:
            assert s["unreviewed"] == (s["source"] == "regen-knee")
    verified = run("--data", str(into), "verify")
    assert verified.exit_code == 0, verified.output


def test_into_and_output_are_exclusive(tmp_path: Path, run: Run) -> None:
    page = _page(tmp_path, "p.txt", PAGE)
    result = run(
        "extract", str(page), "--into", str(tmp_path / "d"), "-o", str(tmp_path / "x.yaml")
    )
    assert result.exit_code == 2
    assert not (tmp_path / "d").exists()
    assert not (tmp_path / "x.yaml").exists()


def test_a_title_is_data_in_the_yaml(tmp_path: Path, run: Run) -> None:
    title = 'Cure "now": # [x] - id: evil \x1b[31m \u202e'
    # a title ends where a line does, U+2028 too
    text = title + "\u2028more\nPain fell 50% in 6 weeks for knee osteoarthritis.\n"
    page = _page(tmp_path, "p.txt", text)
    result = run("extract", str(page), "--into", str(tmp_path / "d"), "--source-id", "p")
    assert result.exit_code == 0, result.output
    raw = (tmp_path / "d" / "sources.yaml").read_text(encoding="utf-8")
    for hidden in ("\x1b", "\u2028", "\u202e"):
        assert hidden not in raw
    [entry] = yaml.safe_load(raw)
    assert entry["title"] == " ".join(title.split())


def test_the_source_fields_come_from_a_page_title_when_there_is_one(tmp_path: Path) -> None:
    ds = load()
    page = Page(
        "saved.html", "Pain fell 50%.\n", "html", "html.parser", "Knee care — Example Health"
    )
    intake = plan(ds, tmp_path / "d", page, "example")
    [entry] = yaml.safe_load(intake.entry)
    assert entry["title"] == "Knee care — Example Health"
    assert entry["publisher"] == "Example Health"
    assert entry["reader"] == "html.parser"
    assert not (tmp_path / "d").exists()  # planning writes nothing


def test_guesses_of_publisher_and_kind() -> None:
    assert guess_publisher("Stem cells", "regen-clinic.html", "x") == "Regen Clinic"
    assert guess_publisher("Stem cells", "<stdin>", "x") == "x"
    assert guess_kind("Compare clinics and get a free quote from partner clinics.") == "broker"
    assert guess_kind("Book a consultation with our doctors.") == "clinic"
    assert guess_kind("Researchers reported the results of a trial.") == "information"


NEWS_PAGE = Path(__file__).parent / "extract_eval" / "dev" / "news-factcheck-knee.txt"


def test_a_news_fact_check_quoting_a_clinic_is_information(tmp_path: Path, run: Run) -> None:
    # the page quotes the clinic's sales words; its reporting ("said", a byline, the FDA)
    # makes it information, as redflags reads it
    folder = tmp_path / "d"
    result = run("extract", str(NEWS_PAGE), "--into", str(folder), "--source-id", "news-knee")
    assert result.exit_code == 0, result.output
    [entry] = yaml.safe_load((folder / "sources.yaml").read_text(encoding="utf-8"))
    assert entry["kind"] == "information"
    assert entry["sells_treatment"] is False
    assert "kind" in entry["review"]
    assert guess_page_kind(NEWS_PAGE.read_text(encoding="utf-8")) == entry["kind"]


def test_extract_and_redflags_differ_only_on_a_page_of_neither_sales_nor_reporting() -> None:
    plain = "Stem cells may help knees. Pain fell 50% in 6 weeks."
    assert guess_kind(plain) == "information"  # a source that sells nothing
    assert guess_page_kind(plain) == "clinic"  # its red flags stay its own
    for text in (
        "Book a consultation with our doctors.",
        "Compare clinics and get a free quote from partner clinics.",
        NEWS_PAGE.read_text(encoding="utf-8"),
    ):
        assert guess_kind(text) == guess_page_kind(text)


def test_a_source_id_of_the_dataset_is_refused(tmp_path: Path, run: Run) -> None:
    page = _page(tmp_path, "p.txt", PAGE)
    result = run("extract", str(page), "--into", str(tmp_path / "d"), "--source-id", "bookimed")
    assert result.exit_code == 2
    assert "--source-id" in result.stderr
    assert not (tmp_path / "d").exists()


def test_a_users_archive_outside_its_folder_is_not_read(into: Path, run: Run) -> None:
    secret = into / "secret.txt"
    secret.write_bytes(PAGE.encode("utf-8"))
    sources = into / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    sources.write_text(text.replace('archive: "regen-knee.txt"', 'archive: "../secret.txt"'))
    result = run("--data", str(into), "verify", "--source", "regen-knee", "--format", "json")
    assert result.exit_code == 1
    [miss] = json.loads(result.stdout)["misses"]
    assert "inside the archive folder" in miss["message"]
    assert "sha256 is" not in result.stdout


def test_json_drafts_list_their_review(tmp_path: Path, run: Run) -> None:
    page = _page(tmp_path, "p.txt", PAGE)
    result = run("extract", str(page), "--format", "json")
    assert result.exit_code == 0, result.output
    drafts = json.loads(result.stdout)
    assert drafts
    for d in drafts:
        assert d["review"] == list(dict.fromkeys(d["guessed"]))
        assert {"condition", "outcome", "measure"} <= set(d["review"])
