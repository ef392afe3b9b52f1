"""Conflicts' counts by stemcli and by two peers on the same statements: polars and DuckDB.

Every engine gets the same input, the selection's statements as stemcli's array engine
builds them from the loaded dataset (comparability group, class, sub-group, case report,
bounded, and the ranks of the ends ``cut``, ``tcut`` and ``hi`` among all ends), and the
pairs of sub-groups that may be compared. Each computes the five sweeps of a count
(cross-measure over every class, and within a class the far pairs, the far typical pairs,
the contradictions and the bound contradictions): for each pair of compatible sub-groups
``(s, t)`` of one group, the number of ``(x in s, y in t)`` with ``y.hi < x.cut``.

All three run the same plan, none of them enumerates pairs of statements: one integer
key per end, ``segment * span + rank`` (a segment is a sub-group of one part of one
sweep), sorted; every compatible pair of segments looks up only its smaller side in the
other's sorted keys (``x`` of ``s`` among the upper ends of ``t``, or ``y`` of ``t`` among
the cuts of ``s``, counted as ``|s| |t|`` minus those at or below).

- **polars**: all five sweeps in one lazy plan, the queries as ``int_ranges`` of
  positions in the sorted keys, found with ``search_sorted``;
- **DuckDB**: the same in SQL: each distinct key with its running count (a window
  ``sum``), each query matched to the greatest key below it with an ``ASOF JOIN``;
- **stemcli**: :func:`stemcli.ops.conflicts.vector.counts` (``searchsorted`` in numpy).

    python benchmarks/peers.py --data benchmarks/out/100000-seed0 --repeat 3
    python benchmarks/peers.py --data benchmarks/out/100000-seed0 --engines stemcli polars

Prints one JSON line per engine: its counts and its time (wall and CPU, medians of
``--repeat`` runs, each run's too) for the counts alone, and the time stemcli took to build
the statements. Every engine's modules are imported before its clock starts. Exits 1 if
the counts differ.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

# polars' engine for the final plan (the streaming one took less CPU than in-memory)
POLARS_ENGINE: Any = "streaming"
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
    """The statements as plain columns, and the compatible (s, t) sub-group pairs.

    The ends come as stemcli's sweep gets them: ranks among all ends (``r_cut``,
    ``r_tcut``, ``r_hi``, each below ``span``), so that every engine compares the same
    integers; ``cut``, ``tcut`` and ``hi`` are there too."""
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
        "r_cut": st.r_cut,
        "r_tcut": st.r_tcut,
        "r_hi": st.r_hi,
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
    """(sweep, rows kept, by class, rank of the cut)."""
    return [
        ("cross_all", "all", False, "r_tcut"),
        ("same_far", "all", True, "r_tcut"),
        ("typical_far", "typical", True, "r_tcut"),
        ("contradiction", "typical", True, "r_cut"),
        ("bound", "bound", True, "r_cut"),
    ]


def _radices(cols: dict[str, Any]) -> tuple[int, int, int, int]:
    """(classes, parts per sweep, sub-groups, span of the ranks): the mixed radix of the
    integer keys ``((sweep * parts + part) * subs + sub) * span + rank``."""

    def size(name: str) -> int:
        return int(cols[name].max()) + 1 if len(cols[name]) else 1

    n_cls, n_group, n_sub = size("cls"), size("group"), size("sub")
    span = max(size("r_cut"), size("r_tcut"), size("r_hi"))
    if len(_plan()) * n_group * n_cls * n_sub * span >= 1 << 62:
        raise SystemExit("the peers' integer keys would not fit in 64 bits")
    return n_cls, n_group * n_cls, n_sub, span


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
    """The five sweeps in one lazy plan, as stemcli's: one integer key per end,
    ``segment * span + rank`` (a segment is one sub-group of one part of one sweep), the
    upper ends sorted once; every compatible pair of segments ``(s, t)`` of a part
    searches its smaller side in the other's sorted keys with ``search_sorted``."""
    import polars as pl

    n_cls, n_part, n_sub, span = _radices(cols)
    df = pl.DataFrame({k: cols[k] for k in ("group", "cls", "sub", "typical", "bound")})
    df = df.with_columns(
        pl.Series("r_cut", cols["r_cut"]),
        pl.Series("r_tcut", cols["r_tcut"]),
        pl.Series("r_hi", cols["r_hi"]),
    ).lazy()
    i64 = pl.Int64
    parts = []
    for k, (_, rows, by_class, cut) in enumerate(_plan()):
        d = df
        if rows == "typical":
            d = d.filter(pl.col("typical"))
        elif rows == "bound":
            d = d.filter(pl.col("typical") & pl.col("bound"))
        part = pl.col("group").cast(i64) * n_cls
        if by_class:
            part = part + pl.col("cls")
        parts.append(
            d.select(
                pl.lit(k, i64).alias("sweep"),
                (pl.lit(k * n_part, i64) + part).alias("part"),
                pl.col("sub").cast(i64),
                pl.col(cut).cast(i64).alias("q"),
                pl.col("r_hi").cast(i64).alias("h"),
            )
        )
    items = pl.concat(parts).with_columns(seg=pl.col("part") * n_sub + pl.col("sub"))
    # the sorted keys of the upper ends and of the cuts, and every segment's first position
    # in them (both sorted by segment first)
    keys, segs = pl.collect_all(
        [
            items.select(
                (pl.col("seg") * span + pl.col("h")).sort().alias("h_keys"),
                (pl.col("seg") * span + pl.col("q")).sort().alias("c_keys"),
            ),
            items.group_by("seg")
            .agg(
                pl.first("sweep"),
                pl.first("part"),
                pl.first("sub"),
                pl.len().cast(i64).alias("size"),
            )
            .sort("seg")
            .with_columns(start=pl.col("size").cum_sum() - pl.col("size")),
        ]
    )
    h_keys, c_keys = keys["h_keys"], keys["c_keys"]
    segs_l = segs.lazy()
    compat = pl.LazyFrame({"sub": pairs[0], "t_sub": pairs[1]}).cast(i64)
    # every ordered pair of compatible segments of one part
    pair = (
        segs_l.join(compat, on="sub")
        .join(
            segs_l.select(
                "part",
                pl.col("sub").alias("t_sub"),
                pl.col("seg").alias("t"),
                pl.col("size").alias("t_size"),
                pl.col("start").alias("t_start"),
            ),
            on=["part", "t_sub"],
        )
        .select("sweep", pl.col("seg").alias("s"), "size", "start", "t", "t_size", "t_start")
    )
    small = pl.col("size") <= pl.col("t_size")
    # x in the smaller s: the upper ends of t below x's cut
    a = (
        pair.filter(small)
        .select(
            "sweep", "t", "t_start", pos=pl.int_ranges("start", pl.col("start") + pl.col("size"))
        )
        .explode("pos")
        .select(
            "sweep",
            (
                pl.lit(h_keys)
                .search_sorted(
                    pl.col("t") * span + pl.lit(c_keys).gather("pos") % span, side="left"
                )
                .cast(i64)
                - pl.col("t_start")
            ).alias("n"),
        )
    )
    # y in the smaller t: |s| |t| minus the x of s whose cut is at most y's upper end
    b_rows = (
        pair.filter(~small)
        .select(
            "sweep",
            "s",
            "start",
            pos=pl.int_ranges("t_start", pl.col("t_start") + pl.col("t_size")),
        )
        .explode("pos")
        .select(
            "sweep",
            (
                pl.col("start")
                - pl.lit(c_keys)
                .search_sorted(
                    pl.col("s") * span + pl.lit(h_keys).gather("pos") % span, side="right"
                )
                .cast(i64)
            ).alias("n"),
        )
    )
    b_all = pair.filter(~small).select("sweep", (pl.col("size") * pl.col("t_size")).alias("n"))
    found = (
        pl.concat([a, b_rows, b_all])
        .group_by("sweep")
        .agg(pl.col("n").sum())
        .collect(engine=POLARS_ENGINE)
    )
    by_sweep = dict(zip(found["sweep"].to_list(), found["n"].to_list(), strict=True))
    return _result({name: int(by_sweep.get(k, 0)) for k, (name, *_) in enumerate(_plan())})


