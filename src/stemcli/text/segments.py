"""A page's text cut into sentences and table rows.

:func:`segments` cuts the text into the units a claim quotes: sentences, and table rows
(lines starting with ``|``, or holding at least two ``|``, or two cells beside another such
line; markdown separator rows are skipped). Every offset is a character offset into the text.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from stemcli.text import window

__all__ = ["LineIndex", "Segment", "line_column", "segments", "window"]


def line_column(text: str | bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``: the one way an offset becomes a
    position a person can go to. Columns count characters; for bytes (a file not yet
    decoded, a parser's byte offset) the line's bytes before ``offset`` are decoded as
    UTF-8, what cannot be decoded counting one column per byte."""
    if isinstance(text, bytes):
        line = text.count(b"\n", 0, offset) + 1
        head = text[text.rfind(b"\n", 0, offset) + 1 : offset]
        return line, len(head.decode("utf-8", "replace")) + 1
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class LineIndex:
    """:func:`line_column` of many offsets into one text, each found by bisection."""

    def __init__(self, text: str) -> None:
        self._starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def __call__(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self._starts, offset) - 1
        return i + 1, offset - self._starts[i] + 1


@dataclass(frozen=True, slots=True)
class Segment:
    """A sentence or a table row: ``text == source[start:end]``."""

    text: str
    start: int
    end: int
    kind: str  # "sentence" | "row"
    paragraph: int  # index of the line (paragraph) it comes from
    heading: bool = False  # a short line of its own: no full stop (a question is fine)


_LINE = re.compile(r"[^\r\n]+")


_SEPARATOR_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


# bullets, emoji, list numbers and similar decoration in front of a sentence
_LEAD = re.compile(r"(?:[^\w\"“‘'(\[$~<>≤≥±+]+|\d{1,2}[.)](?=\s))+")


_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "vs",
        "etc",
        "approx",
        "fig",
        "no",
        "st",
        "inc",
        "ltd",
        "jr",
        "sr",
        "al",
        "ca",
        "cf",
        "op",
        "ph",
        "mt",
        "dept",
        "est",
        "u.s",
    ]
)


# a sentence ends at . ! ? (optionally followed by a closing quote or bracket) and space
_END = re.compile(r"[.!?][\"”’')\]]*(?=\s+\S)")


_LABEL = re.compile(r"[^\w]*[A-Za-z]?\d{1,2}[.)]")


_MAX_SEGMENT = 4000


_MAX_HEADING = 200


def _is_row(line: str) -> bool:
    s = line.strip()
    return s.startswith("|") or s.count("|") >= 2


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past surrounding space and leading decoration."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    m = _LEAD.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
        while start < end and text[start].isspace():
            start += 1
    return start, end


_NEXT = re.compile(r"\s*(\S)")


def _sentence_ends(line: str) -> Iterator[int]:
    # no slices of the line here: a 10 MB line has many sentence ends (copies were quadratic)
    for m in _END.finditer(line):
        end = m.end()
        word = re.search(r"([A-Za-z.]+)\.?$", line[max(0, m.start() - 12) : m.start() + 1])
        if line[m.start()] == "." and word:
            token = word.group(1).rstrip(".").lower()
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        rest = _NEXT.match(line, end)
        if rest and rest.group(1).islower():
            continue
        if _LABEL.fullmatch(line, 0, end):
            continue  # "2. Second item", "Q1. How ...": a label, not a sentence
        yield end


_PAIR_ROW = re.compile(r"^[^|]*\S\s+\|\s+\S[^|]*$")


def _pair_row(text: str, lines: list[re.Match[str]], k: int) -> bool:
    """A line of two cells ("Recovery | 2 weeks") next to another line with cells: a row
    of a two-column table (one such line alone, "Knee Therapy | Helix Clinic", is a title)."""
    if not _PAIR_ROW.match(lines[k].group()):
        return False
    for j in (k - 1, k + 1):
        if 0 <= j < len(lines) and "|" in lines[j].group():
            a, b = sorted((j, k))
            if text.count("\n", lines[a].end(), lines[b].start()) <= 1:
                return True
    return False


def segments(text: str) -> Iterator[Segment]:
    """Sentences and table rows of ``text``, in order, without empty ones."""
    lines = list(_LINE.finditer(text))
    for paragraph, m in enumerate(lines):
        line, base = m.group(), m.start()
        if not line.strip():
            continue
        if _is_row(line) or ("|" in line and _pair_row(text, lines, paragraph)):
            if _SEPARATOR_ROW.match(line):
                continue
            s, e = base, base + len(line)
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            yield Segment(text[s:e], s, e, "row", paragraph)
            continue
        cuts = [0, *_sentence_ends(line), len(line)]
        pieces = []
        for a, b in itertools.pairwise(cuts):
            s, e = _trim(text, base + a, base + b)
            if e > s and any(ch.isalnum() for ch in text[s:e]):
                pieces.append((s, e))
        heading = (
            len(pieces) == 1
            and pieces[0][1] - pieces[0][0] <= _MAX_HEADING
            and text[pieces[0][1] - 1] not in '.!:;,"”)'
        )
        for s, e in pieces:
            for cs, ce in _chunks(text, s, e):
                yield Segment(text[cs:ce], cs, ce, "sentence", paragraph, heading)


def _chunks(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Very long 'sentences' (no punctuation) in pieces, cut at spaces, to bound work."""
    while end - start > _MAX_SEGMENT:
        cut = text.rfind(" ", start + _MAX_SEGMENT // 2, start + _MAX_SEGMENT)
        if cut <= start:
            cut = start + _MAX_SEGMENT
        yield start, cut
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        yield start, end
