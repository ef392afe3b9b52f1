"""Datasets through the CLI: --data, --no-bundled, STEMCLI_DATA, validate, verify, export,
sources and conditions."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import Result

from stemcli.dataset import load

Run = Callable[..., Result]

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO.parent / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason="the archived sources (../shared/seeds) are not beside the repository",
)

CONTRACT_KEYS = {
    "id", "source", "condition", "stages", "outcome", "measure", "value", "timepoint",
    "comparator", "intervention", "group", "basis", "n", "citation", "derived", "review",
    "quote", "ci", "scale", "n_studies", "statement", "source_kind", "certainty",
}  # fmt: skip


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def squash(text: str) -> str:
    return "".join(text.split())


def normalise_ws(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------
# a small user dataset


USER_SOURCES = """\
- id: mine
  title: My notes
  publisher: Me
  kind: information
  sells_treatment: false
"""
USER_CLAIMS = """\
- id: mine-knee-pain
  condition: knee-oa
  stages: [middle]
  outcome: pain
  measure: effect
  value: 20-30%
  basis: none
  quote: "My knee pain fell 20-30%."
"""


@pytest.fixture
def user(tmp_path: Path) -> Path:
    root = tmp_path / "user"
    (root / "claims").mkdir(parents=True)
    (root / "sources.yaml").write_text(USER_SOURCES, encoding="utf-8")
    (root / "claims" / "mine.yaml").write_text(USER_CLAIMS, encoding="utf-8")
    return root


def test_data_folder_adds_to_the_bundled_dataset(run: Run, user: Path) -> None:
    bundled = ok_json(run("export"))
    both = ok_json(run("--data", str(user), "export"))
    assert [c["id"] for c in both] == [c["id"] for c in bundled] + ["mine-knee-pain"]
    sources = ok_json(run("--data", str(user), "sources", "--format", "json"))
    assert sources[-1]["id"] == "mine"
    assert sources[-1]["claims"] == 1
    looked = ok_json(
        run("--data", str(user), "lookup", "knee-oa", "--source", "mine", "-f", "json")
    )
    assert [c["id"] for c in looked] == ["mine-knee-pain"]


def test_no_bundled_uses_only_the_users_data(run: Run, user: Path) -> None:
    (user / "conditions.yaml").write_text("- {id: knee-oa, name: Knee, stages: [middle]}\n")
    claims = ok_json(run("--no-bundled", "--data", str(user), "export"))
    assert [c["id"] for c in claims] == ["mine-knee-pain"]
    assert [
        s["id"] for s in ok_json(run("--no-bundled", "--data", str(user), "sources", "-f", "json"))
    ] == ["mine"]
    # the vocabularies stay loaded: outcome 'pain' and measure 'effect' are known
    assert run("--no-bundled", "--data", str(user), "validate").exit_code == 0


def test_no_bundled_without_data_is_a_usage_error(run: Run) -> None:
    result = run("--no-bundled", "sources")
    assert result.exit_code == 2
    assert "--data" in result.stderr


def test_data_is_repeatable(run: Run, user: Path, mini: Path) -> None:
    (user / "conditions.yaml").write_text("")  # knee-oa comes from the mini dataset
    claims = ok_json(run("--no-bundled", "--data", str(mini), "--data", str(user), "export"))
    ids = [c["id"] for c in claims]
    assert "mine-knee-pain" in ids
    assert "alpha-pain-middle" in ids


def test_single_files(run: Run, user: Path, mini: Path) -> None:
    claims = ok_json(
        run(
            "--no-bundled",
            "--data", str(mini / "conditions.yaml"),
            "--data", str(user / "sources.yaml"),
            "--data", str(user / "claims" / "mine.yaml"),
            "export",
        )
    )  # fmt: skip
    assert [c["id"] for c in claims] == ["mine-knee-pain"]
    assert claims[0]["source"] == "mine"  # from the file's name


def test_stemcli_data_variable(
    run: Run, user: Path, mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEMCLI_DATA", os.pathsep.join([str(mini), str(user)]))
    ids = [c["id"] for c in ok_json(run("--no-bundled", "export"))]
    assert "mine-knee-pain" in ids
    assert "alpha-pain-middle" in ids
    monkeypatch.setenv("STEMCLI_DATA", str(user))
    with_bundled = [c["id"] for c in ok_json(run("export"))]
    assert "mine-knee-pain" in with_bundled
    assert len(with_bundled) > len(ids)


def test_stemcli_data_variable_with_empty_parts(
    run: Run, user: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEMCLI_DATA", os.pathsep + str(user) + os.pathsep)
    assert "mine-knee-pain" in [c["id"] for c in ok_json(run("export"))]


def test_user_outcomes_add_to_the_vocabulary(run: Run, user: Path) -> None:
    (user / "outcomes.yaml").write_text(
        "outcomes:\n  - {id: sleep, name: Sleep quality, family: sleep}\n", encoding="utf-8"
    )
    (user / "claims" / "mine.yaml").write_text(
        USER_CLAIMS
        + USER_CLAIMS.replace("mine-knee-pain", "mine-sleep").replace(
            "outcome: pain", "outcome: sleep"
        ),
        encoding="utf-8",
    )
    result = run(
        "--data", str(user), "lookup", "knee-oa", "--outcome", "Sleep quality", "-f", "json"
    )
    assert [c["id"] for c in ok_json(result)] == ["mine-sleep"]
    # without the user's outcomes.yaml the outcome is unknown
    (user / "outcomes.yaml").unlink()
    bad = run("--data", str(user), "validate", "--format", "json")
    assert bad.exit_code == 1
    assert "unknown outcome 'sleep'" in json.loads(bad.stdout)[0]["message"]


DUPLICATES = [
    ("conditions.yaml", "- {id: knee-oa, name: Mine}\n", "condition", "knee-oa"),
    ("sources.yaml", USER_SOURCES.replace("id: mine", "id: bookimed"), "source", "bookimed"),
    ("outcomes.yaml", "outcomes:\n  - {id: pain, name: P, family: benefit}\n", "outcome", "pain"),
]


@pytest.mark.parametrize(
    ("file", "content", "kind", "ident"), DUPLICATES, ids=[d[0] for d in DUPLICATES]
)
def test_duplicate_ids_across_bundled_and_user_data_name_both_places(
    run: Run, user: Path, file: str, content: str, kind: str, ident: str
) -> None:
    first = f"data/{file}:"  # the bundled file of the same name
    (user / file).write_text(content, encoding="utf-8")
    result = run("--data", str(user), "validate", "--format", "json")
    assert result.exit_code == 1
    problems = [p for p in json.loads(result.stdout) if "duplicate" in p["message"]]
    [p] = problems
    assert p["file"] == str(user / file)
    assert p["line"] == 1 + next(i for i, ln in enumerate(content.splitlines()) if ident in ln)
    assert f"duplicate {kind} id {ident!r} (first defined at {first}" in p["message"]
    failing = run("--data", str(user), "sources")
    assert failing.exit_code == 3
    assert str(user / file) in failing.stderr
    assert first in failing.stderr


def test_duplicate_claim_id_across_bundled_and_user_data(run: Run, user: Path) -> None:
    bundled_claim = ok_json(run("export"))[0]
    (user / "claims" / "mine.yaml").write_text(
        USER_CLAIMS.replace("mine-knee-pain", bundled_claim["id"]), encoding="utf-8"
    )
    result = run("--data", str(user), "validate", "--format", "json")
    assert result.exit_code == 1
    [p] = json.loads(result.stdout)
    assert p["file"] == str(user / "claims" / "mine.yaml")
    assert f"first defined at data/claims/{bundled_claim['source']}.yaml:" in p["message"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("missing", "no such file or folder"),
        ("notes.txt", "not a dataset file"),
        ("empty", "no dataset files"),
    ],
)
def test_bad_data_paths(run: Run, tmp_path: Path, path: str, message: str) -> None:
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "empty").mkdir()
    result = run("--data", str(tmp_path / path), "sources")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert message in result.stderr


# ---------------------------------------------------------------------------
# sources, conditions, export


def test_sources_json_counts_claims(run: Run) -> None:
    sources = ok_json(run("sources", "--format", "json"))
    claims = ok_json(run("export"))
    for s in sources:
        assert s["claims"] == sum(c["source"] == s["id"] for c in claims)
    assert sum(s["claims"] for s in sources) == len(claims)


def test_conditions_json_counts_claims_per_stage(run: Run) -> None:
    conditions = ok_json(run("conditions", "--format", "json"))
    claims = ok_json(run("export"))
    for cond in conditions:
        mine = [c for c in claims if c["condition"] == cond["id"]]
        assert cond["claims"] == len(mine)
        assert cond["claims_any_stage"] == sum(not c["stages"] for c in mine)
        for st in cond["stages"]:
            assert cond["claims_per_stage"][st["id"]] == sum(st["id"] in c["stages"] for c in mine)


def test_every_bundled_source_has_archive_and_sha256() -> None:
    ds = load()
    assert ds.sources
    marketing = [s for s in ds.sources.values() if not s.is_reference]
    assert marketing
    for s in marketing:
        assert s.archive, s.id
        assert s.sha256 is not None
        assert len(s.sha256) == 64, s.id
        int(s.sha256, 16)


def test_export_json_is_every_claim_in_the_contract(run: Run) -> None:
    claims = ok_json(run("export"))
    ds = load()
    assert [c["id"] for c in claims] == [c.id for c in ds.claims]
    for c in claims:
        assert set(c) == CONTRACT_KEYS
        assert set(c["value"]) == {"text", "low", "high", "unit", "qualifier"}
        assert c["timepoint"] is None or set(c["timepoint"]) == {"text", "low", "high", "unit"}
        assert c["value"]["low"] <= c["value"]["high"]


def test_export_csv_and_yaml_agree_with_json(run: Run) -> None:
    claims = ok_json(run("export"))
    result = run("export", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == [c["id"] for c in claims]
    for r, c in zip(rows, claims, strict=True):
        assert float(r["low"]) == c["value"]["low"]
        assert float(r["high"]) == c["value"]["high"]
        assert r["quote"] == c["quote"]
        assert r["stages"] == ";".join(c["stages"])
    as_yaml = yaml.safe_load(run("export", "--format", "yaml").stdout)
    assert as_yaml == claims


def test_export_rejects_other_formats(run: Run) -> None:
    result = run("export", "--format", "markdown")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_export_to_a_file(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "claims.csv"
    result = run("export", "--format", "csv", "--output", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == run("export", "--format", "csv").stdout
    again = run("export", "--format", "csv", "--output", str(out))
    assert again.exit_code == 2


# ---------------------------------------------------------------------------
# verify


def _dataset_with_archive(root: Path, archive_text: str, quotes: list[str]) -> Path:
    (root / "claims").mkdir(parents=True)
    (root / "archive").mkdir()
    (root / "archive" / "page.txt").write_text(archive_text, encoding="utf-8")
    sha = hashlib.sha256(archive_text.encode()).hexdigest()
    (root / "sources.yaml").write_text(
        USER_SOURCES + f"  archive: page.txt\n  sha256: {sha}\n", encoding="utf-8"
    )
    (root / "conditions.yaml").write_text("- {id: cond, name: Cond}\n", encoding="utf-8")
    claims = "".join(
        f"- id: mine-{i}\n  condition: cond\n  outcome: pain\n  measure: effect\n"
        f"  value: 50%\n  basis: none\n  quote: {json.dumps(q)}\n"
        for i, q in enumerate(quotes)
    )
    (root / "claims" / "mine.yaml").write_text(claims, encoding="utf-8")
    return root


ARCHIVE = "Title\n\nPain fell 50% in most\n  patients. Costs were high.\nThe end.\n"


def test_verify_passes_on_matching_archives(run: Run, tmp_path: Path) -> None:
    root = _dataset_with_archive(tmp_path / "d", ARCHIVE, ["Pain fell 50% in most patients."])
    result = run("--no-bundled", "--data", str(root), "verify", "--sources", str(root / "archive"))
    assert result.exit_code == 0, result.output
    assert "ok: 1 quote found in 1 source" in result.stderr


def test_verify_lists_sha_mismatch_and_quote_miss(run: Run, tmp_path: Path) -> None:
    root = _dataset_with_archive(
        tmp_path / "d", ARCHIVE, ["Pain fell 50% in most patients.", "Costs were high."]
    )
    (root / "archive" / "page.txt").write_text(
        ARCHIVE.replace("Costs were high.", ""), encoding="utf-8"
    )
    result = run(
        "--no-bundled",
        "--data",
        str(root),
        "verify",
        "--sources",
        str(root / "archive"),
        "-f",
        "json",
    )
    assert result.exit_code == 1
    misses = json.loads(result.stdout)["misses"]
    assert {(m["claim"], m["message"].split(" ")[0]) for m in misses} == {
        (None, "sha256"),
        ("mine-1", "quote"),
    }
    assert "2 misses" in result.stderr


def test_verify_missing_archive_and_missing_folder(run: Run, tmp_path: Path) -> None:
    root = _dataset_with_archive(tmp_path / "d", ARCHIVE, ["Costs were high."])
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(
        "--no-bundled", "--data", str(root), "verify", "--sources", str(empty), "-f", "json"
    )
    assert result.exit_code == 1
    [miss] = json.loads(result.stdout)["misses"]
    assert "cannot read" in miss["message"]
    gone = run("--no-bundled", "--data", str(root), "verify", "--sources", str(tmp_path / "nope"))
    assert gone.exit_code == 3


@pytest.mark.parametrize("archive", ["../secret.txt", "sub/../../secret.txt", "/etc/hostname"])
def test_verify_reads_nothing_outside_the_sources_folder(
    run: Run, tmp_path: Path, archive: str
) -> None:
    root = _dataset_with_archive(tmp_path / "d", ARCHIVE, ["Costs were high."])
    (tmp_path / "d" / "secret.txt").write_text(ARCHIVE, encoding="utf-8")
    sources = (root / "sources.yaml").read_text(encoding="utf-8")
    (root / "sources.yaml").write_text(
        sources.replace("archive: page.txt", f"archive: {json.dumps(archive)}"), encoding="utf-8"
    )
    result = run(
        "--no-bundled",
        "--data",
        str(root),
        "verify",
        "--sources",
        str(root / "archive"),
        "-f",
        "json",
    )
    assert result.exit_code == 1
    [miss] = json.loads(result.stdout)["misses"]
    assert miss["message"] == "archive must name a file inside --sources"
    assert "sha256 is" not in result.stdout


@needs_seeds
def test_every_bundled_quote_is_in_its_archived_source() -> None:
    ds = load()
    texts = {
        s.id: normalise_ws((SEEDS / s.archive).read_text(encoding="utf-8"))
        for s in ds.sources.values()
        if s.archive
    }
    for s in ds.sources.values():
        if s.is_reference:  # cited by DOI or URL, not archived
            assert s.archive is None, s.id
            assert s.doi or s.url, s.id
            continue
        assert s.archive is not None
        assert hashlib.sha256((SEEDS / s.archive).read_bytes()).hexdigest() == s.sha256, s.id
    missing = [
        c.id
        for c in ds.claims
        if not ds.sources[c.source].is_reference and normalise_ws(c.quote) not in texts[c.source]
    ]
    assert missing == []


@needs_seeds
def test_verify_passes_on_the_real_seeds(run: Run) -> None:
    result = run("verify", "--sources", str(SEEDS), "--format", "json")
    data = ok_json(result)
    assert data["misses"] == []
    ds = load()
    reference = {s.id for s in ds.sources.values() if s.is_reference}
    assert data["sources_checked"] == len(ds.sources) - len(reference)
    assert data["quotes_checked"] == sum(1 for c in ds.claims if c.source not in reference)
    assert set(data["cited"]) == reference


@needs_seeds
def test_verify_rejects_a_tampered_copy_of_the_seeds(run: Run, tmp_path: Path) -> None:
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    ds = load()
    sources = list(ds.sources.values())

    # one byte changed where no quote is affected (a newline becomes a space)
    first = sources[0]
    assert first.archive is not None
    data = bytearray((copy / first.archive).read_bytes())
    at = data.rindex(b"\n")
    data[at : at + 1] = b" "
    (copy / first.archive).write_bytes(bytes(data))

    # a sentence removed: the quote of one claim of another source
    second = sources[1]
    assert second.archive is not None
    victim = next(c for c in ds.claims if c.source == second.id)
    text = (copy / second.archive).read_text(encoding="utf-8")
    words = victim.quote.split()
    cut = re.sub(r"\s+".join(re.escape(w) for w in words), "", text, count=1)
    assert cut != text
    (copy / second.archive).write_text(cut, encoding="utf-8")

    result = run("verify", "--sources", str(copy), "--format", "json")
    assert result.exit_code == 1
    misses = json.loads(result.stdout)["misses"]
    sha_misses = {m["source"] for m in misses if "sha256" in m["message"]}
    assert sha_misses == {first.id, second.id}
    quote_misses = {m["claim"] for m in misses if m["claim"] is not None}
    assert victim.id in quote_misses
    assert all(m["source"] == second.id for m in misses if m["claim"] is not None)
    table = run("verify", "--sources", str(copy))
    assert table.exit_code == 1
    assert "quote not found" in table.stdout


def test_the_same_dataset_named_twice_is_loaded_once(run: Run, mini: Path) -> None:
    """Named on the command line and in STEMCLI_DATA, or the bundled folder named again."""
    twice = run("--no-bundled", "--data", str(mini), "sources", env={"STEMCLI_DATA": str(mini)})
    assert twice.exit_code == 0, twice.output
    assert "3 sources, 10 claims" in twice.stdout
    bundled_again = run("--data", str(Path(__file__).parent.parent / "data"), "sources")
    assert bundled_again.exit_code == 0, bundled_again.output
