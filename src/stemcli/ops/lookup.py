"""lookup: the claims about one condition, optionally one stage, outcome or source."""

from __future__ import annotations

from dataclasses import dataclass

from stemcli.model import Claim, Condition, Dataset
from stemcli.quantities import to_base


@dataclass(frozen=True)
class LookupResult:
    condition: Condition
    stage: str | None
    claims: tuple[Claim, ...]  # what the marketing sources claim
    # what evidence and surveys found (never mixed into ``claims``)
    reference: tuple[Claim, ...] = ()

    @property
    def source_count(self) -> int:
        return len({c.source for c in self.claims})


def lookup(
    ds: Dataset,
    condition: Condition,
    *,
    stage: str | None = None,
    outcome: str | None = None,
    source: str | None = None,
) -> LookupResult:
    from stemcli.ops.rules import holds_for

    # of a cache hit, only the claims about the condition are built
    claims = ds.claims_where(
        condition=lambda cid: cid == condition.id,
        stages=holds_for(stage),
        outcome=lambda oid: outcome is None or oid == outcome,
        source=lambda sid: source is None or sid == source,
    )
    order = {oid: i for i, oid in enumerate(ds.outcomes)}
    # values in base units, so "24 months" sorts before "15-20 years"
    claims.sort(
        key=lambda c: (
            order.get(c.outcome, len(order)),
            c.measure,
            c.source,
            to_base(c.value.low, c.value.unit),
            c.id,
        )
    )
    from stemcli.ops.rules import reference_sources

    references = reference_sources(ds)
    reference = tuple(c for c in claims if c.source in references)
    market = tuple(c for c in claims if c.source not in references) if reference else tuple(claims)
    return LookupResult(condition, stage, market, reference)
