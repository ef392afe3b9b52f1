"""report: one source's page for a reader, as a :class:`~stemcli.render.page.Page`.

The sections, in order: what the page claims (a table per condition, a row per claim by
outcome), contradictions and tensions within it, disagreements with other sources,
arithmetic findings, unusual marketing claims (when the analysis finds any), red flags
with the guidance behind each rule, the evidence context, the range chart, and the
provenance (the archived text and its sha256, every quote with where it is).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stemcli.model import Claim, Dataset
from stemcli.numbers import format_gap, format_span, plural
from stemcli.render.page import Block, Facts, Figure, Items, Link, Page, Paragraph, Section, Table
from stemcli.reports.claims import basis_text, publisher, shown, stage_text

if TYPE_CHECKING:
    from stemcli.ops.conflicts import Conflict, Statement
    from stemcli.ops.report import SourceReport

KIND_WORDS = {
    "contradiction": "≠ contradiction",
    "tension": "~ tension",
    "arithmetic": "± arithmetic",
    "unusual": "! unusual",
}


def source_page(
    ds: Dataset, report: SourceReport, *, date: str | None = None, version: str = ""
) -> Page:
    """The report as a page; ``date`` is the dataset's, named with the figure."""
    src = report.source
    n_findings = len(report.internal) + len(report.across) + len(report.arithmetic)
    summary = (
        f"{src.publisher} ({src.kind}{', sells the treatment' if src.sells_treatment else ''}):"
        f" {plural(len(report.claims), 'claim')} about "
        f"{plural(len({c.condition for c in report.claims}), 'condition')}; "
        f"{plural(n_findings, 'finding')} ({len(report.internal)} within the page, "
        f"{len(report.across)} against other sources, {len(report.arithmetic)} arithmetic), "
        f"{plural(len(report.redflags.findings), 'red flag')}."
    )
    sections = [
        _claims_section(ds, report),
        _findings_section(
            ds,
            "internal",
            "Contradictions and tensions within the page",
            report.internal,
            "The page states no two numbers that cannot both be true.",
        ),
        _findings_section(
            ds,
            "across",
            "Disagreements with other sources",
            tuple(_facing(x, src.id) for x in report.across),
            "No other source of the dataset states a number that this page's cannot be "
            "true beside.",
        ),
        _findings_section(
            ds,
            "arithmetic",
            "Arithmetic",
            report.arithmetic,
            "No figure of the page restates others of its figures, or each one that does adds up.",
        ),
    ]
    if report.unusual:
        sections.append(
            _findings_section(ds, "unusual", "Unusual marketing claims", report.unusual, "")
        )
    sections += [
        _redflags_section(report),
        _context_section(report),
        _chart_section(ds, report, date),
        _provenance_section(report),
    ]
    footer = (
        f"Made with stemcli {version}".rstrip()
        + (f" from the dataset of {date}" if date else "")
        + ". Every number is the source's own, as its quote states it; "
        "findings are stemcli's checks of those numbers, not medical advice."
    )
    return Page(
        title=f"{src.publisher}: {src.title}",
        summary=summary,
        sections=tuple(sections),
        footer=footer,
    )


def _claims_section(ds: Dataset, report: SourceReport) -> Section:
    by_condition: dict[str, list[Claim]] = {}
    for c in report.claims:
        by_condition.setdefault(c.condition, []).append(c)
    subs = []
    for cond_id, claims in by_condition.items():
        cond = ds.conditions.get(cond_id)
        name = cond.name if cond else cond_id
        rows = tuple(
            (
                _outcome(ds, c),
                c.measure,
                shown(c.value),
                shown(c.timepoint) if c.timepoint else "",
                stage_text(c),
                basis_text(c) + (f"; cites {c.citation}" if c.citation else ""),
                c.id,
            )
            for c in claims
        )
        subs.append(
            Section(
                f"claims-{cond_id}",
                name,
                (
                    Table(
                        f"{name}: {plural(len(claims), 'claim')}, by outcome",
                        ("Outcome", "Measure", "Value", "Timepoint", "Stages", "Basis", "Claim"),
                        rows,
                        code=(6,),
                    ),
                ),
            )
        )
    blocks: tuple[Block, ...] = ()
    if not subs:
        blocks = (Paragraph("The dataset holds no claim of this source.", note=True),)
    else:
        blocks = (
            Paragraph(
                "Each number as the page states it, grouped by condition and outcome. "
                "The quote behind each claim is under Provenance."
            ),
        )
    return Section("claims", "What the page claims", blocks, tuple(subs))


