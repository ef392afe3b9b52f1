"""The benchmark scripts run, on a small size: every row measured, the peers agreeing.

No time is asserted: the figures belong to docs/PERFORMANCE.md, not to a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def test_the_benchmark_run_measures_every_row_and_the_peers_agree(tmp_path: Path) -> None:
    pytest.importorskip("polars", reason="the polars peer (the test extra installs it)")
    pytest.importorskip("duckdb", reason="the DuckDB peer (the test extra installs it)")
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--sizes", "100", "200", "--repeat", "1",
         "--startup-runs", "0", "--age", "0", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    raw = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert [s["n"] for s in raw["sizes"]] == [100, 200]
    rows = raw["sizes"][0]["rows"]
    for wanted in (
        "YAML floor (CSafeLoader, GC off)",
        "first load (parse + validate + cache write)",
        "cached load",
        "whole `conflicts --count` run",
        "whole `search` run",
        "count in-process: polars",
        "count in-process: duckdb",
    ):
        assert wanted in rows
        assert rows[wanted]["cpu"] > 0
    assert raw["sizes"][1]["counts"]["contradiction"] > 0
    table = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "growth k" in table
    assert "| cached load |" in table


def test_the_peers_refuse_to_disagree(tmp_path: Path) -> None:
    """peers.py exits 1 when an engine's counts differ from the others'."""
    pytest.importorskip("numpy", reason="the array engine")
    sys.path.insert(0, str(BENCH))
    import peers
    from generate import generate

    out = tmp_path / "data"
    generate(200, out, seed=4, sources=5)
    st, _ = peers.statements(out)
    honest = peers.run_stemcli(st)
    assert honest["contradiction"] > 0

    def lying(_: object) -> dict[str, int]:
        return {**honest, "contradiction": honest["contradiction"] + 1}

    real = peers.run_stemcli
    try:
        assert peers.main(["--data", str(out), "--engines", "stemcli"]) == 0
        # the same engine twice, once lying: the check compares every engine's counts
        calls = iter([real, lying])
        peers.run_stemcli = lambda st: next(calls)(st)  # type: ignore[assignment]
        assert peers.main(["--data", str(out), "--engines", "stemcli", "stemcli"]) == 1
    finally:
        peers.run_stemcli = real  # type: ignore[assignment]
