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
from typing import TYPE_CHECKING, Any

from stemcli.errors import UsageError
from stemcli.model import Claim, Condition, Dataset
from stemcli.ops.rules import ComparabilityKey, comparability_key, compared, fold
from stemcli.quantities import interval, to_base

if TYPE_CHECKING:
    from stemcli.ops.facts import Memo

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
    # how many rows there are, when only the first were built (compare's ``limit``)
    total: int | None = None
    # how many sources state values here, when only the ``max_sources`` with the most
    # claims were compared (None: every source that states one is a column)
    source_total: int | None = None

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


def _row_stages(stages: tuple[str, ...], stage: str | None, staged: set[str]) -> tuple[str, ...]:
    """The rows a claim belongs to.

    A claim that is not stage-specific holds for every stage, so it joins the rows of
    the stages that other claims about the same thing name (``staged``) or, with a stage
    asked for, that stage's rows (as lookup and conflicts treat it). Only when nothing
    about the same thing is stage-specific does it get an "any" row of its own.
    """
    if not stages:
        if stage is not None:
            return (stage,)
        return tuple(sorted(staged)) if staged else (ANY_STAGE,)
    if stage is None:
        return stages
    return (stage,) if stage in stages else ()


_Key = tuple[str, str, str, str, str, str, str, str]

# what the rules read of a claim (everything but its id, quote, citation and the like)
_Signature = tuple[object, ...]


def _signature(c: Claim) -> _Signature:
    return (
        c.source,
        c.condition,
        c.stages,
        c.outcome,
        c.measure,
        c.value,
        c.timepoint,
        c.comparator,
        c.intervention,
        c.group,
        c.basis,
    )


def _verdicts(ds: Dataset, claims: list[Claim], memo: Memo) -> dict[str, str]:
    """Each claim's strongest verdict against the others of its row (:func:`_rule_verdicts`).

    Claims that differ only in what no rule reads (their ids, quotes, citations) get the
    same verdict, so the rules run once per distinct claim, on the one of lowest id (the
    one a statement keeps): a million claims repeat a few thousand values per row.
    """
    first: dict[_Signature, Claim] = {}
    signatures: list[_Signature] = []
    for c in claims:
        sig = _signature(c)
        signatures.append(sig)
        held = first.get(sig)
        if held is None or c.id < held.id:
            first[sig] = c
    if len(first) == len(claims):
        return _rule_verdicts(ds, claims, memo)
    found = _rule_verdicts(ds, list(first.values()), memo)
    out: dict[str, str] = {}
    for c, sig in zip(claims, signatures, strict=True):
        verdict = found.get(first[sig].id)
        if verdict is not None:
            out[c.id] = verdict
    return out


def _rule_verdicts(ds: Dataset, claims: list[Claim], memo: Memo) -> dict[str, str]:
    """Each claim's strongest verdict against the others of its row (contradiction over
    tension), by conflicts' own rules, in O(n·t) for t distinct timepoints.

    A row's claims share everything conflicts compares but their stages (compatible
    within a row), timepoints, values and bases: so a claim contradicts some other when a
    typical (not case-report) claim at a compatible time lies wholly above or below it,
    and is in tension when a case report is involved and the gap reaches the tension cut.
    """
    from stemcli.ops.facts import fold_rough, scale, tension_cut
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
    limit: int | None = None,
    max_sources: int | None = None,
) -> Comparison:
    """Group the claims into comparable rows, one cell per source; reference claims
    (evidence, surveys) go beside the rows of their condition, outcome and measure.

    ``limit``: only the first ``limit`` rows are built (``total`` counts them all). A
    dataset held column by column (a cache hit) is grouped from its columns, and only
    the claims of the rows built become claim objects.

    ``max_sources`` (without ``sources``): when more marketing sources than that state
    values about the condition and outcome asked for, only the ``max_sources`` with the
    most claims there are compared, as if ``sources`` named them (in the dataset's order;
    ``source_total`` counts them all): a table of hundreds of columns is read by nobody.
    """
    from stemcli.ops.rules import is_reference_kind

    refs = {s.id for s in ds.sources.values() if is_reference_kind(s.kind)}
    source_total: int | None = None
    if sources is None and max_sources is not None:
        counts = _source_counts(ds, condition, outcome, refs)
        if len(counts) > max_sources:
            rank = {sid: i for i, sid in enumerate(ds.sources)}
            most = sorted(counts, key=lambda s: (-counts[s], rank.get(s, len(rank)), s))
            sources = tuple(sorted(most[:max_sources], key=lambda s: (rank.get(s, len(rank)), s)))
            sources += tuple(refs)  # the evidence beside the rows stays
            source_total = len(counts)
    grouped = _column_groups(ds, condition, outcome, sources, refs, stage)
    if grouped is None:
        groups, beside = _claim_groups(ds, condition, outcome, sources, refs, stage)
        made: Callable[[list[Any]], list[Claim]] = _as_claims
    else:
        groups, beside, made = grouped
    if sources is not None:
        sources = tuple(s for s in sources if s not in refs)

    if sources is None:
        present = _present_sources(ds, groups, grouped is not None)
        columns = tuple(s for s in ds.sources if s in present)
        columns += tuple(sorted(present - set(columns)))
    else:
        columns = sources

    from stemcli.ops.facts import DEFAULT_TOLERANCE, Memo

    # the rows in order (a stable sort: keys that tie keep the order they were found in)
    keys = sorted(groups, key=_sort_key(ds))
    total = len(keys)
    if limit is not None:
        keys = keys[:limit]
    memo = Memo(ds, DEFAULT_TOLERANCE)
    rows = [_row(ds, key, made(groups[key]), columns, memo) for key in keys]
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
    return Comparison(condition, stage, outcome, columns, tuple(rows), total, source_total)


