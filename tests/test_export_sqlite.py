"""export --format sqlite: tables with foreign keys and a full-text index, opened with
Datasette's own Python API, and its metadata.json beside it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from stemcli.dataset import load

Run = Callable[..., Result]
PUBLISH = Path(__file__).parent / "fixtures" / "publish"
TABLES = {
    "sources",
    "conditions",
    "outcomes",
    "measures",
    "statements",
    "claims",
    "conflicts",
    "redflags",
}


@pytest.fixture
def run_pub(run: Run) -> Run:
    def invoke(*args: str, **kw: Any) -> Result:
        return run("--no-bundled", "--data", str(PUBLISH), *args, **kw)

    return invoke


def export(run_pub: Run, db: Path, *extra: str) -> Result:
    result = run_pub("export", "--format", "sqlite", "-o", str(db), *extra)
    assert result.exit_code == 0, result.output
    return result


def test_tables_keys_and_search(run_pub: Run, tmp_path: Path) -> None:
    db = tmp_path / "claims.db"
    result = export(run_pub, db)
    assert result.stdout == ""
    assert "claims.metadata.json" in result.stderr
    conn = sqlite3.connect(db)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert names >= TABLES | {"claims_fts"}
        assert conn.execute("SELECT count(*) FROM claims").fetchone() == (9,)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        keys = {
            (table, row[3], row[2])
            for table in TABLES
            for row in conn.execute(f"PRAGMA foreign_key_list({table})")
        }
        assert ("claims", "source", "sources") in keys
        assert ("claims", "statement_id", "statements") in keys
        assert ("conflicts", "a_statement", "statements") in keys
        assert ("redflags", "claim", "claims") in keys
        kinds = sorted(r[0] for r in conn.execute("SELECT kind FROM conflicts"))
        assert kinds == ["arithmetic", "contradiction", "contradiction", "tension"]
        # the quote with markup is kept exactly, and found by the full-text index
        hits = conn.execute(
            "SELECT c.id, c.quote FROM claims_fts f JOIN claims c ON c.rowid = f.rowid "
            "WHERE claims_fts MATCH 'bold'"
        ).fetchall()
        assert [h[0] for h in hits] == ["alpha-hostile"]
        assert "<script>" in hits[0][1]
        row = conn.execute(
            'SELECT value_low, value_high, value_unit, "group" FROM claims '
            "WHERE id = 'alpha-injection-group'"
        ).fetchone()
        assert row == (80, 80, "percent", "injection group")
    finally:
        conn.close()


def test_datasette_serves_it(run_pub: Run, tmp_path: Path) -> None:
    datasette_app = pytest.importorskip(
        "datasette.app", reason="Datasette is in the test extra: pip install -e '.[test]'"
    )
    db = tmp_path / "claims.db"
    export(run_pub, db)
    metadata = json.loads((tmp_path / "claims.metadata.json").read_text(encoding="utf-8"))
    assert metadata["title"]
    assert metadata["license"] == "MIT"
    assert metadata["source"]
    archives = metadata["databases"]["claims"]["archives"]
    assert archives["alpha"]["sha256"] == (
        "08ea102a60f5f423878eaf3923896d2a9f9c0058871646639660965c9bbefa9f"
    )
    assert (
        "08ea102a60f5f423878eaf3923896d2a9f9c0058871646639660965c9bbefa9f"
        in (metadata["description"])
    )

    async def browse() -> tuple[Any, ...]:
        ds = datasette_app.Datasette([str(db)], metadata=metadata)
        await ds.invoke_startup()
        database = ds.get_database("claims")
        fts = await database.fts_table("claims")
        count = (await database.execute("SELECT count(*) FROM conflicts")).first()[0]
        search = await ds.client.get("/claims/claims.json?_search=daily&_shape=array")
        table = await ds.client.get("/claims/sources.json?_shape=array")
        home = await ds.client.get("/claims")
        return fts, count, search, table, home

    fts, count, search, table, home = asyncio.run(browse())
    assert fts == "claims_fts"
    assert count == 4
    assert search.status_code == 200
    assert {r["id"] for r in search.json()} == {"alpha-return", "beta-return"}
    assert table.status_code == 200
    assert {r["url"] for r in table.json()} == {
        "https://alpha.example/knee",
        "https://beta.example/guide?page=1&lang=en",
    }
    assert home.status_code == 200
    assert metadata["title"] in home.text


def test_the_pair_is_written_together_or_not_at_all(run_pub: Run, tmp_path: Path) -> None:
    db = tmp_path / "claims.db"
    meta = tmp_path / "claims.metadata.json"
    meta.write_text("mine\n", encoding="utf-8")
    again = run_pub("export", "-f", "sqlite", "-o", str(db))
    assert again.exit_code == 2  # the metadata exists: refused before anything is written
    assert again.stderr.startswith("error: ")
    assert "--force" in again.stderr
    assert not db.exists()
    assert meta.read_text(encoding="utf-8") == "mine\n"
    export(run_pub, db, "--force")
    assert json.loads(meta.read_text(encoding="utf-8"))["title"]
    assert [p.name for p in sorted(tmp_path.iterdir())] == ["claims.db", "claims.metadata.json"]


def test_a_failed_build_leaves_the_old_pair(
    run_pub: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "claims.db"
    export(run_pub, db)
    (tmp_path / "claims.metadata.json").write_text("an older export's\n", encoding="utf-8")
    before = (db.read_bytes(), "an older export's\n")
    from stemcli.cli import atomic

    real = atomic._place

    def fail(tmp: Path, target: Path, **kw: Any) -> Path | None:
        # the metadata is put in place, then the database fails: the metadata goes back
        if target.name == "claims.db":
            raise atomic.InputError(f"{target}: cannot write: No space left on device")
        return real(tmp, target, **kw)

    monkeypatch.setattr(atomic, "_place", fail)
    result = run_pub("export", "-f", "sqlite", "-o", str(db), "--force")
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("error: ")
    after = (db.read_bytes(), (tmp_path / "claims.metadata.json").read_text(encoding="utf-8"))
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.db", "claims.metadata.json"]


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        ((), 2, "--output"),
        (("-o", "-"), 2, "--output"),
        (("-o", "{missing}/claims.db"), 3, "mkdir -p"),
    ],
)
def test_bad_output(
    run_pub: Run, tmp_path: Path, args: tuple[str, ...], code: int, says: str
) -> None:
    args = tuple(a.replace("{missing}", str(tmp_path / "missing")) for a in args)
    result = run_pub("export", "-f", "sqlite", *args)
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("error: ")
    assert says in result.stderr
    assert result.stdout == ""


def test_bundled_dataset(run: Run, tmp_path: Path) -> None:
    db = tmp_path / "bundled.db"
    result = run("export", "-f", "sqlite", "-o", str(db))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "bundled.metadata.json").is_file()
    conn = sqlite3.connect(db)
    try:
        claims = conn.execute("SELECT count(*) FROM claims").fetchone()[0]
        unlinked = conn.execute("SELECT count(*) FROM claims WHERE statement_id IS NULL").fetchone()
        flags = conn.execute("SELECT count(DISTINCT source) FROM redflags").fetchone()[0]
        reference = conn.execute(
            "SELECT c.quote, c.statement, c.ci_low, c.ci_high, c.scale, s.kind, s.certainty "
            "FROM claims c JOIN sources s ON s.id = c.source WHERE c.id = 'iijima-2018-pain-smd'"
        ).fetchone()
        found = conn.execute(
            "SELECT c.id FROM claims_fts JOIN claims c ON c.rowid = claims_fts.rowid "
            "WHERE claims_fts MATCH 'standardised' ORDER BY c.id"
        ).fetchall()
    finally:
        conn.close()
    assert claims == len(load().claims)
    assert unlinked[0] < claims
    assert flags >= 1
    quote, statement, ci_low, ci_high, scale, kind, certainty = reference
    assert quote is None
    assert "standardised mean difference -1.45" in statement
    assert (ci_low, ci_high, scale, kind, certainty) == (
        -1.94,
        -0.96,
        "SMD",
        "evidence",
        "very-low to low",
    )
    assert ("iijima-2018-pain-smd",) in found  # the statements are searchable too
