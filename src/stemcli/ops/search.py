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
    """:func:`search` over the columns: the same scores, the same order."""
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    quotes = columns.values("quote")
    by_quote = process.cdist(
        [query],
        quotes,
        scorer=fuzz.partial_ratio,
        processor=utils.default_process,
        dtype=np.float64,
        workers=-1,
    )[0]
    outcomes, outcome_codes = columns.columns["outcome"]
    conditions, condition_codes = columns.columns["condition"]
    by_outcome = np.array([outcome_score.get(o, 0.0) for o in outcomes])[np.asarray(outcome_codes)]
    by_condition = np.array([condition_score.get(c, 0.0) for c in conditions])
    score = np.maximum(np.maximum(by_quote, by_outcome), by_condition[np.asarray(condition_codes)])
    found = np.nonzero(score >= MIN_SCORE)[0]
    covered = process.cdist(
        [query],
        [quotes[i] for i in found],
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        dtype=np.float64,
        workers=-1,
    )[0]
    ids = np.array([columns.value("id", int(i)) for i in found])
    order = np.lexsort((ids, -covered, -by_outcome[found], -score[found]))
    top = found[order[:limit]]
    return _Hits(columns, top, score[top])


class _Hits(Sequence[Hit]):
    """Ranked hits whose claims are built only when one is looked at."""

    def __init__(self, columns: ClaimColumns, positions: Any, scores: Any) -> None:
        self._columns = columns
        self._positions = positions
        self._scores = scores

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, i: int) -> Hit: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Hit]: ...
    def __getitem__(self, i: int | slice) -> Hit | Sequence[Hit]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        claim = self._columns.claim(int(self._positions[i]))
        return Hit(round(float(self._scores[i]), 1), claim)
