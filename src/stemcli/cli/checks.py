"""Commands that check and export the dataset: validate, verify, export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stemcli.cli.env import (
    command,
    dataset,
    emit,
    note,
    state,
    write,
)
from stemcli.cli.options import (
    Force,
    Format,
    Output,
    Raw,
    SourceOpt,
)
from stemcli.errors import ExitCode
from stemcli.render import OutputFormat

if TYPE_CHECKING:
    pass


@command()
def validate(
    *,
    format: Format = OutputFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """Check the dataset and list every problem; exit 1 if there are any.

    Example: stemcli --data ~/my-claims validate
    """
    from stemcli.dataset import check
    from stemcli.dataset.find import data_paths
    from stemcli.reports import plural, problems_report

    ds, problems = check(data_paths(state().data), bundled=state().bundled, use_cache=state().cache)
    emit(problems_report(problems), format, output, force, raw)
    if problems:
        note(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", style="red")
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
    format: Format = OutputFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """Check archived sources against their sha256 and find every quote in them.

    Example: stemcli verify --sources ../shared/seeds
    """
    from stemcli.ops.resolve import resolve_source
    from stemcli.ops.verify import verify as run
    from stemcli.reports import plural, verify_report

    ds = dataset()
    result = run(ds, sources_dir, source=resolve_source(ds, source) if source is not None else None)
    emit(verify_report(result), format, output, force, raw)
    if result.misses:
        note(f"{len(result.misses)} miss{'es' if len(result.misses) != 1 else ''}", style="red")
        raise typer.Exit(int(ExitCode.FINDINGS))
    note(
        f"ok: {plural(result.checked_quotes, 'quote')} found in "
        f"{plural(result.checked_sources, 'source')}",
        style="green",
    )


@command()
def export(
    *,
    format: Annotated[
        str, typer.Option("--format", "-f", help="json, csv or yaml.", case_sensitive=False)
    ] = "json",
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """Every claim with its parsed value, as JSON, CSV or YAML.

    Example: stemcli export --format csv --output claims.csv
    """
    from stemcli.reports import export_text

    fmt = format.lower()
    if fmt not in ("json", "csv", "yaml"):
        from stemcli.errors import UsageError

        raise UsageError(f"--format must be json, csv or yaml, not {format!r}")
    write(export_text(dataset(), fmt, raw=raw), output, force)
