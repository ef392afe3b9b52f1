"""Commands that browse the dataset: lookup, show, search, sources, conditions."""

from __future__ import annotations

from typing import Annotated

import typer

from stemcli.cli.env import command, dataset, emit, resolve
from stemcli.cli.options import (
    RANKED_LIMIT,
    ClaimArg,
    ConditionArg,
    Force,
    Format,
    Full,
    Limit,
    ListingFormat,
    OutcomeOpt,
    Output,
    RankedLimit,
    Raw,
    SourceOpt,
    Stage,
)


@command()
def lookup(
    condition: ConditionArg,
    *,
    stage: Stage = None,
    outcome: OutcomeOpt = None,
    source: SourceOpt = None,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    full: Full = False,
    limit: Limit = None,
) -> None:
    """What the sources claim about a condition, grouped by outcome.

    Examples:

    \b
      stemcli lookup knee-oa --stage middle
      stemcli lookup 'knee arthritis' --outcome pain --format json
      stemcli lookup rotator-cuff --source stemmedicare --full
    """
    from stemcli.cli.listing import first, left_out, row_limit
    from stemcli.ops.lookup import lookup as run
    from stemcli.ops.resolve import resolve_outcome, resolve_source
    from stemcli.reports.claims import claims_report

    cond, stage_id = resolve(condition, stage)
    ds = dataset()
    result = run(
        ds,
        cond,
        stage=stage_id,
        outcome=resolve_outcome(ds, outcome) if outcome is not None else None,
        source=resolve_source(ds, source) if source is not None else None,
    )
    from stemcli.reports.context import with_reference

    title = f"{cond.name} ({cond.id})" + (f", stage {stage_id}" if stage_id else "")
    claims, _ = first(result.claims, row_limit(limit, format))
    report = claims_report(ds, claims, full=full, stage=stage_id, title=title)
    emit(with_reference(ds, report, result.reference), format, output, force, raw)
    left_out(len(claims), len(result.claims), "claims")


@command()
def show(
    claim_id: ClaimArg,
    *,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """One claim: every field, the full quote, and its source.

    Examples:

    \b
      stemcli show bookimed-trial-oa-responders-79pct
      stemcli show stemmedicare-oa-middle-pain --format json
    """
    from stemcli.ops.resolve import resolve_claim
    from stemcli.reports.claims import show_report

    ds = dataset()
    emit(show_report(ds, resolve_claim(ds, claim_id)), format, output, force, raw)


@command()
def search(
    text: Annotated[
        str, typer.Argument(help="What to look for: 'return to sports', 'cost' ...", metavar="TEXT")
    ],
    *,
    limit: RankedLimit = RANKED_LIMIT,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    full: Full = False,
) -> None:
    """Ranked fuzzy search over quotes, outcomes and conditions.

    Examples:

    \b
      stemcli search "return to sports" --limit 5
      stemcli search cost --format csv --output cost.csv
    """
    from stemcli.cli.listing import first, left_out
    from stemcli.ops.search import search as run
    from stemcli.reports.claims import search_report

    ds = dataset()
    every = run(ds, text, limit=ds.claim_count)
    hits, _ = first(every, limit or None)
    emit(search_report(ds, hits, full=full), format, output, force, raw)
    left_out(len(hits), len(every), "matches")


@command()
def sources(
    *,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    limit: Limit = None,
) -> None:
    """The sources of the dataset, with their claim counts.

    Examples:

    \b
      stemcli sources
      stemcli sources --format json
    """
    from stemcli.cli.listing import emit_listing
    from stemcli.reports.claims import sources_report

    report = sources_report(dataset())
    emit_listing(report, limit, format, output, force, raw, "sources")


@command()
def conditions(
    *,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    limit: Limit = None,
) -> None:
    """The conditions with their aliases, stages and claim counts.

    Examples:

    \b
      stemcli conditions
      stemcli conditions --format markdown
    """
    from stemcli.cli.listing import emit_listing
    from stemcli.reports.claims import conditions_report

    report = conditions_report(dataset())
    emit_listing(report, limit, format, output, force, raw, "conditions")


@command()
def outcomes(
    *,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    limit: Limit = None,
) -> None:
    """The measure and outcome vocabularies, with claim counts.

    A claim's measure says what kind of number it is; its outcome, what the number is
    about. Outcomes of one family are related (conflicts compares them across measures).

    Examples:

    \b
      stemcli outcomes
      stemcli outcomes --format markdown
    """
    from stemcli.cli.listing import emit_listing
    from stemcli.reports.claims import outcomes_report

    report = outcomes_report(dataset())
    emit_listing(report, limit, format, output, force, raw, "rows", keys=("measures", "outcomes"))
