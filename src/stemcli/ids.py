"""The one slug rule for ids, and the one way a typed name is compared with a dataset's.

Validation (:mod:`stemcli.dataset.validate`) and resolution (:mod:`stemcli.ops.resolve`) use the
same :func:`normalise`, so that two names the program could confuse when a person types
them are refused when the dataset is loaded, not guessed between later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["RESERVED_STAGES", "SLUG", "closest", "is_slug", "is_url", "normalise", "slugify"]

SLUG = re.compile(r"[a-z0-9][a-z0-9._-]{0,119}")
# words the output uses for itself: compare's row of claims that are not stage-specific
RESERVED_STAGES = frozenset({"any"})


def is_slug(text: str) -> bool:
    """Lowercase ASCII letters, digits, '-', '_' and '.', starting with a letter or digit."""
    return SLUG.fullmatch(text) is not None


# an absolute web address: a scheme, a host, and nothing a terminal, a line or markup could split
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][!#-;=?-~]*)?")


def is_url(text: str) -> bool:
    """An absolute ``http://`` or ``https://`` address of printable ASCII without spaces,
    quotes or angle brackets (non-ASCII letters are written percent-encoded)."""
    return len(text) <= 2000 and _URL.fullmatch(text) is not None


def normalise(text: str) -> str:
    """Case-folded, punctuation-light form used for exact matching."""
    t = text.casefold().replace("&", " and ")
    t = re.sub(r"[\s_\-–—/.,()']+", " ", t)
    return t.strip()


def slugify(text: str, *, limit: int = 60, empty: str = "new") -> str:
    """A slug made from any text (a file name): lowercase, runs of other characters as '-',
    at most ``limit`` characters; ``empty`` when nothing is left."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].strip("-") or empty


def closest(word: str, choices: Iterable[str], *, n: int = 3, cutoff: float = 0.5) -> list[str]:
    """The (at most ``n``) ``choices`` most like ``word``, best first, of similarity at least
    ``cutoff`` (0-1, rapidfuzz's normalised Indel ratio); ties in choice order."""
    from rapidfuzz import fuzz, process

    found = process.extract(
        word, list(choices), scorer=fuzz.ratio, limit=n, score_cutoff=cutoff * 100
    )
    return [choice for choice, _, _ in found]