def run_duckdb(cols: dict[str, Any], pairs: Any) -> dict[str, int]:
    """The same plan in SQL: the integer keys of the upper ends and of the cuts, each
    distinct key with its running count (a window ``sum`` over the keys in order), and
    every query of the smaller side of a pair of segments finds the count below it with an
    ``ASOF JOIN`` (the greatest key ``<`` it, or ``<=`` for the other side)."""
    import duckdb
    import numpy as np

    n_cls, n_part, n_sub, span = _radices(cols)
    con = duckdb.connect()
    con.register("statements", {k: np.asarray(v) for k, v in cols.items()})
    con.register("compat", {"s_sub": pairs[0], "t_sub": pairs[1]})
    selects = []
    for k, (_, rows, by_class, cut) in enumerate(_plan()):
        where = {"all": "TRUE", "typical": "typical", "bound": "typical AND bound"}[rows]
        part = f'{k * n_part} + "group"::BIGINT * {n_cls}' + (" + cls" if by_class else "")
        selects.append(
            f"SELECT {k} AS sweep, {part} AS part, sub::BIGINT AS sub, "
            f"{cut}::BIGINT AS q, r_hi::BIGINT AS h FROM statements WHERE {where}"
        )
    con.execute(
        "CREATE TEMP TABLE items AS SELECT *, part * ? + sub AS seg FROM ("
        + " UNION ALL ".join(selects)
        + ")",
        [n_sub],
    )
    sql = f"""
        WITH segs AS (
            SELECT seg, any_value(sweep) AS sweep, any_value(part) AS part,
                   any_value(sub) AS sub, count(*) AS size
            FROM items GROUP BY seg
        ),
        segs2 AS (SELECT *, sum(size) OVER (ORDER BY seg) - size AS start FROM segs),
        pair AS (
            SELECT a.sweep, a.seg AS s, a.size, a.start, b.seg AS t, b.size AS t_size,
                   b.start AS t_start
            FROM segs2 a JOIN compat c ON a.sub = c.s_sub
            JOIN segs2 b ON b.part = a.part AND b.sub = c.t_sub
        ),
        h_keys AS (
            SELECT k, sum(count(*)) OVER (ORDER BY k) AS below
            FROM (SELECT seg * {span} + h AS k FROM items) GROUP BY k
        ),
        c_keys AS (
            SELECT k, sum(count(*)) OVER (ORDER BY k) AS below
            FROM (SELECT seg * {span} + q AS k FROM items) GROUP BY k
        ),
        -- x in the smaller s: the upper ends of t below x's cut
        qa AS (
            SELECT p.sweep, p.t_start, p.t * {span} + x.q AS k
            FROM pair p JOIN items x ON x.seg = p.s WHERE p.size <= p.t_size
        ),
        a AS (
            SELECT qa.sweep, sum(coalesce(e.below, 0) - qa.t_start) AS n
            FROM qa ASOF LEFT JOIN h_keys e ON qa.k > e.k GROUP BY qa.sweep
        ),
        -- y in the smaller t: |s| |t| minus the x of s whose cut is at most y's upper end
        qb AS (
            SELECT p.sweep, p.start, p.s * {span} + y.h AS k
            FROM pair p JOIN items y ON y.seg = p.t WHERE p.size > p.t_size
        ),
        b AS (
            SELECT qb.sweep, sum(qb.start - coalesce(e.below, 0)) AS n
            FROM qb ASOF LEFT JOIN c_keys e ON qb.k >= e.k GROUP BY qb.sweep
        ),
        whole AS (
            SELECT sweep, sum(size * t_size) AS n FROM pair WHERE size > t_size GROUP BY sweep
        )
        SELECT sweep, sum(n)::HUGEINT FROM (
            SELECT * FROM a UNION ALL SELECT * FROM b UNION ALL SELECT * FROM whole
        ) GROUP BY sweep
    """
    by_sweep = {int(k): int(n) for k, n in con.execute(sql).fetchall()}
    con.close()
    return _result({name: by_sweep.get(k, 0) for k, (name, *_) in enumerate(_plan())})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a dataset folder")
    parser.add_argument("--engines", nargs="+", default=["stemcli", "polars", "duckdb"])
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each engine; the medians are reported"
    )
    args = parser.parse_args(argv)
    st, built = statements(args.data)
    cols, pairs = tables(st)
    # every engine's modules imported before any clock starts, as stemcli's already are
    for engine in set(args.engines) & {"polars", "duckdb"}:
        __import__(engine)
    results: list[dict[str, int]] = []
    for engine in args.engines:
        walls: list[float] = []
        cpus: list[float] = []
        for _ in range(max(1, args.repeat)):
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
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            gc.enable()
            results.append(counts)
        line: dict[str, Any] = {
            "engine": engine,
            "counts": counts,
            "wall": statistics.median(walls),
            "cpu": statistics.median(cpus),
            "cpu_runs": cpus,
            "wall_runs": walls,
            "statements": len(st.idx),
            "build_cpu": built,
        }
        print(json.dumps(line), flush=True)
    distinct = {json.dumps(c, sort_keys=True) for c in results}
    if len(distinct) > 1:
        print(f"the engines disagree: {results}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
