"""Turn operation results into :class:`~stemcli.render.Report` objects for any format."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stemcli.model import Claim, Dataset
from stemcli.quantities import format_quantity
from stemcli.render import Cell, Column, Report, Styled

QUOTE_WIDTH = 90

CLAIM_CSV_HEADER = (
    "id",
    "source",
    "publisher",
    "condition",
    "stages",
    "outcome",
    "measure",
    "value",
    "low",
    "high",
    "unit",
    "qualifier",
    "timepoint",
    "timepoint_low",
    "timepoint_high",
    "timepoint_unit",
    "comparator",
    "intervention",
    "basis",
    "n",
    "citation",
    "quote",
)


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else repr(x)


def plural(n: int, noun: str, many: str | None = None) -> str:
    """'1 claim', '2 claims'; ``many`` for irregular plurals ('1 match', '2 matches')."""
    return f"{n:,} {noun if n == 1 else (many or noun + 's')}"


def claim_csv_row(ds: Dataset, c: Claim) -> tuple[str, ...]:
    tp = c.timepoint
    src = ds.sources.get(c.source)
    return (
        c.id,
        c.source,
        src.publisher if src else "",
        c.condition,
        ";".join(c.stages),
        c.outcome,
        c.measure,
        c.value.text,
        _num(c.value.low),
        _num(c.value.high),
        c.value.unit or "",
        c.value.qualifier,
        tp.text if tp else "",
        _num(tp.low) if tp else "",
        _num(tp.high) if tp else "",
        (tp.unit or "") if tp else "",
        c.comparator or "",
        c.intervention or "",
        c.basis,
        str(c.n) if c.n is not None else "",
        c.citation or "",
        c.quote,
    )


def publisher(ds: Dataset, source_id: str) -> str:
    s = ds.sources.get(source_id)
    return s.publisher if s else source_id


def basis_text(c: Claim) -> str:
    return f"{c.basis} (n={c.n:,})" if c.n is not None else c.basis


def shorten(text: str, width: int, full: bool) -> str:
    if full or len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0]
    return (cut or text[: width - 1]) + "…"


def outcome_text(c: Claim) -> str:
    """The outcome, with what the claim is about when it is not plain stem cell treatment
    ("cost (knee replacement)") and what it is relative to ("cost vs knee surgery")."""
    text = c.outcome
    if c.intervention:
        text += f" ({c.intervention})"
    if c.comparator:
        text += f" vs {c.comparator}"
    return text


def stage_text(c: Claim, stage: str | None) -> Cell:
    if not c.stages:
        return Styled("any stage", style="dim") if stage else "—"
    return ", ".join(c.stages)


def claims_report(
    ds: Dataset,
    claims: Sequence[Claim],
    *,
    full: bool = False,
    stage: str | None = None,
    title: str | None = None,
    with_condition: bool = False,
    extra_columns: Sequence[tuple[Column, Sequence[Cell]]] = (),
    data: Any = None,
) -> Report:
    """A table of claims grouped by outcome; CSV/JSON carry every field."""
    cols = [Column("Source", max_width=18)]
    if with_condition:
        cols.append(Column("Condition", max_width=16))
    cols += [
        Column("Stage", max_width=14),
        Column("Outcome", max_width=26),
        Column("Measure", max_width=14),
        Column("Value", min_width=8, max_width=22, style="bold"),
        Column("Timepoint", max_width=14),
        Column("Basis", max_width=22),
        Column("Quote", min_width=20, max_width=None if full else 60),
    ]
    cols = [c for c, _ in extra_columns] + cols
    rows: list[tuple[Cell, ...]] = []
    for i, c in enumerate(claims):
        row: list[Cell] = [cells[i] for _, cells in extra_columns]
        row.append(publisher(ds, c.source))
        if with_condition:
            row.append(c.condition)
        row += [
            stage_text(c, stage),
            outcome_text(c),
            c.measure,
            format_quantity(c.value),
            c.timepoint.text if c.timepoint else "",
            basis_text(c),
            shorten(c.quote, QUOTE_WIDTH, full),
        ]
        rows.append(tuple(row))
    n_sources = len({c.source for c in claims})
    summary = (
        f"{len(claims)} claim{'s' if len(claims) != 1 else ''} from {n_sources} "
        f"source{'s' if n_sources != 1 else ''}"
    )
    return Report(
        columns=tuple(cols),
        rows=tuple(rows),
        data=data if data is not None else [c.to_json() for c in claims],
        csv_header=CLAIM_CSV_HEADER,
        csv_rows=tuple(claim_csv_row(ds, c) for c in claims),
        title=title,
        summary=summary,
        group_by=len(extra_columns) + (3 if with_condition else 2),
    )


def show_report(ds: Dataset, c: Claim) -> Report:
    """One claim, every field, and its source's metadata (as Field/Value rows)."""
    src = ds.sources.get(c.source)
    cond = ds.conditions.get(c.condition)
    tp = c.timepoint
    fields: list[tuple[str, str]] = [
        ("id", c.id),
        ("condition", f"{c.condition} ({cond.name})" if cond else c.condition),
        ("stages", ", ".join(c.stages) or "any (not stage-specific)"),
        ("outcome", c.outcome),
        ("measure", c.measure),
        ("value", f"{c.value.text}  →  {format_quantity(c.value)}"),
        (
            "parsed",
            f"low={_num(c.value.low)} high={_num(c.value.high)} unit={c.value.unit or '-'} "
            f"qualifier={c.value.qualifier}",
        ),
        ("timepoint", f"{tp.text}  →  {format_quantity(tp)}" if tp else "—"),
        ("comparator", c.comparator or "—"),
        ("intervention", c.intervention or "stem cell treatment"),
        ("basis", basis_text(c)),
        ("citation", c.citation or "—"),
        ("quote", c.quote),
        ("defined at", c.where or "—"),
    ]
    if src is not None:
        fields += [
            ("source", src.id),
            ("publisher", src.publisher),
            ("title", src.title),
            ("kind", src.kind),
            ("sells treatment", "yes" if src.sells_treatment else "no"),
            ("archive", src.archive or "—"),
            ("sha256", src.sha256 or "—"),
        ]
    return Report(
        columns=(Column("Field", style="bold", no_wrap=True), Column("Value")),
        rows=tuple((k, v) for k, v in fields),
        data={"claim": c.to_json(), "source": src.to_json() if src else None},
        title=f"Claim {c.id}",
    )


