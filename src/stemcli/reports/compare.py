"""Reports of compare: the sources side by side, as a table or range charts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stemcli.model import Dataset
from stemcli.numbers import plural
from stemcli.render import Cell, Column, Json, Report, Styled
from stemcli.reports.claims import (
    ANY_STAGE_TEXT,
    UNREVIEWED_LEGEND,
    UNREVIEWED_MARK,
    publisher,
    shown,
)
from stemcli.reports.fields import HANDLES_LEGEND, claim_json, ids_cell

if TYPE_CHECKING:
    from rich.console import RenderableType

    from stemcli.model import Claim, Quantity
    from stemcli.ops.compare import Cell as CompareCell
    from stemcli.ops.compare import Comparison, Row
    from stemcli.render.chart import RangeChart
    from stemcli.render.figure import Figure


def compare_report(
    ds: Dataset,
    comparison: Comparison,
    *,
    chart: bool = False,
    only: str | None = None,
    cell_values: int | None = None,
) -> Report:
    """One row per comparable (condition, stage, outcome, measure), one column per source.

    ``chart``: the table format shows a range chart per row instead of the table.
    ``only``: the one format the report is for ("table", "json" ...): what no other
    format shows is not built (None: every format's).
    ``cell_values``: a table cell or chart row of more distinct values shows the lowest
    and highest half of that many and a line for the rest (CSV and JSON always hold every
    value).
    """
    from stemcli.ops.compare import ANY_STAGE
    from stemcli.text.neutralise import clean_line

    as_table = not chart and only in (None, "table", "markdown")  # a chart draws no table
    as_csv = only in (None, "csv")
    as_data = only in (None, "json", "yaml")
    columns = comparison.sources
    one_condition = comparison.condition is not None
    # the charts draw the marketing values alone
    with_evidence = not chart and any(r.evidence for r in comparison.rows)
    texts = _Texts()
    rows: list[tuple[Cell, ...]] = []
    csv_rows: list[tuple[str, ...]] = []
    for r in comparison.rows if as_table or as_csv else ():
        grouped = [texts.grouped(cell, r.stage) for cell in r.cells]
        if as_table:
            key: list[Cell] = [] if one_condition else [r.condition]
            key += [
                ANY_STAGE_TEXT if r.stage == ANY_STAGE else r.stage,
                f"{r.outcome}\n{_compare_measure(r)}",
            ]
            table_values = [_bounded(values, cell_values) for values in grouped]
            cells = [_compare_cell(values) for values in table_values]
            # one line per value, in the order of the columns: the claims that state it
            claims = ids_cell(
                ds, [("", stating) for values in table_values for *_, stating in values]
            )
            shown_evidence: tuple[Cell, ...] = (evidence_cell(ds, r),) if with_evidence else ()
            rows.append((*key, *cells, *shown_evidence, _compare_check(r), claims))
        if as_csv:
            csv_rows.append(
                (
                    r.condition,
                    r.stage,
                    r.outcome,
                    r.measure,
                    r.unit or "",
                    r.intervention or "",
                    r.comparator or "",
                    r.group or "",
                    *("; ".join(v[0] for v in values) for values in grouped),
                    "yes" if r.disagree else "no",
                    "; ".join(evidence_line(ds, c) for c in r.evidence),
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
    if with_evidence:
        cols.append(Column("Evidence and surveys", min_width=14, max_width=30))
    cols.append(Column("Check", no_wrap=True))
    cols.append(Column("Claims", no_wrap=True))
    data: Json = {}
    if as_data:
        data = _compare_json(ds, comparison)
    n, k, d = len(comparison.rows), len(columns), comparison.disagreeing
    summary = f"{plural(n, 'row')}, {plural(k, 'source')}, {plural(d, 'row')} where values disagree"
    tense = any(e.verdict == "tension" for r in comparison.rows for c in r.cells for e in c.entries)
    marks = ["≠: contradicts another value here"] if d else []
    marks += ["~: a tension (a case report far from it)"] if tense else []
    if marks:
        summary += f" ({'; '.join(marks)}, as conflicts finds)"
    if with_evidence:
        n_ref = len({c.id for r in comparison.rows for c in r.evidence})
        summary += (
            f"\nEvidence and surveys: {plural(n_ref, 'reference figure')} beside the rows "
            "(what trials found, what clinics market), never marked ≠ or ~ against them; "
            "stemcli context CLAIM says why each does or does not compare"
        )
    if any(e.claim.review for r in comparison.rows for c in r.cells for e in c.entries):
        summary += f"\n{UNREVIEWED_LEGEND}"
    cond = comparison.condition
    title = f"{cond.name} ({cond.id})" if cond else "All conditions"
    if comparison.stage:
        title += f", stage {comparison.stage}"
    extra: tuple[RenderableType, ...] = ()
    if chart:
        from stemcli.render.chart import ChartGroup

        charts = [_compare_chart(ds, r, one_condition, cell_values, texts) for r in comparison.rows]
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
            "group",
            *columns,
            "disagree",
            "evidence",
        ),
        csv_rows=tuple(csv_rows),
        title=title,
        summary=summary,
        legend=HANDLES_LEGEND,
        group_by=0,  # a new section per condition, or per stage for one condition
        extra=extra,
    )


def _compare_json(ds: Dataset, comparison: Comparison) -> Json:
    """The comparison's JSON: its rows, each value of each cell in full, and the sources."""
    columns = comparison.sources
    return {
        "rows": [
            {
                "condition": r.condition,
                "stage": r.stage,
                "outcome": r.outcome,
                "measure": r.measure,
                "unit": r.unit,
                "intervention": r.intervention,
                "comparator": r.comparator,
                "group": r.group,
                "cells": {
                    cell.source: [
                        {**claim_json(e.claim, ds), "unreviewed": bool(e.claim.review)}
                        for e in cell.entries
                    ]
                    for cell in r.cells
                },
                "disagree": r.disagree,
                "disagreeing": [
                    e.claim.id for cell in r.cells for e in cell.entries if e.disagrees
                ],
                "tension": [
                    e.claim.id for cell in r.cells for e in cell.entries if e.verdict == "tension"
                ],
                # reference claims beside the row (evidence, surveys), never among its cells
                "evidence": [claim_json(c, ds) for c in r.evidence],
            }
            for r in comparison.rows
        ],
        "sources": [ds.sources[s].to_json() for s in columns if s in ds.sources],
    }


def evidence_line(ds: Dataset, c: Claim) -> str:
    """A reference claim in a row's evidence cell: its figure, and what it is: "82 %
    (survey: what centres market)", "−7.22 points (evidence: vs control, WOMAC; certainty
    not stated)"."""
    from stemcli.model import certainty_words
    from stemcli.ops.comparable import value_text

    src = ds.sources.get(c.source)
    text = value_text(c.value)
    if c.group:
        text += f" [{c.group}]"
    if src is not None and src.kind == "survey":
        return f"{text} (survey: what centres market)"
    how = [f"vs {c.comparator}" if c.comparator else "comparator not stated"]
    if c.scale:
        how.append(c.scale)
    if c.measure == "study-share":
        how.append("share of trials")
    certainty = certainty_words(src.certainty if src is not None else None)
    return f"{text} (evidence: {', '.join(how)}; certainty {certainty})"


def evidence_cell(ds: Dataset, r: Row) -> Cell:
    """The row's reference claims, a line each ("—" when there are none)."""
    if not r.evidence:
        return "—"
    return "\n".join(evidence_line(ds, c) for c in r.evidence)


def _compare_measure(r: Row) -> str:
    text = r.measure
    if r.intervention:
        text += f"\n({r.intervention})"
    if r.comparator:
        text += f"\nvs {r.comparator}"
    if r.group:
        text += f"\n[{r.group}]"
    return text


# a cell's distinct values: (text, verdict, the value, the claims that state it)
_Values = list[tuple[str, str | None, "Quantity", list["Claim"]]]


class _Texts:
    """A value's text, made once per distinct value, timepoint and mark: a million claims
    repeat a few thousand values (see :func:`_grouped`)."""

    __slots__ = ("_made",)

    def __init__(self) -> None:
        # keyed by the objects' identities: values that are equal may still print
        # differently (1 and 1.0), and the claims keep them alive while a report is made
        self._made: dict[tuple[int, int, bool, bool], str] = {}

    def text(self, c: Claim, stage: str) -> str:
        from stemcli.ops.compare import ANY_STAGE

        key = (id(c.value), id(c.timepoint), not c.stages and stage != ANY_STAGE, bool(c.review))
        text = self._made.get(key)
        if text is None:
            text = shown(c.value)
            if c.timepoint is not None:
                text += f" at {shown(c.timepoint)}"
            if key[2]:
                text += " (any stage)"
            if key[3]:
                text += UNREVIEWED_MARK
            self._made[key] = text
        return text

    def grouped(self, cell: CompareCell, stage: str) -> _Values:
        return _grouped(cell, stage, self)


def _grouped(cell: CompareCell, stage: str, texts: _Texts | None = None) -> _Values:
    """A cell's distinct values as text ("60–70 % at 12 months (×2)"), their verdict
    (contradiction, tension or None: conflicts' own), the value itself, and the claims
    that state it (repeats of one value and timepoint are counted). In a stage's row, a
    claim that is not stage-specific says so ("(any stage)")."""
    texts = texts or _Texts()
    order: list[str] = []
    stating: dict[str, list[Claim]] = {}
    flags: dict[str, str | None] = {}
    values: dict[str, Quantity] = {}
    for e in cell.entries:
        c = e.claim
        text = texts.text(c, stage)
        claims = stating.get(text)
        if claims is None:
            order.append(text)
            values[text] = c.value
            claims = stating[text] = []
            flags[text] = None
        claims.append(c)
        if flags[text] != "contradiction":
            flags[text] = e.verdict or flags[text]
    return [
        (
            t + (f" (×{len(stating[t])})" if len(stating[t]) > 1 else ""),
            flags[t],
            values[t],
            stating[t],
        )
        for t in order
    ]


def _cut(values: _Values, most: int | None) -> tuple[_Values, _Values, _Values] | None:
    """The lowest and highest ``most // 2`` of ``values`` (in value order) and the values
    between them, when those are more than one; None when the values are shown whole (one
    value in place of a line saying so is no longer)."""
    if most is None:
        return None
    half = max(1, most // 2)
    if len(values) <= 2 * half + 1:
        return None
    return values[:half], values[half:-half], values[-half:]


def _elision(hidden: _Values) -> str:
    """The line for values left out: how many, and how many of them contradict (≠) or are
    in tension (~)."""
    marks = [
        f"{n} {mark}"
        for mark, verdict in (("≠", "contradiction"), ("~", "tension"))
        if (n := sum(1 for v in hidden if v[1] == verdict))
    ]
    return f"… {len(hidden)} more values" + (f" ({', '.join(marks)})" if marks else "")


def _bounded(values: _Values, most: int | None) -> _Values:
    """``values``, or (see :func:`_cut`) their lowest and highest halves of ``most`` and
    between them one line for the rest, which no claim states."""
    cut = _cut(values, most)
    if cut is None:
        return values
    head, hidden, tail = cut
    return [*head, (_elision(hidden), None, hidden[0][2], []), *tail]


def _compare_cell(values: _Values) -> Cell:
    if not values:
        return "—"  # nothing stated (a narrow layout leaves it out)
    lines: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    for text, verdict, *_ in values:
        mark = {"contradiction": " ≠", "tension": " ~"}.get(verdict or "", "")
        line = text + mark
        if mark:
            spans.append((pos, pos + len(line), "red" if mark == " ≠" else "yellow"))
        lines.append(line)
        pos += len(line) + 1
    return Styled("\n".join(lines), style="bold" if spans else None, spans=tuple(spans))


def _compare_check(r: Row) -> Cell:
    if r.disagree:
        return Styled("disagree", style="bold red")
    return "overlap" if r.source_count > 1 else ""


def _compare_chart(
    ds: Dataset,
    r: Row,
    one_condition: bool,
    cell_values: int | None = None,
    texts: _Texts | None = None,
) -> RangeChart:
    """A row as a range chart: each value of each source in the row's unit.

    ``cell_values``: as in the table (:func:`_cut`), a source of more distinct values
    shows its lowest and highest half of that many, and between them one dim span, from
    the lowest to the highest of the rest, that says how many they are."""
    import math
    from dataclasses import replace

    from stemcli.quantities import interval, to_base
    from stemcli.render.chart import Mark, RangeChart

    texts = texts or _Texts()
    factor = to_base(1.0, r.unit)

    def span(q: Quantity) -> tuple[float, float]:
        return to_base(q.low, q.unit) / factor, to_base(q.high, q.unit) / factor

    def value_mark(name: str, text: str, verdict: str | None, q: Quantity) -> Mark:
        ceiling = interval(q)[1] / factor
        low, high = span(q)
        return Mark(
            name=name,
            text=text,
            low=low,
            high=high,
            open_low=q.qualifier in ("at-most", "up-to"),
            open_high=q.qualifier == "at-least",
            ceiling=ceiling if math.isfinite(ceiling) else None,
            highlight=verdict == "contradiction",
            tension=verdict == "tension",
        )

    marks: list[Mark] = []
    for cell in r.cells:
        values = texts.grouped(cell, r.stage)
        cut = _cut(values, cell_values)
        head, hidden, tail = cut if cut is not None else (values, [], [])
        first = len(marks)
        marks += [value_mark("", text, verdict, q) for text, verdict, q, _ in head]
        if hidden:
            # the values left out: a dim span from the lowest to the highest of them
            ends = [span(v[2]) for v in hidden]
            low, high = min(lo for lo, _ in ends), max(hi for _, hi in ends)
            marks.append(Mark("", _elision(hidden), low, high, elided=True))
        marks += [value_mark("", text, verdict, q) for text, verdict, q, _ in tail]
        if len(marks) > first:  # the source is named on its first line
            marks[first] = replace(marks[first], name=publisher(ds, cell.source))
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


def figure_title(ds: Dataset, comparison: Comparison) -> str:
    """The filters in words: "Knee osteoarthritis, middle stage: improvement"."""
    cond = comparison.condition
    title = cond.name if cond else "All conditions"
    if comparison.stage:
        title += f", {comparison.stage} stage"
    outcome = comparison.outcome
    if outcome is None:
        return title + ": all outcomes"
    known = ds.outcomes.get(outcome)
    name = known.name if known else outcome
    if name[:1].isupper() and name[1:2].islower():
        name = name[0].lower() + name[1:]  # "Return to sport" reads "return to sport" here
    return f"{title}: {name}"


def compare_figure(ds: Dataset, comparison: Comparison, *, date: str | None = None) -> Figure:
    """The comparison as a figure for articles (``--svg``, ``--html``): a range chart per
    row, titled with the filters, captioned with every source it shows and ``date``."""
    from dataclasses import replace

    from stemcli.render.figure import Attribution, Figure

    one_condition = comparison.condition is not None
    charts = tuple(
        replace(_compare_chart(ds, r, one_condition), title=_figure_heading(ds, r, one_condition))
        for r in comparison.rows
    )
    shown_sources = {cell.source for r in comparison.rows for cell in r.cells if cell.entries}
    sources = tuple(
        Attribution(publisher(ds, s), ds.sources[s].title if s in ds.sources else "")
        for s in comparison.sources
        if s in shown_sources
    )
    n = sum(len(c.marks) for c in charts)
    subtitle = (
        f"{plural(n, 'value')} from {plural(len(sources), 'source')}, "
        f"{plural(len(charts), 'chart')} (one per stage, outcome and measure)"
    )
    return Figure(figure_title(ds, comparison), charts, sources, date=date, subtitle=subtitle)


def _figure_heading(ds: Dataset, r: Row, one_condition: bool) -> str:
    """A chart's heading in a figure: "Middle stage · Pain · effect"."""
    from stemcli.text.neutralise import clean_line

    stage = "Any stage" if r.stage == "any" else f"{r.stage.capitalize()} stage"
    outcome = ds.outcomes[r.outcome].name if r.outcome in ds.outcomes else r.outcome
    parts = [stage, outcome, clean_line(_compare_measure(r))]
    if not one_condition:
        cond = ds.conditions.get(r.condition)
        parts.insert(0, cond.name if cond else r.condition)
    return " · ".join(parts)
