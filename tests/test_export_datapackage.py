"""export --format datapackage: CSV resources with Table Schemas and sha256 hashes, valid
by the frictionless validator, written as a folder all or nothing."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

Run = Callable[..., Result]
PUBLISH = Path(__file__).parent / "fixtures" / "publish"


@pytest.fixture
def run_pub(run: Run) -> Run:
    def invoke(*args: str, **kw: Any) -> Result:
        return run("--no-bundled", "--data", str(PUBLISH), *args, **kw)

    return invoke


def export(run_pub: Run, folder: Path, *extra: str) -> dict[str, Any]:
    result = run_pub("export", "--format", "datapackage", "-o", str(folder), *extra)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    package: dict[str, Any] = json.loads((folder / "datapackage.json").read_text("utf-8"))
    return package


def test_resources_schemas_and_hashes(run_pub: Run, tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    package = export(run_pub, folder)
    names = [r["name"] for r in package["resources"]]
    assert names == [
        "sources", "conditions", "outcomes", "measures", "statements", "claims", "conflicts",
        "redflags",
    ]  # fmt: skip
    assert package["licenses"][0]["name"] == "MIT"
    for r in package["resources"]:
        data = (folder / r["path"]).read_bytes()
        assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert r["bytes"] == len(data)
        header = next(csv.reader(data.decode("utf-8").splitlines()))
        assert header == [f["name"] for f in r["schema"]["fields"]]
    claims = next(r for r in package["resources"] if r["name"] == "claims")
    assert claims["schema"]["primaryKey"] == ["id"]
    refs = {(k["fields"][0], k["reference"]["resource"]) for k in claims["schema"]["foreignKeys"]}
    assert ("source", "sources") in refs
    assert ("statement_id", "statements") in refs
    with (folder / "sources.csv").open(encoding="utf-8", newline="") as f:
        sources = {row["id"]: row for row in csv.DictReader(f)}
    assert sources["alpha"]["sha256"] == (
        "08ea102a60f5f423878eaf3923896d2a9f9c0058871646639660965c9bbefa9f"
    )
    assert sources["alpha"]["sells_treatment"] == "true"


def test_frictionless_finds_it_valid(run_pub: Run, tmp_path: Path) -> None:
    frictionless = pytest.importorskip(
        "frictionless", reason="frictionless is in the test extra: pip install -e '.[test]'"
    )
    folder = tmp_path / "pkg"
    export(run_pub, folder)
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # the validator reads the hashes: a changed file is found out
    with (folder / "claims.csv").open("a", encoding="utf-8") as f:
        f.write("\n")
    assert not frictionless.validate(str(folder / "datapackage.json")).valid


def test_bundled_package_is_valid(run: Run, tmp_path: Path) -> None:
    frictionless = pytest.importorskip(
        "frictionless", reason="frictionless is in the test extra: pip install -e '.[test]'"
    )
    folder = tmp_path / "bundled"
    result = run("export", "-f", "datapackage", "-o", str(folder))
    assert result.exit_code == 0, result.output
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_folder_rules(run_pub: Run, tmp_path: Path) -> None:
    folder = tmp_path / "pkg"
    export(run_pub, folder)
    again = run_pub("export", "-f", "datapackage", "-o", str(folder))
    assert again.exit_code == 2
    assert again.stderr.startswith("error: ")
    assert "--force" in again.stderr
    export(run_pub, folder, "--force")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep\n", encoding="utf-8")
    refused = run_pub("export", "-f", "datapackage", "-o", str(mine), "--force")
    assert refused.exit_code == 2
    assert "datapackage.json" in refused.stderr
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "keep\n"
    missing = run_pub("export", "-f", "datapackage", "-o", str(tmp_path / "no" / "pkg"))
    assert missing.exit_code == 3
    assert "mkdir -p" in missing.stderr
    bare = run_pub("export", "-f", "datapackage")
    assert bare.exit_code == 2
    assert "--output" in bare.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "pkg"]
