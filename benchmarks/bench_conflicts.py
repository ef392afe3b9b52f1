"""How stemcli conflicts scales: load, count and top-50 listing at 1k, 10k and 100k claims.

    python benchmarks/bench_conflicts.py                      # 1k, 10k, 100k
    python benchmarks/bench_conflicts.py --sizes 1000 5000    # other sizes
    python benchmarks/bench_conflicts.py --json results.json  # keep the figures

For each size the synthetic dataset (benchmarks/generate.py, same --seed, same files) is
generated once into --workdir (benchmarks/out/ by default), then measured in a fresh
Python process so that peak memory and caches belong to that size alone:

- load, cold: parse and validate every YAML file (and write the cache), empty cache;
- load, warm: the same files again, read back from the cache;
- count: ``count_conflicts`` over every claim (all pairs, both kinds);
- top 50: ``find_conflicts(limit=50)``, what ``stemcli conflicts --limit 50`` runs: the counts
  and the 50 most severe pairs;
- peak memory: the process's maximum resident set (ru_maxrss) and, separately, the peak
  of Python allocations during one count and one listing (tracemalloc).

Times are the best of --repeat runs, wall clock (perf_counter) and CPU (process_time).
Then, for each cost, the exponent b of t ∝ n^b fitted over the sizes, next to the
exponent n·log n itself has over the same range.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = 2.0


def _best(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall and CPU time of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def measure_one(data: Path, repeat: int) -> dict[str, Any]:
    """Run in a child process: every figure for one dataset."""
    import resource

    with tempfile.TemporaryDirectory(prefix="stemcli-bench-cache-") as cache:
        os.environ["STEMCLI_CACHE_DIR"] = cache
        os.environ.pop("STEMCLI_NO_CACHE", None)
        from stemcli.dataset import load
        from stemcli.ops.conflicts import Selection, count_conflicts, find_conflicts

        rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        w, c = time.perf_counter(), time.process_time()
        ds = load([data], bundled=False, use_cache=True)  # empty cache: parse, validate, store
        cold = (time.perf_counter() - w, time.process_time() - c)
        warm = _best(lambda: load([data], bundled=False, use_cache=True), repeat)
        sel = Selection()
        counts = count_conflicts(ds, sel)
        count = _best(lambda: count_conflicts(ds, sel), repeat)
        top = _best(lambda: find_conflicts(ds, sel, limit=50), repeat)
        tracemalloc.start()
        count_conflicts(ds, sel)
        count_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        find_conflicts(ds, sel, limit=50)
        top_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    unit = 1 if sys.platform == "darwin" else 1024
    return {
        "claims": len(ds.claims),
        "conflicts": counts.to_json(),
        "load_cold": cold,
        "load_warm": warm,
        "count": count,
        "top50": top,
        "peak_rss_bytes": rss * unit,
        "start_rss_bytes": rss_start * unit,
        "tracemalloc_peak_bytes": {"count": count_peak, "top50": top_peak},
    }


def _exponent(ns: Sequence[int], ts: Sequence[float]) -> float:
    """Least-squares slope of log t against log n."""
    xs = [math.log(n) for n in ns]
    ys = [math.log(max(t, 1e-9)) for t in ts]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def _nlogn_exponent(ns: Sequence[int]) -> float:
    return _exponent(ns, [n * math.log(n) for n in ns])


def _mib(b: float) -> str:
    return f"{b / 2**20:,.0f} MiB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument(
        "--workdir", type=Path, default=HERE / "out", help="where datasets are generated"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing (best kept)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure_one(args.one, args.repeat)))
        return 0

    sys.path.insert(0, str(HERE))
    from generate import generate

    results: list[dict[str, Any]] = []
    for n in args.sizes:
        data = args.workdir / f"{n}-seed{args.seed}"
        if not (data / "sources.yaml").exists():
            print(f"generating {n:,} claims into {data} ...", file=sys.stderr, flush=True)
            generate(n, data, seed=args.seed)
        print(f"measuring {n:,} claims ...", file=sys.stderr, flush=True)
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(data), "--repeat", str(args.repeat)],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(child.stdout)
        result["n"] = n
        results.append(result)

    rows = [
        ("load, cold (parse + validate)", "load_cold"),
        ("load, warm (cache)", "load_warm"),
        ("count conflicts", "count"),
        ("count + top 50", "top50"),
    ]
    head = f"{'claims':<32}" + "".join(f"{r['n']:>16,}" for r in results)
    print(head)
    print(
        "conflicting pairs".ljust(32)
        + "".join(f"{sum(r['conflicts'].values()):>16,}" for r in results)
    )
    for label, key in rows:
        cells = "".join(f"{r[key][0]:>9.3f}s ({r[key][1]:.2f})" for r in results)
        print(f"{label:<32}{cells}")
    print("peak RSS".ljust(32) + "".join(f"{_mib(r['peak_rss_bytes']):>16}" for r in results))
    print(
        "  of which after start-up".ljust(32)
        + "".join(f"{_mib(r['peak_rss_bytes'] - r['start_rss_bytes']):>16}" for r in results)
    )
    print(
        "peak allocations, top 50".ljust(32)
        + "".join(f"{_mib(r['tracemalloc_peak_bytes']['top50']):>16}" for r in results)
    )
    print("(wall seconds, CPU seconds in brackets; best of", args.repeat, "runs)")
    ns = [r["n"] for r in results]
    if len(ns) >= 2:
        print(
            f"\ngrowth t ∝ n^b over {ns[0]:,}..{ns[-1]:,} (n log n gives b = "
            f"{_nlogn_exponent(ns):.2f}):"
        )
        for label, key in rows:
            b_wall = _exponent(ns, [r[key][0] for r in results])
            b_cpu = _exponent(ns, [r[key][1] for r in results])
            print(f"  {label:<30} b = {b_wall:.2f} (CPU {b_cpu:.2f})")
        rss = _exponent(ns, [r["peak_rss_bytes"] - r["start_rss_bytes"] for r in results])
        print(f"  {'peak RSS after start-up':<30} b = {rss:.2f}")
    big = max(results, key=lambda r: r["n"])
    verdict = "meets" if big["top50"][0] < TARGET_SECONDS else "misses"
    print(
        f"\ncount + top 50 at {big['n']:,} claims after loading: {big['top50'][0]:.2f} s "
        f"({verdict} the {TARGET_SECONDS:g} s target)"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
