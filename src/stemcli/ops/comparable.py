"""What a claim's number measures, in words, and whether two claims' numbers compare.

Shared by the context of a claim (:mod:`stemcli.ops.context`), the reference tables of
lookup and compare and the evidence findings of conflicts; it holds no result types of
its own, so that those commands import only what they use.
"""

from __future__ import annotations

from stemcli.model import Claim, Dataset, Quantity
from stemcli.ops.rules import fold

__all__ = [
    "measures",
    "outcome_family",
    "outside",
    "same_way",
    "source_kind",
    "survey_claims",
    "survey_range",
    "value_text",
]

# what a measure's number is, in words a patient reads
_MEASURE_WORDS = {
    "effect": "the size of a change",
    "responder-rate": "a share of patients (a responder rate)",
    "study-share": "a share of trials, not of patients",
    "cost": "a price",
    "count": "a count",
    "duration": "a time",
    "time-point": "a time",
    "dose": "a dose",
    "score": "a score on a scale",
    "ratio": "a ratio",
    "size": "a measured size",
    "threshold": "a cut-off",
}


def measures(ds: Dataset, c: Claim) -> str:
    """What a claim's number measures, in words: "an uncontrolled change (no control
    group)", "a difference from control on a VAS (a mean effect)", "a share of patients
    (a responder rate) that centres claim" ..."""
    src = ds.sources.get(c.source)
    kind = src.kind if src is not None else None
    base = _MEASURE_WORDS.get(c.measure, c.measure)
    scale = f" on the {c.scale} scale" if c.scale and c.scale != "SMD" else ""
    if c.measure == "effect":
        if c.scale == "SMD":
            what = "a standardised mean difference (a mean effect, in standard deviations)"
        elif c.comparator is not None:
            what = f"a difference from {c.comparator}{scale} (a mean effect)"
        else:
            what = f"a change{scale}"
        if c.comparator is None:
            if kind == "evidence":
                what += "; against what the abstract does not say"
            else:
                what = f"an uncontrolled change{scale} (no comparator stated)"
        elif c.scale == "SMD":
            what += f" against {c.comparator}"
    else:
        what = base
        if c.comparator is not None:
            what += f", relative to {c.comparator}"
        elif c.measure == "responder-rate" and kind not in ("evidence", "survey"):
            what += " with no comparator stated"
    if c.group:
        what += f" [{c.group}]"
    if kind == "survey":
        what = f"what centres market: {what}"
    return what


def value_text(q: Quantity) -> str:
    """A reference figure as the publication writes it when it carries a sign
    ("-13.24 points"), else the usual display ("82 %")."""
    from stemcli.ops.rules import shown

    if q.low < 0 or q.high < 0 or q.unit is None:
        return q.text.replace("-", "−")
    return shown(q)


def outcome_family(ds: Dataset, outcome: str) -> str:
    """The family of an outcome (pain, function ...); the outcome itself if unknown."""
    o = ds.outcomes.get(outcome)
    return o.family if o is not None else outcome


def source_kind(ds: Dataset, c: Claim) -> str | None:
    """The kind of the claim's source (clinic, evidence, survey ...), if it is known."""
    src = ds.sources.get(c.source)
    return src.kind if src is not None else None


def same_way(a: Claim, b: Claim) -> bool:
    """Whether two claims measure the same quantity the same way: the same condition,
    outcome, measure, unit, comparator, scale, intervention and group (case and spacing
    aside). Only then can evidence contradict a marketing claim."""
    from stemcli.quantities import dimension

    return (
        a.condition == b.condition
        and a.outcome == b.outcome
        and a.measure == b.measure
        and dimension(a.value.unit) == dimension(b.value.unit)
        and a.value.unit == b.value.unit
        and fold(a.comparator) == fold(b.comparator)
        and fold(a.scale) == fold(b.scale)
        and fold(a.intervention) == fold(b.intervention)
        and fold(a.group) == fold(b.group)
    )


def survey_range(ds: Dataset, c: Claim) -> tuple[Claim | None, Claim | None]:
    """The survey claims that give the range and the mean of what centres market for
    ``c``'s question: the same condition, outcome family, measure and unit dimension, no
    comparator, intervention or group. The range is a survey claim whose value is a range
    and has no confidence interval (the widest, when several); the mean is one with a
    confidence interval (the first, in dataset order)."""
    from stemcli.quantities import dimension

    rng: Claim | None = None
    mean: Claim | None = None
    family = outcome_family(ds, c.outcome)
    for r in survey_claims(ds):
        if r is c:
            continue
        if (
            r.condition != c.condition
            or outcome_family(ds, r.outcome) != family
            or r.measure != c.measure
            or dimension(r.value.unit) != dimension(c.value.unit)
            or r.comparator is not None
            or r.intervention is not None
            or r.group is not None
        ):
            continue
        if r.ci is None and r.value.low < r.value.high:
            if rng is None or (r.value.high - r.value.low) > (rng.value.high - rng.value.low):
                rng = r
        elif r.ci is not None and mean is None:
            mean = r
    return rng, mean


# the last dataset asked about, and its survey claims: a run loads one dataset
_surveys: tuple[Dataset, list[Claim]] | None = None


def survey_claims(ds: Dataset) -> list[Claim]:
    """The claims of survey sources, in dataset order (found once per dataset, without
    building the other claims of a cache hit)."""
    global _surveys
    if _surveys is not None and _surveys[0] is ds:
        return _surveys[1]
    ids = {sid for sid, src in ds.sources.items() if src.kind == "survey"}
    found = ds.claims_where(source=ids.__contains__) if ids else []
    _surveys = (ds, found)
    return found


def outside(c: Claim, rng: Claim) -> float:
    """How far ``c``'s value lies outside the survey's range (0: it overlaps the range),
    in the value's unit; qualifiers exact ("over $12,000" lies wholly above a range that
    ends at $12,000, "$10,000-$15,000" overlaps it)."""
    from stemcli.quantities import ends

    lo, hi = ends(c.value, 0.0)
    r_lo, r_hi = ends(rng.value, 0.0)
    if hi < r_lo:
        return r_lo - hi
    if lo > r_hi:
        return lo - r_hi if lo - r_hi > 0 else 0.0
    return 0.0
