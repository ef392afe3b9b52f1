"""How well `stemcli extract` reads pages: the curated sources and the labelled pages.

Two measures:

1. **Curated sources** (``--seeds``): for every source of the bundled dataset whose archived
   text is in the seeds folder, extract runs over the text and its drafts are compared with
   the source's curated claims (a draft matches a claim when their quotes overlap and their
   values have the same low, high and unit; see quality.py).
2. **Labelled pages** (``--pages``, default every set under tests/extract_eval): pages with
   every number hand-labelled (evalset.py). A draft matches a label when its span in the
   page's text overlaps the label's number and its value has the label's low, high and
   unit. Value recall: claim labels some draft matches; value precision: drafts that match
   a claim label; per-field accuracy over the matched pairs (condition, stages as a set,
   outcome, measure, timepoint, basis). Reported per page file, per format and per set.

    python benchmarks/extract_quality.py [--seeds DIR] [--pages DIR ...] [--quiet] [--errors]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evalset import (
    LabelError,
    Located,
    NumberLabel,
    PageLabels,
    fmt,
    page_sets,
    page_text,
    same_span,
    same_time,
)
from quality import Quality, quality
from stemcli.dataset import load
from stemcli.ops.extract import extract
from stemcli.quantities import format_quantity
from stemcli.text.files import read_text

if TYPE_CHECKING:
    from stemcli.model import Dataset
    from stemcli.ops.extract import Draft

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"
FIELDS = ("condition", "stages", "outcome", "measure", "timepoint", "basis")


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


# ---------------------------------------------------------------------------
# labelled pages


@dataclass
class Score:
    """Counts over one page file, or summed over many."""

    claims: int = 0
    found: int = 0
    drafts: int = 0
    correct: int = 0
    unlocated: int = 0  # labels whose sentence the page's text does not hold
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.claims += other.claims
        self.found += other.found
        self.drafts += other.drafts
        self.correct += other.correct
        self.unlocated += other.unlocated
        for f in FIELDS:
            self.right[f] += other.right[f]
        self.misses += other.misses
        self.extras += other.extras
        self.wrong += other.wrong

    @property
    def recall(self) -> float:
        return self.found / self.claims if self.claims else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.drafts if self.drafts else 1.0

    def accuracy(self, f: str) -> float:
        return self.right[f] / self.found if self.found else 1.0


def _value_matches(d: Draft, label: NumberLabel) -> bool:
    v = d.value
    return same_span(label.value, v.low, v.high, v.unit)


def _field_right(f: str, d: Draft, label: NumberLabel) -> bool:
    if f == "stages":
        return set(d.stages) == set(label.stages)
    if f == "timepoint":
        tp = d.timepoint
        if tp is None or label.timepoint is None:
            return tp is None and label.timepoint is None
        return same_time(label.timepoint, tp.low, tp.high, tp.unit)
    return bool(getattr(d, f) == getattr(label, f))


def _shown(d: Draft, f: str) -> str:
    if f == "timepoint":
        return d.timepoint.text if d.timepoint else "-"
    if f == "stages":
        return ",".join(d.stages) or "-"
    return str(getattr(d, f))


def _expected(label: NumberLabel, f: str) -> str:
    if f == "timepoint":
        tp = label.timepoint
        return "-" if tp is None else f"{tp.low:g}-{tp.high:g} {tp.unit}"
    if f == "stages":
        return ",".join(label.stages) or "-"
    return str(getattr(label, f))


def score_file(ds: Dataset, page: PageLabels, path: Path) -> Score:
    text, _reader = page_text(path)
    drafts = extract(ds, text, source_id="eval", path=path.name).drafts
    where = Located(text)
    spans: list[tuple[NumberLabel, tuple[int, int]]] = []
    s = Score(drafts=len(drafts))
    for label in page.numbers:
        span = where.number(label)
        if label.claim:
            s.claims += 1
        if span is None:
            s.unlocated += 1
            if label.claim:
                s.misses.append(f"{path.name}: not in the text: {label.sentence[:70]!r}")
            continue
        spans.append((label, span))
    matched: dict[int, Draft] = {}
    for d in drafts:
        hit = False
        for i, (label, (a, b)) in enumerate(spans):
            if label.claim and d.start < b and a < d.end and _value_matches(d, label):
                hit = True
                matched.setdefault(i, d)
        if hit:
            s.correct += 1
        else:
            s.extras.append(f"{path.name}:{d.line}: {d.value.text!r} in {d.quote[:70]!r}")
    for i, (label, _) in enumerate(spans):
        if not label.claim:
            continue
        d = matched.get(i)
        if d is None:
            s.misses.append(f"{path.name}: {label.text!r} in {label.sentence[:70]!r}")
            continue
        s.found += 1
        for f in FIELDS:
            if _field_right(f, d, label):
                s.right[f] += 1
            else:
                s.wrong.append(
                    f"{path.name}:{d.line}: {f} {_shown(d, f)!r}, labelled "
                    f"{_expected(label, f)!r}: {label.text!r} in {label.sentence[:60]!r}"
                )
    return s


def score_pages(ds: Dataset, folders: Sequence[Path] = ()) -> dict[str, dict[str, Score]]:
    """Scores per set, per page file (keyed 'NAME.ext')."""
    out: dict[str, dict[str, Score]] = {}
    for set_name, pages in page_sets(folders).items():
        per: dict[str, Score] = {}
        for page in pages:
            for path in page.files:
                try:
                    per[path.name] = score_file(ds, page, path)
                except LabelError as e:
                    print(f"skipped: {e}", file=sys.stderr)
        out[set_name] = per
    return out


def total(scores: Iterable[Score]) -> Score:
    t = Score()
    for s in scores:
        t.add(s)
    return t


def _row(name: str, s: Score) -> str:
    fields = " ".join(f"{s.accuracy(f):>9.1%}" for f in FIELDS)
    return f"{name:<34} {s.claims:>6} {s.drafts:>6} {s.recall:>7.1%} {s.precision:>9.1%} {fields}"


def _twins(per: dict[str, Score], f: str) -> list[tuple[Score, Score]]:
    """(txt score, other format's score) of the pages labelled in both formats."""
    out = []
    for name, s in per.items():
        p = Path(name)
        if fmt(p) == f and (t := per.get(p.stem + ".txt")) is not None:
            out.append((t, s))
    return out


def report_pages(results: dict[str, dict[str, Score]], *, errors: bool) -> None:
    head = " ".join(f"{f[:9]:>9}" for f in FIELDS)
    for set_name, per in results.items():
        print(f"\n{set_name}")
        print(f"{'page':<34} {'labels':>6} {'drafts':>6} {'recall':>7} {'precision':>9} {head}")
        for name, s in per.items():
            print(_row(name, s))
        for f in ("txt", "html", "pdf"):
            chosen = [s for n, s in per.items() if fmt(Path(n)) == f]
            if chosen:
                print(_row(f"all {f}", total(chosen)))
        print(_row(f"all {set_name}", total(per.values())))
        for f in ("html", "pdf"):
            twins = _twins(per, f)
            if twins:
                print(_row(f"{f} pages as {f}", total(s for _, s in twins)))
                print(_row("the same pages as txt", total(t for t, _ in twins)))
        if errors:
            for s in per.values():
                for kind, lines in (("miss ", s.misses), ("extra", s.extras), ("field", s.wrong)):
                    for line in lines:
                        print(f"  {kind} {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="archived texts")
    parser.add_argument(
        "--pages", type=Path, action="append", default=[], help="a folder of labelled pages"
    )
    parser.add_argument("--quiet", action="store_true", help="only the figures")
    parser.add_argument(
        "--errors", action="store_true", help="list every miss, extra draft and wrong field"
    )
    args = parser.parse_args(argv)
    if args.seeds.is_dir() and not args.pages:
        _report_seeds(measure(args.seeds), quiet=args.quiet)
    elif not args.pages:
        print(f"no archived sources at {args.seeds}", file=sys.stderr)
    ds = load(use_cache=False)
    report_pages(score_pages(ds, args.pages), errors=args.errors)
    return 0


def _report_seeds(results: dict[str, Quality], *, quiet: bool) -> None:
    print("curated sources")
    print(f"{'source':<20} {'claims':>6} {'drafts':>6} {'recall':>7} {'precision':>9}")
    claims = drafts = found = correct = 0
    for sid, q in results.items():
        print(f"{sid:<20} {q.claims:>6} {q.drafts:>6} {q.recall:>7.1%} {q.precision:>9.1%}")
        claims, drafts = claims + q.claims, drafts + q.drafts
        found, correct = found + q.found, correct + q.correct
    recall = found / claims if claims else 1.0
    precision = correct / drafts if drafts else 1.0
    print(f"{'all':<20} {claims:>6} {drafts:>6} {recall:>7.1%} {precision:>9.1%}")
    if quiet:
        return
    for sid, q in results.items():
        for c in q.misses:
            print(f"\nmiss  {sid}: {c.id}  value {c.value.text!r} ({format_quantity(c.value)})")
            print(f"      {c.quote}")
        for d in q.false_positives:
            print(f"\nextra {sid}: line {d.line}  value {d.value.text!r}")
            print(f"      {d.quote}")


if __name__ == "__main__":
    sys.exit(main())
