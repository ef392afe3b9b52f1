"""Reports of conflicts: the conflicting pairs, their counts, or why two claims compare."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from stemcli.model import Claim, Dataset
from stemcli.numbers import format_gap, format_interval, plain, plural, rounded
from stemcli.render import Cell, Column, Json, Report, Styled
from stemcli.reports.claims import publisher, value_text

if TYPE_CHECKING:
    from stemcli.ops.conflicts import Check, ConflictCounts, ConflictList, Explanation

# what the CSV says of each claim of a pair, as a_<field> and b_<field>
PAIR_FIELDS: tuple[tuple[str, Callable[[Dataset, Claim], str]], ...] = (
    ("id", lambda _ds, c: c.id),
    ("source", lambda _ds, c: c.source),
    ("publisher", lambda ds, c: publisher(ds, c.source)),
    ("condition", lambda _ds, c: c.condition),
    ("stages", lambda _ds, c: ";".join(c.stages)),
    ("outcome", lambda _ds, c: c.outcome),
    ("measure", lambda _ds, c: c.measure),
    ("value", lambda _ds, c: c.value.text),
    ("timepoint", lambda _ds, c: c.timepoint.text if c.timepoint else ""),
    ("quote", lambda _ds, c: c.quote),
)


def _pair_csv(ds: Dataset, c: Claim) -> tuple[str, ...]:
    return tuple(cell(ds, c) for _, cell in PAIR_FIELDS)


def conflicts_report(
    ds: Dataset,
    result: ConflictList | ConflictCounts | Explanation,
    *,
    full: bool = False,
    with_condition: bool = True,
    kind: str | None = None,
    title: str | None = None,
) -> Report:
    """conflicts: a ConflictList (most severe first), ConflictCounts, or an Explanation."""
    from stemcli.ops.conflicts import ConflictCounts, Explanation

    if isinstance(result, ConflictCounts):
        return counts_report(result, kind=kind, title=title)
    if isinstance(result, Explanation):
        return explanation_report(ds, result, full=full, title=title)
    return conflict_list_report(ds, result, full=full, with_condition=with_condition, title=title)


def counts_report(counts: ConflictCounts, *, kind: str | None, title: str | None = None) -> Report:
    """The number of conflicting pairs per kind; in table format 'kind: n' lines."""
    per_kind = counts.to_json(kind)
    return Report(
        columns=(Column("Kind"), Column("Conflicts", justify="right")),
        rows=tuple((k, str(v)) for k, v in per_kind.items()),
        data=dict(per_kind),
        title=title,
        lines=True,
    )


def explanation_report(
    ds: Dataset, e: Explanation, *, full: bool = False, title: str | None = None
) -> Report:
    from stemcli.quantities import dimension

    def claim_text(c: Claim) -> str:
        return f"{c.id} · {publisher(ds, c.source)} · {c.outcome}, {c.measure}: {value_text(c)}"

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
    data = explanation_data(e)
    return Report(
        columns=(
            Column("Check", style="bold", no_wrap=True),
            Column("Comparable", no_wrap=True),
            Column("Detail"),
        ),
        rows=tuple(rows),
        data=data,
        title=title or f"{e.a.id} vs {e.b.id}",
        summary=verdict(e),
    )


def check_detail(check: Check) -> str:
    """A rule's reason in words, with the numbers the rule compared."""
    if check.reason not in ("apart", "not-apart"):
        return check.detail
    late, early = check.fact("later_start_days"), check.fact("earlier_end_days")
    limit = f"{check.fact('ratio'):g} × the earlier's end, {rounded(early)} days"
    if check.reason == "apart":
        return (
            f"{check.detail} (the later starts at {rounded(late)} days, at least {limit}); "
            "such claims are not compared"
        )
    return f"{check.detail} (the later starts at {rounded(late)} days, less than {limit})"


def verdict(e: Explanation) -> str:
    """One sentence: not comparable (and why), comparable and agreeing, or the conflict."""
    if not e.comparable:
        return f"Not comparable ({', '.join(e.failed)}): conflicts never pairs these claims."
    x = e.conflict
    if x is None:
        return "Comparable, and no conflict: the intervals overlap (or touch)."
    return (
        f"Conflict ({x.kind}{', internal' if x.internal else ''}): gap "
        f"{format_gap(x.gap, x.unit)} ({x.relative_gap:.0%} of the larger value). {x.why}"
    )


def explanation_data(e: Explanation) -> Json:
    """The explanation as data: the operation's fields, each check's detail and the verdict."""
    data: dict[str, Json] = dict(e.to_json())
    data["checks"] = [{"check": c.name, "ok": c.ok, "detail": check_detail(c)} for c in e.checks]
    data["verdict"] = verdict(e)
    return data


def conflict_list_report(
    ds: Dataset,
    result: ConflictList,
    *,
    full: bool = False,
    with_condition: bool = True,
    title: str | None = None,
) -> Report:
    from stemcli.ops.conflicts import CROSS, DIRECT

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
        csv_rows.append(
            (
                x.kind,
                "yes" if x.internal else "no",
                plain(round(x.gap, 6)),
                plain(round(x.relative_gap, 6)),
                x.unit,
                *_pair_csv(ds, x.a),
                *_pair_csv(ds, x.b),
                x.why,
            )
        )
    total = result.total
    what = f"{result.selection.kind} conflict" if result.selection.kind else "conflicting pair"
    summary = f"{len(result.conflicts)} of {plural(total, what)}"
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
            *(f"a_{name}" for name, _ in PAIR_FIELDS),
            *(f"b_{name}" for name, _ in PAIR_FIELDS),
            "why",
        ),
        csv_rows=tuple(csv_rows),
        title=title,
        summary=summary,
    )
