"""Reports that browse the dataset: lookup, show, search, sources, conditions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from stemcli.model import Claim, Dataset, Quantity
from stemcli.numbers import format_quantity, plain, plural
from stemcli.render import Cell, Column, Json, Report, lazy
from stemcli.reports.fields import (
    CLAIM_CSV_HEADER,
    HANDLE_LEGEND,
    claim_csv_row,
    claim_json,
    id_cell,
    id_column,
    json_number,
    table_of,
)

if TYPE_CHECKING:
    from stemcli.ops.search import Hit

QUOTE_WIDTH = 90
# a value built on a claim whose review still lists fields to check
UNREVIEWED_MARK = "?"
UNREVIEWED_LEGEND = "?: built on an unreviewed claim (its review lists fields to check)"


def publisher(ds: Dataset, source_id: str) -> str:
    s = ds.sources.get(source_id)
    return s.publisher if s else source_id


def basis_text(c: Claim) -> str:
    return f"{c.basis} (n={c.n:,})" if c.n is not None else c.basis


def shorten(text: str, width: int, full: bool, around: str | None = None) -> str:
    """``text`` in at most about ``width`` characters, cut at spaces, with an ellipsis on
    each cut side; kept around the first place ``around`` (the value as stated, or its
    first number) occurs, so that the number and the words about it stay."""
    if full or len(text) <= width:
        return text
    from stemcli.text import window

    start, end = _position(text, around)
    room = max(0, width - 2 - (end - start))
    before = start if start <= room // 2 else room // 3
    a, b = window(text, start, end, before, room - before)
    if a == 0 and b < len(text):  # nothing cut ahead: give the room to what follows
        a, b = window(text, start, end, start, room - start)
    elif b == len(text) and a > 0:
        a, b = window(text, start, end, room - (len(text) - end), len(text) - end)
    return ("…" if a > 0 else "") + text[a:b] + ("…" if b < len(text) else "")


def _position(text: str, around: str | None) -> tuple[int, int]:
    """Where ``around`` is in ``text`` (else its first number; else the start)."""
    import re

    if around:
        at = text.find(around)
        if at >= 0:
            return at, at + len(around)
        number = re.search(r"\d+(?:[.,]\d+)*", around)
        if number is not None:
            m = re.search(rf"(?<![\d.]){re.escape(number.group())}(?!\d)", text)
            if m is not None:
                return m.start(), m.end()
    return 0, 0


def outcome_text(c: Claim) -> str:
    """The outcome, with what the claim is about when it is not plain stem cell treatment
    ("cost (knee replacement)") and what it is relative to ("cost vs knee surgery")."""
    text = c.outcome
    if c.intervention:
        text += f" ({c.intervention})"
    if c.comparator:
        text += f" vs {c.comparator}"
    return text


ANY_STAGE_TEXT = "any stage"  # a claim that is not stage-specific, in every listing


def stage_text(c: Claim) -> str:
    """The claim's stages, or the words every listing uses when it is not stage-specific."""
    return ", ".join(c.stages) or ANY_STAGE_TEXT


def shown(q: Quantity) -> str:
    """A quantity's display form, exact about its ends: "> 2 years", "≥ 25 %"."""
    from stemcli.quantities import excludes_bound

    return format_quantity(q, strict=excludes_bound(q))


def value_text(c: Claim) -> str:
    """The value, and its timepoint: "60–70 % at 12 months"."""
    tp = c.timepoint
    return shown(c.value) + (f" at {shown(tp)}" if tp else "")


ClaimCell = Callable[[Claim], Cell]


def _of_hit(cell: ClaimCell) -> Callable[[Hit], Cell]:
    return lambda h: cell(h.claim)


def _claim_columns(
    ds: Dataset, *, full: bool, stage: str | None, with_condition: bool
) -> list[tuple[Column, ClaimCell]]:
    """The table's view of a claim: one (column, cell) pair per column."""
    columns: list[tuple[Column, ClaimCell]] = [
        (id_column(), lambda c: id_cell(ds, c)),
        (Column("Source", max_width=18), lambda c: publisher(ds, c.source)),
    ]
    if with_condition:
        columns.append((Column("Condition", max_width=16), lambda c: c.condition))
    columns += [
        (Column("Stage", min_width=len(ANY_STAGE_TEXT), max_width=14), stage_text),
        (Column("Outcome", max_width=26), lambda c: outcome_text(c)),
        (Column("Measure", max_width=14), lambda c: c.measure),
        (
            Column("Value", min_width=8, max_width=22, style="bold"),
            lambda c: shown(c.value),
        ),
        (
            Column("Timepoint", max_width=14),
            lambda c: c.timepoint.text if c.timepoint else "",
        ),
        (Column("Basis", max_width=22), lambda c: basis_text(c)),
        (
            Column("Quote", min_width=20, max_width=None if full else 60),
            # a reference claim (evidence, survey) has the curator's statement instead
            lambda c: shorten(c.quote or c.statement or "", QUOTE_WIDTH, full, around=c.value.text),
        ),
    ]
    return columns


