"""Short claim handles, git-style: the first characters of the sha256 of a claim's id.

A handle is as short as the loaded dataset allows: the smallest length of at least
:data:`MIN_LENGTH` at which no two claims share one (:func:`stemcli.ids.handle_length`,
below the dataset, whose cache stores it). Tables show handles instead of the long
descriptive ids, which every other format keeps.

Finding that length hashes every id (seconds at a million claims), so a cache entry stores
it (:attr:`~stemcli.model.ClaimColumns.handle_length`); with it known, :func:`handle`
hashes only the id it is asked for.
"""

from __future__ import annotations

from stemcli.ids import HANDLE_MIN_LENGTH as MIN_LENGTH
from stemcli.ids import claim_digest as digest
from stemcli.ids import handle_length, ids_handle_length, sha256_hasher
from stemcli.model import Dataset

__all__ = ["MIN_LENGTH", "digest", "handle", "handle_length", "handles", "ids_handle_length"]

# the last dataset handled, and its handles: a run loads one dataset
_cache: tuple[Dataset, dict[str, str]] | None = None


def _known_length(ds: Dataset) -> int | None:
    """The handle length stored with the claims of a cache hit, or None."""
    return None if ds.columns is None else ds.columns.handle_length


def handles(ds: Dataset) -> dict[str, str]:
    """Every claim id of ``ds`` and its handle (computed once per dataset)."""
    global _cache
    if _cache is not None and _cache[0] is ds:
        return _cache[1]
    from operator import itemgetter

    hash_ = sha256_hasher()
    ids = ds.claim_ids()
    digests = [hash_(cid.encode()).hexdigest() for cid in ids]
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