def _source_counts(
    ds: Dataset, condition: Condition | None, outcome: str | None, refs: set[str]
) -> dict[str, int]:
    """How many claims each marketing source states about ``condition`` and ``outcome``
    (None: any), counted from the columns of a cache hit without building claims."""
    from collections import Counter

    tests: dict[str, Callable[[Any], bool]] = {}
    if condition is not None:
        tests["condition"] = lambda cid: cid == condition.id
    if outcome is not None:
        tests["outcome"] = lambda oid: oid == outcome
    held = ds.columns if "claims" not in ds.__dict__ else None
    if held is None or len(held.columns["source"]) != 2:
        counted = Counter(c.source for c in ds.claims_where(**tests))
    else:
        values, codes = held.columns["source"]
        per_code = Counter(codes[i] for i in held.positions(tests))
        counted = Counter({values[k]: n for k, n in per_code.items()})
    return {s: n for s, n in counted.items() if s not in refs}


_Beside = dict[tuple[str, str, str, str | None], list[Claim]]


def _as_claims(claims: list[Any]) -> list[Claim]:
    return claims


def _claim_groups(
    ds: Dataset,
    condition: Condition | None,
    outcome: str | None,
    sources: tuple[str, ...] | None,
    refs: set[str],
    stage: str | None,
) -> tuple[dict[_Key, list[Any]], _Beside]:
    """The claims of each row, and the reference claims beside each (condition, outcome,
    measure, intervention), from the claim objects."""
    # what a row is about, apart from the stage: the claims' comparability key and measure
    about: dict[tuple[ComparabilityKey, str], list[Claim]] = {}
    beside: _Beside = {}
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
    groups: dict[_Key, list[Any]] = {}
    for ((cond, out, dim, _, _, _), measure), claims in about.items():
        staged = {st for c in claims for st in c.stages}
        # the row names the intervention, comparator and group as its first claim words them
        intervention, comparator = claims[0].intervention or "", claims[0].comparator or ""
        group = claims[0].group or ""
        for c in claims:
            for st in _row_stages(c.stages, stage, staged):
                key = (cond, st, out, measure, dim, intervention, comparator, group)
                groups.setdefault(key, []).append(c)
    return groups, beside


# the columns the rows are grouped by: stored coded (distinct values and their codes)
_GROUPED_BY = (
    "source",
    "condition",
    "stages",
    "outcome",
    "measure",
    "value",
    "comparator",
    "intervention",
    "group",
)


