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
    ListingFormat,
    Output,
    Raw,
    SourceOpt,
)
from stemcli.errors import ExitCode


@command()
def validate(
    *,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """Check the dataset and list every problem; exit 1 if there are any.

    Example: stemcli --data ~/my-claims validate
    """
    from stemcli.dataset import check
    from stemcli.dataset.find import data_paths
    from stemcli.numbers import plural
    from stemcli.reports.checks import problems_report

    ds, problems = check(data_paths(state().data), bundled=state().bundled, use_cache=state().cache)
    emit(problems_report(problems), format, output, force, raw)
    if problems:
        note(f"{plural(len(problems), 'problem')} found", style="red")
        raise typer.Exit(int(ExitCode.FINDINGS))
    note(
        f"ok: {plural(len(ds.claims), 'claim')}, {plural(len(ds.sources), 'source')}, "
        f"{plural(len(ds.conditions), 'condition')}",
        style="green",
    )


@command()
def verify(
    *,
    sources_dir: Annotated[
        Path,
        typer.Option(
            "--sources", help="Folder with the archived source texts.", parser=Path, metavar="DIR"
        ),
    ],
    source: SourceOpt = None,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """Check archived sources against their sha256 and find every quote in them.

    Example: stemcli verify --sources ../shared/seeds
    """
    from stemcli.numbers import plural
    from stemcli.ops.resolve import resolve_source
    from stemcli.ops.verify import OUTSIDE
    from stemcli.ops.verify import verify as run
    from stemcli.reports.checks import verify_report

    ds = dataset()
    result = run(ds, sources_dir, source=resolve_source(ds, source) if source is not None else None)
    result = replace(  # the archive folder is the one --sources names
        result,
        misses=tuple(
            replace(m, message="archive must name a file inside --sources")
            if m.reason == OUTSIDE
            else m
            for m in result.misses
        ),
    )
    emit(verify_report(result), format, output, force, raw)
    if result.misses:
        note(plural(len(result.misses), "miss", "misses"), style="red")
        raise typer.Exit(int(ExitCode.FINDINGS))
    note(
        f"ok: {plural(result.checked_quotes, 'quote')} found in "
        f"{plural(result.checked_sources, 'source')}",
        style="green",
    )


@command()
def export(
    *,
    format: ExportFormatOpt = ExportFormat.json,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """Every claim with its parsed value, as JSON, CSV or YAML.

    Example: stemcli export --format csv --output claims.csv
    """
    from stemcli.reports.checks import export_report

    emit(export_report(dataset()), format, output, force, raw)
