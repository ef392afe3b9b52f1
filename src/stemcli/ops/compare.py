"""compare: the sources side by side, one row per thing they can be compared on.

A row is one (condition, stage, outcome, measure) with the same unit dimension,
intervention and comparator (:func:`stemcli.ops.rules.comparability_key`, shared with
conflicts: case and spacing aside): only numbers that agree on all of these are comparable.
A claim that is not stage-specific goes to the row of stage ``"any"``; a claim naming
several stages goes to each of their rows. With a stage, only the rows of that stage and
of ``"any"`` are kept (as ``lookup`` keeps a stage's claims plus the general ones).

Each value is marked with the verdict conflicts gives it against the row's other values
(:func:`stemcli.ops.conflicts.pair_finding`, the same rules, so the two commands never
disagree about a pair): it *disagrees* when it contradicts one of them, and is in
*tension* when a single case report sits far from it (or it is one). A row disagrees when
any value does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stemcli.errors import UsageError
from stemcli.model import Claim, Condition, Dataset
from stemcli.ops.rules import ComparabilityKey, comparability_key, compared, fold
from stemcli.quantities import interval, to_base

if TYPE_CHECKING:
    from stemcli.ops.conflicts.select import Memo

ANY_STAGE = "any"


@dataclass(frozen=True)
class Entry:
    """One claim in a cell, and the strongest verdict it has against its row's others."""

    claim: Claim
    verdict: str | None = None  # "contradiction", "tension" or None

    @property
    def disagrees(self) -> bool:
        return self.verdict == "contradiction"


@dataclass(frozen=True)
class Cell:
    """What one source states for one row (possibly nothing)."""

    source: str
    entries: tuple[Entry, ...]

    @property
    def disagrees(self) -> bool:
        return any(e.disagrees for e in self.entries)


@dataclass(frozen=True)
class Row:
    condition: str
    stage: str  # a stage id, or ANY_STAGE for claims that are not stage-specific
    outcome: str
    measure: str
    dimension: str
    unit: str | None  # the row's unit: the smallest unit its values use
    intervention: str | None
    comparator: str | None
    cells: tuple[Cell, ...]  # one per compared source, in column order
    group: str | None = None
    # what evidence and surveys found for the row's condition, outcome and measure: shown
    # beside the marketing values, never among them, never marked
    evidence: tuple[Claim, ...] = ()

    @property
    def disagree(self) -> bool:
        return any(cell.disagrees for cell in self.cells)

    @property
    def source_count(self) -> int:
        """How many sources state something for this row."""
        return sum(1 for cell in self.cells if cell.entries)

    @property
    def claims(self) -> tuple[Claim, ...]:
        return tuple(e.claim for cell in self.cells for e in cell.entries)


@dataclass(frozen=True)
class Comparison:
    condition: Condition | None
    stage: str | None
    outcome: str | None
    sources: tuple[str, ...]  # the columns, in order
    rows: tuple[Row, ...]

    @property
    def disagreeing(self) -> int:
        return sum(1 for r in self.rows if r.disagree)


def parse_sources(ds: Dataset, text: str) -> tuple[str, ...]:
    """A comma-separated list of sources, in the order given, without repeats; each
    found as everywhere else (:func:`~stemcli.ops.resolve.find_source`: id, publisher)."""
    from stemcli.ops.resolve import find_source

    wanted: list[str] = []
    unknown: list[str] = []
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        sid = find_source(ds, item)
        if sid is None:
            unknown.append(item)
        elif sid not in wanted:
            wanted.append(sid)
    valid = ", ".join(ds.sources) or "none"
    if unknown:
        what = "source id" if len(unknown) == 1 else "source ids"
        raise UsageError(
            f"unknown {what} {', '.join(repr(u) for u in unknown)}; valid ids: {valid}",
            hint="see 'stemcli sources'",
        )
    if not wanted:
        raise UsageError(f"a comparison needs at least one source id; valid ids: {valid}")
    return tuple(wanted)