def search_report(ds: Dataset, hits: Sequence[Any], *, full: bool = False) -> Report:
    claims = [h.claim for h in hits]
    scores: list[Cell] = [f"{h.score:.0f}" for h in hits]
    report = claims_report(
        ds,
        claims,
        full=full,
        with_condition=True,
        extra_columns=[(Column("Score", justify="right"), scores)],
        data=[{"score": h.score, "claim": h.claim.to_json()} for h in hits],
    )
    header = ("score", *CLAIM_CSV_HEADER)
    rows = tuple((f"{h.score:g}", *claim_csv_row(ds, h.claim)) for h in hits)
    return Report(
        columns=report.columns,
        rows=report.rows,
        data=report.data,
        csv_header=header,
        csv_rows=rows,
        summary=f"{len(hits)} match{'es' if len(hits) != 1 else ''}, best first",
    )


def sources_report(ds: Dataset) -> Report:
    counts: dict[str, int] = {}
    for c in ds.claims:
        counts[c.source] = counts.get(c.source, 0) + 1
    rows = tuple(
        (
            s.id,
            s.publisher,
            s.kind,
            "yes" if s.sells_treatment else "no",
            str(counts.get(s.id, 0)),
            s.archive or "",
            s.title,
        )
        for s in ds.sources.values()
    )
    data = [dict(s.to_json(), claims=counts.get(s.id, 0)) for s in ds.sources.values()]
    return Report(
        columns=(
            Column("Id", no_wrap=True),
            Column("Publisher"),
            Column("Kind"),
            Column("Sells"),
            Column("Claims", justify="right"),
            Column("Archive"),
            Column("Title", max_width=50),
        ),
        rows=rows,
        data=data,
        summary=f"{plural(len(ds.sources), 'source')}, {plural(len(ds.claims), 'claim')}",
    )