def _outcome(ds: Dataset, c: Claim) -> str:
    o = ds.outcomes.get(c.outcome)
    text = o.name if o else c.outcome
    if c.intervention:
        text += f" ({c.intervention})"
    if c.comparator:
        text += f" vs {c.comparator}"
    if c.group:
        text += f" [{c.group}]"
    return text


def _stated(ds: Dataset, st: Statement) -> str:
    c = st.claim
    text = f"{publisher(ds, c.source)}: {shown(c.value)}"
    if c.timepoint is not None:
        text += f" at {shown(c.timepoint)}"
    if st.times > 1:
        text += f" (stated {st.times} times)"
    return text + " — " + ", ".join(x.id for x in st.claims)


def _facing(x: Conflict, source_id: str) -> Conflict:
    """``x`` with the source's own statement as ``a`` (the first side a reader sees)."""
    from dataclasses import replace

    if x.b is not None and x.a.source != source_id and x.b.source == source_id:
        return replace(x, a=x.b, b=x.a)
    return x


def finding_label(x: Conflict) -> str:
    """The kind in words, with a glyph, so that no colour is needed to tell them apart."""
    label = KIND_WORDS.get(x.kind, x.kind)
    if x.subkind and x.kind != "arithmetic":
        label += f" ({x.subkind})"
    return label


def finding_other(ds: Dataset, x: Conflict) -> str:
    """The other side of a finding: a statement, or what the page's own figures give."""
    if x.b is not None:
        return _stated(ds, x.b)
    if x.recomputed is not None:
        parts = ", ".join(c.id for c in x.recomputed.parts)
        span = format_span(x.recomputed.interval, x.recomputed.dimension)
        return f"its own figures give {span} ({x.recomputed.text}) — {parts}"
    return ""


def _findings_section(
    ds: Dataset, sid: str, heading: str, findings: tuple[Conflict, ...], none: str
) -> Section:
    if not findings:
        return Section(sid, heading, (Paragraph(none, note=True),))
    rows = tuple(
        (
            finding_label(x),
            _stated(ds, x.a),
            finding_other(ds, x),
            f"{format_gap(x.gap, x.unit)} ({x.relative_gap:.0%})",
            x.why,
        )
        for x in findings
    )
    table = Table(
        f"{heading}: {plural(len(findings), 'finding')}, the most severe first",
        ("Kind", "Stated", "Against", "Gap", "Why"),
        rows,
    )
    return Section(sid, heading, (table,))


def _redflags_section(report: SourceReport) -> Section:
    from stemcli.reports.redflags import completeness_text

    flags = report.redflags
    blocks: list[Block] = []
    if not flags.findings:
        blocks.append(Paragraph("No rule of the red-flag set matches the page's quotes.", True))
    else:
        rows = tuple(
            (
                f.name + (" (relayed)" if f.relayed else ""),
                f.match,
                f.context,
                ", ".join(f.claims) or (f.claim or ""),
            )
            for f in flags.findings
        )
        blocks.append(
            Table(
                f"{plural(len(rows), 'red flag')} in the page's quotes",
                ("Red flag", "Words", "In", "Claims"),
                rows,
                code=(3,),
            )
        )
        fired: dict[str, tuple[str, str, str]] = {}
        for f in flags.findings:
            fired.setdefault(f.rule, (f.name, f.why, f.citation))
        blocks.append(
            Facts(
                tuple(
                    (name, f"{why} Guidance: {citation}") for name, why, citation in fired.values()
                )
            )
        )
    if flags.completeness is not None:
        blocks.append(Paragraph(completeness_text(flags.completeness).capitalize() + "."))
    return Section("redflags", "Red flags", tuple(blocks))


