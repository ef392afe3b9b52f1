"""How well `stemcli redflags` finds the red flags of a labelled evaluation set.

Reads every ``NAME.labels.yaml`` of a pages folder (the evaluation set's format: ``page``,
``twins`` and a ``redflags`` list of ``{rule, sentence}``), reads the page and each of its
twins, runs the rules and compares the findings with the labels:

- a finding matches a label when the rule is the same and the finding's text overlaps the
  label's sentence, located in the page text whitespace-normalised and case-insensitively;
  a page-level label (``sentence: null``) matches any finding of that rule on the page;
- recall: share of labels that some finding matches;
- precision: share of findings that match some label.

Each page's kind is guessed as ``stemcli redflags FILE`` guesses it; on a page read as
information, the findings it relays (quoted, reported, a regulator's, advice) are not its
red flags and are not scored (their number is noted).

Reported per rule and overall, and per format (txt / html / pdf). Pages are read as
``stemcli extract`` reads them, and labels are read and located by evalset.py (shared with
extract_quality.py). Lists the misses and the false alarms.

    python benchmarks/redflags_quality.py --pages tests/extract_eval/dev [--rules FILE] [--quiet]
        [--only NAME ...]   (NAME: a page's labels file without .labels.yaml; repeatable)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from evalset import FlagLabel, LabelError, Located, fmt, page_text, read_labels
from stemcli.errors import StemcliError
from stemcli.ops.redflags import Finding, Rule, guess_page_kind, load_rules, parse_rules, scan_text
from stemcli.text.files import read_bytes, text_of

LABELS_SUFFIX = ".labels.yaml"
Label = FlagLabel


@dataclass
class Scored:
    """One page file scored against its labels."""

    name: str
    fmt: str
    labels: list[tuple[Label, bool]] = field(default_factory=list)  # (label, matched)
    findings: list[tuple[Finding, bool]] = field(default_factory=list)  # (finding, correct)
    unlocated: list[Label] = field(default_factory=list)  # sentences not found in the text
    kind: str = "clinic"  # the kind the page was read as
    relayed: int = 0  # findings relayed by a page that sells no treatment (not scored)


@dataclass
class Tally:
    labels: int = 0
    found: int = 0
    findings: int = 0
    correct: int = 0

    def add(self, labels: int, found: int, findings: int, correct: int) -> None:
        self.labels += labels
        self.found += found
        self.findings += findings
        self.correct += correct

    @property
    def recall(self) -> float:
        return self.found / self.labels if self.labels else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.findings if self.findings else 1.0


# ---------------------------------------------------------------------------
# labels (read and located by evalset.py, as extract_quality.py does)


def locate(text: str, sentence: str) -> list[tuple[int, int]]:
    """Every span of ``text`` that is ``sentence`` up to whitespace, case, quotes and dashes."""
    return Located(text).find_all(sentence)


def score(
    name: str, fmt: str, text: str, labels: Sequence[Label], findings: Sequence[Finding]
) -> Scored:
    """The labels of one page against the findings in its text."""
    out = Scored(name, fmt)
    page_rules = {lab.rule for lab in labels if lab.sentence is None}
    spans: dict[str, list[tuple[int, int]]] = {}  # rule -> located label spans
    for lab in labels:
        if lab.sentence is None:
            continue
        found = locate(text, lab.sentence)
        if not found:
            out.unlocated.append(lab)
        spans.setdefault(lab.rule, []).extend(found)

    def overlaps(f: Finding, located: Sequence[tuple[int, int]]) -> bool:
        return any(f.start < e and s < f.end for s, e in located)

    for lab in labels:
        mine = [f for f in findings if f.rule == lab.rule]
        if lab.sentence is None:
            matched = bool(mine)
        else:
            located = locate(text, lab.sentence)
            matched = any(overlaps(f, located) for f in mine)
        out.labels.append((lab, matched))
    for f in findings:
        correct = f.rule in page_rules or overlaps(f, spans.get(f.rule, []))
        out.findings.append((f, correct))
    return out


# ---------------------------------------------------------------------------
# pages


def page_names(pages: Path) -> list[str]:
    """The names of the labelled pages of a folder (labels file names without the suffix)."""
    return sorted(p.name[: -len(LABELS_SUFFIX)] for p in pages.glob(f"*{LABELS_SUFFIX}"))


def measure(
    pages: Path,
    rules: Sequence[Rule],
    notes: list[str],
    only: Collection[str] | None = None,
) -> list[Scored]:
    """Every page file of the folder (or of the pages named in ``only``) scored against its
    labels; problems go to ``notes``."""
    out: list[Scored] = []
    for labels_path in sorted(pages.glob(f"*{LABELS_SUFFIX}")):
        if only is not None and labels_path.name[: -len(LABELS_SUFFIX)] not in only:
            continue
        try:
            page = read_labels(labels_path)
        except LabelError as e:
            notes.append(str(e))
            continue
        for path in page.files:
            name = path.name
            try:
                text, _reader = page_text(path)
            except LabelError as e:
                notes.append(f"{name}: skipped ({e})")
                continue
            except (StemcliError, OSError) as e:
                notes.append(f"{name}: cannot read: {e}")
                continue
            # the page's kind guessed as `stemcli redflags FILE` guesses it; what a page that
            # sells no treatment relays is listed apart and is not one of its red flags
            kind = guess_page_kind(text)
            found = scan_text(text, path=name, rules=rules, kind=kind, kind_guessed=True)
            scored = score(name, fmt(path), text, page.redflags, found.own)
            scored.kind = kind
            scored.relayed = len(found.findings) - len(found.own)
            out.append(scored)
    return out


# ---------------------------------------------------------------------------
# report


def tallies(results: Sequence[Scored]) -> tuple[dict[str, Tally], dict[str, Tally], Tally]:
    by_rule: dict[str, Tally] = {}
    by_format: dict[str, Tally] = {}
    total = Tally()
    for r in results:
        for lab, matched in r.labels:
            for t in (
                by_rule.setdefault(lab.rule, Tally()),
                by_format.setdefault(r.fmt, Tally()),
                total,
            ):
                t.add(1, int(matched), 0, 0)
        for f, correct in r.findings:
            for t in (
                by_rule.setdefault(f.rule, Tally()),
                by_format.setdefault(r.fmt, Tally()),
                total,
            ):
                t.add(0, 0, 1, int(correct))
    return by_rule, by_format, total


def _row(name: str, t: Tally) -> str:
    return (
        f"{name:<26} {t.labels:>6} {t.found:>6} {t.findings:>8} {t.correct:>7}"
        f" {t.recall:>7.1%} {t.precision:>9.1%}"
    )


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report(results: Sequence[Scored], notes: Sequence[str], *, quiet: bool) -> str:
    by_rule, by_format, total = tallies(results)
    head = (
        f"{'':<26} {'labels':>6} {'found':>6} {'findings':>8} {'correct':>7}"
        f" {'recall':>7} {'precision':>9}"
    )
    lines = [f"{len(results)} page files", head]
    lines += [_row(rule, by_rule[rule]) for rule in sorted(by_rule)]
    lines.append(_row("all", total))
    lines.append("")
    lines += [_row(f"format {fmt}", by_format[fmt]) for fmt in sorted(by_format)]
    lines += [f"note: {n}" for n in notes]
    for r in results:
        if r.kind not in ("clinic", "broker"):
            lines.append(
                f"note: {r.name}: read as {r.kind}; {r.relayed} relayed findings not scored"
            )
    for r in results:
        for lab in r.unlocated:
            sentence = _one_line(lab.sentence or "")
            lines.append(f"note: {r.name}: {lab.rule} label not found in the text: {sentence}")
    if quiet:
        return "\n".join(lines)
    for r in results:
        for lab, matched in r.labels:
            if not matched:
                what = "(the page)" if lab.sentence is None else _one_line(lab.sentence)
                lines.append(f"\nmiss  {r.name}: {lab.rule}\n      {what}")
        for f, correct in r.findings:
            if not correct:
                lines.append(
                    f"\nextra {r.name}:{f.line}: {f.rule} {f.match!r}\n      {_one_line(f.context)}"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=Path, required=True, help="a folder of labelled pages")
    parser.add_argument("--rules", type=Path, help="a rule file instead of the bundled one")
    parser.add_argument("--quiet", action="store_true", help="only the figures")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="score only this page (its labels file without .labels.yaml); repeatable",
    )
    args = parser.parse_args(argv)
    if not args.pages.is_dir():
        print(f"error: no pages folder at {args.pages}", file=sys.stderr)
        return 2
    if args.only:
        unknown = sorted(set(args.only) - set(page_names(args.pages)))
        if unknown:
            print(f"error: no labelled page {unknown[0]!r} in {args.pages}", file=sys.stderr)
            return 2
    try:
        rules = (
            load_rules()
            if args.rules is None
            else parse_rules(text_of(args.rules, read_bytes(args.rules)), str(args.rules))
        )
    except StemcliError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    notes: list[str] = []
    results = measure(args.pages, rules, notes, args.only)
    if not results:
        print(f"error: no labelled pages in {args.pages}", file=sys.stderr)
        return 2
    print(report(results, notes, quiet=args.quiet))
    return 0


if __name__ == "__main__":
    sys.exit(main())
