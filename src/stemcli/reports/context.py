"""Reports of reference claims: the evidence-and-surveys table (lookup, context) and the
context of one claim."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from stemcli.model import Claim, Dataset
from stemcli.numbers import plural
from stemcli.render import Cell, Column, Json, Report, Styled, lazy
from stemcli.reports.claims import publisher, shown
from stemcli.reports.fields import (
    CLAIM_CSV_HEADER,
    HANDLE_LEGEND,
    claim_csv_row,
    claim_json,
    id_cell,
    id_column,
)

if TYPE_CHECKING:
    from stemcli.ops.context import Context, Reading

REFERENCE_TITLE = "Evidence and surveys (not marketing: what trials found, what clinics market)"


def kind_text(ds: Dataset, c: Claim) -> str:
    """ "survey" or "evidence, certainty very low to low" (GRADE, where stated)."""
    from stemcli.model import certainty_words

    src = ds.sources.get(c.source)
    if src is None:
        return "?"
    if src.kind == "evidence":
        return f"evidence\ncertainty {certainty_words(src.certainty)}"
    return src.kind


def cited_as(ds: Dataset, c: Claim) -> str:
    """The publisher and year: "Journal of Knee Surgery 2018"."""
    src = ds.sources.get(c.source)
    if src is None:
        return c.source
    return f"{src.publisher} {src.year}" if src.year else src.publisher


def figure_text(c: Claim) -> str:
    """The figure with its confidence interval: "−13.24 points (95 % CI −23.28 to −3.20)"."""
    from stemcli.ops.comparable import value_text

    text = value_text(c.value)
    if c.ci is not None:
        ci = value_text(c.ci)
        if c.ci.low < 0 or c.ci.high < 0 or c.value.low < 0:
            ci = c.ci.text.replace("-", "−")
        text += f"\n(95 % CI {ci})"
    return text


def sizes_text(c: Claim, kind: str | None = None) -> str:
    parts = []
    if c.n is not None:
        parts.append(f"{c.n:,} centres" if kind == "survey" else f"n={c.n:,}")
    if c.n_studies is not None:
        parts.append(plural(c.n_studies, "study", "studies"))
    return ", ".join(parts)


def reference_table(ds: Dataset, claims: Sequence[Claim], *, title: str | None = None) -> Report:
    """Reference claims as a table of their own: kind and certainty, what each number
    measures, its value and confidence interval, sizes and the statement."""
    from stemcli.ops.comparable import measures

    rows: list[tuple[Cell, ...]] = []
    for c in claims:
        rows.append(
            (
                id_cell(ds, c),
                f"{cited_as(ds, c)} ({kind_text(ds, c).replace(chr(10), ', ')})",
                c.outcome,
                measures(ds, c),
                Styled(figure_text(c), style="bold"),
                sizes_text(c, _kind(ds, c)),
                c.statement or "",
            )
        )
    return Report(
        columns=(
            id_column(),
            Column("Source (kind)", min_width=16, max_width=24),
            Column("Outcome", max_width=12),
            Column("What it measures", min_width=14, max_width=24),
            Column("Value", min_width=8, max_width=16),
            Column("Size", max_width=10),
            Column("Statement", min_width=20, max_width=40),
        ),
        rows=tuple(rows),
        # made only if a format reads them (lookup's table shows the rows alone)
        data=lazy(claims, lambda c: claim_json(c, ds)),
        csv_header=CLAIM_CSV_HEADER,
        csv_rows=lazy(claims, lambda c: claim_csv_row(ds, c)),
        title=title or REFERENCE_TITLE,
    )


def with_reference(ds: Dataset, report: Report, reference: Sequence[Claim]) -> Report:
    """``report`` (a claims listing) with the reference claims after it: a table of their
    own in table format, their rows after the others' in JSON and CSV (each carrying its
    ``source_kind`` and ``certainty``)."""

    if not reference:
        return report
    kinds = {"survey": 0, "evidence": 1}
    outcomes = {o: i for i, o in enumerate(ds.outcomes)}
    measures = {m: i for i, m in enumerate(ds.measures)}
    reference = sorted(  # what centres market first, then what trials found
        reference,
        key=lambda c: (
            kinds.get(_kind(ds, c) or "", 2),
            outcomes.get(c.outcome, len(outcomes)),
            measures.get(c.measure, len(measures)),
            c.source,
            c.id,
        ),
    )
    from stemcli.render.interface import Rows, joined, lazy

    ref = reference_table(ds, reference)
    data = report.raw("data")
    if isinstance(data, (list, Rows)):
        data = joined(data, lazy(reference, lambda c: claim_json(c, ds)))
    summary = (report.summary or "") + (
        f"; {plural(len(reference), 'reference claim')} "
        f"({'; '.join(_kinds(ds, reference))}) in their own table"
    )
    return report.evolve(
        data=data,
        csv_rows=joined(report.raw("csv_rows"), ref.raw("csv_rows")),
        sections=(*report.sections, ref),
        summary=summary,
    )


def _kind(ds: Dataset, c: Claim) -> str | None:
    src = ds.sources.get(c.source)
    return src.kind if src is not None else None


def _kinds(ds: Dataset, claims: Sequence[Claim]) -> list[str]:
    counts: dict[str, int] = {}
    for c in claims:
        src = ds.sources.get(c.source)
        kind = src.kind if src is not None else "?"
        counts[kind] = counts.get(kind, 0) + 1
    return [f"{n} {kind}" for kind, n in sorted(counts.items())]


def context_report(ds: Dataset, ctx: Context) -> Report:
    """The context of one claim as sections of rows: the claim, where it sits among what
    clinics market, and what the evidence says, each reference figure with why it does or
    does not compare."""
    from stemcli.ops.comparable import value_text

    c = ctx.claim
    rows: list[tuple[Cell, ...]] = []
    src = ctx.source
    kind = src.kind if src is not None else "?"
    claim_line = f"{shown(c.value)}" if not ctx.reference else value_text(c.value)
    if c.timepoint is not None:
        claim_line += f" at {shown(c.timepoint)}"
    rows.append(
        (
            "the claim",
            id_cell(ds, c),
            f"{publisher(ds, c.source)} ({kind})",
            Styled(claim_line, style="bold"),
            f"{c.condition} · {c.outcome} · {c.measure}: {ctx.what}. "
            + (c.quote or c.statement or ""),
        )
    )
    section = "among marketing"
    if ctx.reference:
        rows.append(
            (
                section,
                "",
                "",
                "",
                f"A {kind} claim: context for marketing claims, not marketing itself.",
            )
        )
    elif ctx.position is not None:
        rows.append((section, "", "survey", "", ctx.position.sentence))
    elif not ctx.survey:
        rows.append((section, "", "", "", "No survey of what clinics market in the dataset."))
    for r in ctx.survey:
        rows.append(_reading_row(ds, section, r))
    for o in ctx.others:
        rows.append(
            (
                section,
                id_cell(ds, o),
                publisher(ds, o.source),
                Styled(shown(o.value), style="bold"),
                f"another marketing source, the same {o.outcome} {o.measure}",
            )
        )
    section = "the evidence"
    if not ctx.evidence:
        rows.append((section, "", "", "", "No trial or review evidence in the dataset."))
    for r in ctx.evidence:
        rows.append(_reading_row(ds, section, r))
    if ctx.evidence:
        from stemcli.model import certainty_words

        rows.append(
            (
                section,
                "",
                "",
                "",
                f"The certainty of this evidence: {certainty_words(ctx.certainty)}"
                + (" (GRADE, where graded)." if ctx.certainty else " (no grade stated)."),
            )
        )
    comparable = sum(1 for r in ctx.evidence if r.comparable)
    summary = (
        f"{plural(len(ctx.survey), 'survey figure')}, "
        f"{plural(len(ctx.others), 'other marketing claim')}, "
        f"{plural(len(ctx.evidence), 'evidence figure')} "
        f"({comparable} measured the same way)"
    )
    return Report(
        columns=(
            Column("Section", no_wrap=True),
            id_column(),
            Column("Source", max_width=28),
            Column("Value", min_width=8, max_width=16),
            Column("Why", min_width=30, max_width=54),
        ),
        rows=tuple(rows),
        data=_context_json(ds, ctx),
        csv_header=("section", "id", "source", "source_kind", "value", "comparable", "why"),
        csv_rows=tuple(_context_csv(ds, ctx)),
        title=f"Context of {c.id}",
        summary=summary,
        legend=HANDLE_LEGEND,
        group_by=0,
    )


def _reading_row(ds: Dataset, section: str, r: Reading) -> tuple[Cell, ...]:
    c = r.claim
    return (
        section,
        id_cell(ds, c),
        f"{cited_as(ds, c)} ({kind_text(ds, c).replace(chr(10), ', ')})",
        Styled(figure_text(c), style="bold"),
        r.why,
    )


def _reading_json(ds: Dataset, r: Reading) -> Json:
    return {"claim": claim_json(r.claim, ds), "comparable": r.comparable, "why": r.why}


def _context_json(ds: Dataset, ctx: Context) -> Json:
    pos = ctx.position
    return {
        "claim": claim_json(ctx.claim, ds),
        "reference": ctx.reference,
        "measures": ctx.what,
        "position": None
        if pos is None
        else {
            "range": None if pos.range is None else pos.range.id,
            "mean": None if pos.mean is None else pos.mean.id,
            "unusual": pos.unusual,
            "sentence": pos.sentence,
        },
        "survey": [_reading_json(ds, r) for r in ctx.survey],
        "others": [claim_json(o, ds) for o in ctx.others],
        "evidence": [_reading_json(ds, r) for r in ctx.evidence],
        "certainty": ctx.certainty,
    }


def _context_csv(ds: Dataset, ctx: Context) -> list[tuple[str, ...]]:
    def kind(c: Claim) -> str:
        src = ds.sources.get(c.source)
        return src.kind if src is not None else ""

    c = ctx.claim
    out: list[tuple[str, ...]] = [("claim", c.id, c.source, kind(c), c.value.text, "", ctx.what)]
    if ctx.position is not None:
        rng = ctx.position.range
        out.append(
            (
                "position",
                rng.id if rng else "",
                rng.source if rng else "",
                "survey",
                "",
                "",
                ctx.position.sentence,
            )
        )
    for r in ctx.survey:
        out.append(_reading_csv("survey", r, kind(r.claim)))
    for o in ctx.others:
        out.append(("other", o.id, o.source, kind(o), o.value.text, "", ""))
    for r in ctx.evidence:
        out.append(_reading_csv("evidence", r, kind(r.claim)))
    return out


def _reading_csv(section: str, r: Reading, kind: str) -> tuple[str, ...]:
    c = r.claim
    return (section, c.id, c.source, kind, c.value.text, "yes" if r.comparable else "no", r.why)
