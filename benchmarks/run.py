"""Every figure of docs/PERFORMANCE.md in one run: floors, loads, whole commands, peers.

    python benchmarks/run.py --sizes 10000 100000 1000000 [--repeat 3] [--startup-runs 20]

For each size it generates the synthetic dataset once (generate.py, seed 0, into
benchmarks/out/), then measures, each in a fresh process:

- the **YAML floor**: ``yaml.load`` with libyaml's CSafeLoader over the same files, the
  garbage collector off (the least any YAML reader can take);
- the **first load**: parse, validate and write the cache, from an empty cache folder;
- the **cached load**: the same files read back from the cache (``load()`` alone);
- **whole runs** of ``lookup``, ``compare``, ``conflicts --count``, ``conflicts --limit
  50`` and ``search``: the installed ``stemcli`` command, output rendered to a file as to
  a pipe, so start-up, loading, the operation and rendering are all in the figure;
- **conflicts' counts in-process** by stemcli's sweep and by the polars and DuckDB peers
  (``peers.py``: the same statements, sort-and-sweep each; the run stops if their counts
  differ), with the time stemcli takes to build the statements from the loaded dataset;
- **the operations in-process** (``inprocess.py``): count, the first 50 findings, two
  searches, compare and lookup, each from a dataset loaded from the cache beforehand.

Times are medians of ``--repeat`` runs (the first load and the 1M figures once, unless
asked; the in-process operations ``--repeat`` times at every size, as they are cheap):
wall clock and CPU (user + system, from the process's own accounting; on a shared machine
the CPU figure is the steadier one), peak resident memory of the process.
Then each row's growth exponent k (CPU time ∝ n^k) between consecutive sizes, and the
start-up of a few commands on the bundled dataset against the floor ``import typer,
rich.console, rich.table`` (run alternately, medians). The machine's load average is
printed before and after. The Markdown table goes to ``benchmarks/out/results.md``
(``--markdown``) and the raw figures to ``benchmarks/out/results.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

YAML_FLOOR = """
import gc, sys, time, pathlib, yaml
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.yaml"))
gc.disable()
t = time.perf_counter()
for f in files:
    yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)
print(time.perf_counter() - t)
"""
LOAD = """
import sys, time, pathlib
t = time.perf_counter()
from stemcli.dataset import load
ds = load([pathlib.Path(sys.argv[1])], bundled=False)
print(time.perf_counter() - t)
"""
COMMANDS = {
    "lookup": ["lookup", "knee-oa", "--stage", "middle"],
    "compare": ["compare", "knee-oa"],
    "conflicts --count": ["conflicts", "--count"],
    "conflicts --limit 50": ["conflicts", "--limit", "50"],
    "search": ["search", "pain relief"],
}
STARTUP = {
    "lookup knee-oa --stage middle": ["lookup", "knee-oa", "--stage", "middle"],
    "compare": ["compare"],
    "conflicts --count": ["conflicts", "--count"],
    "search pain": ["search", "pain"],
}
FLOOR = [sys.executable, "-c", "import typer, rich.console, rich.table"]


def stemcli() -> list[str]:
    exe = shutil.which("stemcli", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "stemcli"]


def measure(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """One fresh process: wall, CPU (user + system), peak RSS in MB, and its stdout."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env)
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode not in (0, 1):  # 1: findings (conflicts)
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "stdout": text,
    }


def figure(
    *, cpu: float = math.nan, wall: float = math.nan, rss_mb: float = math.nan
) -> dict[str, Any]:
    """A row's figure measured inside a process: what is not measured is NaN (left blank)."""
    return {"wall": wall, "cpu": cpu, "rss_mb": rss_mb}


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [k for k in runs[0] if k != "stdout"]
    out = {k: statistics.median(r[k] for r in runs) for k in keys}
    out["stdout"] = runs[-1]["stdout"]
    return out


AGE = 2.5  # seconds a generated file is left to age (--age)


