"""conflicts: numbers that disagree, across sources and within one, and why.

**Statements.** Claims of one source that state the same value for the same question
(condition, stages, outcome, measure, timepoint, comparator, intervention, group) are one
statement stated several times; findings are between statements, so a source repeating
itself is counted once and never disagrees with itself.

**Comparable.** Two statements are set against each other when they are about the same
condition, compatible stages (a stage in common, or one of them not stage-specific), the
same comparator, intervention and patient group, values of one unit dimension, and
related outcomes: for numbers of time (durations, time-points) the same outcome, since
times of different outcomes are milestones of one timeline; otherwise one outcome
``family``. Two that both give timepoints must be at the same or overlapping times:
otherwise they are a trajectory (periods that only touch, "years 1-3" and "years 3-5",
are consecutive). These are the rules of :mod:`stemcli.ops.rules`, shared with compare.

**Verdicts.** A comparable pair whose values cannot both be true (their intervals, with
every qualifier's end exact, :func:`stemcli.quantities.ends`, do not overlap) is

- a ``contradiction`` when it is the same quantity (outcome and measure, durations and
  time-points as one) and neither is a single case report; sub-kind ``bound`` when both
  are open-ended and exclude each other ("up to 24 months", "over 2 years");
- a ``tension`` otherwise, when the values are at least :data:`TENSION_GAP` of the larger
  apart: ``cross-measure`` (a share of patients against the size of an effect, pain
  against improvement) or ``anecdote`` (a case report far from a typical figure).

A claim with ``derived`` restates two others; when what they give (interval arithmetic,
:mod:`.derived`) does not overlap the stated value, that is an ``arithmetic`` finding.

**Scale.** Statements are grouped by comparability key and sub-grouped by (stages,
timepoint); the number of non-overlapping pairs between two sub-groups is a sum of
bisections over sorted bounds (:mod:`.sweep`), so counting never looks at pairs, and the
most severe pairs come best-first from a heap. :func:`.explain.explain` is the slow,
exact path, pair by pair; the property tests hold the sweep to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from stemcli.collector import paused
from stemcli.errors import UsageError
from stemcli.model import Dataset
from stemcli.ops.conflicts.derived import findings as arithmetic_findings
from stemcli.ops.conflicts.explain import REASONS, explain, finding, pair_finding
from stemcli.ops.conflicts.results import (
    ANECDOTE,
    ARITHMETIC,
    BOUND,
    CONTRADICTION,
    CROSS,
    FAILING,
    KINDS,
    MAX_LISTED,
    TENSION,
    UNUSUAL,
    VECTOR_FROM,
    Check,
    Conflict,
    ConflictCounts,
    ConflictList,
    Explanation,
    Kind,
    Selection,
    Statement,
    gap_unit,
)
from stemcli.ops.conflicts.select import Item, Prepared, prepare, validate
from stemcli.ops.conflicts.sweep import Pair, selection_counts, top_pairs
from stemcli.ops.facts import DEFAULT_TOLERANCE, TENSION_GAP, Memo, facts
from stemcli.ops.rules import same_time, stages_compatible

if TYPE_CHECKING:
    from stemcli.ops.conflicts import vector

__all__ = [
    "ANECDOTE",
    "ARITHMETIC",
    "BOUND",
    "CONTRADICTION",
    "CROSS",
    "DEFAULT_TOLERANCE",
    "FAILING",
    "KINDS",
    "MAX_LISTED",
    "REASONS",
    "TENSION",
    "TENSION_GAP",
    "UNUSUAL",
    "Check",
    "Conflict",
    "ConflictCounts",
    "ConflictList",
    "Explanation",
    "Kind",
    "ListingTooLarge",
    "Selection",
    "Statement",
    "count_conflicts",
    "explain",
    "facts",
    "find_conflicts",
    "gap_unit",
    "pair_finding",
    "same_time",
    "stages_compatible",
]


class ListingTooLarge(UsageError):
    """A listing would hold more than :data:`MAX_LISTED` findings."""

    def __init__(self, wanted: int, total: int) -> None:
        super().__init__(
            f"a listing of {wanted:,} of {total:,} findings; "
            f"at most {MAX_LISTED:,} are listed at once"
        )
        self.wanted = wanted
        self.total = total


def _derived_in(ds: Dataset, sel: Selection) -> list[Conflict]:
    """The selection's arithmetic findings (derived figures of any outcome)."""
    columns = ds.columns if "claims" not in ds.__dict__ else None
    if columns is not None and len(columns.columns["derived"]) == 2:
        values, codes = columns.columns["derived"]
        none = [i for i, v in enumerate(values) if v is None]
        if len(none) == len(values):
            pool = []
        elif none and columns.n >= 20_000:
            import numpy as np

            arr = np.frombuffer(memoryview(codes), dtype=memoryview(codes).format)
            pool = columns.claims_at(np.nonzero(arr != none[0])[0].tolist())
        else:
            pool = columns.claims_at(
                [i for i, code in enumerate(codes) if values[code] is not None]
            )
    else:
        pool = [c for c in ds.claims if c.derived is not None]
    from stemcli.ops.rules import reference_sources

    refs = reference_sources(ds)
    claims = [
        c
        for c in pool
        if c.source not in refs
        and (sel.condition is None or c.condition == sel.condition)
        and (sel.stage is None or not c.stages or sel.stage in c.stages)
        and (sel.source is None or c.source == sel.source)
    ]
    return arithmetic_findings(ds, claims, sel)


