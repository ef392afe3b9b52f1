"""A page's kind: clinic, broker or information, guessed from its words.

One guess serves ``extract --into`` (the new source's ``kind``, listed in its ``review``)
and ``redflags FILE`` (whose findings are the page's own). They differ only in what a page
with neither sales words nor reporting is: see :func:`guess_kind`'s ``neither``.

Only regular expressions here: intake imports this without the red flag engine or its rules.
"""

from __future__ import annotations

import re

__all__ = ["REGULATOR", "guess_kind"]

_BROKER = re.compile(
    r"(?i)\b(?:compare (?:clinics|prices)|free quote|get a quote|partner clinics|"
    r"medical tourism|treatment abroad|top clinics|best clinics|clinics? in \w+ and|"
    r"request a free|find (?:a|the right) clinic)\b"
)
_CLINIC = re.compile(
    r"(?i)\b(?:our (?:clinic|center|centre|doctors|physicians|team|patients|protocol)|"
    r"(?:book|schedule|request) (?:a|your) (?:free )?consultation|free consultation|"
    r"contact us|call us|we offer|book now)\b"
)

# a regulator, a court or an order: its statements are reported, not the page's claims
REGULATOR = re.compile(
    r"\b(?:(?-i:FTC|FDA|EMA|MHRA|TGA)|Federal\s+Trade\s+Commission|Food\s+and\s+Drug\s+"
    r"Administration|regulators?|attorneys?\s+general|the\s+agency|courts?|lawsuits?|judge|"
    r"prosecutors?|settlement|the\s+order|warning\s+letters?)\b",
    re.IGNORECASE,
)
# a page that reads as reporting: past-tense reported speech (news says "said"; a sales
# page's "according to our data" and a testimonial's "says Maria" are not counted), and a
# regulator, a byline or dateline, a study or advice to readers
_SAID = re.compile(
    r"\b(?:said|in\s+a\s+statement|told\s+(?:reporters|us|me|him|her|them))\b", re.IGNORECASE
)
_NEWS_SIGNALS = (
    REGULATOR,
    re.compile(r"(?m)^\s*(?:by\s+[A-Z][a-z]+\s+[A-Z][a-z]+|[A-Z]{3,}[A-Z ,]*\s+[-—–]\s)"),
    re.compile(
        r"\b(?:researchers|scientists|the\s+study|a\s+(?:\d{4}\s+)?(?:trial|study|review))\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:ask\s+(?:your|a|the)\s+(?:doctor|clinic)|be\s+wary|beware|questions\s+to\s+ask)\b",
        re.IGNORECASE,
    ),
)
_MAX_SAID = 50  # counting stops here
_SAID_ENOUGH = 3  # reporting this often outweighs the sales words a page quotes


def _sales_kind(text: str) -> str | None:
    """broker or clinic, from the words a page sells with (the more frequent; a tie is a
    broker's), or None when it has none."""
    broker = len(_BROKER.findall(text))
    clinic = len(_CLINIC.findall(text))
    if broker and broker >= clinic:
        return "broker"
    if clinic:
        return "clinic"
    return None


def _reporting(text: str) -> int:
    """How often a page that reads as reporting says "said" (up to a cap); 0 when it does not
    read as reporting: past-tense reported speech with a regulator, a byline or dateline, a
    study or advice to readers."""
    said = 0
    for _ in _SAID.finditer(text):
        said += 1
        if said >= _MAX_SAID:
            break
    if said and any(p.search(text) for p in _NEWS_SIGNALS):
        return said
    return 0


def guess_kind(text: str, *, neither: str = "information") -> str:
    """clinic, broker or information: the words a page sells with, and whether it reads as
    reporting (past-tense reported speech, "said", with a regulator, a byline or dateline, a
    study or advice to readers).

    A page that reads as reporting is information, even when it quotes a clinic's sales
    words, once it says "said" three times; with fewer, only when it has no sales words.
    Otherwise its sales words decide (broker or clinic).

    ``neither`` is the kind of a page with neither sales words nor reporting, the one place
    the two callers differ. ``extract --into`` keeps the default, information: the source's
    kind is a guess a person reviews, and calling a page without a word of sales a clinic
    would also record ``sells_treatment: true`` for it. ``redflags`` passes clinic: such a
    page is read as selling, so that a sales page with few sales words keeps its red flags
    (they are the page's own, not relayed).
    """
    said = _reporting(text)
    if said >= _SAID_ENOUGH:
        return "information"
    kind = _sales_kind(text)
    if kind is not None:
        return kind
    return "information" if said else neither