def claims_report(
    ds: Dataset,
    claims: Sequence[Claim],
    *,
    full: bool = False,
    stage: str | None = None,
    title: str | None = None,
    with_condition: bool = False,
) -> Report:
    """A table of claims grouped by outcome; CSV/JSON carry every field."""
    view = _claim_columns(ds, full=full, stage=stage, with_condition=with_condition)
    columns, rows = table_of(view, claims)
    n_sources = len({c.source for c in claims})
    return Report(
        columns=columns,
        rows=rows,
        data=lazy(claims, lambda c: claim_json(c, ds)),
        csv_header=CLAIM_CSV_HEADER,
        csv_rows=lazy(claims, lambda c: claim_csv_row(ds, c)),
        title=title,
        summary=f"{plural(len(claims), 'claim')} from {plural(n_sources, 'source')}",
        legend=HANDLE_LEGEND,
        group_by=4 if with_condition else 3,  # the outcome
    )


def search_report(ds: Dataset, hits: Sequence[Hit], *, full: bool = False) -> Report:
    """Claims best match first, with their score."""
    view = _claim_columns(ds, full=full, stage=None, with_condition=True)
    columns, rows = table_of(
        [
            (Column("Score", justify="right"), lambda h: f"{h.score:.0f}"),
            *((column, _of_hit(cell)) for column, cell in view),
        ],
        hits,
    )
    return Report(
        columns=columns,
        rows=rows,
        data=lazy(hits, lambda h: {"score": h.score, "claim": claim_json(h.claim, ds)}),
        csv_header=("score", *CLAIM_CSV_HEADER),
        csv_rows=lazy(hits, lambda h: (f"{h.score:g}", *claim_csv_row(ds, h.claim))),
        summary=f"{plural(len(hits), 'match', 'matches')}, best first",
        legend=HANDLE_LEGEND,
    )


