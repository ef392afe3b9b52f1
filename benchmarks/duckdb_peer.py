"""A second opinion from DuckDB: the same direct-conflict count, by a self-join in SQL.

    pip install -e '.[bench]'                        # DuckDB is a benchmark-only dependency
    python benchmarks/duckdb_peer.py                  # 1k, 10k and 100k synthetic claims
    python benchmarks/duckdb_peer.py --sizes 10000 --tolerance 10

For each size the synthetic claims (benchmarks/generate.py) are loaded with stemcli's own
loader, turned into parsed intervals (stemcli.quantities.interval, qualifiers widened,
durations in days) and exported to an in-memory DuckDB table. One SQL query then counts
the direct conflicts by the rule stemcli uses: the same condition, outcome family, unit
dimension, comparator and intervention (case-insensitive), the same outcome and measure
(of an outcome that is compared at all),
compatible stages (one in common, or one side not stage-specific), timepoints not clearly
different (the later does not start at least twice as late as the earlier ends), and
intervals that do not overlap (``b.hi < a.lo``, which also orients each pair once).

The script fails (exit 1) unless DuckDB's count equals ``stemcli``'s: a correctness
oracle at sizes where brute force in Python would be too slow. It also reports both
times; stemcli's count computes the cross-measure pairs too.
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
    "condition": "VARCHAR",
    "outcome": "VARCHAR",
    "measure": "VARCHAR",
    "dimension": "VARCHAR",
    "comparator": "VARCHAR",
    "intervention": "VARCHAR",
    "stages": "VARCHAR",
    "lo": "DOUBLE",
    "hi": "DOUBLE",
    "tp_lo": "DOUBLE",
    "tp_hi": "DOUBLE",
}

# comparators and interventions compare case-insensitively, blanks collapsed; none = none
_FOLD = "coalesce(lower(regexp_replace(trim({x}), '\\s+', ' ', 'g')), '\x00none')"

DIRECT_CONFLICTS_SQL = f"""
WITH c AS (
    SELECT claims.*,
           o.family,
           {_FOLD.format(x="comparator")} AS cmp,
           {_FOLD.format(x="intervention")} AS intv,
           CASE WHEN stages IS NULL OR stages = '' THEN []::VARCHAR[]
                ELSE string_split(stages, '|') END AS stage_list
    FROM claims JOIN outcomes o ON o.id = claims.outcome
    WHERE o.compared  -- outcomes that describe a study are never compared
)
SELECT count(*)
FROM c AS a JOIN c AS b
  ON  a.condition = b.condition
  AND a.family = b.family
  AND a.dimension = b.dimension
  AND a.cmp = b.cmp
  AND a.intv = b.intv
  AND a.outcome = b.outcome
  AND a.measure = b.measure
  AND b.hi < a.lo
WHERE (len(a.stage_list) = 0 OR len(b.stage_list) = 0
       OR list_has_any(a.stage_list, b.stage_list))
  AND NOT (a.tp_lo IS NOT NULL AND b.tp_lo IS NOT NULL
           AND ((b.tp_lo > 0 AND b.tp_lo >= 2 * a.tp_hi)
                OR (a.tp_lo > 0 AND a.tp_lo >= 2 * b.tp_hi)))
"""


def export_csv(ds: Dataset, path: Path, tolerance: float) -> int:
    """Write every claim as parsed intervals; return the number of rows."""
    from stemcli.quantities import dimension, interval

    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for c in ds.claims:
            lo, hi = interval(c.value, tolerance)
            tp = None if c.timepoint is None else interval(c.timepoint, tolerance)
            w.writerow(
                [
                    c.id,
                    c.condition,
                    c.outcome,
                    c.measure,
                    dimension(c.value.unit),
                    c.comparator,
                    c.intervention,
                    "|".join(c.stages),
                    repr(lo),
                    repr(hi),
                    "" if tp is None else repr(tp[0]),
                    "" if tp is None else repr(tp[1]),
                ]
            )
    return len(ds.claims)


def run_one(data: Path, tolerance: float) -> dict[str, float | int]:
    import duckdb

    from stemcli.dataset import load
    from stemcli.ops.conflicts import Selection, count_conflicts

    ds = load([data], bundled=False)
    sel = Selection(kind="direct", tolerance=tolerance)
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
    row = con.execute(DIRECT_CONFLICTS_SQL).fetchone()
    query_seconds = time.perf_counter() - t
    theirs = int(row[0]) if row else -1
    return {
        "claims": len(ds.claims),
        "stemcli_direct": ours.direct,
        "duckdb_direct": theirs,
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
        f"{'claims':>10} {'direct pairs':>14} {'stemcli':>10} {'duckdb query':>13} "
        f"{'ratio':>7} {'duckdb import':>14}  agree"
    )
    for n in args.sizes:
        data = args.workdir / f"{n}-seed{args.seed}"
        if not (data / "sources.yaml").exists():
            print(f"generating {n:,} claims into {data} ...", file=sys.stderr, flush=True)
            generate(n, data, seed=args.seed)
        r = run_one(data, args.tolerance / 100)
        agree = r["stemcli_direct"] == r["duckdb_direct"]
        ok = ok and agree
        ratio = r["duckdb_query_seconds"] / max(r["stemcli_seconds"], 1e-9)
        print(
            f"{r['claims']:>10,} {r['stemcli_direct']:>14,} {r['stemcli_seconds']:>9.3f}s "
            f"{r['duckdb_query_seconds']:>12.3f}s {ratio:>6.1f}x "
            f"{r['duckdb_import_seconds']:>13.3f}s  "
            + ("yes" if agree else f"NO: duckdb counts {r['duckdb_direct']:,}")
        )
    print("(ratio = DuckDB query time / stemcli count time; above 1, stemcli is faster)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