def _column_groups(
    ds: Dataset,
    condition: Condition | None,
    outcome: str | None,
    sources: tuple[str, ...] | None,
    refs: set[str],
    stage: str | None,
) -> tuple[dict[_Key, list[Any]], _Beside, Callable[[list[Any]], list[Claim]]] | None:
    """:func:`_claim_groups` from the columns of a cache hit, with claim positions for
    claims, and what makes claims of positions; None for a dataset of claim objects."""
    if "claims" in ds.__dict__ or ds.columns is None:
        return None
    held = ds.columns
    cols = held.columns
    if any(len(cols[name]) != 2 for name in _GROUPED_BY):
        return None

    from stemcli.quantities import dimension

    def wanted(name: str, test: Callable[[Any], bool]) -> list[bool]:
        return [test(v) for v in cols[name][0]]

    tests: dict[str, Callable[[Any], bool]] = {}
    if condition is not None:
        tests["condition"] = lambda v: v == condition.id
    if outcome is not None:
        tests["outcome"] = lambda v: v == outcome
    if sources is not None:
        tests["source"] = lambda v: v in sources
    positions = held.positions(tests)

    def codes_of(name: str) -> list[int]:
        codes = cols[name][1]
        return [codes[i] for i in positions]

    values = cols["value"][0]
    dims = [dimension(q.unit) for q in values]
    is_ref = wanted("source", lambda v: v in refs)
    src_c = codes_of("source")
    code_keys = zip(
        codes_of("condition"),
        codes_of("outcome"),
        [dims[k] for k in codes_of("value")],
        codes_of("comparator"),
        codes_of("intervention"),
        codes_of("group"),
        codes_of("measure"),
        strict=True,
    )
    cond_v, out_v, comp_v, int_v, grp_v, meas_v = (
        cols[name][0]
        for name in ("condition", "outcome", "comparator", "intervention", "group", "measure")
    )
    folded: dict[tuple[int, int, str, int, int, int, int], tuple[ComparabilityKey, str]] = {}
    about: dict[tuple[ComparabilityKey, str], list[int]] = {}
    ref_positions: list[int] = []
    for i, s, k in zip(positions, src_c, code_keys, strict=True):
        if is_ref[s]:
            ref_positions.append(i)
            continue
        key = folded.get(k)
        if key is None:
            cond, out, dim, comp, intv, grp, meas = k
            key = folded[k] = (
                (
                    cond_v[cond],
                    out_v[out],
                    dim,
                    fold(comp_v[comp]),
                    fold(int_v[intv]),
                    fold(grp_v[grp]),
                ),
                meas_v[meas],
            )
        about.setdefault(key, []).append(i)

    beside: _Beside = {}
    for c in held.claims_at(ref_positions):
        near = (c.condition, c.outcome, c.measure, fold(c.intervention))
        beside.setdefault(near, []).append(c)

    stages_v, stages_c = cols["stages"]
    groups: dict[_Key, list[Any]] = {}
    for ((cond_id, out_id, dim, _, _, _), measure), members in about.items():
        codes = stages_c
        kinds = {codes[i] for i in members}
        staged = {st for k in kinds for st in stages_v[k]}
        first = members[0]
        intervention = int_v[cols["intervention"][1][first]] or ""
        comparator = comp_v[cols["comparator"][1][first]] or ""
        group = grp_v[cols["group"][1][first]] or ""
        rows_of = {k: _row_stages(stages_v[k], stage, staged) for k in kinds}
        for i in members:
            for st in rows_of[codes[i]]:
                row = (cond_id, st, out_id, measure, dim, intervention, comparator, group)
                groups.setdefault(row, []).append(i)

    return groups, beside, held.claims_at


def _present_sources(ds: Dataset, groups: dict[_Key, list[Any]], positions: bool) -> set[str]:
    """The sources of the rows' claims (``positions``: the rows hold claim positions)."""
    if not positions:
        return {c.source for claims in groups.values() for c in claims}
    assert ds.columns is not None
    values, codes = ds.columns.columns["source"]
    seen = {codes[i] for members in groups.values() for i in members}
    return {values[k] for k in seen}


def _row(ds: Dataset, key: _Key, claims: list[Claim], columns: tuple[str, ...], memo: Memo) -> Row:
    cond, st, out, measure, dim, intervention, comparator, group = key
    by_source: dict[str, list[Claim]] = {}
    for c in claims:
        by_source.setdefault(c.source, []).append(c)
    in_columns = set(columns)
    shown = [c for c in claims if c.source in in_columns]
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


def _sort_key(ds: Dataset) -> Callable[[_Key], _SortKey]:
    """The order of the rows, from their keys (condition, stage, outcome, measure, dimension,
    intervention, comparator, group): the dataset's order of conditions, stages, outcomes
    and measures, then the words."""
    cond_order = {cid: i for i, cid in enumerate(ds.conditions)}
    out_order = {oid: i for i, oid in enumerate(ds.outcomes)}
    measure_order = {mid: i for i, mid in enumerate(ds.measures)}

    def key(k: _Key) -> _SortKey:
        condition, stage, outcome, measure, dimension, intervention, comparator, _ = k
        cond = ds.conditions.get(condition)
        stages = cond.stage_ids if cond else ()
        stage_rank = stages.index(stage) if stage in stages else len(stages)
        return (
            cond_order.get(condition, len(cond_order)),
            condition,
            stage_rank,
            stage,
            out_order.get(outcome, len(out_order)),
            outcome,
            measure_order.get(measure, len(measure_order)),
            measure,
            dimension,
            intervention,
            comparator,
        )

    return key
