"""Reports that check or export the dataset: validate, verify, export."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from stemcli.model import Dataset
from stemcli.numbers import plural
from stemcli.render import Column, Report, lazy
from stemcli.reports.fields import CLAIM_CSV_HEADER, claim_csv_row, claim_json
from stemcli.text.neutralise import clean_line

if TYPE_CHECKING:
    from stemcli.errors import Problem
    from stemcli.ops.verify import VerifyResult


def problems_report(problems: Sequence[Problem], warnings: Sequence[Problem] = ()) -> Report:
    """validate: every problem, then every warning (unreviewed claims and sources);
    JSON says which is which (``"level": "error"`` or ``"warning"``)."""
    listed = [(p, "error") for p in problems] + [(w, "warning") for w in warnings]
    summary = plural(len(problems), "problem")
    if warnings:
        summary += f", {plural(len(warnings), 'warning')} (unreviewed claims and sources)"
    return Report(
        columns=(Column("Where", no_wrap=False), Column("Claim", no_wrap=True), Column("Problem")),
        # a file name is one line, whatever it holds ("x\n0 problems.yaml" forged a line)
        rows=tuple((clean_line(str(p.location)), p.claim_id or "", p.message) for p, _ in listed),
        data=[
            {
                "file": p.location.path,
                "line": p.location.line or None,
                "column": p.location.column or None,
                "claim": p.claim_id,
                "message": p.message,
                "level": level,
            }
            for p, level in listed
        ],
        summary=summary,
    )


def verify_report(result: VerifyResult) -> Report:
    return Report(
        columns=(
            Column("Source"),
            Column("Claim", no_wrap=True),
            Column("Where"),
            Column("Problem"),
        ),
        rows=tuple(
            (m.source, m.claim or "", clean_line(m.where), m.message) for m in result.misses
        ),
        data={
            "sources_checked": result.checked_sources,
            "quotes_checked": result.checked_quotes,
            "misses": [
                {"source": m.source, "claim": m.claim, "where": m.where, "message": m.message}
                for m in result.misses
            ],
            "not_checked": list(result.unchecked),
            "cited": list(result.cited),
        },
        summary=(
            f"{plural(result.checked_quotes, 'quote')} in "
            f"{plural(result.checked_sources, 'source')} checked, "
            f"{plural(len(result.misses), 'miss', 'misses')}"
            + (
                f", {plural(len(result.unchecked), 'source')} not checked (archive not located)"
                if result.unchecked
                else ""
            )
            + (
                f", {plural(len(result.cited), 'source')} cited, not archived "
                "(evidence and surveys)"
                if result.cited
                else ""
            )
        ),
    )


def export_report(ds: Dataset) -> Report:
    """Every claim: JSON and YAML per the claim contract, CSV with every field."""
    return Report(
        columns=(),
        rows=(),
        data=lazy(ds.claims, lambda c: claim_json(c, ds)),
        csv_header=CLAIM_CSV_HEADER,
        csv_rows=lazy(ds.claims, lambda c: claim_csv_row(ds, c)),
    )
