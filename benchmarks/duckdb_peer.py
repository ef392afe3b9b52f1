"""A second opinion from DuckDB: the same contradiction count, by a self-join in SQL.

    pip install -e '.[bench]'                        # DuckDB is a benchmark-only dependency
    python benchmarks/duckdb_peer.py                  # 1k, 10k and 100k synthetic claims
    python benchmarks/duckdb_peer.py --sizes 10000 --tolerance 10

For each size the synthetic claims (benchmarks/generate.py) are loaded with stemcli's own
loader, turned into their exact ends (stemcli.quantities.ends: qualifiers applied, "over"
and "under" leaving their number out, durations in days) and exported to an in-memory
DuckDB table. One SQL query then builds the statements (one source, one question, one
value; a rough value folded into the one exact value it rounds) and counts the
contradictions by the rules stemcli uses: the same condition, unit dimension, comparator,
intervention and group (case-insensitive), the same outcome and measure (durations and
time-points as one) of an outcome that is compared at all, neither side a case report,
compatible stages (one in common, or one side not stage-specific), timepoints that
overlap (periods that only touch are a trajectory), and values that do not overlap
(``b.hi < a.lo``, which also orients each pair once).

The script fails (exit 1) unless DuckDB's count equals ``stemcli``'s: a correctness
oracle at sizes where brute force in Python would be too slow. It also reports both
times; stemcli's count computes the tensions too.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stemcli.model import Dataset

HERE = Path(__file__).resolve().parent

COLUMNS = {
    "id": "VARCHAR",
    "source": "VARCHAR",
    "condition": "VARCHAR",
    "outcome": "VARCHAR",
    "measure": "VARCHAR",
    "dimension": "VARCHAR",
    "comparator": "VARCHAR",
    "intervention": "VARCHAR",
    "grp": "VARCHAR",
    "stages": "VARCHAR",
    "basis": "VARCHAR",
    "unit": "VARCHAR",
    "qualifier": "VARCHAR",
    "lo": "DOUBLE",
    "hi": "DOUBLE",
    "tp_lo": "DOUBLE",
    "tp_hi": "DOUBLE",
    "tp_qualifier": "VARCHAR",
}

# comparators, interventions and groups compare case-insensitively, blanks collapsed
_FOLD = "coalesce(lower(regexp_replace(trim({x}), '\\s+', ' ', 'g')), '\x00none')"

CONTRADICTIONS_SQL = f"""
WITH c AS (
    SELECT claims.*,
           CASE WHEN dimension = 'time' THEN outcome ELSE o.family END AS about,
           CASE WHEN dimension = 'time' THEN 'time' ELSE measure END AS mclass,
           {_FOLD.format(x="comparator")} AS cmp,
           {_FOLD.format(x="intervention")} AS intv,
           {_FOLD.format(x="grp")} AS grp_f,
           list_sort(CASE WHEN stages IS NULL OR stages = '' THEN []::VARCHAR[]
                          ELSE string_split(stages, '|') END) AS stage_list
    FROM claims JOIN outcomes o ON o.id = claims.outcome
    WHERE o.compared  -- outcomes that describe a study are never compared
),
-- a statement: one source, one question, one value; it stands for its first claim
s0 AS (
    SELECT source, condition, about, dimension, cmp, intv, grp_f, stage_list, outcome,
           measure, mclass, tp_lo, tp_hi, tp_qualifier, lo, hi, unit, qualifier,
           arg_min(basis, id) AS basis
    FROM c
    GROUP BY ALL
),
-- a rough value ("nearly 80%") inside exactly one exact value of the same question is
-- that statement
rough AS (
    SELECT r.* FROM s0 AS r
    JOIN s0 AS e
      ON  e.source = r.source AND e.condition = r.condition AND e.about = r.about
      AND e.dimension = r.dimension AND e.cmp = r.cmp AND e.intv = r.intv
      AND e.grp_f = r.grp_f AND e.stage_list = r.stage_list AND e.outcome = r.outcome
      AND e.measure = r.measure
      AND e.tp_lo IS NOT DISTINCT FROM r.tp_lo AND e.tp_hi IS NOT DISTINCT FROM r.tp_hi
      AND e.tp_qualifier IS NOT DISTINCT FROM r.tp_qualifier
      AND e.qualifier = 'exact' AND r.lo <= e.lo AND e.hi <= r.hi
    WHERE r.qualifier = 'about'
    GROUP BY ALL
    HAVING count(*) = 1
),
s AS (SELECT * FROM s0 EXCEPT SELECT * FROM rough)
SELECT count(*)
FROM s AS a JOIN s AS b
  ON  a.condition = b.condition
  AND a.about = b.about
  AND a.dimension = b.dimension
  AND a.cmp = b.cmp
  AND a.intv = b.intv
  AND a.grp_f = b.grp_f
  AND a.outcome = b.outcome
  AND a.mclass = b.mclass
  AND b.hi < a.lo