def dataset(n: int) -> Path:
    folder = OUT / f"{n}-seed0"
    if not (folder / "sources.yaml").is_file():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--claims", str(n), "--out", str(folder)],
            check=True,
        )
    # files changed a moment ago are keyed by their bytes (the cache's rule for a coarse
    # clock): let them age, so that every run sees the key a user sees
    newest = max(p.stat().st_mtime for p in folder.rglob("*.yaml"))
    time.sleep(max(0.0, newest + AGE - time.time()))
    return folder


def measured_env(cache: Path) -> dict[str, str]:
    """The environment of every measured process: its own cache folder, and bytecode
    written and read as for an installed package (PYTHONDONTWRITEBYTECODE would make every
    run compile stemcli from source, which no installed copy does, while typer and rich
    load theirs)."""
    env = dict(os.environ, STEMCLI_CACHE_DIR=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("STEMCLI_NO_CACHE", None)
    return env


def fresh_cache(n: int) -> Path:
    folder = OUT / f"cache-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700, parents=True)
    return folder


def measure_size(n: int, repeat: int, engines: list[str]) -> dict[str, Any]:
    data = dataset(n)
    env = measured_env(fresh_cache(n))
    rows: dict[str, Any] = {}
    reps = repeat if n < 1_000_000 else 1
    py = sys.executable
    rows["YAML floor (CSafeLoader, GC off)"] = median_of(
        [measure([py, "-c", YAML_FLOOR, str(data)], env) for _ in range(reps)]
    )
    rows["first load (parse + validate + cache write)"] = measure([py, "-c", LOAD, str(data)], env)
    rows["cached load"] = median_of(
        [measure([py, "-c", LOAD, str(data)], env) for _ in range(reps)]
    )
    base = [*stemcli(), "--no-bundled", "--data", str(data)]
    for label, extra in COMMANDS.items():
        rows[f"whole `{label}` run"] = median_of(
            [measure([*base, *extra], env) for _ in range(reps)]
        )
    peer_args = ["--data", str(data), "--engines", *engines, "--repeat", str(reps)]
    peers = measure([py, str(HERE / "peers.py"), *peer_args], env)
    lines = [json.loads(line) for line in peers["stdout"].splitlines() if line.startswith("{")]
    counts = {json.dumps(line["counts"], sort_keys=True) for line in lines}
    if len(counts) != 1:
        raise SystemExit(f"the peers' counts differ at {n}: {lines}")
    for line in lines:
        rows[f"count in-process: {line['engine']}"] = figure(cpu=line["cpu"], wall=line["wall"])
    rows["count in-process: stemcli, building the statements"] = figure(cpu=lines[0]["build_cpu"])
    rows["peak memory of the peers' process (all engines)"] = figure(rss_mb=peers["rss_mb"])
    # the operations, each from a dataset loaded just before it (inprocess.py; the cache
    # is warm by now)
    inside = measure([py, str(HERE / "inprocess.py"), str(data), "--repeat", str(repeat)], env)
    for line in inside["stdout"].splitlines():
        if line.startswith("{"):
            op = json.loads(line)
            rows[f"in-process: {op['operation']}"] = figure(cpu=op["cpu"], wall=op["wall"])
    rows["peak memory of the in-process run"] = figure(rss_mb=inside["rss_mb"])
    return {
        "n": n,
        "rows": rows,
        "counts": lines[0]["counts"],
        "statements": lines[0]["statements"],
    }


def startup(runs: int) -> list[dict[str, Any]]:
    env = measured_env(fresh_cache(0))
    out = []
    for label, extra in STARTUP.items():
        argv = [*stemcli(), *extra]
        measure(argv, env)  # warm the cache
        ours, floor = [], []
        for _ in range(runs):
            ours.append(measure(argv, env)["wall"])
            floor.append(measure(FLOOR, env)["wall"])
        m, f = statistics.median(ours), statistics.median(floor)
        out.append({"command": label, "median": m, "floor": f, "ratio": m / f})
    return out


def fmt(row: dict[str, Any]) -> str:
    cpu, wall, rss = row["cpu"], row["wall"], row["rss_mb"]
    parts = []
    if not math.isnan(cpu):
        parts.append(f"{cpu:.2f} s" if cpu >= 0.1 else f"{cpu * 1000:.0f} ms")
    if not math.isnan(wall):
        parts.append(f"({wall:.2f} s wall)")
    text = " ".join(parts)
    if not math.isnan(rss):
        text += f", {rss:,.0f} MB" if text else f"{rss:,.0f} MB"
    return text


def markdown(results: list[dict[str, Any]], starts: list[dict[str, Any]], meta: str) -> str:
    sizes = [r["n"] for r in results]
    head = "| | " + " | ".join(f"{n:,}" for n in sizes)
    if len(sizes) > 1:
        head += " | growth k"
    lines = [meta, "", head + " |", "|---" * (len(sizes) + 1 + (len(sizes) > 1)) + "|"]
    for label in results[0]["rows"]:
        cells = [fmt(r["rows"][label]) for r in results]
        line = f"| {label} | " + " | ".join(cells)
        if len(sizes) > 1:
            ks = []
            for a, b in itertools.pairwise(results):
                ta, tb = a["rows"][label]["cpu"], b["rows"][label]["cpu"]
                if math.isnan(ta) or math.isnan(tb):
                    ta, tb = a["rows"][label]["rss_mb"], b["rows"][label]["rss_mb"]
                ks.append(f"{math.log(tb / ta) / math.log(b['n'] / a['n']):.2f}")
            line += " | " + " / ".join(ks)
        lines.append(line + " |")
    lines += ["", "Counts (every engine agreed): " + "; ".join(
        f"{r['n']:,} claims, {r['statements']:,} statements: "
        + ", ".join(f"{k} {v:,}" for k, v in r["counts"].items())
        for r in results
    )]  # fmt: skip
    if starts:
        lines += ["", "| start-up (bundled data, warm cache) | median | floor | ratio |"]
        lines.append("|---|---|---|---|")
        for s in starts:
            lines.append(
                f"| `stemcli {s['command']}` | {s['median'] * 1000:.1f} ms "
                f"| {s['floor'] * 1000:.1f} ms | {s['ratio']:.2f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (1M: once)")
    parser.add_argument("--startup-runs", type=int, default=20, help="0 leaves start-up out")
    parser.add_argument("--engines", nargs="+", default=["stemcli", "polars", "duckdb"])
    parser.add_argument("--age", type=float, default=2.5, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help="for data and caches (benchmarks/out)")
    parser.add_argument("--markdown", type=Path, help="default: WORK/results.md")
    args = parser.parse_args(argv)
    global OUT, AGE
    OUT = args.work or OUT
    AGE = args.age
    OUT.mkdir(parents=True, exist_ok=True)
    if args.markdown is None:
        args.markdown = OUT / "results.md"
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = []
    for n in sorted(args.sizes):
        print(f"measuring {n:,} claims ...", file=sys.stderr, flush=True)
        results.append(measure_size(n, args.repeat, args.engines))
    starts = startup(args.startup_runs) if args.startup_runs else []
    load_after = os.getloadavg()
    meta = (
        f"`python benchmarks/run.py --sizes {' '.join(map(str, args.sizes))} "
        f"--repeat {args.repeat} --startup-runs {args.startup_runs}`, {started}; "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after. CPU time first "
        f"(wall clock in brackets), peak resident memory of the process."
    )
    text = markdown(results, starts, meta)
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(text, encoding="utf-8")
    raw = {"meta": meta, "sizes": results, "startup": starts}
    for r in raw["sizes"]:
        for row in r["rows"].values():
            row.pop("stdout", None)
    (args.markdown.with_suffix(".json")).write_text(json.dumps(raw, indent=1), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