def _row_stages(claim: Claim, stage: str | None, staged: set[str]) -> tuple[str, ...]:
    """The rows a claim belongs to.

    A claim that is not stage-specific holds for every stage, so it joins the rows of
    the stages that other claims about the same thing name (``staged``) or, with a stage
    asked for, that stage's rows (as lookup and conflicts treat it). Only when nothing
    about the same thing is stage-specific does it get an "any" row of its own.
    """
    if not claim.stages:
        if stage is not None:
            return (stage,)
        return tuple(sorted(staged)) if staged else (ANY_STAGE,)
    if stage is None:
        return claim.stages
    return (stage,) if stage in claim.stages else ()


_Key = tuple[str, str, str, str, str, str, str, str]


def _verdicts(ds: Dataset, claims: list[Claim], memo: Memo) -> dict[str, str]:
    """Each claim's strongest verdict against the others of its row (contradiction over
    tension), by conflicts' own rules, in O(n·t) for t distinct timepoints.

    A row's claims share everything conflicts compares but their stages (compatible
    within a row), timepoints, values and bases: so a claim contradicts some other when a
    typical (not case-report) claim at a compatible time lies wholly above or below it,
    and is in tension when a case report is involved and the gap reaches the tension cut.
    """
    from stemcli.ops.conflicts.select import fold_rough, scale, tension_cut
    from stemcli.ops.rules import same_time

    standing = fold_rough(ds, claims, memo.tolerance, memo)
    # a statement (one source, one value, the same stages and time) is a case report only
    # when all its claims are, as conflicts has it
    typical = {
        (c.source, f.stages, f.tp, f.lo, f.hi)
        for c, (_, f) in zip(claims, standing, strict=True)
        if not f.case
    }
    standing = [
        (s, f._replace(case=False))
        if f.case and (c.source, f.stages, f.tp, f.lo, f.hi) in typical
        else (s, f)
        for c, (s, f) in zip(claims, standing, strict=True)
    ]
    times = list(dict.fromkeys(f.tp for _, f in standing))
    inf = math.inf
    # per timepoint: the lowest upper end and highest lower end, of typical and of case
    # claims, and the highest tension cut (the partner below must lie under it)
    low_hi = {t: [inf, inf] for t in times}
    high_lo = {t: [-inf, -inf] for t in times}
    high_cut = {t: [-inf, -inf] for t in times}
    cuts: list[float] = []
    for _, f in standing:
        cut = tension_cut(f.lo, f.lo, scale(f.lo, f.hi, f.bound == "lower"))
        cuts.append(cut)
        i = int(f.case)
        low_hi[f.tp][i] = min(low_hi[f.tp][i], f.hi)
        high_lo[f.tp][i] = max(high_lo[f.tp][i], f.lo)
        high_cut[f.tp][i] = max(high_cut[f.tp][i], cut)
    near = {t: [u for u in times if same_time(t, u)] for t in times}
    out: dict[str, str] = {}
    for c, (_, f), cut in zip(claims, standing, cuts, strict=True):
        verdict: str | None = None
        for u in near[f.tp]:
            if not f.case and (low_hi[u][0] < f.lo or high_lo[u][0] > f.hi):
                verdict = "contradiction"
                break
            # a tension needs a case report on one side: any partner for a case, else one
            sides = (0, 1) if f.case else (1,)
            if any(low_hi[u][i] < cut or f.hi < high_cut[u][i] for i in sides):
                verdict = "tension"
        if verdict is not None:
            out[c.id] = verdict
    return out