def _reference(ds: Dataset, sel: Selection) -> tuple[Dataset, list[Conflict], list[Conflict], bool]:
    """The dataset the sweep reads, the contradictions with evidence that measures the
    same quantity the same way (:mod:`.evidence`), the unusual marketing claims
    (:mod:`.unusual`), and whether there is a survey to find any by.

    Reference claims are never marketing, so the sweep reads the marketing claims alone:
    the array engine leaves the reference claims out of its selection
    (:func:`.vector.statements`), so a dataset it sweeps from its columns is kept as it
    is, without a claim object built per claim; the Python path gets the dataset without
    them (:func:`~stemcli.ops.rules.marketing`).
    """
    from stemcli.ops.conflicts import evidence, unusual
    from stemcli.ops.rules import marketing, reference_sources

    refs = reference_sources(ds)
    if not refs or not refs & ds.claim_sources():
        return ds, [], [], False
    surveyed = any(s.kind == "survey" for s in ds.sources.values())
    market = ds if _sweeps_columns(ds, sel) else marketing(ds)
    return market, evidence.findings(ds, sel), unusual.findings(ds, sel), surveyed


def _sweeps_columns(ds: Dataset, sel: Selection) -> bool:
    """Whether the array engine will sweep ``ds`` from the columns it holds (see
    :func:`_arrays`)."""
    if "claims" in ds.__dict__ or ds.columns is None:
        return False
    if sel.source is not None and not sel.internal:
        return False
    from stemcli.ops.conflicts import vector

    return vector.columns_for(ds, force=_FORCE_VECTOR) is ds.columns


def count_conflicts(ds: Dataset, sel: Selection) -> ConflictCounts:
    """The number of findings per kind, without listing them (``sel.kind`` aside)."""
    validate(sel)
    ds, against, unusual, surveyed = _reference(ds, sel)
    # the sweep builds a record per statement and a few lists per group, none in a cycle
    with paused():
        arrays = _arrays(ds, sel, force=_FORCE_VECTOR)
        if arrays is not None:
            from stemcli.ops.conflicts import vector

            counts = vector.selection_counts(arrays, sel)
        else:
            counts = selection_counts(prepare(ds, sel), sel)
    return _with_reference(counts, len(_derived_in(ds, sel)), against, unusual, surveyed)


def _with_reference(
    counts: ConflictCounts,
    arithmetic: int,
    against: list[Conflict],
    unusual: list[Conflict],
    surveyed: bool,
) -> ConflictCounts:
    """The sweep's ``counts`` with what is found beside it: the arithmetic findings, the
    contradictions with evidence and the unusual marketing claims (see :func:`_reference`)."""
    return replace(
        counts,
        arithmetic=arithmetic,
        contradiction=counts.contradiction + len(against),
        unusual=len(unusual),
        surveyed=surveyed,
    )


