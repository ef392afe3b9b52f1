"""Commands that check and export the dataset: validate, verify, export."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from stemcli.cli.env import command, dataset, emit, note, state
from stemcli.cli.options import (
    ExportFormat,
    ExportFormatOpt,
    Force,
    Format,
    Limit,
    ListingFormat,
    Output,
    Raw,
    SourceOpt,
)
from stemcli.errors import ExitCode


@command()
def validate(
    *,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Count unreviewed claims and sources as problems (exit 1)."),
    ] = False,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    limit: Limit = None,
) -> None:
    """Check the dataset and list every problem (exit 1 if any).

    A claim or source whose 'review' lists fields is unreviewed: a warning (exit 0),
    or with --strict a problem (exit 1).

    Examples:

    \b
      stemcli validate
      stemcli --data ~/my-claims validate --strict
      stemcli validate --format json --output problems.json
    """
    from stemcli.dataset import check
    from stemcli.dataset.find import data_paths
    from stemcli.dataset.review import unreviewed
    from stemcli.numbers import plural
    from stemcli.reports.checks import problems_report

    ds, problems = check(data_paths(state().data), bundled=state().bundled, use_cache=state().cache)
    warnings = unreviewed(ds)
    if strict:
        problems, warnings = problems + warnings, []
    from stemcli.cli.listing import emit_listing

    report = problems_report(problems, warnings)
    emit_listing(report, limit, format, output, force, raw, "problems and warnings")
    if problems:
        note(f"{plural(len(problems), 'problem')} found", style="red")
        raise typer.Exit(int(ExitCode.FINDINGS))
    line = (
        f"ok: {plural(len(ds.claims), 'claim')}, {plural(len(ds.sources), 'source')}, "
        f"{plural(len(ds.conditions), 'condition')}"
    )
    if warnings:
        note(
            f"{line}; {len(warnings)} unreviewed: confirm each field named in review, then "
            "delete it from the list (validate --strict fails until then)",
            style="yellow",
        )
    else:
        note(line, style="green")


@command()
def verify(
    *,
    sources_dirs: Annotated[
        list[Path] | None,
        typer.Option(
            "--sources",
            help="A folder with the archived source texts (may be repeated). Without it, "
            "each source of a dataset folder is checked against that folder's archive/.",
            parser=Path,
            metavar="DIR",
        ),
    ] = None,
    source: SourceOpt = None,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    limit: Limit = None,
) -> None:
    """Check archived sources (sha256) and find every quote in them.

    A source whose archive cannot be located (a bundled one, without --sources) is
    listed as not checked and does not fail the run.

    Examples:

    \b
      stemcli --data mydata verify
      stemcli verify --sources archive --source stemmedicare
    """
    from stemcli.numbers import plural
    from stemcli.ops.resolve import resolve_source
    from stemcli.ops.verify import OUTSIDE
    from stemcli.ops.verify import verify as run
    from stemcli.reports.checks import verify_report

    ds = dataset()
    dirs = list(sources_dirs or ())
    result = run(ds, dirs, source=resolve_source(ds, source) if source is not None else None)
    if dirs:
        result = replace(  # the archive folder is one --sources names
            result,
            misses=tuple(
                replace(m, message="archive must name a file inside --sources")
                if m.reason == OUTSIDE
                else m
                for m in result.misses
            ),
        )
    from stemcli.cli.listing import emit_listing

    report = verify_report(result)
    emit_listing(report, limit, format, output, force, raw, "misses", keys=("misses",))
    if result.unchecked:
        note(
            f"not checked: {', '.join(result.unchecked)} (no archive folder; "
            "give --sources DIR with their archived texts)"
        )
    if result.cited:
        note(
            f"cited, not archived: {', '.join(result.cited)} (evidence and surveys: by DOI "
            "or URL; their claims state figures in the curator's words, with no quote to find)"
        )
    if result.misses:
        note(plural(len(result.misses), "miss", "misses"), style="red")
        raise typer.Exit(int(ExitCode.FINDINGS))
    note(
        f"ok: {plural(result.checked_quotes, 'quote')} found in "
        f"{plural(result.checked_sources, 'source')}",
        style="green" if result.checked_sources else "yellow",
    )


@command()
def export(
    *,
    format: ExportFormatOpt = ExportFormat.json,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    reviewer: Annotated[
        str | None,
        typer.Option(
            "--reviewer",
            help="claimreview: the organisation that publishes the reviews "
            "(default: $STEMCLI_REVIEWER).",
            metavar="NAME",
        ),
    ] = None,
    reviewer_url: Annotated[
        str | None,
        typer.Option(
            "--reviewer-url",
            help="claimreview: the address where the reviews are published; each review's "
            "url is it with a fragment (default: $STEMCLI_REVIEWER_URL).",
            metavar="URL",
        ),
    ] = None,
) -> None:
    """Every claim (JSON, CSV, YAML), or the findings published.

    claimreview writes schema.org ClaimReview items (JSON-LD) for the contradictions and
    arithmetic findings, naming the reviewer (--reviewer, --reviewer-url); sqlite writes
    a database for Datasette and its metadata beside it (NAME.metadata.json); datapackage
    writes a Frictionless data package folder.

    Examples:

    \b
      stemcli export --format csv --output claims.csv
      stemcli export --format sqlite -o claims.db
      stemcli export -f claimreview --reviewer Desk --reviewer-url https://d.org/
    """
    from stemcli.cli.publish import export_file

    ds = dataset()
    if export_file(ds, format, output, force, reviewer=reviewer, reviewer_url=reviewer_url):
        return
    from stemcli.reports.checks import export_report

    emit(export_report(ds), format, output, force, raw)
