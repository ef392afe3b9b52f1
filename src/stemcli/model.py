"""The domain's frozen dataclasses: what every operation takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("clinic", "broker", "information", "evidence", "survey")
# reference sources: what trials and reviews found (evidence) and what a study of
# clinics found they market (survey); cited by DOI or URL, never marketing themselves
REFERENCE_KINDS = ("evidence", "survey")
# GRADE's certainty of evidence, lowest first
CERTAINTY = ("very-low", "low", "moderate", "high")
MEASURES_BUILTIN = (
    "effect",
    "responder-rate",
    "duration",
    "time-point",
    "cost",
    "dose",
    "count",
    "score",
    "ratio",
    "size",
    "threshold",
)
BASES = ("case-report", "clinic-data", "cited-study", "none")
# what a derived figure does with its two parts (first, second); see docs/DATA.md
DERIVED_OPS = ("ratio", "difference", "percent-change", "reduction", "sum")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A parsed value: the interval [low, high] in ``unit``, and how it was qualified."""

    text: str
    low: float
    high: float
    unit: str | None
    qualifier: str = "exact"

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "low": _num(self.low),
            "high": _num(self.high),
            "unit": self.unit,
            "qualifier": self.qualifier,
        }


def _num(x: float) -> float | int:
    return int(x) if x == int(x) and abs(x) < 2**53 else x


@dataclass(frozen=True, slots=True)
class Derived:
    """How a figure restates two others: ``op`` of (first, second); each part is a claim
    id or, for a figure the page never states on its own, another derivation."""

    op: str
    of: tuple[str | Derived, ...]

    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "of": [p if isinstance(p, str) else p.to_json() for p in self.of]}

    def text(self) -> str:
        """The derivation as one line: ``ratio(reduction(a, b), c)``."""
        return f"{self.op}({', '.join(p if isinstance(p, str) else p.text() for p in self.of)})"

    def claim_ids(self) -> tuple[str, ...]:
        """Every claim id the derivation names, nested ones included, in order."""
        out: list[str] = []
        for p in self.of:
            out.extend((p,) if isinstance(p, str) else p.claim_ids())
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str
    kind: str
    sells_treatment: bool
    archive: str | None = None
    sha256: str | None = None
    # how the text was read into the archive ("text", "trafilatura 2.3.1" ...)
    reader: str | None = None
    # fields a person has not checked yet (guessed by extract --into)
    review: tuple[str, ...] = ()
    # where the page is (or was) published: an absolute http(s) URL
    url: str | None = None
    # a reference source's bibliographic citation ("Piuzzi NS, ... J Knee Surg 2018")
    citation: str | None = None
    # its DOI, without "doi:" or a resolver ("10.1055/s-0037-1604443")
    doi: str | None = None
    year: int | None = None
    # GRADE certainty of an evidence source's findings, as it states it: one grade of
    # CERTAINTY or a range of two ("very-low to low")
    certainty: str | None = None
    # the folder of the sources.yaml that defines it, as the dataset path was given;
    # None for the bundled sources (their archives are not shipped)
    folder: str | None = field(default=None, compare=False)
    # where the source is defined: "file:line:col"
    where: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "publisher": self.publisher,
            "kind": self.kind,
            "sells_treatment": self.sells_treatment,
            "archive": self.archive,
            "sha256": self.sha256,
            "reader": self.reader,
            "review": list(self.review),
            "url": self.url,
            "citation": self.citation,
            "doi": self.doi,
            "year": self.year,
            "certainty": self.certainty,
        }

    @property
    def is_reference(self) -> bool:
        """An evidence or survey source: cited, not archived, never marketing."""
        return self.kind in REFERENCE_KINDS


@dataclass(frozen=True, slots=True)
class Stage:
    id: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Condition:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    stages: tuple[Stage, ...] = ()

    @property
    def stage_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.stages)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aliases": list(self.aliases),
            "stages": [{"id": s.id, "aliases": list(s.aliases)} for s in self.stages],
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    name: str
    family: str
    description: str = ""
    # False for numbers that describe a study or its patients, not a result
    compared: bool = True


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    description: str = ""
    max_percent: float | None = None
    dimensions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    source: str
    condition: str
    stages: tuple[str, ...]
    outcome: str
    measure: str
    value: Quantity
    quote: str
    basis: str = "none"
    timepoint: Quantity | None = None
    comparator: str | None = None
    intervention: str | None = None
    n: int | None = None
    citation: str | None = None
    # the patient group or study arm the number describes ("one-time treatment group")
    group: str | None = None
    # the figure restates others (a ratio, a difference ...): recomputed by conflicts
    derived: Derived | None = None
    # fields a person has not checked yet: extract's guesses until confirmed
    review: tuple[str, ...] = ()
    # a reference figure's confidence interval, read like the value ("-23.28 to -3.20 points")
    ci: Quantity | None = None
    # the scale the figure is on: VAS, WOMAC, SMD (a standardised mean difference) ...
    scale: str | None = None
    # how many studies a pooled figure comes from
    n_studies: int | None = None
    # a reference claim's figure in the curator's words (it is cited, not quoted)
    statement: str | None = None
    # where the claim is defined: "file:line:col"
    where: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON contract of a claim (see README)."""
        tp = self.timepoint
        return {
            "id": self.id,
            "source": self.source,
            "condition": self.condition,
            "stages": list(self.stages),
            "outcome": self.outcome,
            "measure": self.measure,
            "value": self.value.to_json(),
            "timepoint": None
            if tp is None
            else {"text": tp.text, "low": _num(tp.low), "high": _num(tp.high), "unit": tp.unit},
            "comparator": self.comparator,
            "intervention": self.intervention,
            "group": self.group,
            "basis": self.basis,
            "n": self.n,
            "citation": self.citation,
            "derived": None if self.derived is None else self.derived.to_json(),
            "review": list(self.review),
            "quote": self.quote,
            "ci": None if self.ci is None else self.ci.to_json(),
            "scale": self.scale,
            "n_studies": self.n_studies,
            "statement": self.statement,
        }


@dataclass(frozen=True, slots=True)
class Dataset:
    """Everything loaded: vocabularies, sources, conditions and claims, validated."""

    sources: dict[str, Source]
    conditions: dict[str, Condition]
    outcomes: dict[str, Outcome]
    measures: dict[str, Measure]
    claims: tuple[Claim, ...]

    def claim(self, claim_id: str) -> Claim | None:
        for c in self.claims:
            if c.id == claim_id:
                return c
        return None