def conditions_report(ds: Dataset) -> Report:
    per_stage: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for c in ds.claims:
        totals[c.condition] = totals.get(c.condition, 0) + 1
        bucket = per_stage.setdefault(c.condition, {})
        for st in c.stages or ("any",):
            bucket[st] = bucket.get(st, 0) + 1
    rows = []
    data = []
    for cond in ds.conditions.values():
        counts = per_stage.get(cond.id, {})
        stage_text = ", ".join(f"{st.id} ({counts.get(st.id, 0)})" for st in cond.stages)
        if counts.get("any"):
            stage_text = (stage_text + ", " if stage_text else "") + f"any stage ({counts['any']})"
        rows.append(
            (
                cond.id,
                cond.name,
                stage_text or "—",
                str(totals.get(cond.id, 0)),
                ", ".join(cond.aliases),
            )
        )
        entry = cond.to_json()
        entry["claims"] = totals.get(cond.id, 0)
        entry["claims_per_stage"] = {st.id: counts.get(st.id, 0) for st in cond.stages}
        entry["claims_any_stage"] = counts.get("any", 0)
        data.append(entry)
    return Report(
        columns=(
            Column("Id", no_wrap=True),
            Column("Name", max_width=28),
            Column("Stages (claims)", max_width=36),
            Column("Claims", justify="right"),
            Column("Aliases", max_width=50),
        ),
        rows=tuple(rows),
        data=data,
        summary=f"{len(ds.conditions)} conditions",
    )


def problems_report(problems: Sequence[Any]) -> Report:
    rows = tuple((str(p.location), p.claim_id or "", p.message) for p in problems)
    data = [
        {
            "file": p.location.path,
            "line": p.location.line or None,
            "column": p.location.column or None,
            "claim": p.claim_id,
            "message": p.message,
        }
        for p in problems
    ]
    return Report(
        columns=(Column("Where", no_wrap=False), Column("Claim"), Column("Problem")),
        rows=rows,
        data=data,
        summary=f"{len(problems)} problem{'s' if len(problems) != 1 else ''}",
    )


def verify_report(result: Any) -> Report:
    rows = tuple((m.source, m.claim or "", m.where, m.message) for m in result.misses)
    data = {
        "sources_checked": result.checked_sources,
        "quotes_checked": result.checked_quotes,
        "misses": [
            {"source": m.source, "claim": m.claim, "where": m.where, "message": m.message}
            for m in result.misses
        ],
    }
    return Report(
        columns=(Column("Source"), Column("Claim"), Column("Where"), Column("Problem")),
        rows=rows,
        data=data,
        summary=(
            f"{plural(result.checked_quotes, 'quote')} in "
            f"{plural(result.checked_sources, 'source')} checked, "
            f"{len(result.misses)} miss{'es' if len(result.misses) != 1 else ''}"
        ),
    )


def export_text(ds: Dataset, fmt: str, *, raw: bool = False) -> str:
    """Every claim, as JSON (the contract), CSV or YAML; ``raw``: CSV without formula quotes."""
    if fmt == "json":
        from stemcli.render.json_ import dumps

        return dumps([c.to_json() for c in ds.claims])
    if fmt == "csv":
        from stemcli.render.csv_ import render

        return render(
            Report(
                columns=(),
                rows=(),
                data=None,
                csv_header=CLAIM_CSV_HEADER,
                csv_rows=tuple(claim_csv_row(ds, c) for c in ds.claims),
            ),
            raw=raw,
        )
    import yaml

    from stemcli.text.neutralise import clean

    def cleaned(value: Any) -> Any:
        if isinstance(value, str):
            return clean(value)
        if isinstance(value, dict):
            return {k: cleaned(v) for k, v in value.items()}
        if isinstance(value, list):
            return [cleaned(v) for v in value]
        return value

    return str(
        yaml.safe_dump(
            [cleaned(c.to_json()) for c in ds.claims],
            sort_keys=False,
            allow_unicode=True,
            width=100,
        )
    )


# ---------------------------------------------------------------------------
# compare: the sources side by side

from typing import TYPE_CHECKING  # noqa: E402 - for the annotations below

if TYPE_CHECKING:
    from stemcli.model import Quantity
    from stemcli.ops.compare import Cell as CompareCell
    from stemcli.ops.compare import Comparison, Row


