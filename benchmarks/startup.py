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
COMMANDS = {
    "lookup knee-oa --stage middle": ["lookup", "knee-oa", "--stage", "middle"],
    "--help": ["--help"],
    "compare": ["compare"],
}


def stemcli() -> list[str]:
    exe = shutil.which("stemcli", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "stemcli"]


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
