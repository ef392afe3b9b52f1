"""The command that sets one claim beside the survey and the evidence: context."""

from __future__ import annotations

from stemcli.cli.env import command, dataset, emit
from stemcli.cli.options import ClaimArg, Force, Format, Limit, ListingFormat, Output, Raw


@command()
def context(
    claim_id: ClaimArg,
    *,
    format: Format = ListingFormat.table,
    limit: Limit = None,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """A claim beside what clinics market and what trials found.

    The survey's range and mean of what centres market, the other marketing sources'
    claims of the same question, and the trials and reviews of the same condition and
    outcome, each with why its number does or does not compare with the claim's. --limit
    bounds the other marketing sources' claims (the survey and the evidence are all shown).

    Examples:

    \b
      stemcli context bookimed-trial-oa-responders-79pct
      stemcli context bookimed-takeaway-cost --format json
    """
    from dataclasses import replace

    from stemcli.cli.listing import first, left_out, row_limit
    from stemcli.ops.context import context as run
    from stemcli.ops.resolve import resolve_claim
    from stemcli.reports.context import context_report

    ds = dataset()
    ctx = run(ds, resolve_claim(ds, claim_id))
    others, dropped = first(ctx.others, row_limit(limit, format))
    emit(context_report(ds, replace(ctx, others=tuple(others))), format, output, force, raw)
    if dropped:
        left_out(len(others), len(ctx.others), "other marketing claims")