def compare_report(ds: Dataset, comparison: Comparison, *, chart: bool = False) -> Report:
    """One row per comparable (condition, stage, outcome, measure), one column per source.

    ``chart``: the table format shows a range chart per row instead of the table.
    """
    from stemcli.text.neutralise import clean_line

    columns = comparison.sources
    one_condition = comparison.condition is not None
    rows: list[tuple[Cell, ...]] = []
    csv_rows: list[tuple[str, ...]] = []
    for r in comparison.rows:
        key: list[Cell] = [] if one_condition else [r.condition]
        key += [r.stage, f"{r.outcome}\n{_compare_measure(r)}"]
        cells = [_compare_cell(cell, r.stage) for cell in r.cells]
        rows.append((*key, *cells, _compare_check(r)))
        csv_rows.append(
            (
                r.condition,
                r.stage,
                r.outcome,
                r.measure,
                r.unit or "",
                r.intervention or "",
                r.comparator or "",
                *("; ".join(v[0] for v in _compare_values(cell, r.stage)) for cell in r.cells),
                "yes" if r.disagree else "no",
            )
        )

    # a column is at least as wide as its longest word (values: longest line), within limits
    def least(k: int, limit: int, lines: bool = False) -> int:
        texts = [str(row[k]) for row in rows]
        parts = [p for t in texts for p in (t.split("\n") if lines else t.split())]
        return min(limit, max((len(p) for p in parts), default=1))

    key_columns = ([] if one_condition else ["Condition"]) + ["Stage", "Outcome / measure"]
    cols = [Column(h, min_width=least(k, 14), max_width=20) for k, h in enumerate(key_columns)]
    offset = len(cols)
    cols += [
        Column(
            clean_line(publisher(ds, s)), min_width=least(offset + k, 10, lines=True), max_width=22
        )
        for k, s in enumerate(columns)
    ]
    cols.append(Column("Check", no_wrap=True))
    data = {
        "rows": [
            {
                "condition": r.condition,
                "stage": r.stage,
                "outcome": r.outcome,
                "measure": r.measure,
                "unit": r.unit,
                "intervention": r.intervention,
                "comparator": r.comparator,
                "cells": {
                    cell.source: [e.claim.to_json() for e in cell.entries] for cell in r.cells
                },
                "disagree": r.disagree,
                "disagreeing": [
                    e.claim.id for cell in r.cells for e in cell.entries if e.disagrees
                ],
            }
            for r in comparison.rows
        ],
        "sources": [ds.sources[s].to_json() for s in columns if s in ds.sources],
    }
    n, k, d = len(comparison.rows), len(columns), comparison.disagreeing
    summary = (
        f"{n} row{'s' if n != 1 else ''}, {k} source{'s' if k != 1 else ''}, "
        f"{d} row{'s' if d != 1 else ''} where sources disagree"
    )
    if d:
        summary += " (≠: another source states values here and none overlaps it)"
    cond = comparison.condition
    title = f"{cond.name} ({cond.id})" if cond else "All conditions"
    if comparison.stage:
        title += f", stage {comparison.stage}"
    extra: tuple[Any, ...] = ()
    if chart:
        from stemcli.render.chart import ChartGroup

        charts = [_compare_chart(ds, r, one_condition) for r in comparison.rows]
        extra = (ChartGroup(charts, title=title),)
    return Report(
        columns=tuple(cols),
        rows=() if chart else tuple(rows),
        data=data,
        csv_header=(
            "condition",
            "stage",
            "outcome",
            "measure",
            "unit",
            "intervention",
            "comparator",
            *columns,
            "disagree",
        ),
        csv_rows=tuple(csv_rows),
        title=title,
        summary=summary,
        group_by=0,  # a new section per condition, or per stage for one condition
        extra=extra,
    )


def _compare_measure(r: Row) -> str:
    text = r.measure
    if r.intervention:
        text += f"\n({r.intervention})"
    if r.comparator:
        text += f"\nvs {r.comparator}"
    return text


def _compare_values(cell: CompareCell, stage: str) -> list[tuple[str, bool, Quantity]]:
    """A cell's distinct values as text ("60–70 % at 12 months (×2)"), whether they
    disagree, and the value itself (repeats of one value and timepoint are counted).
    In a stage's row, a claim that is not stage-specific says so ("(any stage)")."""
    from stemcli.ops.compare import ANY_STAGE

    texts: list[str] = []
    counts: dict[str, int] = {}
    flags: dict[str, bool] = {}
    values: dict[str, Quantity] = {}
    for e in cell.entries:
        c = e.claim
        text = format_quantity(c.value)
        if c.timepoint is not None:
            text += f" at {format_quantity(c.timepoint)}"
        if not c.stages and stage != ANY_STAGE:
            text += " (any stage)"
        if text not in counts:
            texts.append(text)
            values[text] = c.value
        counts[text] = counts.get(text, 0) + 1
        flags[text] = flags.get(text, False) or e.disagrees
    return [(t + (f" (×{counts[t]})" if counts[t] > 1 else ""), flags[t], values[t]) for t in texts]


