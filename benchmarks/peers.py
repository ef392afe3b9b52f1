"""Conflicts' counts by stemcli and by two peers on the same statements: polars and DuckDB.

Every engine gets the same input, the selection's statements as stemcli's array engine
builds them from the loaded dataset (comparability group, class, sub-group, case report,
bounded, and the ends: ``cut``, ``tcut``, ``hi``), and the pairs of sub-groups that may be
compared. Each computes the five sweeps of a count (cross-measure over every class,
and within a class the far pairs, the far typical pairs, the contradictions and the bound
contradictions) as a sort-and-sweep: for each pair of compatible sub-groups ``(s, t)`` of
one group, the number of ``(x in s, y in t)`` with ``y.hi < x.cut``.

- **polars**: the upper ends sorted per sub-group with their running count; every
  ``(query, target sub-group)`` row finds how many lie below with ``join_asof``
  (backward, exact matches excluded);
- **DuckDB**: the same as one SQL query per sweep: upper ends and queries in one table,
  a running ``count`` over each target sub-group ordered by value, queries before ends
  of equal value;
- **stemcli**: :func:`stemcli.ops.conflicts.vector.counts`.

    python benchmarks/peers.py --data benchmarks/out/100000-seed0 [--engines stemcli polars duckdb]

Prints one JSON line per engine: its counts and its time (wall and CPU) for the counts
alone, and the time stemcli took to build the statements. Exits 1 if the counts differ.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any

SWEEPS = ("cross_all", "same_far", "typical_far", "contradiction", "bound")


def statements(data: Path) -> tuple[Any, float]:
    from stemcli.dataset import load
    from stemcli.ops.conflicts import Selection, vector

    ds = load([data], bundled=False)
    t = time.process_time()
    columns = vector.columns_for(ds, force=True)
    assert columns is not None
    st = vector.statements(ds, columns, Selection())
    assert st is not None
    return st, time.process_time() - t


def tables(st: Any) -> tuple[dict[str, Any], Any]:
    """The statements as plain columns, and the compatible (s, t) sub-group pairs."""
    import numpy as np

    from stemcli.ops.conflicts import vector

    compat = vector._compatible(st.subkeys)
    s, t = np.nonzero(compat)
    cols = {
        "group": st.group,
        "cls": st.cls,
        "sub": st.sub,
        "typical": ~st.case,
        "bound": st.bound,
        "cut": st.cut,
        "tcut": st.tcut,
        "hi": st.hi,
    }
    return cols, (s.astype(np.int64), t.astype(np.int64))


def _result(counts: dict[str, int]) -> dict[str, int]:
    cross = counts["cross_all"] - counts["same_far"]
    anecdote = counts["same_far"] - counts["typical_far"]
    return {
        "contradiction": counts["contradiction"],
        "bound": counts["bound"],
        "cross_measure": cross,
        "anecdote": anecdote,
        "tension": cross + anecdote,
    }


def _plan() -> list[tuple[str, str, bool, str]]:
    """(sweep, rows kept, by class, cut column)."""
    return [
        ("cross_all", "all", False, "tcut"),
        ("same_far", "all", True, "tcut"),
        ("typical_far", "typical", True, "tcut"),
        ("contradiction", "typical", True, "cut"),
        ("bound", "bound", True, "cut"),
    ]


def run_stemcli(st: Any) -> dict[str, int]:
    from stemcli.ops.conflicts import vector

    c = vector.counts(st, by_source=False)
    return {
        "contradiction": c.contradiction,
        "bound": c.bound,
        "cross_measure": c.cross_measure,
        "anecdote": c.anecdote,
        "tension": c.tension,
    }


def run_polars(cols: dict[str, Any], pairs: Any) -> dict[str, int]:
    import polars as pl

    df = pl.DataFrame(cols).with_columns(
        (pl.col("typical") & pl.col("bound")).alias("bound_typical")
    )
    compat = pl.DataFrame({"s": pairs[0], "t": pairs[1]})
    out: dict[str, int] = {}
    for name, rows, by_class, cut in _plan():
        d = df
        if rows == "typical":
            d = d.filter(pl.col("typical"))
        elif rows == "bound":
            d = d.filter(pl.col("bound_typical"))
        part = ["group", "cls"] if by_class else ["group"]
        # the upper ends of each (part, sub-group), sorted, with their running count
        ends = (
            d.select([*part, pl.col("sub").alias("t"), pl.col("hi").alias("v")])
            .sort([*part, "t", "v"])
            .with_columns(pl.int_range(1, pl.len() + 1).over([*part, "t"]).alias("below"))
        )
        # every query: each x against each compatible sub-group of its part
        queries = (
            d.select([*part, pl.col("sub").alias("s"), pl.col(cut).alias("v")])
            .join(compat, on="s")
            .join(ends.select([*part, "t"]).unique(), on=[*part, "t"])
            .sort([*part, "t", "v"])
        )
        with warnings.catch_warnings():  # sorted within each group, which it cannot check
            warnings.simplefilter("ignore", UserWarning)
            found = queries.join_asof(
                ends, on="v", by=[*part, "t"], strategy="backward", allow_exact_matches=False
            )
        out[name] = int(found.select(pl.col("below").fill_null(0).sum()).item())
    return _result(out)


def run_duckdb(cols: dict[str, Any], pairs: Any) -> dict[str, int]:
    import duckdb
    import numpy as np

    con = duckdb.connect()
    items = {k: np.asarray(v) for k, v in cols.items()}
    compat = {"s": pairs[0], "t": pairs[1]}
    con.register("items", items)
    con.register("compat", compat)
    out: dict[str, int] = {}
    for name, rows, by_class, cut in _plan():
        where = {"all": "TRUE", "typical": "typical", "bound": "typical AND bound"}[rows]
        part = "grp, cls" if by_class else "grp"
        sql = f"""
            WITH d AS (SELECT "group" AS grp, cls, sub, {cut} AS q, hi FROM items WHERE {where}),
            ev AS (
                SELECT {part}, sub AS t, hi AS v, 1 AS is_end FROM d
                UNION ALL
                SELECT {part}, c.t, d.q AS v, 0 AS is_end FROM d JOIN compat c ON d.sub = c.s
            )
            SELECT COALESCE(SUM(below), 0) FROM (
                SELECT is_end, SUM(is_end) OVER (
                    PARTITION BY {part}, t ORDER BY v, is_end ROWS UNBOUNDED PRECEDING
                ) AS below FROM ev
            ) WHERE is_end = 0
        """
        out[name] = int(con.execute(sql).fetchone()[0])  # type: ignore[index]
    return _result(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a dataset folder")
    parser.add_argument("--engines", nargs="+", default=["stemcli", "polars", "duckdb"])
    args = parser.parse_args(argv)
    st, built = statements(args.data)
    cols, pairs = tables(st)
    results: list[dict[str, int]] = []
    for engine in args.engines:
        gc.collect()
        gc.disable()  # every engine measured with the collector off
        wall, cpu = time.perf_counter(), time.process_time()
        if engine == "stemcli":
            counts = run_stemcli(st)
        elif engine == "polars":
            counts = run_polars(cols, pairs)
        elif engine == "duckdb":
            counts = run_duckdb(cols, pairs)
        else:
            parser.error(f"unknown engine {engine!r}")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        gc.enable()
        results.append(counts)
        line = {"engine": engine, "counts": counts, "wall": wall, "cpu": cpu}
        line["statements"] = len(st.idx)
        line["build_cpu"] = built
        print(json.dumps(line), flush=True)
    distinct = {json.dumps(c, sort_keys=True) for c in results}
    if len(distinct) > 1:
        print(f"the engines disagree: {results}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
