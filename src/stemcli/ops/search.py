"""search: ranked fuzzy search over quotes, outcomes and condition names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

from stemcli.errors import UsageError
from stemcli.model import Claim, ClaimColumns, Dataset

MIN_SCORE = 75.0
MIN_QUERY = 3
CONDITION_WEIGHT = 0.9  # a claim found only by its condition's name ranks below a quote hit
# from this many claims (held as columns, a cache hit) every quote is scored in one call of
# rapidfuzz's native cdist on all cores, and a hit's claim is built only when it is shown
VECTOR_FROM = 20_000
# how many hits of a tie a listing reads first (in id order) to find those it shows
_FIRST_CHUNK = 1024


@dataclass(frozen=True)
class Hit:
    score: float
    claim: Claim


def search(ds: Dataset, text: str, *, limit: int = 20) -> Sequence[Hit]:
    """Best first. A claim scores by its best field: the quote, its outcome, its condition.

    Scores are rapidfuzz ``partial_ratio`` (0-100: how well the query matches the best
    part of the field); ties are broken by the outcome's match, then by how much of the
    quote the query covers.
    """
    from rapidfuzz import fuzz, utils

    query = utils.default_process(text)
    if len(query) < MIN_QUERY:
        # one or two letters occur in nearly every quote: partial matching means nothing
        raise UsageError(f"search needs at least {MIN_QUERY} letters or digits, not {text!r}")
    outcome_score = {
        o.id: fuzz.partial_ratio(query, utils.default_process(f"{o.name} {o.id} {o.description}"))
        for o in ds.outcomes.values()
    }
    condition_score = {
        c.id: CONDITION_WEIGHT
        * max(
            fuzz.partial_ratio(query, utils.default_process(n)) for n in (c.name, c.id, *c.aliases)
        )
        for c in ds.conditions.values()
    }
    columns = ds.columns if "claims" not in ds.__dict__ else None
    if columns is not None and columns.n >= VECTOR_FROM and len(columns.columns["quote"]) == 3:
        return _search_columns(columns, query, outcome_score, condition_score, limit)
    ranked: list[tuple[float, float, float, str, Claim]] = []
    for claim in ds.claims:
        quote = utils.default_process(claim.quote)
        score = max(
            fuzz.partial_ratio(query, quote),
            outcome_score.get(claim.outcome, 0.0),
            condition_score.get(claim.condition, 0.0),
        )
        if score >= MIN_SCORE:
            by_outcome = outcome_score.get(claim.outcome, 0.0)
            ranked.append((score, by_outcome, fuzz.token_set_ratio(query, quote), claim.id, claim))
    ranked.sort(key=lambda r: (-r[0], -r[1], -r[2], r[3]))
    return [Hit(round(r[0], 1), r[4]) for r in ranked[:limit]]


def _search_columns(
    columns: ClaimColumns,
    query: str,
    outcome_score: dict[str, float],
    condition_score: dict[str, float],
    limit: int,
) -> Sequence[Hit]:
    """:func:`search` over the columns: the same scores, the same order.

    The quotes are scored in one call, a row per quote so that every core takes a share,
    with partial_ratio's cut at MIN_SCORE (a quote under it scores 0: its claim is a hit
    only by its outcome or condition, which then outscore the quote anyway). The order's
    last keys (the query's coverage of the quote, the id) are worked out only for the
    hits a listing shows (:class:`_Hits`).
    """
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    quotes = columns.values("quote")
    by_quote = process.cdist(
        quotes,
        [query],
        scorer=fuzz.partial_ratio,
        processor=utils.default_process,
        dtype=np.float64,
        workers=-1,
        score_cutoff=MIN_SCORE,
    )[:, 0]
    outcomes, outcome_codes = columns.columns["outcome"]
    conditions, condition_codes = columns.columns["condition"]
    by_outcome = np.array([outcome_score.get(o, 0.0) for o in outcomes])[np.asarray(outcome_codes)]
    by_condition = np.array([condition_score.get(c, 0.0) for c in conditions])
    score = np.maximum(np.maximum(by_quote, by_outcome), by_condition[np.asarray(condition_codes)])
    found = np.nonzero(score >= MIN_SCORE)[0]
    return _Hits(columns, quotes, query, found, score[found], by_outcome[found], limit)


class _Hits(Sequence[Hit]):
    """Ranked hits whose order is settled, and claims built, only as far as they are
    looked at: a million claims may match, and a listing shows twenty.

    The order is :func:`search`'s: score, then the outcome's score, then how much of the
    quote the query covers (token_set_ratio), then the id (its rank in the columns' id
    order). The coverage is computed only for the hits that rank before the ones asked
    for, and for as many of those tied with them as it takes to know which come first.
    """

    def __init__(
        self,
        columns: ClaimColumns,
        quotes: list[str],
        query: str,
        found: Any,
        score: Any,
        by_outcome: Any,
        limit: int,
    ) -> None:
        import numpy as np

        self._columns = columns
        self._quotes = quotes
        self._query = query
        self._found = found
        self._score = score
        self._by_outcome = by_outcome
        self._len = min(limit, len(found))
        # the hits by score and outcome score alone (a stable sort keeps position order)
        self._primary = np.lexsort((-by_outcome, -score))
        self._ordered: Any = found[:0]  # the hits in their final order, as far as settled
        self._ordered_scores: Any = score[:0]
        self._ranks: Any = None

    def __len__(self) -> int:
        return self._len

    def _covered(self, hits: Any) -> Any:
        """The query's coverage (token_set_ratio) of the quotes of ``hits`` (positions
        among the hits)."""
        import numpy as np
        from rapidfuzz import fuzz, process, utils

        return process.cdist(
            [self._quotes[int(i)] for i in self._found[hits]],
            [self._query],
            scorer=fuzz.token_set_ratio,
            processor=utils.default_process,
            dtype=np.float64,
            workers=-1,
        )[:, 0]

    def _settle(self, k: int) -> None:
        """Put at least the first ``k`` hits in their final order.

        The hits before the tie group (on score and outcome score) of the ``k``-th are
        all among the first ``k``, and are ordered whole. The group itself is read in id
        order, in growing chunks, until it holds as many hits of full coverage (100, the
        most there is) as are wanted from it: a hit not yet read has a later id, so it
        ranks after each of those, and they are settled.
        """
        if k <= len(self._ordered):
            return
        # at least twice as far as before: reading the hits one by one settles them in a
        # few rounds, not one per tie group
        k = min(max(k, 2 * len(self._ordered)), self._len)
        import numpy as np

        primary, score, by_outcome = self._primary, self._score, self._by_outcome
        if self._ranks is None:
            rank = np.empty(self._columns.n, dtype=np.int64)
            rank[np.asarray(self._columns.by_id)] = np.arange(self._columns.n)
            self._ranks = rank[self._found]
        ranks = self._ranks
        last = primary[k - 1]
        tied = np.nonzero(
            (score[primary] == score[last]) & (by_outcome[primary] == by_outcome[last])
        )[0]
        start, end = int(tied[0]), int(tied[-1]) + 1  # the k-th hit's tie group
        before = primary[:start]
        order = np.lexsort(
            (ranks[before], -self._covered(before), -by_outcome[before], -score[before])
        )
        group = primary[start:end]
        group = group[np.argsort(ranks[group], kind="stable")]
        wanted, read, full = k - start, 0, 0
        chunk = max(4 * wanted, _FIRST_CHUNK)
        read_parts, covered_parts = [], []
        while read < len(group):
            part = group[read : read + chunk]
            covered = self._covered(part)
            read_parts.append(part)
            covered_parts.append(covered)
            read += len(part)
            full += int(np.count_nonzero(covered == 100.0))
            if full >= wanted:
                break
            chunk *= 2
        seen, covered = np.concatenate(read_parts), np.concatenate(covered_parts)
        settled = seen[np.lexsort((ranks[seen], -covered))]
        if read < len(group):
            settled = settled[:full]  # those of full coverage; the rest may yet be passed
        head = np.concatenate((before[order], settled))
        self._ordered = self._found[head]
        self._ordered_scores = score[head]

    @overload
    def __getitem__(self, i: int) -> Hit: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Hit]: ...
    def __getitem__(self, i: int | slice) -> Hit | Sequence[Hit]:
        if isinstance(i, slice):
            wanted = range(*i.indices(len(self)))
            if wanted:
                self._settle(max(wanted) + 1)
            return [self[j] for j in wanted]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        self._settle(i + 1)
        claim = self._columns.claim(int(self._ordered[i]))
        return Hit(round(float(self._ordered_scores[i]), 1), claim)
