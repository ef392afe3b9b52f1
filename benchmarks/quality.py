"""How drafts compare with curated claims: recall, precision, misses, false positives.

A draft matches a curated claim when their quotes overlap (after normalising whitespace,
quotes and dashes) and their values have the same low, high and unit. Used by
extract_quality.py and by tests/test_extract_quality.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from stemcli.model import Claim, Quantity
from stemcli.ops.extract import Draft

_QUOTE_CHARS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def normalise_quote(text: str) -> str:
    return " ".join(text.translate(_QUOTE_CHARS).casefold().split())


def quotes_overlap(a: str, b: str) -> bool:
    """One quote contains the other, or they share a run of half the shorter one."""
    from difflib import SequenceMatcher

    na, nb = normalise_quote(a), normalise_quote(b)
    if not na or not nb:
        return False
    if na in nb or nb in na:
        return True
    m = SequenceMatcher(None, na, nb, autojunk=False).find_longest_match(0, len(na), 0, len(nb))
    return m.size >= 0.5 * min(len(na), len(nb))


def same_value(a: Quantity, b: Quantity) -> bool:
    """Same unit and the same low and high (the qualifier and wording may differ)."""
    import math

    return (
        a.unit == b.unit
        and math.isclose(a.low, b.low, rel_tol=1e-9, abs_tol=1e-9)
        and math.isclose(a.high, b.high, rel_tol=1e-9, abs_tol=1e-9)
    )


def matches(draft: Draft, claim: Claim) -> bool:
    return same_value(draft.value, claim.value) and quotes_overlap(draft.quote, claim.quote)


@dataclass(frozen=True)
class Quality:
    """How drafts compare with curated claims of the same source."""

    claims: int
    drafts: int
    found: int  # curated claims some draft matches
    correct: int  # drafts that match some curated claim
    misses: tuple[Claim, ...]
    false_positives: tuple[Draft, ...]

    @property
    def recall(self) -> float:
        return self.found / self.claims if self.claims else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.drafts if self.drafts else 1.0


def quality(drafts: Sequence[Draft], claims: Sequence[Claim]) -> Quality:
    hit_claims = [any(matches(d, c) for d in drafts) for c in claims]
    hit_drafts = [any(matches(d, c) for c in claims) for d in drafts]
    return Quality(
        claims=len(claims),
        drafts=len(drafts),
        found=sum(hit_claims),
        correct=sum(hit_drafts),
        misses=tuple(c for c, hit in zip(claims, hit_claims, strict=True) if not hit),
        false_positives=tuple(d for d, hit in zip(drafts, hit_drafts, strict=True) if not hit),
    )
