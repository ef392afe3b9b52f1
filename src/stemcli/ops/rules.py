"""rules: which claims are comparable, for compare and conflicts alike.

Two claims may be set against each other only when they agree on their
:func:`comparability_key`: the condition, what the outcome is about, the unit dimension,
and the intervention, comparator and patient group, each case- and space-folded (``"PRP"``
and ``" prp "`` are one comparator; none is not the same as some). What the outcome is
about is the outcome itself for numbers of time (a duration or a time-point: the pain
relief at 1-2 weeks and the nerve regeneration at weeks 4-8 are milestones of one
timeline, not two answers to one question) and for compare's rows; for the other numbers
of conflicts it is the outcome's ``family`` (a responder rate of improvement against a
pain reduction). Stages and timepoints are compared pair by pair
(:func:`stages_compatible`, :func:`same_time`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from stemcli.model import Claim, Dataset, Quantity
from stemcli.quantities import dimension

Interval = tuple[float, float]
ComparabilityKey = tuple[str, str, str, str | None, str | None, str | None]

TIME = "time"


def fold(text: str | None) -> str | None:
    """Case- and space-folded text; None stays None (no comparator is not an empty one)."""
    return None if text is None else " ".join(text.split()).casefold()


def about(claim: Claim, family: dict[str, str], dim: str | None = None) -> str:
    """What a claim is about for conflicts: its outcome for numbers of time, else the
    outcome's family."""
    dim = dimension(claim.value.unit) if dim is None else dim
    if dim == TIME:
        return claim.outcome
    return family.get(claim.outcome, claim.outcome)


def measure_class(claim: Claim, dim: str | None = None) -> str:
    """The measure, with duration and time-point as one: both say when something is
    reached or how long it takes ("within 2-4 weeks" and "by week 6")."""
    dim = dimension(claim.value.unit) if dim is None else dim
    return TIME if dim == TIME else claim.measure


def comparability_key(
    claim: Claim,
    about: str | None = None,
    dim: str | None = None,
    folder: Callable[[str | None], str | None] = fold,
) -> ComparabilityKey:
    """(condition, about, dimension, folded comparator, folded intervention, folded group).

    ``about`` defaults to the claim's outcome; conflicts passes :func:`about`.
    ``dim`` may be given when the caller has it cached, ``folder`` a memoised :func:`fold`.
    """
    return (
        claim.condition,
        claim.outcome if about is None else about,
        dimension(claim.value.unit) if dim is None else dim,
        folder(claim.comparator),
        folder(claim.intervention),
        folder(claim.group),
    )


def stages_compatible(a: Sequence[str], b: Sequence[str]) -> bool:
    """A stage in common, or one of the claims is not stage-specific."""
    return not a or not b or not set(a).isdisjoint(b)


def same_time(a: Interval | None, b: Interval | None) -> bool:
    """Whether two timepoints (in days) may be the same time: either is missing, or they
    overlap. Periods that only touch ("years 1-3" and "years 3-5") are consecutive, not
    the same time; a point at the end of a period ("6 months", "3-6 months") is within it.
    Claims at different times are a trajectory, never compared."""
    if a is None or b is None:
        return True
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    if lo < hi:
        return True
    return lo == hi and (a[0] == a[1] or b[0] == b[1])


def compared(ds: Dataset, outcome: str) -> bool:
    """False for outcomes marked ``compared: false`` (cohort sizes, follow-up, eligibility):
    they describe a study, not a result, and sources differ on them legitimately."""
    o = ds.outcomes.get(outcome)
    return o is None or o.compared


def families(ds: Dataset) -> dict[str, str]:
    """Each outcome id's family (related outcomes share one)."""
    return {o.id: o.family for o in ds.outcomes.values()}


def is_reference_kind(kind: str | None) -> bool:
    """Whether a source kind is a reference kind (``evidence`` or ``survey``)."""
    from stemcli.model import REFERENCE_KINDS

    return kind in REFERENCE_KINDS


def is_reference(ds: Dataset, claim: Claim) -> bool:
    """Whether ``claim`` is a reference claim: its source is evidence (a trial, review or
    meta-analysis) or a survey of what clinics market. Reference claims are context for
    the marketing claims, never marketing themselves: the marketing views (conflicts'
    contradictions, tensions and arithmetic, compare's rows, redflags) leave them out."""
    src = ds.sources.get(claim.source)
    return src is not None and is_reference_kind(src.kind)


def holds_for(stage: str | None) -> Callable[[tuple[str, ...]], bool]:
    """Whether a claim of these stages holds for ``stage``: it names it, or names none
    (is not stage-specific); every claim holds when no stage is asked for."""
    return lambda stages: stage is None or not stages or stage in stages


def reference_sources(ds: Dataset) -> frozenset[str]:
    """The ids of the sources whose claims are reference figures (evidence, surveys)."""
    return frozenset(s.id for s in ds.sources.values() if is_reference_kind(s.kind))


def marketing(ds: Dataset) -> Dataset:
    """``ds`` without its reference claims (the same object when it has none)."""
    refs = reference_sources(ds)
    if not refs or not refs & ds.claim_sources():
        return ds
    return ds.with_claims(tuple(c for c in ds.claims if c.source not in refs))


def shown(q: Quantity) -> str:
    """A quantity's display form, exact about its ends ("> 2 years", "≥ 25 %"): the
    same as every listing's (:func:`stemcli.reports.claims.shown`)."""
    from stemcli.numbers import format_quantity
    from stemcli.quantities import excludes_bound

    return format_quantity(q, strict=excludes_bound(q))
