"""context: where one claim sits among what clinics market, and what the evidence says.

Two questions a patient has about "79.3% of patients improved": is that number unusual
for stem-cell marketing, and what do controlled trials show? :func:`context` answers them
from the dataset's reference sources, never by setting evidence against a claim it does
not measure the same way:

- **marketing**: what a survey of clinics found they market for the same condition,
  outcome family and measure (its range and mean, as stated), and the other marketing
  sources' claims for the same condition, outcome and measure;
- **evidence**: what trials and reviews found for the same condition and outcome family,
  each with a sentence on whether its number is comparable with the claim's (the same
  outcome, measure, unit, comparator and scale) and why not when it is not.

A survey figure is a statement about marketing: it tells whether a claim is typical or
unusual marketing, not whether the treatment works.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from stemcli.model import Claim, Dataset, Source
from stemcli.ops.comparable import (
    measures,
    outcome_family,
    outside,
    same_way,
    source_kind,
    survey_range,
    value_text,
)
from stemcli.ops.rules import fold, is_reference

# the helpers the context is made of are also this module's: measures, value_text ...
__all__ = [
    "Context",
    "Position",
    "Reading",
    "context",
    "measures",
    "outside",
    "position",
    "reading",
    "same_way",
    "survey_range",
    "value_text",
]


@dataclass(frozen=True)
class Reading:
    """One reference claim beside the claim, and whether their numbers compare."""

    claim: Claim
    comparable: bool
    why: str  # a plain sentence: what each number is and why they do or do not compare


@dataclass(frozen=True)
class Position:
    """Where a marketing figure sits against a survey's range and mean."""

    range: Claim | None  # the survey's range of what centres market
    mean: Claim | None  # the survey's mean, with its confidence interval
    sentence: str
    unusual: bool  # outside the range the survey found


@dataclass(frozen=True)
class Context:
    claim: Claim
    source: Source | None
    reference: bool  # the claim is itself a reference claim
    what: str  # what the claim's number measures, in words
    survey: tuple[Reading, ...]  # what a survey found clinics market
    position: Position | None
    others: tuple[Claim, ...]  # other marketing sources' claims of the same question
    evidence: tuple[Reading, ...]  # what trials and reviews found
    certainty: str | None  # the certainty of the evidence shown, as graded ("very-low to low")


def reading(ds: Dataset, c: Claim, ref: Claim) -> Reading:
    """``ref`` beside ``c``: whether their numbers compare, and why, in one sentence."""
    from stemcli.ops.rules import shown

    src = ds.sources.get(ref.source)
    kind = src.kind if src is not None else "reference"
    mine = f"{shown(c.value)} is {measures(ds, c)}"
    theirs = f"{value_text(ref.value)} is {measures(ds, ref)}"
    if kind == "survey":
        same_family = outcome_family(ds, ref.outcome) == outcome_family(ds, c.outcome)
        if ref.measure == c.measure and same_family:
            who = f"{ref.n} centres" if ref.n else "centres"
            why = (
                f"Comparable as marketing: what {who} claim, the same measure; "
                "not evidence that the treatment works."
            )
            return Reading(ref, True, why)
        return Reading(ref, False, ref.statement or f"Context: {theirs}.")
    certainty = _certainty_words(src)
    if same_way(c, ref):
        why = f"Comparable: the same quantity measured the same way ({theirs}); {certainty}."
        return Reading(ref, True, why)
    about = f" It is about {ref.outcome}, not {c.outcome}." if ref.outcome != c.outcome else ""
    why = f"Not comparable: {mine}; {theirs}; {certainty}.{about}"
    return Reading(ref, False, why)


def _certainty_words(src: Source | None) -> str:
    from stemcli.model import certainty_words

    if src is None or src.certainty is None:
        return "the publication grades no certainty here"
    return f"the certainty of the evidence is {certainty_words(src.certainty)} (GRADE)"


