"""Evidence against marketing: a contradiction only when both measure the same quantity
the same way.

Reference claims never enter the sweep of marketing claims (:mod:`.select` sees the
dataset without them). An evidence claim (of a trial, review or meta-analysis) is set
against a marketing claim only when :func:`stemcli.ops.context.same_way` holds: the same
condition, outcome, measure, unit, comparator, scale, intervention and group, compatible
stages and timepoints. A clinic's uncontrolled "60-70% pain reduction" and a trial's
difference from control of -13 points on a VAS are never such a pair. The evidence
side's interval is its confidence interval when it states one: a marketing figure inside
the interval does not contradict it. Surveys never contradict: they say what centres
market, not what the treatment does.
"""

from __future__ import annotations

from stemcli.model import Claim, Dataset
from stemcli.ops.conflicts.results import (
    CONTRADICTION,
    EVIDENCE,
    Conflict,
    Selection,
    Statement,
    gap_unit,
)


def _ends(c: Claim) -> tuple[float, float]:
    from stemcli.quantities import ends

    return ends(c.ci if c.ci is not None else c.value, 0.0)


def findings(ds: Dataset, sel: Selection) -> list[Conflict]:
    """The contradictions between evidence and marketing claims of the selection, the
    most severe first."""
    from stemcli.ops.comparable import same_way
    from stemcli.ops.rules import holds_for, reference_sources, same_time, stages_compatible
    from stemcli.quantities import dimension, ends

    if sel.internal:
        return []
    trials = {sid for sid, src in ds.sources.items() if src.kind == "evidence"}
    if not trials:
        return []
    evidence = ds.claims_where(
        source=trials.__contains__,
        condition=lambda cond: sel.condition is None or cond == sel.condition,
        stages=holds_for(sel.stage),
    )
    if not evidence:
        return []
    by_question: dict[tuple[str, str, str], list[Claim]] = {}
    for e in evidence:
        by_question.setdefault((e.condition, e.outcome, e.measure), []).append(e)
    refs = reference_sources(ds)
    # the marketing claims of the evidence's questions (of a large cache hit, only they
    # are built)
    candidates = ds.claims_where(
        condition={q[0] for q in by_question}.__contains__,
        outcome={q[1] for q in by_question}.__contains__,
        measure={q[2] for q in by_question}.__contains__,
        source=lambda s: s not in refs and (sel.source is None or s == sel.source),
        stages=holds_for(sel.stage),
    )
    out: list[Conflict] = []
    for c in candidates:
        for e in by_question.get((c.condition, c.outcome, c.measure), ()):
            if not same_way(c, e) or not stages_compatible(c.stages, e.stages):
                continue
            tc = None if c.timepoint is None else ends(c.timepoint)
            te = None if e.timepoint is None else ends(e.timepoint)
            if not same_time(tc, te):
                continue
            (c_lo, c_hi), (e_lo, e_hi) = ends(c.value, sel.tolerance), _ends(e)
            if c_lo > e_hi:
                a, b, gap = c, e, c_lo - e_hi
            elif e_lo > c_hi:
                a, b, gap = e, c, e_lo - c_hi
            else:
                continue
            if gap < sel.min_gap:
                continue
            top = max(abs(a.value.high), abs(a.value.low), 1e-12)
            dim = dimension(c.value.unit)
            out.append(
                Conflict(
                    a=Statement((a,)),
                    b=Statement((b,)),
                    kind=CONTRADICTION,
                    subkind=EVIDENCE,
                    internal=False,
                    gap=gap,
                    relative_gap=min(1.0, gap / top),
                    unit=gap_unit(dim),
                    why=(
                        f"Contradiction with evidence: the same quantity ({c.outcome}, "
                        f"{c.measure}) measured the same way, and {c.id}'s value lies "
                        f"outside what {e.source} found"
                        + (" (its confidence interval)" if e.ci is not None else "")
                        + "."
                    ),
                )
            )
    out.sort(key=lambda x: (-x.relative_gap, x.a.claim.id))
    return out