def _arrays(ds: Dataset, sel: Selection, *, force: bool = False) -> vector.Statements | None:
    """The selection as arrays for the numpy engine, when it runs (large datasets; see
    :mod:`.vector`); None for the pure-Python path. ``force``: whatever the size (tests)."""
    if sel.source is not None and not sel.internal:
        return None  # "pairs involving a source" ranks with a filter: the Python path
    if not force and ds.claim_count < VECTOR_FROM:
        return None  # as vector.columns_for decides, without importing it
    from stemcli.ops.conflicts import vector

    columns = vector.columns_for(ds, force=force)
    if columns is None:
        return None
    return vector.statements(ds, columns, sel)


def find_conflicts(ds: Dataset, sel: Selection, *, limit: int = 20) -> ConflictList:
    """The first ``limit`` findings of the selection, and the counts of all of them.

    Findings are listed by kind (contradictions, arithmetic, tensions), the most severe
    first within each. The pairs are counted first (without listing them), so a listing
    never holds more than the findings that exist, however large ``limit`` is; one that
    would hold more than :data:`MAX_LISTED` is refused with :class:`ListingTooLarge`.
    """
    validate(sel)
    if limit < 1:
        raise UsageError(f"a listing holds at least one finding, not {limit}")
    ds, against, unusual, surveyed = _reference(ds, sel)
    # the sweep builds a record per statement and a few lists per group, none in a cycle
    with paused():
        arrays = _arrays(ds, sel, force=_FORCE_VECTOR)
        if arrays is not None:
            return _find_vector(ds, arrays, sel, limit, against, unusual, surveyed)
        prep = prepare(ds, sel)
        arithmetic = _derived_in(ds, sel)
        counts = _with_reference(
            selection_counts(prep, sel), len(arithmetic), against, unusual, surveyed
        )
        total = counts.of(sel.kind)
        wanted = min(limit, total)
        if wanted > MAX_LISTED:
            raise ListingTooLarge(wanted, total)
        out = _listing(
            sel,
            wanted,
            arithmetic,
            unusual,
            against,
            lambda kind, room: _pairs(ds, prep, sel, kind, room),
        )
    return ConflictList(conflicts=tuple(out), counts=counts, selection=sel)


def _listing(
    sel: Selection,
    wanted: int,
    arithmetic: list[Conflict],
    unusual: list[Conflict],
    against: list[Conflict],
    pairs_of: Callable[[str, int], list[Conflict]],
) -> list[Conflict]:
    """The first ``wanted`` findings, kind by kind in :data:`KINDS` order: the arithmetic and
    unusual findings as found, the pairs of each other kind from ``pairs_of(kind, room)``
    (either engine's), the contradictions with evidence merged by severity."""
    out: list[Conflict] = []
    for kind in KINDS:
        room = wanted - len(out)
        if room <= 0:
            break
        if sel.kind is not None and kind != sel.kind:
            continue
        if kind == ARITHMETIC:
            out += arithmetic[:room]
        elif kind == UNUSUAL:
            out += unusual[:room]
        elif kind == CONTRADICTION and against:
            found = pairs_of(kind, room) + against
            found.sort(key=lambda x: -x.relative_gap)  # stable: the sweep's order kept
            out += found[:room]
        else:
            out += pairs_of(kind, room)
    return out


