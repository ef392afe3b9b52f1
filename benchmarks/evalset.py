"""The hand-labelled evaluation pages of extract and redflags (tests/extract_eval/).

Each page folder holds pages (``NAME.txt``, ``NAME.html``, ``NAME.pdf``) and one
``NAME.labels.yaml`` per page: every number of the page's body text with the fields a
careful reader would record, and every red flag (format: tests/extract_eval/README.md).
This module reads the labels, reads a page the way ``stemcli extract`` does, and finds
where in the page's text a label's sentence and number are, so that drafts (which carry
their offsets) can be matched with labels. Used by extract_quality.py,
redflags_quality.py and tests/test_extract_quality.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "extract_eval"
SETS = ("dev", "holdout")

# the characters a saved page, a PDF and a pasted text write differently
_SAME = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
        "‑": "-",
        "−": "-",
        "|": " ",  # a table's cell borders: "| a | b |" and "a | b" are the same row
        "\u00ad": None,
        "\u200b": None,
    }
)


@dataclass(frozen=True)
class Span:
    low: float
    high: float
    unit: str | None


@dataclass(frozen=True)
class NumberLabel:
    sentence: str
    text: str
    occurrence: int = 1
    claim: bool = True
    value: Span | None = None
    condition: str | None = None
    stages: tuple[str, ...] = ()
    outcome: str | None = None
    measure: str | None = None
    timepoint: Span | None = None
    basis: str | None = None
    intervention: str | None = None
    why: str = ""


@dataclass(frozen=True)
class FlagLabel:
    rule: str
    sentence: str | None  # None: a flag of the whole page


@dataclass(frozen=True)
class PageLabels:
    labels: Path  # the NAME.labels.yaml file
    files: tuple[Path, ...]  # the page and its twins
    kind: str
    numbers: tuple[NumberLabel, ...]
    redflags: tuple[FlagLabel, ...]

    @property
    def name(self) -> str:
        return self.labels.name.removesuffix(".labels.yaml")


class LabelError(ValueError):
    """A labels file that does not follow the format."""


def _span(raw: Any, where: str) -> Span | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "low" not in raw or "high" not in raw:
        raise LabelError(f"{where}: expected {{low, high, unit}}, got {raw!r}")
    return Span(float(raw["low"]), float(raw["high"]), raw.get("unit"))


def _number(raw: dict[str, Any], where: str) -> NumberLabel:
    for key in ("sentence", "text"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise LabelError(f"{where}: '{key}' must be text")
    claim = bool(raw.get("claim", True))
    value = None
    if claim:
        if "low" not in raw or "high" not in raw:
            raise LabelError(f"{where}: a claim needs low and high")
        value = Span(float(raw["low"]), float(raw["high"]), raw.get("unit"))
    return NumberLabel(
        sentence=raw["sentence"],
        text=raw["text"],
        occurrence=int(raw.get("occurrence", 1)),
        claim=claim,
        value=value,
        condition=raw.get("condition"),
        stages=tuple(raw.get("stages") or ()),
        outcome=raw.get("outcome"),
        measure=raw.get("measure"),
        timepoint=_span(raw.get("timepoint"), f"{where}: timepoint"),
        basis=raw.get("basis"),
        intervention=raw.get("intervention"),
        why=str(raw.get("why") or ""),
    )


def _flag(raw: Any, where: str) -> FlagLabel:
    if not isinstance(raw, dict) or not isinstance(raw.get("rule"), str):
        raise LabelError(f"{where}: needs a 'rule'")
    sentence = raw.get("sentence")
    if sentence is not None and (not isinstance(sentence, str) or not sentence.strip()):
        raise LabelError(f"{where}: 'sentence' must be text or null")
    return FlagLabel(raw["rule"], sentence)


def read_labels(path: Path) -> PageLabels:
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise LabelError(f"{path}: cannot read the labels: {e}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("page"), str):
        raise LabelError(f"{path}: expected a mapping with 'page'")
    names = [raw["page"], *(raw.get("twins") or ())]
    files = tuple(path.parent / n for n in names)
    for f in files:
        if not f.is_file():
            raise LabelError(f"{path}: no page {f.name}")
    numbers = tuple(
        _number(n, f"{path}: numbers[{i}]") for i, n in enumerate(raw.get("numbers") or ())
    )
    flags = tuple(
        _flag(f, f"{path}: redflags[{i}]") for i, f in enumerate(raw.get("redflags") or ())
    )
    return PageLabels(path, files, str(raw.get("kind", "")), numbers, flags)


def page_sets(folders: Sequence[Path] = ()) -> dict[str, list[PageLabels]]:
    """The labelled pages of each folder (default: every set under tests/extract_eval)."""
    chosen = list(folders) or [EVAL / s for s in SETS if (EVAL / s).is_dir()]
    return {f.name: [read_labels(p) for p in sorted(f.glob("*.labels.yaml"))] for f in chosen}


def fmt(path: Path) -> str:
    """The format a page is scored under: txt, html or pdf."""
    ext = path.suffix.lower().lstrip(".")
    return {"htm": "html", "text": "txt"}.get(ext, ext)


def page_text(path: Path) -> tuple[str, str]:
    """The text extract reads from ``path``, and the reader that produced it."""
    try:
        from stemcli.text.readers import read_page
    except ImportError:  # before the readers existed: plain text only
        from stemcli.text.files import read_text

        if fmt(path) != "txt":
            raise LabelError(f"{path.name}: no reader for {fmt(path)} pages") from None
        return read_text(path), "text"
    page = read_page(path)
    return page.text, page.reader


class Located:
    """Finds text in a page regardless of whitespace, case, quote and dash style."""

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        index: list[int] = []
        space = True
        for i, ch in enumerate(text):
            t = ch.translate(_SAME)
            if not t:
                continue
            if t.isspace():
                if not space:
                    chars.append(" ")
                    index.append(i)
                space = True
                continue
            space = False
            for c in t.casefold():
                chars.append(c)
                index.append(i)
        self.flat = "".join(chars)
        self._index = index
        self._end = len(text)

    @staticmethod
    def norm(text: str) -> str:
        return " ".join(text.translate(_SAME).casefold().split())

    def _orig(self, start: int, end: int) -> tuple[int, int]:
        return self._index[start], (self._index[end - 1] + 1) if end > 0 else 0

    def find(self, sentence: str) -> tuple[int, int] | None:
        s = self.norm(sentence)
        at = self.flat.find(s)
        return None if not s or at < 0 else self._orig(at, at + len(s))

    def find_all(self, sentence: str) -> list[tuple[int, int]]:
        """Every span of the text that is ``sentence``."""
        s = self.norm(sentence)
        spans: list[tuple[int, int]] = []
        at = self.flat.find(s) if s else -1
        while at >= 0:
            spans.append(self._orig(at, at + len(s)))
            at = self.flat.find(s, at + 1)
        return spans

    def number(self, label: NumberLabel) -> tuple[int, int] | None:
        """Where the label's number is: inside its sentence, the n-th occurrence."""
        s, t = self.norm(label.sentence), self.norm(label.text)
        at = self.flat.find(s)
        if at < 0 or not t:
            return None
        pos = at - 1
        for _ in range(label.occurrence):
            pos = self.flat.find(t, pos + 1, at + len(s))
            if pos < 0:
                return None
        return self._orig(pos, pos + len(t))