def _compare_cell(cell: CompareCell, stage: str) -> Cell:
    values = _compare_values(cell, stage)
    if not values:
        return "—"
    lines: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    for text, disagrees, _ in values:
        line = f"{text} ≠" if disagrees else text
        if disagrees:
            spans.append((pos, pos + len(line), "red"))
        lines.append(line)
        pos += len(line) + 1
    return Styled("\n".join(lines), style="bold" if spans else None, spans=tuple(spans))


def _compare_check(r: Row) -> Cell:
    if r.disagree:
        return Styled("disagree", style="bold red")
    return "overlap" if r.source_count > 1 else ""


def _compare_chart(ds: Dataset, r: Row, one_condition: bool) -> Any:
    """A row as a range chart: each value of each source in the row's unit."""
    import math

    from stemcli.quantities import interval, to_base
    from stemcli.render.chart import Mark, RangeChart

    factor = to_base(1.0, r.unit)
    marks: list[Mark] = []
    for cell in r.cells:
        for i, (text, disagrees, q) in enumerate(_compare_values(cell, r.stage)):
            ceiling = interval(q)[1] / factor
            marks.append(
                Mark(
                    name="" if i else publisher(ds, cell.source),
                    text=text,
                    low=to_base(q.low, q.unit) / factor,
                    high=to_base(q.high, q.unit) / factor,
                    open_low=q.qualifier in ("at-most", "up-to"),
                    open_high=q.qualifier == "at-least",
                    ceiling=ceiling if math.isfinite(ceiling) else None,
                    highlight=disagrees,
                )
            )
    stage = "any stage" if r.stage == "any" else f"stage {r.stage}"
    parts = [stage, r.outcome, _compare_measure(r)]
    if not one_condition:
        parts.insert(0, r.condition)
    return RangeChart(
        title=" · ".join(parts),
        unit=r.unit,
        marks=tuple(marks),
        flag="≠ sources disagree" if r.disagree else None,
    )


