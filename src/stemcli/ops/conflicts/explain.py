"""The verdict on two claims, rule by rule: the slow, exact path the sweep must agree with.

:func:`explain` applies every rule to one pair and names the first reason a pair is not
flagged (see :data:`REASONS`); :func:`pair_finding` is the verdict alone, from the same
rules, and what compare's marks and the property tests' oracle use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from stemcli.errors import UsageError
from stemcli.model import Claim, Dataset, Quantity
from stemcli.ops.conflicts.results import (
    ANECDOTE,
    BOUND,
    CONTRADICTION,
    CROSS,
    TENSION,
    Check,
    Conflict,
    Explanation,
    Statement,
    gap_unit,
)
from stemcli.ops.conflicts.select import _cut, check_tolerance
from stemcli.ops.facts import (
    DEFAULT_TOLERANCE,
    Facts,
    Memo,
    facts,
    fold_rough,
    same_statement,
    scale,
    tension_cut,
)
from stemcli.ops.rules import TIME, fold, same_time, stages_compatible

# why a pair is not flagged, in the order the rules are applied
REASONS = {
    "condition": "different conditions",
    "stages": "different stages",
    "result": "a number that describes a study or its patients, not a result",
    "outcome": "unrelated outcomes",
    "milestones": "times of different outcomes: milestones of one timeline",
    "unit": "values in different units",
    "comparator": "different comparators",
    "intervention": "different interventions",
    "group": "different patient groups or study arms",
    "trajectory": "one question at different times: a trajectory",
    "same-statement": "the same statement repeated",
    "overlap": "the values overlap",
    "close": "related quantities whose values are close",
    "reference": "a reference claim (evidence or survey), set against marketing only when it is "
    "evidence measuring the same quantity the same way",
}

_MEASURE_GLOSS = {
    "effect": "size of the change",
    "responder-rate": "share of patients",
    "duration": "how long",
    "time-point": "when",
    "cost": "price",
    "dose": "cells given",
    "count": "how many",
    "score": "points on a scale",
    "ratio": "times more or less",
    "size": "measured size",
    "threshold": "cut-off",
}


def explain(
    ds: Dataset,
    id_a: str,
    id_b: str,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    min_gap: float = 0.0,
) -> Explanation:
    """Every rule for two claims, whether each holds and why, and the verdict."""
    check_tolerance(tolerance)
    a, b = _claim(ds, id_a), _claim(ds, id_b)
    if a.id == b.id:
        raise UsageError("an explanation needs two different claims")
    memo = Memo(ds, tolerance)
    (ha, fa), (hb, fb) = _standing(ds, a, memo), _standing(ds, b, memo)
    checks = rule_checks(a, b, fa, fb)
    reference = _reference_check(ds, a, b)
    if reference is not None:
        checks.insert(0, reference)
    rounded = [
        f"{c.id} ({c.value.text}) rounds {h.id} ({h.value.text}) and is compared as that statement"
        for c, h in ((a, ha), (b, hb))
        if h is not c
    ]
    if rounded:
        i = next(i for i, c in enumerate(checks) if c.name == "statement")
        checks[i] = replace(checks[i], detail=f"{checks[i].detail}; {'; '.join(rounded)}")
    comparable = all(c.ok for c in checks)
    overlap: bool | None = None
    if fa.dim == fb.dim:
        overlap = fa.lo <= fb.hi and fb.lo <= fa.hi
    conflict: Conflict | None = None
    reason = next((c.reason for c in checks if not c.ok), "")
    if comparable and reference is not None:
        conflict, reason = _evidence_verdict(ds, a, b, tolerance, min_gap)
    elif comparable:
        conflict, reason = _verdict(a, b, fa, fb, min_gap)
    return Explanation(
        a=a,
        b=b,
        comparable=comparable,
        checks=tuple(checks),
        a_interval=(fa.lo, fa.hi),
        b_interval=(fb.lo, fb.hi),
        unit=fa.dim if fa.dim == fb.dim else "",
        overlap=overlap,
        conflict=conflict,
        reason=reason,
    )


def _reference_check(ds: Dataset, a: Claim, b: Claim) -> Check | None:
    """For a pair with a reference claim: whether it may be set against the other at all
    (evidence against marketing, measuring the same quantity the same way); None for two
    marketing claims."""
    from stemcli.ops.comparable import measures, same_way
    from stemcli.ops.rules import is_reference

    ra, rb = is_reference(ds, a), is_reference(ds, b)
    if not (ra or rb):
        return None
    kinds = [ds.sources[c.source].kind if c.source in ds.sources else "?" for c in (a, b)]
    if ra and rb:
        detail = f"both are reference claims ({kinds[0]}, {kinds[1]}), not marketing"
        return Check("reference", False, detail, "reference")
    ref = a if ra else b
    kind = kinds[0] if ra else kinds[1]
    if kind == "survey":
        detail = (
            f"{ref.id} is a survey of what centres market, not evidence: it says whether a "
            "claim is typical marketing (stemcli context), never that it is false"
        )
        return Check("reference", False, detail, "reference")
    if not same_way(a, b):
        detail = (
            f"{a.id} is {measures(ds, a)}; {b.id} is {measures(ds, b)}: not the same "
            "quantity measured the same way"
        )
        return Check("reference", False, detail, "reference")
    return Check(
        "reference", True, f"{ref.id} is evidence measuring the same quantity the same way"
    )


def _evidence_verdict(
    ds: Dataset, a: Claim, b: Claim, tolerance: float, min_gap: float
) -> tuple[Conflict | None, str]:
    """The verdict on evidence and a marketing claim that measure the same way."""

    from stemcli.ops.conflicts import evidence
    from stemcli.ops.conflicts.results import Selection

    sub = ds.with_claims((a, b))
    found = evidence.findings(sub, Selection(tolerance=tolerance, min_gap=min_gap))
    return (found[0], "") if found else (None, "overlap")


def _standing(ds: Dataset, c: Claim, memo: Memo) -> tuple[Claim, Facts]:
    """The claim and facts that stand for ``c``'s statement: a rough value folded into the
    exact value it rounds is set against others with that value, as the listing sets it."""
    pool = [x for x in ds.claims if x.source == c.source and x.outcome == c.outcome]
    for x, (host, f) in zip(pool, fold_rough(ds, pool, memo.tolerance, memo), strict=True):
        if x is c:
            return host, f
    return c, facts(ds, c, memo.tolerance, memo.family, memo)


def pair_finding(a: Claim, b: Claim, fa: Facts, fb: Facts, min_gap: float = 0.0) -> Conflict | None:
    """The finding two claims make (None: not flagged), by the rules of :func:`explain`."""
    if not all(c.ok for c in rule_checks(a, b, fa, fb)):
        return None
    return _verdict(a, b, fa, fb, min_gap)[0]


def _verdict(
    a: Claim, b: Claim, fa: Facts, fb: Facts, min_gap: float
) -> tuple[Conflict | None, str]:
    """For a comparable pair: the finding and "", or None and why not."""
    if fa.lo < fb.lo or (fa.lo == fb.lo and fa.hi < fb.hi):
        a, b, fa, fb = b, a, fb, fa  # a lies above
    if not fb.hi < fa.lo:
        return None, "overlap"
    # the sweep's own cuts (select._cut, facts.tension_cut): one float comparison each
    cut = _cut(fa.lo, min_gap)
    if not fb.hi < cut:
        return None, "close"
    top = scale(fa.lo, fa.hi, fa.bound == "lower")
    far = fb.hi < tension_cut(cut, fa.lo, top)
    if fa.cls == fb.cls and not (fa.case or fb.case):
        sub = BOUND if fa.bound and fb.bound else None
        return make_pair(a, b, fa, fb, CONTRADICTION, sub), ""
    if not far:
        return None, "close"
    sub = CROSS if fa.cls != fb.cls else ANECDOTE
    return make_pair(a, b, fa, fb, TENSION, sub), ""


def rule_checks(a: Claim, b: Claim, fa: Facts, fb: Facts) -> list[Check]:
    """Each rule of comparability for two claims, in order, with its reason code."""
    checks: list[Check] = []
    same = a.condition == b.condition
    checks.append(
        Check(
            "condition",
            same,
            f"both {a.condition}" if same else f"{a.condition} vs {b.condition}",
            "" if same else "condition",
        )
    )
    ok = stages_compatible(fa.stages, fb.stages)
    if not a.stages and not b.stages:
        detail = "neither is stage-specific"
    elif not a.stages or not b.stages:
        detail = (
            f"{_stage_text(a.stages)} vs {_stage_text(b.stages)}: "
            "one of them is not stage-specific, so it holds for every stage"
        )
    elif ok:
        common = ", ".join(s for s in a.stages if s in b.stages)
        detail = f"{_stage_text(a.stages)} vs {_stage_text(b.stages)}: stage {common} in common"
    else:
        detail = f"{_stage_text(a.stages)} vs {_stage_text(b.stages)}: no stage in common"
    checks.append(Check("stages", ok, detail, "" if ok else "stages"))

    described = [o for o, f in ((a.outcome, fa), (b.outcome, fb)) if not f.compared]
    if described:
        what = " and ".join(dict.fromkeys(described))
        checks.append(
            Check(
                "result",
                False,
                f"{what} describe{'s' if len(set(described)) == 1 else ''} a study or its "
                "patients, not a result; sources differ on such numbers legitimately",
                "result",
            )
        )

    timed = fa.dim == TIME and fb.dim == TIME
    if a.outcome == b.outcome:
        ok, detail, code = True, f"same outcome ({a.outcome})", ""
    elif timed:
        ok, code = False, "milestones"
        detail = (
            f"{a.outcome} vs {b.outcome}: times of different outcomes are milestones "
            "of one timeline; only times of the same outcome are compared"
        )
    elif fa.about == fb.about:
        ok, detail, code = True, f"{a.outcome} and {b.outcome}: both of the {fa.about} family", ""
    else:
        ok, code = False, "outcome"
        detail = f"{a.outcome} ({fa.about}) vs {b.outcome} ({fb.about}): unrelated outcomes"
    checks.append(Check("outcome", ok, detail, code))

    same = fa.dim == fb.dim
    detail = f"both {fa.dim}" + (", compared in days" if fa.dim == TIME else "")
    if not same:
        detail = f"{fa.dim} vs {fb.dim}: values in different units cannot be compared"
    checks.append(Check("unit", same, detail, "" if same else "unit"))

    for name, va, vb, empty in (
        ("comparator", a.comparator, b.comparator, "none (absolute values)"),
        ("intervention", a.intervention, b.intervention, "stem cell treatment"),
        ("group", a.group, b.group, "all patients"),
    ):
        same = fold(va) == fold(vb)
        if same:
            detail = f"both {va or empty}"
        else:
            detail = f"{va or empty} vs {vb or empty}: only the same {name} is compared"
        checks.append(Check(name, same, detail, "" if same else name))

    ok = same_time(fa.tp, fb.tp)
    if a.timepoint is None and b.timepoint is None:
        detail = "neither gives a timepoint"
    elif a.timepoint is None or b.timepoint is None:
        detail = f"{_tp_text(a.timepoint)} vs {_tp_text(b.timepoint)}: only one gives a timepoint"
    elif ok:
        detail = f"{a.timepoint.text} vs {b.timepoint.text}: the same time, or overlapping"
    else:
        detail = (
            f"{a.timepoint.text} vs {b.timepoint.text}: different times (periods that "
            "only touch are consecutive); the same question at two times is a trajectory"
        )
    facts_: tuple[tuple[str, float], ...] = ()
    if fa.tp is not None and fb.tp is not None:
        facts_ = (("a_start", fa.tp[0]), ("a_end", fa.tp[1]), ("b_start", fb.tp[0]))
        facts_ += (("b_end", fb.tp[1]),)
    checks.append(Check("timepoint", ok, detail, "" if ok else "trajectory", facts_))

    same = same_statement(a, fa, b, fb)
    detail = (
        f"{a.source} states the same value for the same question twice (or rounds "
        "it once): one statement"
        if same
        else "different statements"
    )
    checks.append(Check("statement", not same, detail, "same-statement" if same else ""))
    return checks


def make_pair(a: Claim, b: Claim, fa: Facts, fb: Facts, kind: str, sub: str | None) -> Conflict:
    """The finding between ``a`` (above) and ``b`` (below), one claim each; the sweep's
    listing builds the same from statements (:func:`finding`)."""
    return finding(Statement((a,)), Statement((b,)), fa, fb, kind, sub)


def finding(
    sa: Statement, sb: Statement, fa: Facts, fb: Facts, kind: str, sub: str | None
) -> Conflict:
    gap = max(fa.lo - fb.hi, 0.0)
    top = abs(scale(fa.lo, fa.hi, fa.bound == "lower"))
    if fb.lo < 0:  # values below 0 (none the parser makes) are ranked by their largest end
        top = max(abs(x) for x in (fa.lo, fa.hi, fb.lo, fb.hi) if x != float("inf"))
    return Conflict(
        a=sa,
        b=sb,
        kind=kind,  # type: ignore[arg-type]
        subkind=sub,
        internal=sa.source == sb.source,
        gap=gap,
        relative_gap=gap / top if top > 0 else 0.0,
        unit=gap_unit(fa.dim),
        why=describe(sa.claim, sb.claim, kind, sub, fa.about),
    )


def describe(a: Claim, b: Claim, kind: str, sub: str | None, about: str) -> str:
    """One sentence: what the two claims are, and why their values disagree."""
    if kind == CONTRADICTION and sub == BOUND:
        head = (
            f"Contradiction: {a.value.text!r} and {b.value.text!r} bound the same {a.outcome} "
            "from opposite sides and exclude each other"
        )
    elif kind == CONTRADICTION:
        head = (
            f"Contradiction: the same quantity ({a.outcome}, {a.measure}), "
            "values that cannot both be true"
        )
    elif sub == ANECDOTE:
        case = a if a.basis == "case-report" else b
        head = (
            f"Tension: a single case report ({case.id}) far from the other figure "
            f"for the same quantity ({a.outcome}, {a.measure})"
        )
    else:
        ma, mb = _measure_text(a.measure), _measure_text(b.measure)
        if a.outcome == b.outcome:
            what = f"{ma} vs {mb} of {a.outcome}"
        elif a.measure == b.measure:
            what = f"{a.outcome} vs {b.outcome} (both {about}), each as {ma}"
        else:
            what = f"{ma} of {a.outcome} vs {mb} of {b.outcome} (both {about})"
        head = f"Tension: {what}; related numbers, not the same quantity"
    parts = [head]
    if sorted(a.stages) != sorted(b.stages):
        parts.append(f"stage {_stage_text(a.stages)} vs {_stage_text(b.stages)}")
    if _tp_key(a.timepoint) != _tp_key(b.timepoint):
        parts.append(f"timepoint {_tp_text(a.timepoint)} vs {_tp_text(b.timepoint)}")
    return "; ".join(parts) + "."


def _stage_text(stages: Sequence[str]) -> str:
    return ", ".join(stages) if stages else "not stage-specific"


def _tp_text(tp: Quantity | None) -> str:
    return "none" if tp is None else tp.text


def _tp_key(tp: Quantity | None) -> tuple[float, float, str | None, str] | None:
    return None if tp is None else (tp.low, tp.high, tp.unit, tp.qualifier)


def _measure_text(measure: str) -> str:
    gloss = _MEASURE_GLOSS.get(measure)
    return f"{measure} ({gloss})" if gloss else measure


def _claim(ds: Dataset, claim_id: str) -> Claim:
    c = ds.claim(claim_id)
    if c is None:
        from stemcli.ids import closest

        close = closest(claim_id, [x.id for x in ds.claims])
        raise UsageError(
            f"no claim {claim_id!r}" + (f"; closest: {', '.join(close)}" if close else ""),
            hint="a condition's claim ids are in the JSON of 'stemcli lookup CONDITION'",
        )
    return c
