"""Start-up time of stemcli against the floor: importing typer and rich.

Runs each command and the floor alternately (so machine noise hits both alike), output
to a pipe, and reports medians and the ratio. The cache is warmed first: the figure is
what a person sees on the second and later runs.

    python benchmarks/startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

FLOOR = [sys.executable, "-c", "import typer, rich.console, rich.table"]
# the commands of run.py's start-up table, and the help
COMMANDS = {
    "lookup knee-oa --stage middle": ["lookup", "knee-oa", "--stage", "middle"],
    "compare": ["compare"],
    "conflicts --count": ["conflicts", "--count"],
    "search pain": ["search", "pain"],
    "--help": ["--help"],
}


def stemcli() -> list[str]:
    exe = shutil.which("stemcli", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "stemcli"]


def bytecode_note() -> str | None:
    """A warning when every run compiles stemcli from source: bytecode is not written
    (PYTHONDONTWRITEBYTECODE) and none is cached, while typer's and rich's, installed,
    is. An installed stemcli has its bytecode too, so the ratio would be unfair to it."""
    import importlib.util

    spec = importlib.util.find_spec("stemcli.cli")
    cached = spec.cached if spec is not None else None
    if not sys.dont_write_bytecode or cached is None or os.path.exists(cached):
        return None
    return (
        "note: PYTHONDONTWRITEBYTECODE is set and stemcli's bytecode is not cached: every "
        "run compiles its modules from source, which the floor's installed modules never "
        "do; unset it (PYTHONPYCACHEPREFIX keeps the bytecode out of the source tree) for "
        "what an installed stemcli takes"
    )


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    base = stemcli()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, {args.runs} runs each")
    note = bytecode_note()
    if note:
        print(note)
    print(f"{'command':34} {'median':>9} {'floor':>9} {'ratio':>6}")
    for label, extra in COMMANDS.items():
        argv = base + extra
        subprocess.run(argv, capture_output=True, check=False)  # warm the cache
        ours, floor = [], []
        for _ in range(args.runs):
            ours.append(timed(argv))
            floor.append(timed(FLOOR))
        m_ours, m_floor = statistics.median(ours), statistics.median(floor)
        print(f"{label:34} {m_ours * 1000:7.1f}ms {m_floor * 1000:7.1f}ms {m_ours / m_floor:6.2f}")


if __name__ == "__main__":
    main()
