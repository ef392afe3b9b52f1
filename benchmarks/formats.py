"""How long the first load of a dataset takes from YAML, JSON Lines and Parquet.

    python benchmarks/formats.py --claims 100000 --repeat 3
    python benchmarks/formats.py --claims 100000 1000000 --repeat 1

For each size, a synthetic dataset (benchmarks/generate.py, seed 1) is written as a YAML
folder, then as one .jsonl and one .parquet file (stemcli's own writers). Each load runs
in a fresh process: parse and validate, no cache (``load(..., use_cache=False)``), so it
is what a first run pays before the cache has an entry. The figure is the median of
``--repeat`` runs, with the child's peak memory (VmHWM, the high-water mark of its resident
memory) and the files' sizes. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import json, sys, time
from pathlib import Path
from stemcli.dataset import load
start = time.perf_counter()
ds = load([Path(sys.argv[1])], bundled=False, use_cache=False)
seconds = time.perf_counter() - start
with open("/proc/self/status") as f:
    peak = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "peak": peak, "claims": len(ds.claims)}))
"""


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def prepare(n: int, out: Path) -> dict[str, Path]:
    """The dataset of ``n`` claims in each format (made once, reused)."""
    from generate import generate
    from stemcli.dataset import load
    from stemcli.exports import jsonl, parquet

    folder = out / f"{n}-seed1"
    files = {
        "yaml": folder,
        "jsonl": out / f"{n}-seed1.jsonl",
        "parquet": out / f"{n}-seed1.parquet",
    }
    if not (folder / "sources.yaml").is_file():
        generate(n, folder, seed=1)
    if not files["jsonl"].is_file() or not files["parquet"].is_file():
        ds = load([folder], bundled=False, use_cache=False)
        start = time.perf_counter()
        with open(files["jsonl"], "w", encoding="utf-8") as f:
            for chunk in jsonl.lines(ds):
                f.write(chunk)
        print(
            f"  wrote {files['jsonl'].name} in {time.perf_counter() - start:.1f} s", file=sys.stderr
        )
        start = time.perf_counter()
        parquet.write(ds, files["parquet"])
        print(
            f"  wrote {files['parquet'].name} in {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
    return files


def measure(path: Path, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True
        )
        runs.append(json.loads(done.stdout))
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak": max(r["peak"] for r in runs),
        "claims": runs[0]["claims"],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", "-n", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where the data goes")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.claims:
        files = prepare(n, args.out)
        for fmt, path in files.items():
            m = measure(path, args.repeat)
            assert m["claims"] == n, (fmt, m)
            rows.append((n, fmt, m["seconds"], m["peak"], _size(path)))
            print(f"  {n:,} {fmt}: {m['seconds']:.2f} s", file=sys.stderr)
    print("| claims | format | first load (parse + validate) | peak memory | size on disk |")
    print("|---|---|---|---|---|")
    for n, fmt, seconds, peak, size in rows:
        memory, disk = f"{peak / 2**20:,.0f} MiB", f"{size / 2**20:,.1f} MiB"
        print(f"| {n:,} | {fmt} | {seconds:.2f} s | {memory} | {disk} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