def show_report(ds: Dataset, c: Claim) -> Report:
    """One claim, every field, and its source's metadata (as Field/Value rows)."""
    from stemcli.ops.handles import handle

    src = ds.sources.get(c.source)
    cond = ds.conditions.get(c.condition)
    tp = c.timepoint
    fields: list[tuple[str, str]] = [
        ("id", c.id),
        ("handle", handle(ds, c.id)),
        ("condition", f"{c.condition} ({cond.name})" if cond else c.condition),
        ("stages", ", ".join(c.stages) or "any (not stage-specific)"),
        ("outcome", c.outcome),
        ("measure", c.measure),
        ("value", f"{c.value.text}  →  {shown(c.value)}"),
        (
            "parsed",
            f"low={plain(c.value.low)} high={plain(c.value.high)} unit={c.value.unit or '-'} "
            f"qualifier={c.value.qualifier}",
        ),
        ("timepoint", f"{tp.text}  →  {shown(tp)}" if tp else "—"),
        ("comparator", c.comparator or "—"),
        ("intervention", c.intervention or "stem cell treatment"),
        ("group", c.group or "all patients"),
        ("basis", basis_text(c)),
        ("citation", c.citation or "—"),
    ]
    if c.derived is not None:
        fields.append(("derived", c.derived.text()))
    if c.ci is not None:
        fields.append(("ci", f"{c.ci.text}  (95 % confidence interval)"))
    if c.scale is not None:
        fields.append(("scale", c.scale))
    if c.n_studies is not None:
        fields.append(("studies", str(c.n_studies)))
    if c.statement is not None:
        fields.append(("statement", c.statement))
    if c.quote or c.statement is None:
        fields.append(("quote", c.quote))
    fields.append(("defined at", c.where or "—"))
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
        fields += [
            (name, str(v))
            for name, v in (
                ("citation", src.citation),
                ("doi", src.doi),
                ("url", src.url),
                ("year", src.year),
                ("certainty", src.certainty),
            )
            if v is not None
        ]
    return Report(
        columns=(Column("Field", style="bold", no_wrap=True), Column("Value")),
        rows=tuple((k, v) for k, v in fields),
        data={"claim": claim_json(c, ds), "source": src.to_json() if src else None},
        csv_header=CLAIM_CSV_HEADER,  # a claim is the same row wherever it is written
        csv_rows=(claim_csv_row(ds, c),),
        title=f"Claim {c.id}",
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
    data: list[Json] = [dict(s.to_json(), claims=counts.get(s.id, 0)) for s in ds.sources.values()]
    return Report(
        columns=(
            Column("Id", no_wrap=True),
            Column("Publisher"),
            Column("Kind"),
            Column("Sells"),
            Column("Claims", justify="right"),
            Column("Archive", no_wrap=True),
            Column("Title", max_width=50),
        ),
        rows=rows,
        data=data,
        summary=f"{plural(len(ds.sources), 'source')}, {plural(len(ds.claims), 'claim')}",
    )


def outcomes_report(ds: Dataset) -> Report:
    """The measures (with the unit dimensions each allows) then the outcomes (with their
    family), each with its description and how many claims use it."""
    measure_n: dict[str, int] = {}
    outcome_n: dict[str, int] = {}
    for c in ds.claims:
        measure_n[c.measure] = measure_n.get(c.measure, 0) + 1
        outcome_n[c.outcome] = outcome_n.get(c.outcome, 0) + 1
    rows: list[tuple[Cell, ...]] = []
    csv_rows: list[tuple[str, ...]] = []
    for m in ds.measures.values():
        units = ", ".join(m.dimensions) or "any"
        if m.max_percent is not None:
            units += f" (at most {plain(m.max_percent)} %)"
        n = str(measure_n.get(m.id, 0))
        rows.append(("measure", m.id, units, n, m.description))
        csv_rows.append(("measure", m.id, "", ";".join(m.dimensions), n, m.description))
    for o in ds.outcomes.values():
        family = o.family if o.compared else f"{o.family} (not compared)"
        n = str(outcome_n.get(o.id, 0))
        rows.append(("outcome", o.id, family, n, o.description or o.name))
        csv_rows.append(("outcome", o.id, o.family, "", n, o.description or o.name))
    data: Json = {
        "measures": [
            {
                "id": m.id,
                "description": m.description,
                "dimensions": list(m.dimensions),
                "max_percent": None if m.max_percent is None else json_number(m.max_percent),
                "claims": measure_n.get(m.id, 0),
            }
            for m in ds.measures.values()
        ],
        "outcomes": [
            {
                "id": o.id,
                "name": o.name,
                "family": o.family,
                "description": o.description,
                "compared": o.compared,
                "claims": outcome_n.get(o.id, 0),
            }
            for o in ds.outcomes.values()
        ],
    }
    families = len({o.family for o in ds.outcomes.values()})
    return Report(
        columns=(
            Column("Vocabulary", no_wrap=True),
            Column("Id", no_wrap=True),
            Column("Family / units", max_width=30),
            Column("Claims", justify="right"),
            Column("Description", min_width=30),
        ),
        rows=tuple(rows),
        data=data,
        csv_header=("vocabulary", "id", "family", "dimensions", "claims", "description"),
        csv_rows=tuple(csv_rows),
        summary=f"{plural(len(ds.measures), 'measure')}, {plural(len(ds.outcomes), 'outcome')} "
        f"in {plural(families, 'family', 'families')}",
        group_by=0,
    )


def conditions_report(ds: Dataset) -> Report:
    per_stage: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for c in ds.claims:
        totals[c.condition] = totals.get(c.condition, 0) + 1
        bucket = per_stage.setdefault(c.condition, {})
        for st in c.stages or ("any",):
            bucket[st] = bucket.get(st, 0) + 1
    rows: list[tuple[Cell, ...]] = []
    csv_rows: list[tuple[str, ...]] = []
    data: list[Json] = []
    for cond in ds.conditions.values():
        counts = per_stage.get(cond.id, {})
        csv_rows.append(
            (
                cond.id,
                cond.name,
                ";".join(st.id for st in cond.stages),
                str(totals.get(cond.id, 0)),
                ";".join(f"{st.id}:{counts.get(st.id, 0)}" for st in cond.stages),
                str(counts.get("any", 0)),
                ";".join(cond.aliases),
            )
        )
        stages = ", ".join(f"{st.id} ({counts.get(st.id, 0)})" for st in cond.stages)
        if counts.get("any"):
            stages = (stages + ", " if stages else "") + f"any stage ({counts['any']})"
        rows.append(
            (
                cond.id,
                cond.name,
                stages or "—",
                str(totals.get(cond.id, 0)),
                ", ".join(cond.aliases),
            )
        )
        entry: dict[str, Json] = cond.to_json()
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
        csv_header=(
            "id",
            "name",
            "stages",
            "claims",
            "claims_per_stage",
            "claims_any_stage",
            "aliases",
        ),
        csv_rows=tuple(csv_rows),
        summary=f"{len(ds.conditions)} conditions",
    )