def _pairs(ds: Dataset, prep: Prepared, sel: Selection, kind: str, limit: int) -> list[Conflict]:
    """The ``limit`` most severe pairs of ``kind``, as findings."""
    from stemcli.ops.conflicts.select import TCUT

    items = prep.items
    by_source = sel.internal
    involves = None
    if sel.source is not None and not sel.internal:
        src = prep.source_ids.get(sel.source, -1)

        def involves(it: Item) -> bool:
            return it.source == src

    found: list[tuple[Pair, str | None]] = []
    if kind == CONTRADICTION:
        typical = [it for it in items if not it.case]
        for p in top_pairs(prep, typical, limit, by_class=True, by_source=by_source, mark=involves):
            found.append((p, BOUND if p[1].bound and p[2].bound else None))
    else:
        far = items
        cross = top_pairs(
            prep,
            far,
            limit,
            by_class=False,
            skip_class=True,
            by_source=by_source,
            mark=involves,
            cut=TCUT,
        )
        found += [(p, CROSS) for p in cross]

        def case(it: Item) -> bool:
            return it.case

        accept = None if involves is None else (lambda a, b: involves(a) or involves(b))
        anecdotes = top_pairs(
            prep, far, limit, by_class=True, by_source=by_source, mark=case, accept=accept, cut=TCUT
        )
        found += [(p, ANECDOTE) for p in anecdotes]
        found.sort(key=lambda x: x[0][0][:5])
        found = found[:limit]
    memo = Memo(ds, sel.tolerance)
    out: list[Conflict] = []
    for (_, a, b), sub in found:
        sa, sb = a.statement, b.statement
        fa = facts(ds, sa.claim, sel.tolerance, memo.family, memo)
        fb = facts(ds, sb.claim, sel.tolerance, memo.family, memo)
        out.append(finding(sa, sb, fa, fb, kind, sub))
    return out


# the numpy engine whatever the size: for the tests that hold the two paths to each other
_FORCE_VECTOR = False


def _find_vector(
    ds: Dataset,
    st: vector.Statements,
    sel: Selection,
    limit: int,
    against: list[Conflict],
    unusual: list[Conflict],
    surveyed: bool,
) -> ConflictList:
    """:func:`find_conflicts` on arrays: the same counts, the same pairs in the same order
    (``against``, ``unusual``, ``surveyed``: as :func:`_reference` found them)."""
    from stemcli.ops.conflicts import vector

    arithmetic = _derived_in(ds, sel)
    counts = _with_reference(
        vector.selection_counts(st, sel), len(arithmetic), against, unusual, surveyed
    )
    total = counts.of(sel.kind)
    wanted = min(limit, total)
    if wanted > MAX_LISTED:
        raise ListingTooLarge(wanted, total)
    columns = ds.columns if ds.columns is not None else vector.columns_for(ds, force=True)
    assert columns is not None
    items: dict[int, Item] = {}

    def item(i: int) -> Item:
        found = items.get(i)
        if found is None:
            found = items[i] = vector.item(ds, columns, st, i)
        return found

    def pairs_of(kind: str, room: int) -> list[Conflict]:
        found: list[tuple[tuple[float, ...], int, int, str | None]] = []
        if kind == CONTRADICTION:
            for key, a, b in vector.top_pairs(
                st, room, typical_only=True, by_class=True, by_source=sel.internal
            ):
                found.append((key, a, b, BOUND if st.bound[a] and st.bound[b] else None))
        else:
            cross = vector.top_pairs(
                st,
                room,
                typical_only=False,
                by_class=False,
                skip_class=True,
                by_source=sel.internal,
                tension=True,
            )
            found += [(key, a, b, CROSS) for key, a, b in cross]
            anecdotes = vector.top_pairs(
                st,
                room,
                typical_only=False,
                by_class=True,
                by_source=sel.internal,
                mark=st.case,
                tension=True,
            )
            found += [(key, a, b, ANECDOTE) for key, a, b in anecdotes]
            found.sort(key=lambda x: x[0])
            found = found[:room]
        memo = Memo(ds, sel.tolerance)
        pairs: list[Conflict] = []
        for _, a, b, sub in found:
            sa, sb = item(a).statement, item(b).statement
            fa = facts(ds, sa.claim, sel.tolerance, memo.family, memo)
            fb = facts(ds, sb.claim, sel.tolerance, memo.family, memo)
            pairs.append(finding(sa, sb, fa, fb, kind, sub))
        return pairs

    out = _listing(sel, wanted, arithmetic, unusual, against, pairs_of)
    return ConflictList(conflicts=tuple(out), counts=counts, selection=sel)
