"""The one slug rule for ids, and the one way a typed name is compared with a dataset's.

Validation (:mod:`stemcli.dataset.validate`) and resolution (:mod:`stemcli.ops.resolve`) use the
same :func:`normalise`, so that two names the program could confuse when a person types
them are refused when the dataset is loaded, not guessed between later.

Also how long claim handles (:mod:`stemcli.ops.handles`) must be, :func:`handle_length`:
the dataset's cache stores it with an entry, so that a hit need not hash every id.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = [
    "HANDLE_MIN_LENGTH",
    "RESERVED_STAGES",
    "SLUG",
    "claim_digest",
    "closest",
    "handle_length",
    "ids_handle_length",
    "is_slug",
    "is_url",
    "normalise",
    "sha256_hasher",
    "slugify",
]

SLUG = re.compile(r"[a-z0-9][a-z0-9._-]{0,119}")
# words the output uses for itself: compare's row of claims that are not stage-specific
RESERVED_STAGES = frozenset({"any"})
# a claim's handle (stemcli.ops.handles) is a prefix of its id's sha256, at least this long
HANDLE_MIN_LENGTH = 6


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


# ---------------------------------------------------------------------------
# claim handles: how long they must be (below the dataset, whose cache stores it)


@functools.cache
def sha256_hasher() -> Callable[[bytes], Any]:
    """sha256 from the interpreter's own module: hashlib would load OpenSSL (+5 ms a run).

    Found once: a module that is not there is looked for along the whole path each time
    it is imported (0.07 ms each, for every handle a table shows)."""
    import importlib

    for name in ("_sha2", "_sha256"):  # Python 3.12 and later; 3.10 and 3.11
        try:
            found: Callable[[bytes], Any] = importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
        return found
    from hashlib import sha256

    return sha256


def claim_digest(claim_id: str) -> str:
    """The full sha256 of a claim id, in hex: every handle of the id is a prefix of it."""
    return str(sha256_hasher()(claim_id.encode()).hexdigest())


def handle_length(digests: Sequence[str]) -> int:
    """The smallest length (at least HANDLE_MIN_LENGTH) at which the prefixes of ``digests``
    are all different; the digests of different ids are assumed different.

    One pass over them all at HANDLE_MIN_LENGTH; only the digests that still share a prefix
    are looked at again at the next lengths (a handful: a few hundred at 100,000).
    """
    from collections import Counter
    from operator import itemgetter

    length = HANDLE_MIN_LENGTH
    left = list(digests)
    while length < 64:
        prefixes = list(map(itemgetter(slice(0, length)), left))
        if len(set(prefixes)) == len(prefixes):
            return length
        shared = {p for p, n in Counter(prefixes).items() if n > 1}
        left = [d for d, p in zip(left, prefixes, strict=True) if p in shared]
        length += 1
    return 64


def ids_handle_length(ids: Sequence[str]) -> int:
    """The length of the handles of a dataset whose claim ids are ``ids`` (what
    :mod:`stemcli.ops.handles` shows, and what a cache entry stores)."""
    hash_ = sha256_hasher()
    return handle_length([hash_(cid.encode()).hexdigest() for cid in ids])