def position(ds: Dataset, c: Claim) -> Position | None:
    """Where ``c`` sits against the survey's range and mean; None when no survey asked."""
    from stemcli.ops.rules import shown

    if c.comparator is not None or c.intervention is not None or c.group is not None:
        return None
    rng, mean = survey_range(ds, c)
    if rng is None and mean is None:
        return None
    parts: list[str] = []
    unusual = False
    if rng is not None:
        n = f" ({rng.n} centres)" if rng.n else ""
        gap = outside(c, rng)
        unusual = gap > 0
        where = "outside" if unusual else "within"
        parts.append(
            f"{shown(c.value)} is {where} the range the survey found centres to market, "
            f"{shown(rng.value)}{n}"
        )
    if mean is not None:
        lo, hi = c.value.low, c.value.high
        m = mean.value.low
        rel = (
            "above"
            if lo > m
            else "below"
            if hi < m
            else "at"
            if lo == hi
            else "a range that includes"
        )
        ci = f" (95 % CI {shown(mean.ci)})" if mean.ci is not None else ""
        parts.append(f"{rel} its mean of {shown(mean.value)}{ci}")
    sentence = ", ".join(parts) + "."
    if unusual:
        sentence += " Unusual marketing: outside what the surveyed centres claimed."
    if rng is not None and rng.statement and c.measure == "cost":
        # what the survey's prices were for: the dataset does not record what a claim's
        # price covers, or in which country
        sentence += f" The survey: {rng.statement}"
    return Position(rng, mean, sentence[0].upper() + sentence[1:], unusual)


def context(ds: Dataset, c: Claim) -> Context:
    """The context of claim ``c``: the survey, the other sources, the evidence."""
    from stemcli.quantities import dimension

    src = ds.sources.get(c.source)
    family = outcome_family(ds, c.outcome)
    survey: list[Reading] = []
    evidence: list[Reading] = []
    others: list[Claim] = []
    for r in ds.claims:
        if r is c or r.condition != c.condition:
            continue
        kind = source_kind(ds, r)
        if kind == "survey":
            if outcome_family(ds, r.outcome) == family:
                survey.append(reading(ds, c, r))
        elif kind == "evidence":
            if outcome_family(ds, r.outcome) == family and _result(ds, r):
                evidence.append(reading(ds, c, r))
        elif (
            not is_reference(ds, c)
            and r.source != c.source
            and r.outcome == c.outcome
            and r.measure == c.measure
            and dimension(r.value.unit) == dimension(c.value.unit)
            and fold(r.intervention) == fold(c.intervention)
            and fold(r.comparator) == fold(c.comparator)
        ):
            others.append(r)
    evidence.sort(key=lambda x: (not x.comparable, x.claim.source, x.claim.id))
    graded = [
        ds.sources[x.claim.source].certainty
        for x in evidence
        if x.claim.source in ds.sources and ds.sources[x.claim.source].certainty
    ]
    return Context(
        claim=c,
        source=src,
        reference=is_reference(ds, c),
        what=measures(ds, c),
        survey=tuple(survey),
        position=None if is_reference(ds, c) else position(ds, c),
        others=tuple(others),
        evidence=tuple(evidence),
        certainty=_span(graded),
    )


def _result(ds: Dataset, c: Claim) -> bool:
    """A number about a result, not about the studies (cohort sizes, designs)."""
    o = ds.outcomes.get(c.outcome)
    return o is None or o.compared


def _span(certainties: Sequence[str | None]) -> str | None:
    """The lowest to the highest of several certainties ("very-low to low")."""
    from stemcli.model import CERTAINTY, certainty_grades

    grades = [g for x in certainties if x for g in (certainty_grades(x) or ())]
    if not grades:
        return None
    lo = min(grades, key=CERTAINTY.index)
    hi = max(grades, key=CERTAINTY.index)
    return lo if lo == hi else f"{lo} to {hi}"