def _context_section(report: SourceReport) -> Section:
    if not report.context:
        return Section(
            "context",
            "Evidence context",
            (
                Paragraph(
                    "The dataset holds no reference figures (trials, reviews, surveys) to set "
                    "these claims beside.",
                    note=True,
                ),
            ),
        )
    items = tuple(
        f"{item.heading}: {item.text}"
        + (f" ({', '.join(c.id for c in item.claims)})" if item.claims else "")
        for item in report.context
    )
    return Section("context", "Evidence context", (Items(items),))


def _chart_section(ds: Dataset, report: SourceReport, date: str | None) -> Section:
    from dataclasses import replace

    from stemcli.render import figure as fig
    from stemcli.reports.compare import compare_figure

    heading = "Range chart"
    if not report.comparison.rows:
        return Section(
            "chart",
            heading,
            (
                Paragraph(
                    "No value of the page can be set against another: no other source states "
                    "a number about the same question, and the page's own agree.",
                    note=True,
                ),
            ),
        )
    figure = compare_figure(ds, report.comparison, date=date)
    figure = replace(figure, title=f"{report.source.publisher} beside the other sources")
    caption = (
        "Each row is one question (condition, stage, outcome, measure) on which this page "
        "states a value beside another source's, or its own values disagree. Bars are "
        "ranges, dots single values, dashes open ends; ≠ marks a contradiction and ~ a "
        "tension, in words in the figure's description and in the tables above."
    )
    return Section(
        "chart", heading, (Figure(fig.svg(figure), caption=caption, alt=fig.describe(figure)),)
    )


def _provenance_section(report: SourceReport) -> Section:
    src = report.source
    arch = report.archive
    pairs: list[tuple[str, str | Link]] = [
        ("Title", src.title),
        ("Publisher", src.publisher),
        ("Kind", src.kind + ("; sells the treatment" if src.sells_treatment else "")),
    ]
    if src.url:
        pairs.append(("Published at", Link(src.url, src.url)))
    pairs.append(("Archived text", arch.name or "none recorded"))
    pairs.append(("sha256 (recorded)", arch.recorded or "none recorded"))
    if arch.found:
        verdict = {True: "matches the recorded sha256", False: "DIFFERS from the recorded sha256"}
        check = verdict.get(bool(arch.matches)) if arch.matches is not None else "no sha256"
        pairs.append(("sha256 (of the archive read)", f"{arch.actual} — {check}"))
    elif arch.name:
        pairs.append(
            (
                "Archive check",
                "not checked: the archived text was not found",
            )
        )
    if src.reader:
        pairs.append(("Read with", src.reader))
    if src.where:
        from stemcli.ops.report import published_location

        pairs.append(("Defined at", published_location(src.where, src.folder)))
    rows = tuple((q.claim.id, q.claim.quote, q.dataset, q.archive or "—") for q in report.quotes)
    found = sum(1 for q in report.quotes if q.archive is not None)
    blocks: list[Block] = [Facts(tuple(pairs))]
    if rows:
        where = (
            f"{found} of {len(rows)} found in the archived text (line:column)"
            if arch.found
            else "the archived text was not read"
        )
        blocks.append(
            Table(
                f"Every quote, verbatim, with where it is: {where}",
                ("Claim", "Quote", "Dataset", "Archive"),
                rows,
                code=(0, 2, 3),
            )
        )
    return Section("provenance", "Provenance", tuple(blocks))
