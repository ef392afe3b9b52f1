"""The operations in-process, each from a dataset loaded just before it: what a command
costs past start-up, loading and rendering.

    python benchmarks/inprocess.py DATA [--repeat 3]

Loads DATA (``--no-bundled``, from the cache when it has an entry) and times it, then
times each operation ``--repeat`` times, each time on a dataset loaded afresh (a loaded
dataset keeps the claims it has built, which would make a repeat cheaper), and prints one
JSON line per operation: its median CPU time (user + system of the process, so the
threads of rapidfuzz and numpy count) and wall clock, and what it found (so that a run
can be checked against another):

- ``count_conflicts`` of everything, and ``find_conflicts``' first 50;
- ``search`` for "pain relief" and for "knee": every hit counted, the first 20 ordered;
- ``compare knee-oa``: 50 rows of the 8 sources with the most claims, as the table;
- ``lookup knee-oa --stage middle``: the claims it lists.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from stemcli.dataset import load
    from stemcli.model import Dataset
    from stemcli.ops import conflicts
    from stemcli.ops.compare import compare
    from stemcli.ops.lookup import lookup
    from stemcli.ops.search import search

    def loaded() -> Dataset:
        return load([args.data], bundled=False)  # as given: the cache key holds the path

    cpu, wall = time.process_time(), time.perf_counter()
    ds = loaded()
    took = {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}
    print(json.dumps({"operation": "load", **took, "found": ds.claim_count}), flush=True)

    def searched(query: str) -> Callable[[Dataset], Any]:
        def run(ds: Dataset) -> Any:
            hits = search(ds, query, limit=ds.claim_count)
            return [len(hits), [h.claim.id for h in hits[:20]]]

        return run

    operations: dict[str, Callable[[Dataset], Any]] = {
        "count_conflicts": lambda ds: conflicts.count_conflicts(ds, conflicts.Selection()).total,
        "find_conflicts, first 50": lambda ds: len(
            conflicts.find_conflicts(ds, conflicts.Selection(), limit=50).conflicts
        ),
        'search "pain relief"': searched("pain relief"),
        'search "knee"': searched("knee"),
        "compare knee-oa (50 rows, 8 sources)": lambda ds: len(
            compare(ds, ds.conditions["knee-oa"], limit=50, max_sources=8).rows
        ),
        "lookup knee-oa --stage middle": lambda ds: len(
            lookup(ds, ds.conditions["knee-oa"], stage="middle").claims
        ),
    }
    for name, operation in operations.items():
        cpus, walls, found = [], [], None
        for _ in range(args.repeat):
            # a dataset of its own: a claim built once is kept, and would make a repeat cheaper
            ds = loaded()
            cpu, wall = time.process_time(), time.perf_counter()
            found = operation(ds)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        line = {
            "operation": name,
            "cpu": statistics.median(cpus),
            "wall": statistics.median(walls),
            "found": found,
        }
        print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
