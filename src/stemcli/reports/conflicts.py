"""Reports of conflicts: the conflicting pairs, their counts, or why two claims compare."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from stemcli.model import Claim, Dataset
from stemcli.numbers import format_gap, format_interval, plain, plural
from stemcli.render import Cell, Column, Json, Report, Styled, lazy
from stemcli.reports.claims import UNREVIEWED_LEGEND, UNREVIEWED_MARK, publisher, value_text
from stemcli.reports.fields import HANDLES_LEGEND, ids_cell

if TYPE_CHECKING:
    from stemcli.ops.conflicts import (
        Check,
        Conflict,
        ConflictCounts,
        ConflictList,
        Explanation,
        Statement,
    )

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
    ("comparator", lambda _ds, c: c.comparator or ""),
    ("intervention", lambda _ds, c: c.intervention or ""),
    ("group", lambda _ds, c: c.group or ""),
    ("quote", lambda _ds, c: c.quote),
)


def _pair_csv(ds: Dataset, st: Statement | None) -> tuple[str, ...]:
    """A statement's CSV cells: its first claim's fields, how often, and every claim id."""
    if st is None:
        return ("",) * (len(PAIR_FIELDS) + 2)
    c = st.claim
    return (
        *(cell(ds, c) for _, cell in PAIR_FIELDS),
        str(st.times),
        ";".join(x.id for x in st.claims),
    )


def conflicts_report(
    ds: Dataset,
    result: ConflictList | ConflictCounts | Explanation,
    *,
    full: bool = False,
    with_condition: bool = True,
    kind: str | None = None,
    title: str | None = None,
) -> Report:
    """conflicts: a ConflictList (by kind), ConflictCounts, or an Explanation."""
    from stemcli.ops.conflicts import ConflictCounts, Explanation

    if isinstance(result, ConflictCounts):
        return counts_report(result, kind=kind, title=title)
    if isinstance(result, Explanation):
        return explanation_report(ds, result, full=full, title=title)
    return conflict_list_report(ds, result, full=full, with_condition=with_condition, title=title)


def counts_report(counts: ConflictCounts, *, kind: str | None, title: str | None = None) -> Report:
    """The number of findings per kind; in table format 'kind: n' lines."""
    per_kind = counts.to_json(kind)
    return Report(
        columns=(Column("Kind"), Column("Findings", justify="right")),
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
            Column("Passes", no_wrap=True),
            Column("Detail"),
        ),
        rows=tuple(rows),
        data=data,
        title=title or f"{e.a.id} vs {e.b.id}",
        summary=verdict(e),
    )


def check_detail(check: Check) -> str:
    """A rule's reason in words, with the reason code where it is not flagged."""
    from stemcli.ops.conflicts import REASONS

    if check.ok or not check.reason:
        return check.detail
    return f"{check.detail} [{check.reason}: {REASONS[check.reason]}]"


def verdict(e: Explanation) -> str:
    """One sentence: not flagged (the reason), or the finding with its gap and why."""
    from stemcli.ops.conflicts import REASONS

    x = e.conflict
    if x is None:
        failed = f" (fails: {', '.join(e.failed)})" if e.failed else ""
        return f"Not flagged: {REASONS.get(e.reason, e.reason)} [{e.reason}]{failed}."
    return (
        f"{finding_label(x)}{', internal' if x.internal else ''}: gap "
        f"{format_gap(x.gap, x.unit)} ({x.relative_gap:.0%} of the larger value). {x.why}"
    )


def finding_label(x: Conflict) -> str:
    """'contradiction', 'contradiction (bound)', 'tension (anecdote)', 'arithmetic'."""
    if x.subkind is None or x.kind == "arithmetic":
        return str(x.kind)
    return f"{x.kind} ({x.subkind})"


def explanation_data(e: Explanation) -> Json:
    """The explanation as data: the operation's fields, each check's detail and the verdict."""
    data: dict[str, Json] = dict(e.to_json())
    data["checks"] = [
        {"check": c.name, "ok": c.ok, "reason": c.reason, "detail": check_detail(c)}
        for c in e.checks
    ]
    data["verdict"] = verdict(e)
    return data


def _stated(st: Statement) -> str:
    """A statement's value, and how often it is stated: "79.3 % ×3"; marked when it
    rests on an unreviewed claim."""
    text = value_text(st.claim)
    text = f"{text} ×{st.times}" if st.times > 1 else text
    return text + UNREVIEWED_MARK if _unreviewed(st.claims) else text


def _unreviewed(claims: tuple[Claim, ...]) -> bool:
    return any(c.review for c in claims)


def _conflict_json(x: Conflict) -> Json:
    """A finding's JSON, each side (and a recomputation) saying whether it rests on an
    unreviewed claim."""
    out = x.to_json()
    out["a"]["unreviewed"] = _unreviewed(x.a.claims)
    if x.b is not None:
        out["b"]["unreviewed"] = _unreviewed(x.b.claims)
    if x.recomputed is not None:
        out["recomputed"]["unreviewed"] = _unreviewed(x.recomputed.parts)
    return out