def conflicts_report(
    ds: Dataset,
    result: Any,
    *,
    full: bool = False,
    with_condition: bool = True,
    kind: str | None = None,
    title: str | None = None,
) -> Report:
    """conflicts: a ConflictList (most severe first), ConflictCounts, or an Explanation."""
    from stemcli.ops.conflicts import (
        CROSS,
        DIRECT,
        ConflictCounts,
        ConflictList,
        Explanation,
    )
    from stemcli.quantities import dimension
    from stemcli.reports.conflict_text import (
        check_detail,
        explanation_data,
        format_gap,
        format_interval,
        verdict,
    )

    def value_text(c: Claim) -> str:
        tp = c.timepoint
        return format_quantity(c.value) + (f" at {format_quantity(tp)}" if tp else "")

    def claim_text(c: Claim) -> str:
        return f"{c.id} · {publisher(ds, c.source)} · {c.outcome}, {c.measure}: {value_text(c)}"

    if isinstance(result, ConflictCounts):
        counts = result.to_json(kind)
        return Report(
            columns=(Column("Kind"), Column("Conflicts", justify="right")),
            rows=tuple((k, str(v)) for k, v in counts.items()),
            data=counts,
            title=title,
        )

    if isinstance(result, Explanation):
        e = result
        yes_no = {True: Styled("yes", style="green"), False: Styled("no", style="bold red")}
        rows: list[tuple[Cell, ...]] = [
            ("claim A", "", claim_text(e.a)),
            ("claim B", "", claim_text(e.b)),
        ]
        rows += [(c.name, yes_no[c.ok], check_detail(c)) for c in e.checks]
        da, db = dimension(e.a.value.unit), dimension(e.b.value.unit)
        values = f"{format_interval(e.a_interval, da)} vs {format_interval(e.b_interval, db)}"
        overlap: Cell = "—"
        if e.overlap is not None:
            overlap = "overlap" if e.overlap else Styled("no overlap", style="bold")
        rows.append(("values", overlap, values))
        if full:
            rows += [("quote A", "", e.a.quote), ("quote B", "", e.b.quote)]
        return Report(
            columns=(
                Column("Check", style="bold", no_wrap=True),
                Column("Comparable", no_wrap=True),
                Column("Detail"),
            ),
            rows=tuple(rows),
            data=explanation_data(e),
            title=title or f"{e.a.id} vs {e.b.id}",
            summary=verdict(e),
        )

    if not isinstance(result, ConflictList):
        raise TypeError(f"conflicts_report cannot show {type(result).__name__}")
    cols: list[Column] = []
    if with_condition:
        cols.append(Column("Condition", max_width=16))
    cols += [
        Column("Source A", max_width=18),
        Column("Value A", max_width=22, style="bold", no_wrap=True),
        Column("Source B", max_width=18),
        Column("Value B", max_width=22, style="bold", no_wrap=True),
        Column("Gap", max_width=18),
        Column("Kind"),
        Column("Internal"),
        Column("Why", min_width=24, max_width=None if full else 70),
    ]
    if full:
        cols += [Column("Quote A", min_width=20), Column("Quote B", min_width=20)]
    table_rows: list[tuple[Cell, ...]] = []
    csv_rows: list[tuple[str, ...]] = []
    for x in result.conflicts:
        row: list[Cell] = [x.a.condition] if with_condition else []
        row += [
            publisher(ds, x.a.source),
            value_text(x.a),
            publisher(ds, x.b.source),
            value_text(x.b),
            f"{format_gap(x.gap, x.unit)} ({x.relative_gap:.0%})",
            Styled(x.kind, style="bold red" if x.kind == DIRECT else "yellow"),
            "yes" if x.internal else "no",
            x.why,
        ]
        if full:
            row += [x.a.quote, x.b.quote]
        table_rows.append(tuple(row))
        csv_row = [
            x.kind,
            "yes" if x.internal else "no",
            _num(round(x.gap, 6)),
            _num(round(x.relative_gap, 6)),
            x.unit,
        ]
        for c in (x.a, x.b):
            csv_row += [
                c.id,
                c.source,
                publisher(ds, c.source),
                c.condition,
                ";".join(c.stages),
                c.outcome,
                c.measure,
                c.value.text,
                c.timepoint.text if c.timepoint else "",
                c.quote,
            ]
        csv_rows.append((*csv_row, x.why))
    per_claim = (
        "id",
        "source",
        "publisher",
        "condition",
        "stages",
        "outcome",
        "measure",
        "value",
        "timepoint",
        "quote",
    )
    total = result.total
    what = f"{result.selection.kind} conflict" if result.selection.kind else "conflicting pair"
    summary = f"{len(result.conflicts)} of {total} {what}{'s' if total != 1 else ''}"
    if result.selection.kind is None:
        summary += f" ({result.counts.direct} {DIRECT}, {result.counts.cross_measure} {CROSS})"
    summary += ", most severe first" if result.conflicts else ""
    return Report(
        columns=tuple(cols),
        rows=tuple(table_rows),
        data=[x.to_json() for x in result.conflicts],
        csv_header=(
            "kind",
            "internal",
            "gap",
            "relative_gap",
            "unit",
            *(f"a_{f}" for f in per_claim),
            *(f"b_{f}" for f in per_claim),
            "why",
        ),
        csv_rows=tuple(csv_rows),
        title=title,
        summary=summary,
    )


# ---------------------------------------------------------------------------
# extract: draft claims; redflags: warning signs

# the YAML primitives live with the neutraliser; yaml_quoted is part of this module's API
from stemcli.text.neutralise import yaml_quoted, yaml_word  # noqa: E402


def draft_json(d: Any, source: str) -> dict[str, Any]:
    """A draft in the JSON claim contract, plus where it was found and what was guessed."""
    out: dict[str, Any] = d.to_claim(source).to_json()
    out["guessed"] = list(d.guessed)
    out["line"] = d.line
    out["column"] = d.column
    return out


class DraftsWriter:
    """The one writer of draft YAML: each line it emits is exactly one YAML line.

    Comments and values alike go through :func:`stemcli.text.neutralise.yaml_line`, so no text
    (a file name, a quote) can end a comment or a scalar with a character YAML reads as
    a line break (``\\r``, U+0085, U+2028, U+2029) and become YAML of its own.
    """

    def __init__(self) -> None:
        self._lines: list[str] = []

    def comment(self, text: str = "") -> None:
        self._lines.append(f"# {text}".rstrip())

    def blank(self) -> None:
        self._lines.append("")

    def item(self, key: str, scalar: str) -> None:
        """Start a list item whose first field is ``key``; ``scalar`` is YAML already."""
        self._lines.append(f"- {key}: {scalar}")

    def field(self, key: str, scalar: str, *, guessed: bool = False) -> None:
        """A field of the current item; ``scalar`` comes from yaml_quoted or yaml_word."""
        self._lines.append(f"  {key}: {scalar}" + ("  # guess" if guessed else ""))

    def text(self) -> str:
        from stemcli.text.neutralise import yaml_line

        return "".join(yaml_line(line) + "\n" for line in self._lines)


