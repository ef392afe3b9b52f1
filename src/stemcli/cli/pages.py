"""Commands that read a page: extract, redflags."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stemcli.cli.env import command, dataset, note, stop_progress
from stemcli.cli.options import (
    Choice,
    ExtractFormat,
    ExtractFormatOpt,
    Force,
    Format,
    Full,
    Limit,
    ListingFormat,
    Output,
    Raw,
    choice,
    completes,
)
from stemcli.errors import ExitCode

if TYPE_CHECKING:
    from stemcli.text.readers import Page


def _is_stdin(file: Path) -> bool:
    return str(file) == "-"


def _page_name(file: Path) -> str:
    return "<stdin>" if _is_stdin(file) else str(file)


def read_page(file: Path) -> Page:
    """The page in FILE (text, HTML or PDF), or on standard input when FILE is '-'."""
    from stemcli.text.readers import read_page as read
    from stemcli.text.readers import reading_note

    if _is_stdin(file):
        stop_progress()  # no spinner beside a page being typed in
    stdin = getattr(sys.stdin, "buffer", None) if _is_stdin(file) else None
    page = read(file, stdin=stdin)
    message = reading_note(page)
    if message is not None:
        note(message)
    return page


@command()
def extract(
    file: Annotated[
        Path,
        typer.Argument(
            help="The page: a UTF-8 text, a saved web page or a PDF; - reads standard input.",
            parser=Path,
            metavar="FILE",
        ),
    ],
    *,
    source_id: Annotated[
        str | None,
        typer.Option(
            "--source-id",
            help="The new source's id: claims are named SOURCE-001, SOURCE-002 ... "
            "(default: from the file name).",
            metavar="SOURCE",
        ),
    ] = None,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="Add the page to this dataset folder: its text to archive/SOURCE.txt, the "
            "source to sources.yaml, the drafts to claims/SOURCE.yaml (nothing is replaced).",
            parser=Path,
            metavar="DIR",
        ),
    ] = None,
    format: ExtractFormatOpt = ExtractFormat.yaml,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    full: Full = False,
    limit: Limit = None,
) -> None:
    """Draft claims from a page: one per number, guesses marked.

    Every field marked as a guess (YAML '# guess' and 'review', JSON 'review', '?' in
    tables) needs a person's check. With --into DIR the page becomes a source of that
    dataset folder; confirm each field named in review, delete it from the list, then
    run validate --strict and verify.

    Examples:

    \b
      stemcli extract page.txt --into mydata --source-id my-clinic
      stemcli extract saved-page.html --format table
      stemcli extract clinic.pdf --output drafts.yaml
    """
    from stemcli.errors import UsageError
    from stemcli.numbers import plural
    from stemcli.ops.extract import check_source_id, default_source_id
    from stemcli.ops.extract import extract as run
    from stemcli.reports.drafts import drafts_report

    if into is not None and output is not None:
        raise UsageError("--into and -o/--output are exclusive", hint="give one of them")
    if limit is not None and format is ExtractFormat.yaml:
        raise UsageError(
            "--limit shortens extract's table, JSON, CSV or Markdown, not the claims file",
            hint="add --format table (the file written by --into always holds every draft)",
        )
    stem = "stdin" if _is_stdin(file) else file.stem
    sid = check_source_id(source_id) if source_id is not None else default_source_id(stem)
    page = read_page(file)
    ds = dataset()
    intake = None
    if into is not None:
        from stemcli.ops.intake import SourceTaken, plan

        try:
            intake = plan(ds, into, page, sid)
        except SourceTaken as e:
            e.hint = "choose another --source-id"
            raise
    result = run(ds, page.text, source_id=sid, path=page.name)
    report = drafts_report(
        result,
        full=full,
        outcomes=tuple(ds.outcomes),
        measures=tuple(ds.measures),
        source_added=intake is not None,
    )
    n = len(result.drafts)
    if intake is None:
        from stemcli.cli.listing import emit_listing

        emit_listing(report, limit, format, output, force, raw, "drafts")
        note(f"{plural(n, 'draft claim')} from {page.name}", style="green" if n else "yellow")
        return
    from stemcli.cli.atomic import write_files
    from stemcli.ops.intake import write

    assert report.yaml is not None
    write(intake, report.yaml, lambda files, replace: write_files(files, force=replace))
    if format is not ExtractFormat.yaml:
        from stemcli.cli.listing import emit_listing

        emit_listing(report, limit, format, None, force, raw, "drafts")
    note(f"wrote {intake.archive} and {intake.claims}", style="green")
    note(f"added source {sid!r} to {intake.sources}", style="green")
    note(
        f"{plural(n, 'draft claim')} from {page.name}; confirm each field named in review, "
        f"then: stemcli --data {into} validate --strict",
        style="green" if n else "yellow",
    )


class PageKind(Choice):
    """What a page is, for redflags --kind (the source kinds of the dataset)."""

    clinic = "clinic"
    broker = "broker"
    information = "information"


@command()
def redflags(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A page: a UTF-8 text, a saved web page or a PDF; - reads standard input.",
            parser=Path,
            metavar="[FILE]",
        ),
    ] = None,
    *,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Check the quotes of this SOURCE of the dataset instead.",
            metavar="SOURCE",
            autocompletion=completes("sources"),
        ),
    ] = None,
    kind: Annotated[
        PageKind | None,
        typer.Option(
            "--kind",
            help=(
                "What the page is: clinic, broker or information (default: guessed from its"
                " words; with --source, the source's kind)."
            ),
            parser=choice(PageKind, "--kind"),
            metavar="KIND",
        ),
    ] = None,
    fail_on_flag: Annotated[
        bool,
        typer.Option(
            "--fail-on-flag", help="Exit 1 when any red flag is found (relayed ones do not count)."
        ),
    ] = False,
    format: Format = ListingFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    limit: Limit = None,
) -> None:
    """Warning signs in a page or a source's quotes, and why.

    With --source, also how many of its claims state n, a timepoint, a comparator and a
    citation. On a page that sells no treatment (information: news, advice), what the page
    relays (quoted, said by someone, a regulator's statement, advice to readers) is listed
    as relayed, apart from its own red flags. Finding red flags is the job done (exit 0);
    --fail-on-flag exits 1 instead when the page has red flags of its own, as conflicts
    --fail-on-conflict does.

    Examples:

    \b
      stemcli redflags page.txt
      stemcli redflags --source stemmedicare
      stemcli redflags saved-page.html --fail-on-flag --format json
    """
    from stemcli.errors import UsageError
    from stemcli.ops.redflags import SELLING_KINDS, guess_page_kind, scan_quotes, scan_text
    from stemcli.reports.redflags import redflags_report

    if file is not None and source is not None:
        raise UsageError("give either a FILE or --source ID, not both")
    if file is not None:
        text = read_page(file).text
        page_kind = str(kind) if kind is not None else guess_page_kind(text)
        result = scan_text(text, path=_page_name(file), kind=page_kind, kind_guessed=kind is None)
    elif source is not None:
        from stemcli.ops.resolve import resolve_source

        ds = dataset()
        sid = resolve_source(ds, source)
        # the source's kind, unless it sells treatment under another kind: then it is
        # read as a clinic's page
        src = ds.sources[sid]
        if src.is_reference:
            raise UsageError(
                f"source {sid!r} is a reference source ({src.kind}), not marketing: red "
                "flags are the warning signs of a page that sells, and its claims are cited "
                "statements",
                hint="stemcli lookup shows its figures; stemcli context CLAIM sets them beside "
                "a marketing claim",
            )
        as_is = src.kind in SELLING_KINDS or not src.sells_treatment
        source_kind = str(kind) if kind is not None else src.kind if as_is else "clinic"
        result = scan_quotes(
            [c for c in ds.claims if c.source == sid], source=sid, kind=source_kind
        )
    else:
        raise UsageError("give a FILE or --source ID", hint="see 'stemcli redflags --help'")
    from stemcli.cli.listing import emit_listing

    report = redflags_report(result)
    emit_listing(report, limit, format, output, force, raw, "red flags", keys=("findings",))
    if result.kind_guessed and len(result.own) < len(result.findings):
        note("the page's kind was guessed; --kind clinic|broker|information sets it")
    if fail_on_flag and result.own:
        raise typer.Exit(int(ExitCode.FINDINGS))
