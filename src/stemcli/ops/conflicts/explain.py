"""Why two claims are, or are not, compared: each rule with its facts, and the outcome."""

from __future__ import annotations

from stemcli.errors import UsageError
from stemcli.ids import closest
from stemcli.model import Claim, Dataset
from stemcli.ops.conflicts.results import (
    DEFAULT_TOLERANCE,
    Check,
    Conflict,
    Explanation,
    _stage_text,
    _tp_text,
    make_conflict,
)
from stemcli.ops.conflicts.select import check_tolerance
from stemcli.ops.rules import (
    TIMEPOINT_RATIO,
    compared,
    families,
    fold,
    stages_compatible,
    timepoints_apart,
)
from stemcli.quantities import dimension, interval


def explain(
    ds: Dataset, id_a: str, id_b: str, *, tolerance: float = DEFAULT_TOLERANCE
) -> Explanation:
    """Whether two claims are comparable, each rule with its reason, and the outcome."""
    check_tolerance(tolerance)
    a, b = _claim(ds, id_a), _claim(ds, id_b)
    if a.id == b.id:
        raise UsageError("an explanation needs two different claims")
    family = families(ds)
    fa, fb = family.get(a.outcome, a.outcome), family.get(b.outcome, b.outcome)
    da, db = dimension(a.value.unit), dimension(b.value.unit)
    checks: list[Check] = []

    same = a.condition == b.condition
    checks.append(
        Check(
            "condition",
            same,
            f"both {a.condition}"
            if same
            else f"{a.condition} vs {b.condition}: different conditions",
        )
    )

    ok = stages_compatible(a.stages, b.stages)
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
    checks.append(Check("stages", ok, detail))

    described = [o for o in dict.fromkeys((a.outcome, b.outcome)) if not compared(ds, o)]
    if described:
        checks.append(
            Check(
                "result",
                False,
                f"{' and '.join(described)} describe{'s' if len(described) == 1 else ''} "
                "a study or its patients, not a result; sources differ on such numbers "
                "legitimately, so they are not compared",
            )
        )

    if a.outcome == b.outcome:
        detail = f"same outcome ({a.outcome})"
    elif fa == fb:
        detail = f"{a.outcome} and {b.outcome} are related: both of the {fa} family"
    else:
        detail = f"{a.outcome} ({fa}) vs {b.outcome} ({fb}): unrelated outcomes"
    checks.append(Check("outcome", fa == fb, detail))

    if da == db:
        detail = f"both {da}" + (", compared in days" if da == "time" else "")
    else:
        detail = f"{da} vs {db}: values in different units cannot be compared"
    checks.append(Check("unit", da == db, detail))

    for name, va, vb, empty in (
        ("comparator", a.comparator, b.comparator, "none (absolute values)"),
        ("intervention", a.intervention, b.intervention, "stem cell treatment"),
    ):
        same = fold(va) == fold(vb)
        if same:
            detail = f"both {va or empty}"
        else:
            detail = f"{va or empty} vs {vb or empty}: only the same {name} is compared"
        checks.append(Check(name, same, detail))

    ta = None if a.timepoint is None else interval(a.timepoint, tolerance)
    tb = None if b.timepoint is None else interval(b.timepoint, tolerance)
    apart = timepoints_apart(ta, tb)
    facts: tuple[tuple[str, float], ...] = ()
    if a.timepoint is None or b.timepoint is None or ta is None or tb is None:
        if a.timepoint is None and b.timepoint is None:
            reason, detail = "no-timepoint", "neither gives a timepoint"
        else:
            reason = "one-timepoint"
            detail = (
                f"{_tp_text(a.timepoint)} vs {_tp_text(b.timepoint)}: only one gives a timepoint"
            )
    else:
        (early, early_text), (late, late_text) = sorted(
            [(ta, a.timepoint.text), (tb, b.timepoint.text)], key=lambda x: x[0]
        )
        both = f"{early_text} vs {late_text}"
        facts = (
            ("later_start_days", late[0]),
            ("earlier_end_days", early[1]),
            ("ratio", TIMEPOINT_RATIO),
        )
        if apart:
            reason, detail = "apart", f"{both}: clearly different times"
        elif late[0] <= 0:
            reason = "day-zero"
            detail = f"{both}: not clearly different (both may start at day 0)"
        else:
            reason, detail = "not-apart", f"{both}: not clearly different"
    checks.append(Check("timepoint", not apart, detail, reason, facts))

    ia, ib = interval(a.value, tolerance), interval(b.value, tolerance)
    comparable = all(c.ok for c in checks)
    overlap: bool | None = None
    conflict: Conflict | None = None
    if da == db:
        overlap = ia[0] <= ib[1] and ib[0] <= ia[1]
    if comparable and overlap is False:
        conflict = (
            make_conflict(a, b, ia, ib, family)
            if ia[0] > ib[1]
            else make_conflict(b, a, ib, ia, family)
        )
    return Explanation(
        a=a,
        b=b,
        comparable=comparable,
        checks=tuple(checks),
        a_interval=ia,
        b_interval=ib,
        unit=da if da == db else "",
        overlap=overlap,
        conflict=conflict,
    )


def _claim(ds: Dataset, claim_id: str) -> Claim:
    c = ds.claim(claim_id)
    if c is None:
        close = closest(claim_id, [x.id for x in ds.claims])
        raise UsageError(
            f"no claim {claim_id!r}" + (f"; closest: {', '.join(close)}" if close else ""),
            hint="a condition's claim ids are in the JSON of 'stemcli lookup CONDITION'",
        )
    return c
