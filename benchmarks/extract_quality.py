"""How well `stemcli extract` finds the curated claims of the archived sources.

For every source of the bundled dataset whose archived text is in the seeds folder, runs
extract over the text and compares the drafts with the source's curated claims:

- recall: share of curated claims that some draft matches,
- precision: share of drafts that match some curated claim,

where a draft matches a claim when their quotes overlap (after normalising whitespace,
quotes and dashes) and their values have the same low, high and unit. Lists the misses
and the false positives.

    python benchmarks/extract_quality.py [--seeds ../shared/seeds] [--quiet]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quality import Quality, quality
from stemcli.dataset import load
from stemcli.ops.extract import extract
from stemcli.quantities import format_quantity
from stemcli.text.files import read_text

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"


def measure(seeds: Path) -> dict[str, Quality]:
    """Quality per source id, for the sources whose archive is in ``seeds``."""
    ds = load(use_cache=False)
    out: dict[str, Quality] = {}
    for src in ds.sources.values():
        if src.archive is None or not (seeds / src.archive).is_file():
            continue
        text = read_text(seeds / src.archive)
        drafts = extract(ds, text, source_id=src.id).drafts
        claims = [c for c in ds.claims if c.source == src.id]
        out[src.id] = quality(drafts, claims)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="archived texts")
    parser.add_argument("--quiet", action="store_true", help="only the figures")
    args = parser.parse_args(argv)
    if not args.seeds.is_dir():
        print(f"no archived sources at {args.seeds}", file=sys.stderr)
        return 2
    results = measure(args.seeds)
    print(f"{'source':<20} {'claims':>6} {'drafts':>6} {'recall':>7} {'precision':>9}")
    claims = drafts = found = correct = 0
    for sid, q in results.items():
        print(f"{sid:<20} {q.claims:>6} {q.drafts:>6} {q.recall:>7.1%} {q.precision:>9.1%}")
        claims, drafts = claims + q.claims, drafts + q.drafts
        found, correct = found + q.found, correct + q.correct
    recall = found / claims if claims else 1.0
    precision = correct / drafts if drafts else 1.0
    print(f"{'all':<20} {claims:>6} {drafts:>6} {recall:>7.1%} {precision:>9.1%}")
    if args.quiet:
        return 0
    for sid, q in results.items():
        for c in q.misses:
            print(f"\nmiss  {sid}: {c.id}  value {c.value.text!r} ({format_quantity(c.value)})")
            print(f"      {c.quote}")
        for d in q.false_positives:
            print(f"\nextra {sid}: line {d.line}  value {d.value.text!r}")
            print(f"      {d.quote}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
