"""Reports of red flags: findings in a page or in a source's quotes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from stemcli.numbers import plural
from stemcli.render import Cell, Column, Json, Report, Styled
from stemcli.reports.fields import csv_of

if TYPE_CHECKING:
    from stemcli.ops.redflags import Completeness, Finding, RedFlags

_FLAG_CONTEXT = 70  # characters of context each side of a match in the table


def _flag_context(f: Finding) -> Styled:
    """The sentence around a finding, the match highlighted."""
    from stemcli.text import window

    ctx, s, e = f.context, f.start - f.context_start, f.end - f.context_start
    a, b = window(ctx, s, e, _FLAG_CONTEXT, _FLAG_CONTEXT)
    head = "…" if a > 0 else ""
    tail = "…" if b < len(ctx) else ""
    text = head + ctx[a:b] + tail
    start = len(head) + (s - a)
    if f.scope == "page":  # the first mention, then what the whole page names
        text += f"\n(across the page: {'; '.join(f.evidence) or f.match})"
    return Styled(text, spans=((start, start + (e - s), "bold red"),))


def completeness_text(c: Completeness) -> str:
    shares = c.shares()
    parts = ", ".join(f"{k} {v:.0%}" for k, v in shares.items())
    return f"context completeness of {c.claims} claims: {parts}; mean {c.mean:.0%}"


def redflags_report(result: RedFlags) -> Report:
    """Findings: table (match highlighted), CSV, Markdown; JSON per the findings contract.

    Table and Markdown name each finding's rule and explain the rules that fired once,
    below the table; JSON and CSV carry why and citation in every finding. A page-level
    finding (one treatment for many conditions) is marked "(page)" and lists what the
    whole page names. On a page read as selling no treatment, a finding the page relays
    is marked "(relayed)" (JSON ``"relayed": true``) and the summary counts them apart.
    """
    from stemcli.ops.redflags import SELLING_KINDS

    by_claim = result.source is not None
    rows: list[tuple[Cell, ...]] = []
    fired: dict[str, Finding] = {}
    for f in result.findings:
        fired.setdefault(f.rule, f)
        where = (
            f.claim + (f" (+{len(f.claims) - 1})" if len(f.claims) > 1 else "")
            if by_claim and f.claim
            else f"{f.line}:{f.column}"
        )
        if f.scope == "page":
            where += " (page)"
        if f.relayed:
            where += " (relayed)"
        rows.append((where, f.name, _flag_context(f)))
    claims: list[tuple[str, Callable[[Finding], str]]] = [("claims", lambda f: ";".join(f.claims))]
    csv_header, csv_rows = csv_of([*(claims if by_claim else ()), *FINDING_CSV], result.findings)
    n = len(result.findings)
    where_text = f"the quotes of {result.source}" if by_claim else (result.path or "the text")
    summary = f"{plural(n, 'red flag')} ({len(fired)} of {result.rules} rules) in {where_text}"
    relayed = n - len(result.own)
    if result.kind is not None and result.kind not in SELLING_KINDS:
        how = "guessed from its words" if result.kind_guessed else "as given"
        summary += (
            f"\nread as {result.kind} ({how}): {len(result.own)} of its own, {relayed} relayed"
            " (quoted, reported or advice: claims the page reports, not its own)"
        )
    data: Json = [f.to_json() for f in result.findings]
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
        csv_header=csv_header,
        csv_rows=csv_rows,
        title=f"Red flags in {where_text}",
        summary=summary,
    )


FINDING_CSV: tuple[tuple[str, Callable[[Finding], str]], ...] = (
    ("rule", lambda f: f.rule),
    ("name", lambda f: f.name),
    ("match", lambda f: f.match),
    ("start", lambda f: str(f.start)),
    ("end", lambda f: str(f.end)),
    ("line", lambda f: str(f.line)),
    ("column", lambda f: str(f.column)),
    ("why", lambda f: f.why),
    ("citation", lambda f: f.citation),
    ("scope", lambda f: f.scope),
    ("evidence", lambda f: "; ".join(f.evidence)),
    ("relayed", lambda f: "yes" if f.relayed else ""),
)
