"""How well `stemcli redflags` finds the red flags of a labelled evaluation set.

Reads every ``NAME.labels.yaml`` of a pages folder (the evaluation set's format: ``page``,
``twins`` and a ``redflags`` list of ``{rule, sentence}``), reads the page and each of its
twins, runs the rules and compares the findings with the labels:

- a finding matches a label when the rule is the same and the finding's text overlaps the
  label's sentence, located in the page text whitespace-normalised and case-insensitively;
  a page-level label (``sentence: null``) matches any finding of that rule on the page;
- recall: share of labels that some finding matches;
- precision: share of findings that match some label.

Reported per rule and overall, and per format (txt / html / pdf). A .txt page is read as
it is; .html and .pdf twins are read by ``stemcli.text.readers.page_of`` when that module
is installed, else they are skipped with a note. Lists the misses and the false alarms.

    python benchmarks/redflags_quality.py --pages tests/extract_eval/dev [--rules FILE] [--quiet]
        [--only NAME ...]   (NAME: a page's labels file without .labels.yaml; repeatable)
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stemcli.errors import StemcliError
from stemcli.ops.redflags import Finding, Rule, load_rules, parse_rules, scan_text
from stemcli.text.files import read_bytes, read_text, text_of

LABELS_SUFFIX = ".labels.yaml"


class LabelError(Exception):
    """A labels file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Label:
    rule: str
    sentence: str | None  # None: a page-level flag


@dataclass(frozen=True)
class PageLabels:
    path: Path  # the labels file
    page: str
    twins: tuple[str, ...]
    labels: tuple[Label, ...]


@dataclass
class Scored:
    """One page file scored against its labels."""

    name: str
    fmt: str
    labels: list[tuple[Label, bool]] = field(default_factory=list)  # (label, matched)
    findings: list[tuple[Finding, bool]] = field(default_factory=list)  # (finding, correct)
    unlocated: list[Label] = field(default_factory=list)  # sentences not found in the text


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
# labels


def read_labels(path: Path) -> PageLabels:
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise LabelError(f"{path}: cannot read the labels: {e}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("page"), str):
        raise LabelError(f"{path}: expected a mapping with a 'page' file name")
    twins = doc.get("twins") or []
    if not isinstance(twins, list) or not all(isinstance(t, str) for t in twins):
        raise LabelError(f"{path}: 'twins' must be a list of file names")
    items = doc.get("redflags") or []
    if not isinstance(items, list):
        raise LabelError(f"{path}: 'redflags' must be a list")
    labels: list[Label] = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("rule"), str):
            raise LabelError(f"{path}: redflags[{i}] needs a 'rule'")
        sentence = item.get("sentence")
        if sentence is not None and (not isinstance(sentence, str) or not sentence.strip()):
            raise LabelError(f"{path}: redflags[{i}]: 'sentence' must be text or null")
        labels.append(Label(item["rule"], sentence))
    return PageLabels(path, doc["page"], tuple(twins), tuple(labels))


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` lowercased with each run of whitespace one space, and for each character of
    the result the offset in ``text`` it comes from."""
    out: list[str] = []
    where: list[int] = []
    space = True  # drop leading whitespace
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space:
                out.append(" ")
                where.append(i)
            space = True
            continue
        space = False
        for low in ch.lower():
            out.append(low)
            where.append(i)
    while out and out[-1] == " ":
        out.pop()
        where.pop()
    return "".join(out), where


def locate(text: str, sentence: str) -> list[tuple[int, int]]:
    """Every span of ``text`` that is ``sentence`` up to whitespace and case."""
    hay, where = _normalised(text)
    needle, _ = _normalised(sentence)
    if not needle:
        return []
    spans: list[tuple[int, int]] = []
    i = hay.find(needle)
    while i >= 0:
        spans.append((where[i], where[i + len(needle) - 1] + 1))
        i = hay.find(needle, i + 1)
    return spans


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


def _reader() -> Callable[[str, bytes], Any] | None:
    """``stemcli.text.readers.page_of`` when that module is installed."""
    try:
        module = importlib.import_module("stemcli.text.readers")
    except ImportError:
        return None
    page_of = getattr(module, "page_of", None)
    return page_of if callable(page_of) else None


def page_text(path: Path) -> str:
    """The text the rules read: a .txt file as it is, .html and .pdf through the readers."""
    if path.suffix.lower() == ".txt":
        return read_text(path)
    page_of = _reader()
    if page_of is None:
        raise LookupError("stemcli.text.readers is not installed")
    text = page_of(path.name, read_bytes(path)).text
    if not isinstance(text, str):  # pragma: no cover - a reader that breaks its contract
        raise TypeError(f"{path}: the reader returned no text")
    return text


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
        for name in (page.page, *page.twins):
            path = labels_path.parent / name
            fmt = path.suffix.lower().lstrip(".") or "txt"
            try:
                text = page_text(path)
            except LookupError as e:
                notes.append(f"{name}: skipped ({e})")
                continue
            except (StemcliError, OSError) as e:
                notes.append(f"{name}: cannot read: {e}")
                continue
            findings = scan_text(text, path=name, rules=rules).findings
            out.append(score(name, fmt, text, page.labels, findings))
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