def compare(
    ds: Dataset,
    condition: Condition | None = None,
    *,
    stage: str | None = None,
    outcome: str | None = None,
    sources: tuple[str, ...] | None = None,
) -> Comparison:
    """Group the claims into comparable rows, one cell per source; reference claims
    (evidence, surveys) go beside the rows of their condition, outcome and measure."""
    from stemcli.ops.rules import is_reference_kind

    refs = {s.id for s in ds.sources.values() if is_reference_kind(s.kind)}
    # what a row is about, apart from the stage: the claims' comparability key and measure
    about: dict[tuple[ComparabilityKey, str], list[Claim]] = {}
    beside: dict[tuple[str, str, str, str | None], list[Claim]] = {}
    for c in ds.claims:
        if condition is not None and c.condition != condition.id:
            continue
        if outcome is not None and c.outcome != outcome:
            continue
        if sources is not None and c.source not in sources:
            continue
        if c.source in refs:
            near = (c.condition, c.outcome, c.measure, fold(c.intervention))
            beside.setdefault(near, []).append(c)
            continue
        about.setdefault((comparability_key(c), c.measure), []).append(c)
    if sources is not None:
        sources = tuple(s for s in sources if s not in refs)
    groups: dict[_Key, list[Claim]] = {}
    for ((cond, out, dim, _, _, _), measure), claims in about.items():
        staged = {st for c in claims for st in c.stages}
        # the row names the intervention, comparator and group as its first claim words them
        intervention, comparator = claims[0].intervention or "", claims[0].comparator or ""
        group = claims[0].group or ""
        for c in claims:
            for st in _row_stages(c, stage, staged):
                key = (cond, st, out, measure, dim, intervention, comparator, group)
                groups.setdefault(key, []).append(c)

    if sources is None:
        present = {c.source for claims in groups.values() for c in claims}
        columns = tuple(s for s in ds.sources if s in present)
        columns += tuple(sorted(present - set(columns)))
    else:
        columns = sources

    from stemcli.ops.conflicts.results import DEFAULT_TOLERANCE
    from stemcli.ops.conflicts.select import Memo

    memo = Memo(ds, DEFAULT_TOLERANCE)
    rows = [_row(ds, key, claims, columns, memo) for key, claims in groups.items()]
    if beside:
        from dataclasses import replace

        rows = [
            replace(
                r,
                evidence=tuple(
                    beside.get((r.condition, r.outcome, r.measure, fold(r.intervention)), ())
                ),
            )
            for r in rows
        ]
    rows.sort(key=_sort_key(ds))
    return Comparison(condition, stage, outcome, columns, tuple(rows))


def _row(ds: Dataset, key: _Key, claims: list[Claim], columns: tuple[str, ...], memo: Memo) -> Row:
    cond, st, out, measure, dim, intervention, comparator, group = key
    by_source: dict[str, list[Claim]] = {}
    for c in claims:
        by_source.setdefault(c.source, []).append(c)
    shown = [c for c in claims if c.source in columns]
    verdicts = _verdicts(ds, shown, memo) if compared(ds, out) else {}
    cells = []
    for sid in columns:
        mine = sorted(by_source.get(sid, []), key=_value_order)
        cells.append(Cell(sid, tuple(Entry(c, verdicts.get(c.id)) for c in mine)))
    units = {c.value.unit for c in claims}
    unit = min(units, key=lambda u: (to_base(1.0, u), u or ""))
    return Row(
        cond,
        st,
        out,
        measure,
        dim,
        unit,
        intervention or None,
        comparator or None,
        tuple(cells),
        group or None,
    )


def _value_order(c: Claim) -> tuple[float, float, float, str]:
    low, high = interval(c.value)
    tp = to_base(c.timepoint.low, c.timepoint.unit) if c.timepoint else -1.0
    return (low, high, tp, c.id)


_SortKey = tuple[int, str, int, str, int, str, int, str, str, str, str]


def _sort_key(ds: Dataset) -> Callable[[Row], _SortKey]:
    cond_order = {cid: i for i, cid in enumerate(ds.conditions)}
    out_order = {oid: i for i, oid in enumerate(ds.outcomes)}
    measure_order = {mid: i for i, mid in enumerate(ds.measures)}

    def key(r: Row) -> _SortKey:
        cond = ds.conditions.get(r.condition)
        stages = cond.stage_ids if cond else ()
        stage_rank = stages.index(r.stage) if r.stage in stages else len(stages)
        return (
            cond_order.get(r.condition, len(cond_order)),
            r.condition,
            stage_rank,
            r.stage,
            out_order.get(r.outcome, len(out_order)),
            r.outcome,
            measure_order.get(r.measure, len(measure_order)),
            r.measure,
            r.dimension,
            r.intervention or "",
            r.comparator or "",
        )

    return key
