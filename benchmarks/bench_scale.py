"""stemcli at 1k, 10k and 100k claims: load, cache, lookup, compare, conflicts, memory.

    python benchmarks/bench_scale.py [--sizes 1000 10000 100000] [--out benchmarks/out]

For each size it generates a synthetic dataset (benchmarks/generate.py, seed 1) and
measures, each in a fresh process so that peak memory (ru_maxrss) is honest:

- bare:    ``yaml.load`` with ``CSafeLoader`` over the same files (the floor for parsing);
- first:   stemcli's parse + validate, no cache (``load(..., use_cache=False)``);
- ratio:   first / bare (target at 100k: within 2x);
- cached:  wall time of a whole second CLI run served from the cache
           (``stemcli --no-bundled --data DIR conflicts --count``; target under 1 s);
- lookup, compare, count, top50: in-process times of the operations after loading
           (``conflicts --count`` and the 50 most severe conflicts; target under 2 s);
- peak:    peak resident memory of the process doing the first load and every
           operation (target under 500 MB).

Then it fits each cost against n (the exponent of a log-log fit between sizes).
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
from pathlib import Path

HERE = Path(__file__).resolve().parent

# measured inside a fresh interpreter; prints one JSON line
_WORKER = r"""
import gc, json, resource, sys, time
from pathlib import Path
mode, folder = sys.argv[1], Path(sys.argv[2])
out = {}
if mode == "bare":
    import yaml
    files = sorted(folder.rglob("*.yaml"))
    t = time.perf_counter()
    for f in files:
        yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)
    out["bare"] = time.perf_counter() - t
else:
    from stemcli.dataset import load
    from stemcli.ops.compare import compare
    from stemcli.ops.conflicts import Selection, count_conflicts, find_conflicts
    from stemcli.ops.lookup import lookup
    t = time.perf_counter()
    ds = load([folder], bundled=False, use_cache=False)
    out["first"] = time.perf_counter() - t
    out["claims"] = len(ds.claims)
    cond = ds.conditions["knee-oa"]
    t = time.perf_counter()
    res = lookup(ds, cond, stage="middle")
    out["lookup"] = time.perf_counter() - t
    out["lookup_rows"] = len(res.claims)
    t = time.perf_counter()
    cmp = compare(ds, cond)
    out["compare"] = time.perf_counter() - t
    out["compare_rows"] = len(cmp.rows)
    t = time.perf_counter()
    counts = count_conflicts(ds, Selection())
    out["count"] = time.perf_counter() - t
    out["pairs"] = counts.to_json()
    t = time.perf_counter()
    top = find_conflicts(ds, Selection(), limit=50)
    out["top50"] = time.perf_counter() - t
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def worker(mode: str, folder: Path, env: dict[str, str]) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", _WORKER, mode, str(folder)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def cli_seconds(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "stemcli", *args], capture_output=True, env=env, check=True
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    import compileall

    import stemcli

    # measure what an installed package does: with bytecode, not compiling each run
    compileall.compile_dir(Path(stemcli.__file__).parent, quiet=1)
    cache = tempfile.mkdtemp(prefix="stemcli-bench-cache-")
    env = dict(os.environ, STEMCLI_CACHE_DIR=cache)
    rows = []
    for n in args.sizes:
        folder = args.out / f"scale-{n}"
        if not folder.exists():
            subprocess.run(
                [
                    sys.executable,
                    str(HERE / "generate.py"),
                    "--claims",
                    str(n),
                    "--out",
                    str(folder),
                    "--seed",
                    "1",
                ],
                check=True,
                capture_output=True,
            )
        bare = worker("bare", folder, env)
        ours = worker("stemcli", folder, env)
        cli = ["--no-bundled", "--data", str(folder), "conflicts", "--count"]
        cold = cli_seconds([*cli[:3], "--no-cache", *cli[3:]], env)
        cli_seconds(cli, env)  # fills the cache
        cached = min(cli_seconds(cli, env) for _ in range(3))
        row = {
            "n": n,
            **{k: v for k, v in bare.items() if k == "bare"},
            **ours,
            "cold_cli": cold,
            "cached_cli": cached,
        }
        rows.append(row)
        print(
            f"n={n:>7,}  bare {row['bare']:.2f}s  first {row['first']:.2f}s "
            f"(x{row['first'] / row['bare']:.2f})  cold CLI {cold:.2f}s  cached CLI {cached:.2f}s  "
            f"lookup {row['lookup'] * 1000:.1f}ms  compare {row['compare'] * 1000:.0f}ms  "
            f"count {row['count'] * 1000:.0f}ms  top50 {row['top50'] * 1000:.0f}ms  "
            f"peak {row['peak_mb']:.0f}MB  pairs {row['pairs']}",
            flush=True,
        )
    if len(rows) > 1:
        print("\ngrowth exponent k in cost ~ n^k (log-log fit between the smallest and largest n):")
        a, b = rows[0], rows[-1]
        for key in (
            "bare",
            "first",
            "cached_cli",
            "lookup",
            "compare",
            "count",
            "top50",
            "peak_mb",
        ):
            x, y = float(a[key]), float(b[key])  # type: ignore[arg-type]
            if x > 0 and y > 0:
                k = math.log(y / x) / math.log(b["n"] / a["n"])  # type: ignore[operator]
                print(f"  {key:11} k = {k:.2f}")


if __name__ == "__main__":
    main()
