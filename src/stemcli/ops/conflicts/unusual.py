"""unusual: a marketing figure outside what a survey found clinics to market.

A survey of clinics (a source of kind ``survey``) states the range of what the centres it
asked claim or charge: for knee osteoarthritis, responder rates of 55-100 % and prices of
$1,150-12,000 for a unilateral same-day injection (Piuzzi et al. 2018, 273 U.S. centres).
A marketing claim of the same condition, outcome family, measure and unit dimension (no
comparator, intervention or patient group) whose value lies wholly outside that range is
**unusual** marketing, with the survey as the reason. It is not a contradiction: a price
outside a survey's range can be true; it says the claim is not what centres typically
market, nothing about whether the treatment works.

The rule is only as wide as the survey: its condition, its currency (a price in euros is
never set against dollars), its measure. The dataset does not record a clinic's country
or what its price includes, so a finding names the survey's population and what its price
was for. As the survey's responder rates reach 100 %, no responder rate can lie above
them: for responder rates, only one under 55 % is unusual (none in the bundled data); a
rate in the survey's top band (10 of 36 centres claimed 90-100 %) is typical of marketing,
and ``stemcli context`` shows where in the survey's distribution a claim sits.
"""

from __future__ import annotations

from stemcli.model import Claim, Dataset
from stemcli.ops.conflicts.results import UNUSUAL, Conflict, Selection, Statement, gap_unit

SUBKIND_PRICE = "price"
SUBKIND_RATE = "responder-rate"


def findings(ds: Dataset, sel: Selection) -> list[Conflict]:
    """The selection's unusual marketing claims, the farthest outside first; each is one
    statement of its source (a figure repeated is one finding)."""
    from stemcli.ops.comparable import outside, survey_claims, survey_range
    from stemcli.ops.rules import holds_for, reference_sources
    from stemcli.quantities import dimension

    if sel.internal:  # a finding is between a source and a survey, never within a source
        return []
    surveys = survey_claims(ds)
    if not surveys:
        return []
    conditions = {c.condition for c in surveys}
    if sel.condition is not None:
        conditions &= {sel.condition}
    measures = {c.measure for c in surveys}
    refs = reference_sources(ds)
    seen: dict[tuple[object, ...], list[Claim]] = {}
    hosts: dict[tuple[object, ...], tuple[Claim, float]] = {}
    ranges: dict[tuple[object, ...], Claim | None] = {}
    # the marketing claims a survey can speak for (of a large cache hit, only they are built)
    candidates = ds.claims_where(
        condition=conditions.__contains__,
        measure=measures.__contains__,
        source=lambda s: s not in refs and (sel.source is None or s == sel.source),
        comparator=_is_none,
        intervention=_is_none,
        group=_is_none,
        stages=holds_for(sel.stage),
    )
    for c in candidates:
        question = (c.condition, c.outcome, c.measure, dimension(c.value.unit))
        if question not in ranges:
            ranges[question] = survey_range(ds, c)[0]
        rng = ranges[question]
        if rng is None:
            continue
        gap = outside(c, rng)
        if gap <= 0 or gap < sel.min_gap:
            continue
        key = (
            c.source,
            c.condition,
            c.stages,
            c.outcome,
            c.measure,
            c.value.low,
            c.value.high,
            c.value.unit,
            c.value.qualifier,
            dimension(c.value.unit),
        )
        seen.setdefault(key, []).append(c)
        hosts[key] = (rng, gap)
    out: list[Conflict] = []
    for k, claims in seen.items():
        rng, gap = hosts[k]
        claims.sort(key=lambda x: x.id)
        out.append(_finding(ds, Statement(tuple(claims)), rng, gap))
    out.sort(key=lambda x: (-x.relative_gap, x.a.claim.id))
    return out


def _is_none(value: object) -> bool:
    return value is None


def _finding(ds: Dataset, st: Statement, rng: Claim, gap: float) -> Conflict:
    from stemcli.ops.rules import shown
    from stemcli.quantities import dimension

    c = st.claim
    src = ds.sources.get(rng.source)
    cited = src.citation or src.title if src is not None else rng.source
    dim = dimension(c.value.unit)
    price = c.measure == "cost"
    what = "price" if price else "responder rate" if c.measure == "responder-rate" else c.measure
    side = "above" if c.value.low > rng.value.high else "below"
    top = max(abs(rng.value.high), abs(c.value.high), 1e-12)
    n = f" ({rng.n} centres)" if rng.n else ""
    why = (
        f"Unusual marketing: a {what} of {shown(c.value)}, {side} the {shown(rng.value)} "
        f"the survey found centres to market{n}; a statement about marketing, not about "
        f"whether the treatment works. Survey: {cited}."
    )
    if rng.statement:
        why += f" It reports: {rng.statement}"
    return Conflict(
        a=st,
        b=Statement((rng,)),
        kind=UNUSUAL,
        subkind=SUBKIND_PRICE if price else SUBKIND_RATE if what == "responder rate" else None,
        internal=False,
        gap=gap,
        relative_gap=gap / top,
        unit=gap_unit(dim),
        why=why,
    )
