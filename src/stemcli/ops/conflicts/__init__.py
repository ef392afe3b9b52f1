"""conflicts: numbers that disagree, across sources and within one.

Two claims are **comparable** when they are about the same condition, compatible stages
(a stage in common, or one of them not stage-specific), related outcomes (one ``family``
of the outcomes vocabulary), values of one unit dimension, the same comparator and the
same intervention (case and spacing aside, none with none), and their timepoints are not
clearly different: the rules of :mod:`stemcli.ops.rules`, shared with compare. Two
comparable claims **conflict** when the intervals their values allow
(:func:`stemcli.quantities.interval`, qualifiers widened) do not overlap; intervals that
touch at one point do not conflict.

A conflict is ``direct`` when both claims have the same outcome and measure, and
``cross-measure`` otherwise (a responder rate against an effect size, pain against
function). It is ``internal`` when both claims come from one source. Severity is the gap
between the intervals, relative to the larger value, then the gap itself.

How it scales (see benchmarks/ and :mod:`.sweep`): claims are grouped by
:func:`~stemcli.ops.rules.comparability_key` (condition, family, dimension, comparator,
intervention) and, within a group, sub-grouped by
(stages, timepoint); every pair of claims in one sub-group is compatible, and sub-groups
are paired by the same rules. Two intervals do not overlap exactly when one lies entirely
above the other, so the number of conflicting pairs between two sub-groups is a sum of
bisections over sorted lower and upper bounds: counting never looks at pairs. The most
severe pairs are found best-first: for a fixed upper claim, its partners sorted by upper
bound come in falling severity, so a heap holding each claim's best partner yields the
top N in O(n log n + N log n). N is at most the number of conflicts (counted first), and a
listing of more than :data:`MAX_LISTED` is refused; :func:`count_conflicts` counts any number.

Modules: :mod:`.results` (the frozen results), :mod:`.select` (a selection's claims as
compact records), :mod:`.sweep` (counting and the top N), :mod:`.explain` (one pair, rule
by rule).
"""

from __future__ import annotations

from stemcli.errors import UsageError
from stemcli.model import Dataset
from stemcli.ops.conflicts.explain import explain
from stemcli.ops.conflicts.results import (
    CROSS,
    DEFAULT_TOLERANCE,
    DIRECT,
    KINDS,
    MAX_LISTED,
    Check,
    Conflict,
    ConflictCounts,
    ConflictKind,
    ConflictList,
    Explanation,
    Selection,
    describe,
    gap_unit,
    make_conflict,
)
from stemcli.ops.conflicts.select import prepare, validate
from stemcli.ops.conflicts.sweep import selection_counts, top_pairs
from stemcli.ops.rules import TIMEPOINT_RATIO, families, stages_compatible, timepoints_apart

__all__ = [
    "CROSS",
    "DEFAULT_TOLERANCE",
    "DIRECT",
    "KINDS",
    "MAX_LISTED",
    "TIMEPOINT_RATIO",
    "Check",
    "Conflict",
    "ConflictCounts",
    "ConflictKind",
    "ConflictList",
    "Explanation",
    "ListingTooLarge",
    "Selection",
    "count_conflicts",
    "describe",
    "explain",
    "find_conflicts",
    "gap_unit",
    "stages_compatible",
    "timepoints_apart",
]


class ListingTooLarge(UsageError):
    """A listing would hold more than :data:`MAX_LISTED` conflicts."""

    def __init__(self, wanted: int, total: int) -> None:
        super().__init__(
            f"a listing of {wanted:,} of {total:,} conflicts; "
            f"at most {MAX_LISTED:,} are listed at once"
        )
        self.wanted = wanted
        self.total = total


def count_conflicts(ds: Dataset, sel: Selection) -> ConflictCounts:
    """The number of conflicting pairs per kind, without listing them (``sel.kind`` aside)."""
    validate(sel)
    return selection_counts(prepare(ds, sel), sel)


def find_conflicts(ds: Dataset, sel: Selection, *, limit: int = 20) -> ConflictList:
    """The ``limit`` most severe conflicts of the selection, and the counts of all of them.

    The pairs are counted first (without listing them), so a listing never holds more
    than the conflicts that exist, however large ``limit`` is; one that would hold more
    than :data:`MAX_LISTED` is refused with :class:`ListingTooLarge`.
    """
    validate(sel)
    if limit < 1:
        raise UsageError(f"a listing holds at least one conflict, not {limit}")
    prep = prepare(ds, sel)
    counts = selection_counts(prep, sel)
    total = counts.of(sel.kind)
    wanted = min(limit, total)
    if wanted > MAX_LISTED:
        raise ListingTooLarge(wanted, total)
    family = families(ds)
    conflicts = tuple(
        make_conflict(a.claim, b.claim, (a.lo, a.hi), (b.lo, b.hi), family)
        for a, b in top_pairs(prep, sel, wanted)
    )
    return ConflictList(conflicts=conflicts, counts=counts, selection=sel)
