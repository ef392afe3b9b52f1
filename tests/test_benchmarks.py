"""The benchmark scripts run, on a small size: every row measured, the peers agreeing.

No time is asserted: the figures belong to docs/PERFORMANCE.md, not to a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

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
        "in-process: count_conflicts",
        'in-process: search "knee"',
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


def _brute(cols: dict[str, Any], pairs: Any) -> dict[str, int]:
    """Every (x, y) pair of statements looked at: the five sweeps by definition, on the
    ends themselves rather than their ranks."""
    import numpy as np

    s_sub, t_sub = pairs
    k = int(max(cols["sub"].max(), s_sub.max(initial=0), t_sub.max(initial=0))) + 1
    compat = np.zeros((k, k), dtype=bool)
    compat[s_sub, t_sub] = True
    typical, bound = cols["typical"], cols["bound"]
    out = {}
    for name, rows, by_class, cut in (
        ("cross_all", np.ones_like(typical), False, "tcut"),
        ("same_far", np.ones_like(typical), True, "tcut"),
        ("typical_far", typical, True, "tcut"),
        ("contradiction", typical, True, "cut"),
        ("bound", typical & bound, True, "cut"),
    ):
        x = np.nonzero(rows)[0]
        same = cols["group"][x][:, None] == cols["group"][x][None, :]
        if by_class:
            same &= cols["cls"][x][:, None] == cols["cls"][x][None, :]
        ok = compat[cols["sub"][x][:, None], cols["sub"][x][None, :]]
        below = cols["hi"][x][None, :] < cols[cut][x][:, None]
        out[name] = int((same & ok & below).sum())
    return peers_module()._result(out)


def peers_module() -> Any:
    sys.path.insert(0, str(BENCH))
    import peers

    return peers


@pytest.fixture(scope="module")
def small_statements(tmp_path_factory: pytest.TempPathFactory) -> Any:
    pytest.importorskip("numpy", reason="the array engine")
    from generate import generate

    out = tmp_path_factory.mktemp("peers") / "data"
    peers = peers_module()
    generate(1000, out, seed=7, sources=8)
    return peers.tables(peers.statements(out)[0])


@pytest.mark.parametrize("bounds", ["as generated", "none"])
def test_the_peers_count_every_pair_as_looking_at_each_would(
    small_statements: Any, bounds: str
) -> None:
    """polars and DuckDB against a reading of every pair, not only against stemcli; with
    no bound statements one sweep has no rows at all."""
    pytest.importorskip("polars", reason="the polars peer (the test extra installs it)")
    pytest.importorskip("duckdb", reason="the DuckDB peer (the test extra installs it)")
    peers = peers_module()
    cols, pairs = small_statements
    cols = dict(cols)
    if bounds == "none":
        cols["bound"] = cols["bound"] & False
    expected = _brute(cols, pairs)
    assert expected["contradiction"] > 0
    assert expected["tension"] > 0
    assert (expected["bound"] > 0) == (bounds != "none")
    assert peers.run_polars(cols, pairs) == expected
    assert peers.run_duckdb(cols, pairs) == expected
