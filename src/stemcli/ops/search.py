"""search: ranked fuzzy search over quotes, outcomes and condition names."""

from __future__ import annotations

from dataclasses import dataclass

from stemcli.model import Claim, Dataset

MIN_SCORE = 60.0


@dataclass(frozen=True)
class Hit:
    score: float
    claim: Claim


def search(ds: Dataset, text: str, *, limit: int = 20) -> list[Hit]:
    """Best first; each claim scored by its best-matching field."""
    from rapidfuzz import fuzz, utils

    query = utils.default_process(text)
    if not query:
        return []
    names: dict[str, str] = {}
    for o in ds.outcomes.values():
        names[f"o:{o.id}"] = utils.default_process(f"{o.name} {o.id} {o.description}")
    for c in ds.conditions.values():
        names[f"c:{c.id}"] = utils.default_process(" ".join([c.name, c.id, *c.aliases]))
    name_scores: dict[str, float] = {}

    def name_score(key: str) -> float:
        if key not in name_scores:
            name_scores[key] = fuzz.partial_token_set_ratio(query, names.get(key, ""))
        return name_scores[key]

    hits: list[Hit] = []
    for claim in ds.claims:
        quote = utils.default_process(claim.quote)
        score = max(
            fuzz.partial_ratio(query, quote) if len(query) <= len(quote) else 0.0,
            fuzz.token_set_ratio(query, quote),
            name_score(f"o:{claim.outcome}"),
            name_score(f"c:{claim.condition}") * 0.9,
        )
        if score >= MIN_SCORE:
            hits.append(Hit(round(score, 1), claim))
    hits.sort(key=lambda h: (-h.score, h.claim.id))
    return hits[:limit]
