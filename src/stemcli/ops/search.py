"""search: ranked fuzzy search over quotes, outcomes and condition names."""

from __future__ import annotations

from dataclasses import dataclass

from stemcli.errors import UsageError
from stemcli.model import Claim, Dataset

MIN_SCORE = 75.0
MIN_QUERY = 3
CONDITION_WEIGHT = 0.9  # a claim found only by its condition's name ranks below a quote hit


@dataclass(frozen=True)
class Hit:
    score: float
    claim: Claim


def search(ds: Dataset, text: str, *, limit: int = 20) -> list[Hit]:
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
