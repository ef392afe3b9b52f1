"""Short claim handles, git-style: the first characters of the sha256 of a claim's id.

A handle is as short as the loaded dataset allows: the smallest length of at least
:data:`MIN_LENGTH` at which no two claims share one. Tables show handles instead of the
long descriptive ids, which every other format keeps.

Finding that length hashes every id (seconds at a million claims), so a cache entry stores
it (:attr:`~stemcli.model.ClaimColumns.handle_length`); with it known, :func:`handle`
hashes only the id it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from stemcli.model import Dataset

MIN_LENGTH = 6

# the last dataset handled, and its handles: a run loads one dataset
_cache: tuple[Dataset, dict[str, str]] | None = None


def _sha256() -> Callable[[bytes], Any]:
    """sha256 from the interpreter's own module: hashlib would load OpenSSL (+5 ms a run)."""
    import importlib

    for name in ("_sha2", "_sha256"):  # Python 3.12 and later; 3.10 and 3.11
        try:
            found: Callable[[bytes], Any] = importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
        return found
    from hashlib import sha256

    return sha256


def digest(claim_id: str) -> str:
    """The full sha256 of a claim id, in hex: every handle of the id is a prefix of it."""
    return str(_sha256()(claim_id.encode()).hexdigest())


def handle_length(digests: Sequence[str]) -> int:
    """The smallest length (at least MIN_LENGTH) at which the prefixes of ``digests``
    are all different; the digests of different ids are assumed different.

    One pass over them all at MIN_LENGTH; only the digests that still share a prefix
    are looked at again at the next lengths (a handful: a few hundred at 100,000).
    """
    from collections import Counter
    from operator import itemgetter

    length = MIN_LENGTH
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
    """The length of the handles of a dataset whose claim ids are ``ids``."""
    sha256 = _sha256()
    return handle_length([sha256(cid.encode()).hexdigest() for cid in ids])


def _known_length(ds: Dataset) -> int | None:
    """The handle length stored with the claims of a cache hit, or None."""
    return None if ds.columns is None else ds.columns.handle_length


def handles(ds: Dataset) -> dict[str, str]:
    """Every claim id of ``ds`` and its handle (computed once per dataset)."""
    global _cache
    if _cache is not None and _cache[0] is ds:
        return _cache[1]
    from operator import itemgetter

    sha256 = _sha256()
    ids = ds.claim_ids()
    digests = [sha256(cid.encode()).hexdigest() for cid in ids]
    length = _known_length(ds)
    if length is None:
        length = handle_length(digests)
    result = dict(zip(ids, map(itemgetter(slice(0, length)), digests), strict=True))
    _cache = (ds, result)
    return result


def handle(ds: Dataset, claim_id: str) -> str:
    """The handle of one claim of ``ds`` (its id when ``ds`` has no such claim).

    With the length known (a cache hit), only ``claim_id`` is hashed.
    """
    columns = ds.columns
    if columns is None or columns.handle_length is None or (_cache is not None and _cache[0] is ds):
        return handles(ds).get(claim_id, claim_id)
    if columns.find(claim_id) is None:
        return claim_id
    return digest(claim_id)[: columns.handle_length]
