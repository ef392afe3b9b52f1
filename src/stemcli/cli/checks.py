"""Commands that check and export the dataset: validate, verify, export, convert."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stemcli.cli.env import command, dataset, emit, note, state
from stemcli.cli.options import (
    DatasetFormat,
    ExportFormat,
    ExportFormatOpt,
    Force,
    Format,
    Limit,
    ListingFormat,
    Output,
    Raw,
    SourceOpt,
    choice,
)
from stemcli.errors import ExitCode

if TYPE_CHECKING:
    from stemcli.model import Dataset


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
    """The claims, the whole dataset, or the findings published.

    json, csv and yaml hold every claim with its parsed value; jsonl and parquet hold the
    whole dataset as loaded (sources, conditions, claims), for --data FILE. claimreview
    writes schema.org ClaimReview items (JSON-LD) for the contradictions, arithmetic and
    unusual findings, naming the reviewer (--reviewer, --reviewer-url); sqlite writes a
    database for Datasette and its metadata beside it (NAME.metadata.json); datapackage
    writes a Frictionless data package folder.

    Examples:

    \b
      stemcli export --format csv --output claims.csv
      stemcli export --format sqlite -o claims.db
      stemcli --data mydata --no-bundled export --format parquet -o mydata.parquet
    """
    from stemcli.cli.env import write_chunks
    from stemcli.cli.publish import export_file

    ds = dataset()
    if export_file(ds, format, output, force, reviewer=reviewer, reviewer_url=reviewer_url):
        return
    if format is ExportFormat.parquet:
        _write_parquet(output, force, ds)
    elif format is ExportFormat.jsonl:
        from stemcli.exports.jsonl import lines

        write_chunks(lines(ds), output, force)
    else:
        from stemcli.reports.checks import export_report

        emit(export_report(ds), format, output, force, raw)


def _write_parquet(output: Path | None, force: bool, ds: Dataset | None = None) -> None:
    from stemcli.cli.options import is_stdout
    from stemcli.errors import UsageError

    if output is None or is_stdout(output):
        raise UsageError(
            "Parquet is written to a file: give --output FILE", hint="e.g. -o claims.parquet"
        )
    from stemcli.cli.atomic import check_target, write_built
    from stemcli.dataset.formats.parquet import pyarrow
    from stemcli.exports import parquet

    pyarrow()  # before any work: a missing pyarrow is said at once
    check_target(output, force=force)
    data = ds if ds is not None else dataset()
    write_built(output, lambda tmp: parquet.write(data, tmp), force=force)
    note(f"wrote {output}", style="green")


@command()
def convert(
    src: Annotated[
        Path,
        typer.Argument(
            help="The dataset: a YAML folder (like data/), a .jsonl or a .parquet file.",
            metavar="SRC",
            parser=Path,  # checked by stemcli's own reading and writing, not click's
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Argument(
            help="What to write: a .jsonl or .parquet file, or a folder for YAML.",
            metavar="OUT",
            parser=Path,  # checked by stemcli's own reading and writing, not click's
            show_default=False,
        ),
    ],
    *,
    to: Annotated[
        DatasetFormat | None,
        typer.Option(
            "--to",
            help="The format to write: yaml (a folder), jsonl or parquet; by default "
            "OUT's extension decides (.jsonl, .parquet, else a YAML folder).",
            parser=choice(DatasetFormat, "--to"),
            metavar="FORMAT",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an existing OUT (a folder only if stemcli wrote it: it holds "
            "sources.yaml).",
        ),
    ] = False,
) -> None:
    """Convert a dataset between YAML, JSON Lines and Parquet.

    SRC is read on its own (not with the bundled dataset) and validated; OUT gets its
    sources, conditions and claims. The vocabularies (outcomes.yaml) stay the program's.

    Examples:

    \b
      stemcli convert mydata mydata.jsonl
      stemcli convert mydata.jsonl mydata.parquet
      stemcli convert mydata.parquet mydata-yaml --to yaml
    """
    from stemcli.cli.atomic import check_target, target_path
    from stemcli.dataset import load
    from stemcli.dataset.find import bundled_dir
    from stemcli.numbers import plural

    target = _convert_format(out, to)
    if target is not DatasetFormat.yaml:
        out = target_path(str(out))
        check_target(out, force=force)
    if target is DatasetFormat.parquet:
        from stemcli.dataset.formats.parquet import pyarrow

        pyarrow()
    try:
        bundled = src.resolve() == bundled_dir().resolve()
    except (OSError, RuntimeError):
        bundled = False
    ds = load([] if bundled else [src], bundled=bundled, use_cache=state().cache)
    if not bundled and (src / "outcomes.yaml").is_file():
        note(f"{src / 'outcomes.yaml'}: not carried (the vocabularies are the program's)")
    if target is DatasetFormat.parquet:
        _write_parquet(out, force, ds)
    elif target is DatasetFormat.jsonl:
        from stemcli.cli.env import write_chunks
        from stemcli.exports.jsonl import lines

        write_chunks(lines(ds), out, force)
    else:
        from stemcli.cli.atomic import write_folder
        from stemcli.exports import yaml_folder

        write_folder(
            out, lambda tmp: yaml_folder.write(ds, tmp), marker="sources.yaml", force=force
        )
        note(f"wrote {out}", style="green")
    note(
        f"{plural(len(ds.claims), 'claim')}, {plural(len(ds.sources), 'source')}, "
        f"{plural(len(ds.conditions), 'condition')}"
    )


def _convert_format(out: Path, to: DatasetFormat | None) -> DatasetFormat:
    from stemcli.errors import UsageError

    suffix = out.suffix.lower()
    by_suffix = {".jsonl": DatasetFormat.jsonl, ".parquet": DatasetFormat.parquet}
    if to is None:
        if suffix in (".yaml", ".yml"):
            raise UsageError(
                f"{out}: a YAML dataset is a folder, not one file",
                hint="name a folder, such as mydata-yaml",
            )
        return by_suffix.get(suffix, DatasetFormat.yaml)
    if suffix in by_suffix and by_suffix[suffix] is not to:
        raise UsageError(f"{out}: a .{suffix[1:]} name for --to {to.value}")
    return to
