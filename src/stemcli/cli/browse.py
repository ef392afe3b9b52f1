"""Commands that browse the dataset: lookup, show, search, sources, conditions."""

from __future__ import annotations

from typing import Annotated

import typer

from stemcli.cli.env import command, dataset, emit, resolve
from stemcli.cli.options import (
    ConditionArg,
    Force,
    Format,
    Full,
    Limit,
    ListingFormat,
    OutcomeOpt,
    Output,
    Raw,
    SourceOpt,
    Stage,
    completes,
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
) -> None:
    """What the sources claim about a condition, grouped by outcome.

    Examples:

    \b
      stemcli lookup knee-oa --stage middle
      stemcli lookup 'knee arthritis' --outcome pain --format json
      stemcli lookup rotator-cuff --source stemmedicare --full
    """
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
    title = f"{cond.name} ({cond.id})" + (f", stage {stage_id}" if stage_id else "")
    emit(
        claims_report(ds, result.claims, full=full, stage=stage_id, title=title),
        format,
        output,
        force,
        raw,
    )


@command()
def show(
    claim_id: Annotated[
        str,
        typer.Argument(
            help="The claim's id, as listings show it.",
            metavar="CLAIM",
            autocompletion=completes("claims"),
        ),
    ],
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
    from stemcli.reports.claims import show_report

    ds = dataset()
    claim = ds.claim(claim_id)
    if claim is None:
        from stemcli.errors import UsageError
        from stemcli.ids import closest

        close = closest(claim_id, (c.id for c in ds.claims))
        raise UsageError(f"no claim {claim_id!r}; closest: {', '.join(close) or 'none'}")
    emit(show_report(ds, claim), format, output, force, raw)


@command()
def search(
    text: Annotated[
        str, typer.Argument(help="What to look for: 'return to sports', 'cost' ...", metavar="TEXT")
    ],
    *,
    limit: Limit = 20,
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
    from stemcli.ops.search import search as run
    from stemcli.reports.claims import search_report

    ds = dataset()
    emit(search_report(ds, run(ds, text, limit=limit), full=full), format, output, force, raw)


@command()
def sources(
    *,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """The sources of the dataset, with their claim counts.

    Examples:

    \b
      stemcli sources
      stemcli sources --format json
    """
    from stemcli.reports.claims import sources_report

    emit(sources_report(dataset()), format, output, force, raw)


@command()
def conditions(
    *,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """The conditions with their aliases, stages and claim counts.

    Examples:

    \b
      stemcli conditions
      stemcli conditions --format markdown
    """
    from stemcli.reports.claims import conditions_report

    emit(conditions_report(dataset()), format, output, force, raw)


@command()
def outcomes(
    *,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """The measure and outcome vocabularies, with claim counts.

    A claim's measure says what kind of number it is; its outcome, what the number is
    about. Outcomes of one family are related (conflicts compares them across measures).

    Examples:

    \b
      stemcli outcomes
      stemcli outcomes --format markdown
    """
    from stemcli.reports.claims import outcomes_report

    emit(outcomes_report(dataset()), format, output, force, raw)
