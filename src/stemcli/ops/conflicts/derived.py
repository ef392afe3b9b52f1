"""Arithmetic findings: a stated figure that restates others, recomputed from its parts.

A claim's ``derived`` names an operation of two parts (claim ids, or derivations of
their own). The parts' intervals (qualifiers exact, :func:`stemcli.quantities.ends`)
give the interval of every value the operation allows (:mod:`stemcli.arithmetic`); when
that interval and the stated one do not overlap, the page's own numbers do not give the
figure it states. Each derived claim is checked once: the work is linear.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from stemcli.arithmetic import ArithmeticError_, combine, result_dimension
from stemcli.model import Claim, Dataset, Derived
from stemcli.numbers import format_span
from stemcli.ops.conflicts.results import (
    ARITHMETIC,
    Conflict,
    Recomputed,
    Selection,
    Statement,
    gap_unit,
    relative,
)
from stemcli.ops.rules import Interval
from stemcli.quantities import dimension, ends

Capped = Callable[[Claim], bool]


def _recompute(
    by_id: dict[str, Claim], d: Derived, tolerance: float, capped: Capped
) -> tuple[Interval, str, list[Claim]]:
    """The interval ``d`` gives, its dimension, and the claims it used (in order).

    Raises KeyError for a part that is not in the dataset, ArithmeticError_ when the
    parts cannot be combined.
    """
    spans: list[Interval] = []
    dims: list[str] = []
    used: list[Claim] = []
    for part in d.of:
        if isinstance(part, Derived):
            span, dim, claims = _recompute(by_id, part, tolerance, capped)
            used += claims
        else:
            c = by_id[part]
            span, dim = ends(c.value, tolerance, capped=capped(c)), dimension(c.value.unit)
            used.append(c)
        spans.append(span)
        dims.append(dim)
    out = result_dimension(d.op, dims[0], dims[1])
    if out is None:
        raise ArithmeticError_(f"{d.op} of {dims[0]} and {dims[1]}")
    return combine(d.op, spans[0], spans[1]), out, used


def findings(ds: Dataset, claims: Iterable[Claim], sel: Selection) -> list[Conflict]:
    """The arithmetic findings among ``claims`` (the selection's), most severe first."""
    from stemcli.ops.facts import Memo

    memo = Memo(ds, sel.tolerance)
    derived = sorted((x for x in claims if x.derived is not None), key=lambda x: x.id)
    # the claims the derivations name, each found by id (not every claim of the dataset)
    by_id: dict[str, Claim] = {}
    for c in derived:
        for part in (c.id, *c.derived.claim_ids()):  # type: ignore[union-attr]
            named = ds.claim(part)
            if named is not None:
                by_id[part] = named
    # a figure stated twice with one derivation is one statement, one finding
    statements: dict[tuple[object, ...], list[Claim]] = {}
    for c in derived:
        q, tp = c.value, c.timepoint
        key = (
            c.source,
            c.condition,
            tuple(sorted(c.stages)),
            c.outcome,
            c.measure,
            (q.low, q.high, q.unit, q.qualifier),
            None if tp is None else (tp.low, tp.high, tp.unit, tp.qualifier),
            c.comparator,
            c.intervention,
            c.group,
            c.derived,
        )
        statements.setdefault(key, []).append(c)
    out: list[Conflict] = []
    for members in statements.values():
        found = check(by_id, members[0], sel.tolerance, sel.min_gap, memo.capped)
        if found is not None:
            out.append(replace(found, a=Statement(tuple(members))))
    out.sort(key=lambda x: (-x.relative_gap, -x.gap, x.a.claim.id))
    return out


def check(
    by_id: dict[str, Claim],
    c: Claim,
    tolerance: float,
    min_gap: float = 0.0,
    capped: Capped | None = None,
) -> Conflict | None:
    """The arithmetic finding of derived claim ``c``, or None when its parts agree with it
    (or cannot be recomputed)."""
    assert c.derived is not None
    capped = capped or (lambda x: x.comparator is None)
    try:
        span, dim, parts = _recompute(by_id, c.derived, tolerance, capped)
    except (KeyError, ArithmeticError_):
        return None
    stated = ends(c.value, tolerance, capped=capped(c))
    gap = max(stated[0] - span[1], span[0] - stated[1])
    if gap <= 0 or (min_gap > 0 and gap < min_gap):
        return None
    unit = gap_unit(dim)
    shown = format_span(span, dim)
    return Conflict(
        a=Statement((c,)),
        b=None,
        kind=ARITHMETIC,
        subkind=c.derived.op,
        internal=True,
        gap=gap,
        # relative to the larger of the two ends the gap lies between
        relative_gap=relative(
            gap, *((stated[0], span[1]) if stated[0] > span[1] else (span[0], stated[1]))
        ),
        unit=unit,
        why=(
            f"Arithmetic: {c.value.text} restates {_words(c.derived, by_id)}, "
            f"but the page's own figures give {shown}."
        ),
        recomputed=Recomputed(c.derived.text(), tuple(parts), span, dim),
    )


_OP_WORDS = {
    "ratio": "the ratio of",
    "difference": "the difference between",
    "percent-change": "the percent change from",
    "reduction": "the reduction from",
    "sum": "the sum of",
}


def _words(d: Derived, by_id: dict[str, Claim]) -> str:
    """'the ratio of the reduction from 3mm to 1.5mm and 20%'."""
    texts = [_words(p, by_id) if isinstance(p, Derived) else by_id[p].value.text for p in d.of]
    joint = " to " if d.op in ("percent-change", "reduction") else " and "
    return f"{_OP_WORDS[d.op]} {texts[0]}{joint}{texts[1]}"