WHERE a.basis <> 'case-report' AND b.basis <> 'case-report'
  AND (len(a.stage_list) = 0 OR len(b.stage_list) = 0
       OR list_has_any(a.stage_list, b.stage_list))
  AND (a.tp_lo IS NULL OR b.tp_lo IS NULL
       OR greatest(a.tp_lo, b.tp_lo) < least(a.tp_hi, b.tp_hi)
       OR (greatest(a.tp_lo, b.tp_lo) = least(a.tp_hi, b.tp_hi)
           AND (a.tp_lo = a.tp_hi OR b.tp_lo = b.tp_hi)))
"""


def export_csv(ds: Dataset, path: Path, tolerance: float) -> int:
    """Write every claim as its exact ends (quantities.ends); return the number of rows."""
    from stemcli.quantities import dimension, ends

    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for c in ds.claims:
            lo, hi = ends(c.value, tolerance)
            tp = None if c.timepoint is None else ends(c.timepoint, tolerance)
            w.writerow(
                [
                    c.id,
                    c.source,
                    c.condition,
                    c.outcome,
                    c.measure,
                    dimension(c.value.unit),
                    c.comparator,
                    c.intervention,
                    c.group,
                    "|".join(c.stages),
                    c.basis,
                    c.value.unit or "",
                    c.value.qualifier,
                    repr(lo),
                    repr(hi),
                    "" if tp is None else repr(tp[0]),
                    "" if tp is None else repr(tp[1]),
                    "" if c.timepoint is None else c.timepoint.qualifier,
                ]
            )
    return len(ds.claims)


def run_one(data: Path, tolerance: float) -> dict[str, float | int]:
    import duckdb

    from stemcli.dataset import load
    from stemcli.ops.conflicts import Selection, count_conflicts

    ds = load([data], bundled=False)
    sel = Selection(kind="contradiction", tolerance=tolerance)
    t = time.perf_counter()
    ours = count_conflicts(ds, sel)
    stemcli_seconds = time.perf_counter() - t

    con = duckdb.connect()
    with tempfile.TemporaryDirectory(prefix="stemcli-duckdb-") as tmp:
        claims_csv = Path(tmp) / "claims.csv"
        t = time.perf_counter()
        export_csv(ds, claims_csv, tolerance)
        export_seconds = time.perf_counter() - t
        t = time.perf_counter()
        columns = ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items())
        con.execute(
            f"CREATE TABLE claims AS SELECT * FROM read_csv(?, header = true, "
            f"columns = {{{columns}}})",
            [str(claims_csv)],
        )
        con.execute("CREATE TABLE outcomes (id VARCHAR, family VARCHAR, compared BOOLEAN)")
        con.executemany(
            "INSERT INTO outcomes VALUES (?, ?, ?)",
            [(o.id, o.family, o.compared) for o in ds.outcomes.values()],
        )
        import_seconds = time.perf_counter() - t
    t = time.perf_counter()
    row = con.execute(CONTRADICTIONS_SQL).fetchone()
    query_seconds = time.perf_counter() - t
    theirs = int(row[0]) if row else -1
    return {
        "claims": len(ds.claims),
        "stemcli_contradictions": ours.contradiction,
        "duckdb_contradictions": theirs,
        "stemcli_seconds": stemcli_seconds,
        "duckdb_query_seconds": query_seconds,
        "duckdb_import_seconds": import_seconds + export_seconds,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--workdir", type=Path, default=HERE / "out")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--tolerance", type=float, default=5.0, help="'about' widening, percent (default 5)"
    )
    args = parser.parse_args(argv)
    if not (math.isfinite(args.tolerance) and 0 <= args.tolerance <= 100):
        parser.error("--tolerance is a percentage from 0 to 100")
    try:
        import duckdb  # noqa: F401
    except ImportError:
        print("duckdb is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    sys.path.insert(0, str(HERE))
    from generate import generate

    ok = True
    print(
        f"{'claims':>10} {'contradictions':>14} {'stemcli':>10} {'duckdb query':>13} "
        f"{'ratio':>7} {'duckdb import':>14}  agree"
    )
    for n in args.sizes:
        data = args.workdir / f"{n}-seed{args.seed}"
        if not (data / "sources.yaml").exists():
            print(f"generating {n:,} claims into {data} ...", file=sys.stderr, flush=True)
            generate(n, data, seed=args.seed)
        r = run_one(data, args.tolerance / 100)
        agree = r["stemcli_contradictions"] == r["duckdb_contradictions"]
        ok = ok and agree
        ratio = r["duckdb_query_seconds"] / max(r["stemcli_seconds"], 1e-9)
        print(
            f"{r['claims']:>10,} {r['stemcli_contradictions']:>14,} {r['stemcli_seconds']:>9.3f}s "
            f"{r['duckdb_query_seconds']:>12.3f}s {ratio:>6.1f}x "
            f"{r['duckdb_import_seconds']:>13.3f}s  "
            + ("yes" if agree else f"NO: duckdb counts {r['duckdb_contradictions']:,}")
        )
    print("(ratio = DuckDB query time / stemcli count time; above 1, stemcli is faster)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