def drafts_yaml(extraction: Any) -> str:
    """Drafts as a claims file (data/claims/<source>.yaml); guesses say '# guess'."""
    sid = extraction.source_id
    n = len(extraction.drafts)
    out = DraftsWriter()
    for line in (
        f"Draft claims from {extraction.path or 'the text'} (stemcli extract),",
        f"for claims/{sid}.yaml of a dataset folder. Values and quotes come from the text;",
        'every field marked "# guess" was guessed: confirm or correct it, then delete the mark.',
        f"Add the source to sources.yaml first (the file name must be {sid}.yaml):",
        f"  - id: {sid}",
        "    title: ...",
        "    publisher: ...",
        "    kind: clinic            # clinic, broker or information",
        "    sells_treatment: true",
        f"{plural(n, 'draft')} from {plural(extraction.segments, 'sentence')} and table rows.",
    ):
        out.comment(line)
    for d in extraction.drafts:
        guess = set(d.guessed)
        out.blank()
        out.comment(f"line {d.line}, column {d.column}")
        out.item("id", yaml_word(d.id))
        out.field("condition", yaml_word(d.condition), guessed="condition" in guess)
        stages = "[" + ", ".join(yaml_word(s) for s in d.stages) + "]"
        out.field("stages", stages, guessed="stages" in guess)
        out.field("outcome", yaml_word(d.outcome), guessed="outcome" in guess)
        out.field("measure", yaml_word(d.measure), guessed="measure" in guess)
        out.field("value", yaml_quoted(d.value.text), guessed="value" in guess)
        if d.timepoint is not None:
            out.field("timepoint", yaml_quoted(d.timepoint.text), guessed="timepoint" in guess)
        if d.comparator:
            out.field("comparator", yaml_quoted(d.comparator), guessed="comparator" in guess)
        out.field("basis", yaml_word(d.basis), guessed="basis" in guess)
        if d.n is not None:
            out.field("n", str(d.n), guessed="n" in guess)
        out.field("quote", yaml_quoted(" ".join(d.quote.split())))
    if not extraction.drafts:
        out.blank()
        out.comment("no quantitative statements found")
    return out.text()


def drafts_report(extraction: Any, *, full: bool = False) -> Report:
    """Drafts as a table ('?' marks a guess), CSV, Markdown or JSON (the claim contract)."""
    sid = extraction.source_id

    def cell(text: str, guessed: bool) -> Cell:
        if not text:
            return ""
        return Styled(text + "?", style="italic") if guessed else text

    rows: list[tuple[Cell, ...]] = []
    csv_rows: list[tuple[str, ...]] = []
    for d in extraction.drafts:
        g = set(d.guessed)
        tp = d.timepoint
        rows.append(
            (
                d.id,
                str(d.line),
                Styled(d.value.text, style="bold"),
                cell(tp.text if tp else "", "timepoint" in g),
                cell(d.condition, "condition" in g),
                cell(", ".join(d.stages) or "—", "stages" in g),
                cell(d.outcome, "outcome" in g),
                cell(d.measure, "measure" in g),
                cell(basis_text(d.to_claim(sid)), "basis" in g or "n" in g),
                shorten(d.quote, QUOTE_WIDTH, full),
            )
        )
        csv_rows.append(
            (
                d.id,
                str(d.line),
                str(d.column),
                d.value.text,
                _num(d.value.low),
                _num(d.value.high),
                d.value.unit or "",
                d.value.qualifier,
                tp.text if tp else "",
                d.condition,
                ";".join(d.stages),
                d.outcome,
                d.measure,
                d.comparator or "",
                d.basis,
                str(d.n) if d.n is not None else "",
                ";".join(d.guessed),
                d.quote,
            )
        )
    n = len(extraction.drafts)
    return Report(
        columns=(
            Column("Id", no_wrap=True),
            Column("Line", justify="right"),
            Column("Value", min_width=8, max_width=22),
            Column("Timepoint", max_width=14),
            Column("Condition", max_width=16),
            Column("Stage", max_width=14),
            Column("Outcome", max_width=26),
            Column("Measure", max_width=15),
            Column("Basis", max_width=22),
            Column("Quote", min_width=20, max_width=None if full else 60),
        ),
        rows=tuple(rows),
        data=[draft_json(d, sid) for d in extraction.drafts],
        csv_header=(
            "id",
            "line",
            "column",
            "value",
            "low",
            "high",
            "unit",
            "qualifier",
            "timepoint",
            "condition",
            "stages",
            "outcome",
            "measure",
            "comparator",
            "basis",
            "n",
            "guessed",
            "quote",
        ),
        csv_rows=tuple(csv_rows),
        title=f"Draft claims from {extraction.path}" if extraction.path else "Draft claims",
        summary=f"{plural(n, 'draft')} from {plural(extraction.segments, 'sentence')} and "
        "table rows; '?' marks a guess to confirm",
    )