# a label writes "one in three" as 33.3, the tool may store 33.33...: the same value
_VALUE_TOLERANCE = 2e-3


def same_span(a: Span | None, low: float, high: float, unit: str | None) -> bool:
    """The same value: the same unit, and low and high within 0.2 % of each other."""
    return (
        a is not None
        and a.unit == unit
        and math.isclose(a.low, low, rel_tol=_VALUE_TOLERANCE, abs_tol=1e-9)
        and math.isclose(a.high, high, rel_tol=_VALUE_TOLERANCE, abs_tol=1e-9)
    )


def same_time(a: Span | None, low: float, high: float, unit: str | None) -> bool:
    """Two timepoints are the same span, whatever units they are written in."""
    from stemcli.quantities import dimension, to_base

    if a is None:
        return False
    if a.unit == unit:
        return same_span(a, low, high, unit)
    try:
        if dimension(a.unit) != "time" or dimension(unit) != "time":
            return False
    except KeyError:
        return False
    return math.isclose(to_base(a.low, a.unit), to_base(low, unit), rel_tol=1e-6) and math.isclose(
        to_base(a.high, a.unit), to_base(high, unit), rel_tol=1e-6
    )


def walk(pages: Sequence[PageLabels]) -> Iterator[tuple[PageLabels, Path]]:
    for p in pages:
        for f in p.files:
            yield p, f
