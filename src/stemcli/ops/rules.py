"""rules: which claims are comparable, for compare and conflicts alike.

Two claims may be set against each other only when they agree on their
:func:`comparability_key`: the condition, what the outcome is about (the outcome itself for
compare's rows, its ``family`` for conflicts), the unit dimension, and the intervention and
comparator, both case- and space-folded (``"PRP"`` and ``" prp "`` are one comparator; none
is not the same as some). Stages and timepoints are compared pair by pair
(:func:`stages_compatible`, :func:`timepoints_apart`).
"""

from __future__ import annotations

from collections.abc import Sequence

from stemcli.model import Claim, Dataset
from stemcli.quantities import dimension

# a timepoint is clearly later when it starts at least this many times after the other ends
TIMEPOINT_RATIO = 2.0

Interval = tuple[float, float]
ComparabilityKey = tuple[str, str, str, str | None, str | None]


def fold(text: str | None) -> str | None:
    """Case- and space-folded text; None stays None (no comparator is not an empty one)."""
    return None if text is None else " ".join(text.split()).casefold()


def comparability_key(
    claim: Claim, about: str | None = None, dim: str | None = None
) -> ComparabilityKey:
    """(condition, about, dimension, folded comparator, folded intervention).

    ``about`` defaults to the claim's outcome; conflicts passes the outcome's family.
    ``dim`` may be given when the caller has it cached.
    """
    return (
        claim.condition,
        claim.outcome if about is None else about,
        dimension(claim.value.unit) if dim is None else dim,
        fold(claim.comparator),
        fold(claim.intervention),
    )


def stages_compatible(a: Sequence[str], b: Sequence[str]) -> bool:
    """A stage in common, or one of the claims is not stage-specific."""
    return not a or not b or not set(a).isdisjoint(b)


def timepoints_apart(a: Interval | None, b: Interval | None) -> bool:
    """Clearly different timepoints (in days): both given, and the later one starts at
    least :data:`TIMEPOINT_RATIO` times after the earlier one ends (6 weeks vs 12 months:
    365 ≥ 2 × 42). A start at day 0 is never clearly later."""
    if a is None or b is None:
        return False
    return (b[0] > 0 and b[0] >= TIMEPOINT_RATIO * a[1]) or (
        a[0] > 0 and a[0] >= TIMEPOINT_RATIO * b[1]
    )


def compared(ds: Dataset, outcome: str) -> bool:
    """False for outcomes marked ``compared: false`` (cohort sizes, follow-up, eligibility):
    they describe a study, not a result, and sources differ on them legitimately."""
    o = ds.outcomes.get(outcome)
    return o is None or o.compared


def families(ds: Dataset) -> dict[str, str]:
    """Each outcome id's family (related outcomes share one)."""
    return {o.id: o.family for o in ds.outcomes.values()}