_FLAG_CONTEXT = 70  # characters of context each side of a match in the table


def _flag_context(f: Any) -> Styled:
    """The sentence around a finding, the match highlighted."""
    ctx, s, e = f.context, f.start - f.context_start, f.end - f.context_start
    a = max(0, s - _FLAG_CONTEXT)
    b = min(len(ctx), e + _FLAG_CONTEXT)
    if a > 0:
        space = ctx.find(" ", a, s)
        a = space + 1 if space >= 0 else a
    if b < len(ctx):
        space = ctx.rfind(" ", e, b)
        b = space if space >= 0 else b
    head = "…" if a > 0 else ""
    tail = "…" if b < len(ctx) else ""
    text = head + ctx[a:b] + tail
    start = len(head) + (s - a)
    return Styled(text, spans=((start, start + (e - s), "bold red"),))


def completeness_text(c: Any) -> str:
    shares = c.shares()
    parts = ", ".join(f"{k} {v:.0%}" for k, v in shares.items())
    return f"context completeness of {c.claims} claims: {parts}; mean {c.mean:.0%}"


def redflags_report(result: Any) -> Report:
    """Findings: table (match highlighted), CSV, Markdown; JSON per the findings contract.

    Table and Markdown name each finding's rule and explain the rules that fired once,
    below the table; JSON and CSV carry why and citation in every finding.
    """
    by_claim = result.source is not None
    rows: list[tuple[Cell, ...]] = []
    csv_rows: list[tuple[str, ...]] = []
    fired: dict[str, Any] = {}
    for f in result.findings:
        fired.setdefault(f.rule, f)
        where = (
            f.claim + (f" (+{len(f.claims) - 1})" if len(f.claims) > 1 else "")
            if by_claim and f.claim
            else f"{f.line}:{f.column}"
        )
        rows.append((where, f.name, _flag_context(f)))
        csv_rows.append(
            (
                *((";".join(f.claims),) if by_claim else ()),
                f.rule,
                f.name,
                f.match,
                str(f.start),
                str(f.end),
                str(f.line),
                str(f.column),
                f.why,
                f.citation,
            )
        )
    n = len(result.findings)
    where_text = f"the quotes of {result.source}" if by_claim else (result.path or "the text")
    summary = (
        f"{n} red flag{'s' if n != 1 else ''} ({len(fired)} of {result.rules} rules) "
        f"in {where_text}"
    )
    data: Any = [f.to_json() for f in result.findings]
    if result.completeness is not None:
        summary += "\n" + completeness_text(result.completeness)
        data = {
            "source": result.source,
            "findings": data,
            "completeness": result.completeness.to_json(),
        }
    for f in fired.values():
        summary += f"\n\n{f.name} ({f.rule}): {f.why}\nGuidance: {f.citation}"
    return Report(
        columns=(
            Column("Claim" if by_claim else "Line:col", no_wrap=True),
            Column("Red flag", max_width=28),
            Column("Text", min_width=30, max_width=90),
        ),
        rows=tuple(rows),
        data=data,
        csv_header=(
            *(("claims",) if by_claim else ()),
            "rule",
            "name",
            "match",
            "start",
            "end",
            "line",
            "column",
            "why",
            "citation",
        ),
        csv_rows=tuple(csv_rows),
        title=f"Red flags in {where_text}",
        summary=summary,
    )
