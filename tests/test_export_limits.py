"""An export holds at most MAX_LISTED findings of a listing (the most severe of each kind
first), and says so when it leaves some out: in the file, where the file can say it, and
on stderr."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from stemcli.ops import conflicts

Run = Callable[..., Result]
PUBLISH = Path(__file__).parent / "fixtures" / "publish"
REVIEWER = ("--reviewer", "Desk", "--reviewer-url", "https://desk.example/checks")
# the publish fixture's findings: two contradictions, an arithmetic finding, a tension
FINDINGS = 4


@pytest.fixture
def run_pub(run: Run) -> Run:
    def invoke(*args: str) -> Result:
        return run("--no-bundled", "--data", str(PUBLISH), *args)

    return invoke


def cut_export(
    run_pub: Run, monkeypatch: pytest.MonkeyPatch, most: int, fmt: str, target: Path, holder: str
) -> None:
    """Export ``fmt`` to ``target`` with at most ``most`` findings listed: it succeeds and
    says on stderr that ``holder`` holds the first ``most`` of them all."""
    monkeypatch.setattr(conflicts, "MAX_LISTED", most)
    result = run_pub("export", "--format", fmt, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert f"{holder} holds the first {most} of {FINDINGS} findings" in result.stderr


@pytest.mark.parametrize("most", [None, FINDINGS])
def test_a_database_of_every_finding_says_nothing_of_a_limit(
    run_pub: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, most: int | None
) -> None:
    """Whether the limit is far or just reached, a database of every finding says
    nothing of one."""
    if most is not None:
        monkeypatch.setattr(conflicts, "MAX_LISTED", most)
    db = tmp_path / "claims.db"
    result = run_pub("export", "--format", "sqlite", "-o", str(db))
    assert result.exit_code == 0, result.output
    assert "holds the first" not in result.stderr
    meta = json.loads((tmp_path / "claims.metadata.json").read_text("utf-8"))
    described = meta["databases"]["claims"]["tables"]["conflicts"]["description"]
    assert "holds the first" not in described
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM conflicts").fetchone() == (FINDINGS,)


def test_a_database_that_leaves_findings_out_says_how_many(
    run_pub: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "claims.db"
    cut_export(run_pub, monkeypatch, 2, "sqlite", db, "the conflicts table")
    meta = json.loads((tmp_path / "claims.metadata.json").read_text("utf-8"))
    described = meta["databases"]["claims"]["tables"]["conflicts"]["description"]
    assert f"It holds the first 2 of the {FINDINGS} findings" in described
    with sqlite3.connect(db) as conn:
        kinds = [r[0] for r in conn.execute("SELECT kind FROM conflicts ORDER BY id")]
    assert kinds == ["contradiction", "contradiction"]  # the most severe kind first


def test_a_package_that_leaves_findings_out_says_how_many(
    run_pub: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "package"
    cut_export(run_pub, monkeypatch, 3, "datapackage", folder, "the conflicts resource")
    package = json.loads((folder / "datapackage.json").read_text("utf-8"))
    (resource,) = [r for r in package["resources"] if r["name"] == "conflicts"]
    assert f"It holds the first 3 of the {FINDINGS} findings" in resource["description"]


def test_a_review_list_that_leaves_findings_out_says_how_many(
    run_pub: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = run_pub("export", "--format", "claimreview", *REVIEWER)
    assert whole.exit_code == 0, whole.output
    assert "holds the first" not in whole.stderr
    monkeypatch.setattr(conflicts, "MAX_LISTED", 1)
    cut = run_pub("export", "--format", "claimreview", *REVIEWER)
    assert cut.exit_code == 0, cut.output
    # the first of the two contradictions, and the one arithmetic finding
    assert (
        "the review list holds the first 2 of 3 contradictions and arithmetic findings"
        in cut.stderr
    )
    kept, every = json.loads(cut.stdout), json.loads(whole.stdout)
    assert kept == [item for item in every if item in kept]  # in the same order
    ratings = [item["reviewRating"]["alternateName"] for item in kept]
    assert "Does not add up" in ratings  # the arithmetic finding is kept
    assert len(kept) < len(every)
