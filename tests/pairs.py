"""One pair at a time: the reference the sweep of conflicts is tested against."""

from __future__ import annotations

from stemcli.model import Claim, Dataset
from stemcli.ops import conflicts as cf


def check_pair(
    ds: Dataset, a: Claim, b: Claim, *, tolerance: float = cf.DEFAULT_TOLERANCE
) -> cf.Conflict | None:
    """The conflict between two claims, or None when they are not comparable or agree."""
    return cf.explain(ds, a.id, b.id, tolerance=tolerance).conflict