def _quotes(st: Statement | None) -> str:
    if st is None:
        return ""
    return "\n".join(f"{c.id}: {c.quote}" for c in st.claims)


def conflict_list_report(
    ds: Dataset,
    result: ConflictList,
    *,
    full: bool = False,
    with_condition: bool = True,
    title: str | None = None,
) -> Report:
    from stemcli.numbers import format_span

    cols: list[Column] = [Column("Kind", no_wrap=True)]
    if with_condition:
        cols.append(Column("Condition", max_width=16))
    cols += [
        Column("Source A", max_width=14),
        Column("Value A", min_width=10, max_width=22, style="bold"),
        Column("Source B", max_width=14),
        Column("Value B", min_width=10, max_width=22, style="bold"),
        # both sides' ids in one column, a line each: two columns of long ids would not
        # leave a table room even at 200 columns
        Column("Claims", no_wrap=True),
        Column("Gap", min_width=8, max_width=12),
        Column("Why", min_width=24, max_width=None if full else 70),
    ]
    if full:
        cols += [Column("Quotes A", min_width=20), Column("Quotes B", min_width=20)]
    styles = {
        "contradiction": "bold red",
        "arithmetic": "bold magenta",
        "tension": "yellow",
        "unusual": "cyan",
    }
    table_rows: list[tuple[Cell, ...]] = []
    csv_rows: list[tuple[str, ...]] = []
    for x in result.conflicts:
        a = x.a.claim
        label = x.kind if x.subkind is None or x.kind == "arithmetic" else f"{x.kind}\n{x.subkind}"
        row: list[Cell] = [Styled(label, style=styles.get(x.kind, ""))]
        if with_condition:
            row.append(a.condition)
        if x.b is not None:
            b_source, b_value = publisher(ds, x.b.source), _stated(x.b)
            b_claims = x.b.claims
        else:
            assert x.recomputed is not None
            b_source = "its own figures"
            b_claims = x.recomputed.parts
            b_value = format_span(x.recomputed.interval, x.recomputed.dimension)
            if _unreviewed(x.recomputed.parts):
                b_value += UNREVIEWED_MARK
        row += [
            publisher(ds, a.source),
            _stated(x.a),
            b_source,
            b_value,
            ids_cell(ds, [("A", x.a.claims), ("B", b_claims)]),
            f"{format_gap(x.gap, x.unit)} ({x.relative_gap:.0%})",
            x.why,
        ]
        if full:
            b_quotes = _quotes(x.b)
            if x.recomputed is not None:
                b_quotes = "\n".join(f"{c.id}: {c.quote}" for c in x.recomputed.parts)
            row += [_quotes(x.a), b_quotes]
        table_rows.append(tuple(row))
        csv_rows.append(
            (
                x.kind,
                x.subkind or "",
                "yes" if x.internal else "no",
                plain(round(x.gap, 6)),
                plain(round(x.relative_gap, 6)),
                x.unit,
                *_pair_csv(ds, x.a),
                *_pair_csv(ds, x.b),
                "" if x.recomputed is None else x.recomputed.text,
                "" if x.recomputed is None else plain(round(x.recomputed.interval[0], 6)),
                "" if x.recomputed is None else plain(round(x.recomputed.interval[1], 6)),
                x.why,
            )
        )
    summary = f"{len(result.conflicts)} of {plural(result.total, 'finding')}"
    if result.selection.kind is None:
        summary += f": {count_line(result.counts)}"
    if result.conflicts:
        summary += "; by kind, the most severe first"
    if any(
        _unreviewed(x.a.claims)
        or (x.b is not None and _unreviewed(x.b.claims))
        or (x.recomputed is not None and _unreviewed(x.recomputed.parts))
        for x in result.conflicts
    ):
        summary += f"\n{UNREVIEWED_LEGEND}"
    return Report(
        columns=tuple(cols),
        rows=tuple(table_rows),
        data=lazy(result.conflicts, _conflict_json),
        csv_header=(
            "kind",
            "subkind",
            "internal",
            "gap",
            "relative_gap",
            "unit",
            *(f"a_{name}" for name, _ in PAIR_FIELDS),
            "a_times",
            "a_claims",
            *(f"b_{name}" for name, _ in PAIR_FIELDS),
            "b_times",
            "b_claims",
            "derivation",
            "recomputed_low",
            "recomputed_high",
            "why",
        ),
        csv_rows=tuple(csv_rows),
        title=title,
        summary=summary,
        legend=HANDLES_LEGEND,
    )


def count_line(c: ConflictCounts) -> str:
    """'5 contradictions (1 bound), 3 arithmetic, 6 tensions (4 cross-measure, 2 anecdote)'."""
    parts = [plural(c.contradiction, "contradiction")]
    if c.bound:
        parts[0] += f" ({c.bound} bound)"
    parts.append(f"{c.arithmetic} arithmetic")
    tension = plural(c.tension, "tension")
    if c.tension:
        tension += f" ({c.cross_measure} cross-measure, {c.anecdote} anecdote)"
    parts.append(tension)
    if c.unusual:  # marketing outside a survey's range: named when there is any
        parts.append(f"{c.unusual} unusual")
    return ", ".join(parts)
