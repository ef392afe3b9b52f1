"""Commands and writers that publish the findings: the report page, and the file exports
(ClaimReview, SQLite with its Datasette metadata, a Frictionless data package)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stemcli.cli.env import command, dataset, note, write
from stemcli.cli.options import Choice, Force, Output, choice, completes, output_path

if TYPE_CHECKING:
    from stemcli.cli.options import ExportFormat
    from stemcli.exports import Listed
    from stemcli.exports.claimreview import Reviewer
    from stemcli.model import Dataset


class PageFormat(Choice):
    """What report writes: an HTML page (the default) or Markdown."""

    html = "html"
    markdown = "markdown"


@command()
def report(
    source: Annotated[
        str,
        typer.Argument(
            help="The source: its id or publisher (see 'stemcli sources').",
            metavar="SOURCE",
            autocompletion=completes("sources"),
        ),
    ],
    *,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Write the HTML page to FILE (the same as --format html --output FILE).",
            parser=output_path,
            metavar="FILE",
        ),
    ] = None,
    format: Annotated[
        PageFormat,
        typer.Option(
            "--format",
            "-f",
            help="Output format: html (a self-contained page) or markdown.",
            parser=choice(PageFormat, "--format"),
            metavar="FORMAT",
        ),
    ] = PageFormat.html,
    output: Output = None,
    force: Force = False,
    sources_dirs: Annotated[
        list[Path] | None,
        typer.Option(
            "--sources",
            help="A folder with the archived source texts (may be repeated), to check the "
            "archive's sha256 and find each quote in it; as verify --sources.",
            parser=Path,
            metavar="DIR",
        ),
    ] = None,
) -> None:
    """One source on one page: its claims, findings and red flags.

    What the page claims (by condition and outcome), its contradictions and tensions,
    its disagreements with other sources, arithmetic findings, red flags with the guidance
    behind them, the range chart, and the provenance of every quote. The HTML page is
    self-contained: no scripts, nothing loaded from the network, and it prints well.

    Examples:

    \b
      stemcli report stemmedicare --html stemmedicare.html
      stemcli report bookimed --format markdown > bookimed.md
      stemcli report nexgenesis --sources archives --html nexgenesis.html
    """
    from stemcli import __version__
    from stemcli.errors import UsageError
    from stemcli.ops.report import source_report
    from stemcli.ops.resolve import resolve_source
    from stemcli.reports.page import source_page

    if html is not None:
        if output is not None:
            raise UsageError("give --html FILE or --output FILE, not both")
        if format is not PageFormat.html:
            raise UsageError("--html writes HTML; --format markdown goes with --output")
        output = html
    if output is not None:
        from stemcli.cli.atomic import check_target
        from stemcli.cli.options import is_stdout

        if not is_stdout(output):
            check_target(output, force=force)
    ds = dataset()
    sid = resolve_source(ds, source)
    result = source_report(ds, sid, list(sources_dirs or ()))
    from stemcli.cli.analyse import _dataset_date

    page = source_page(ds, result, date=_dataset_date(), version=__version__)
    if result.archive.name and not result.archive.found:
        note(
            f"the archived text of {sid} ({result.archive.name}) was not found, so its "
            "sha256 and quotes were not checked; --sources DIR names where it is"
        )
    if format is PageFormat.html:
        from stemcli.render.html_page import render
    else:
        from stemcli.render.markdown_page import render
    write(render(page), output, force)


def export_file(
    ds: Dataset,
    fmt: ExportFormat,
    output: Path | None,
    force: bool,
    *,
    reviewer: str | None = None,
    reviewer_url: str | None = None,
) -> bool:
    """Write the exports that are not a report's rendering (``claimreview``, ``sqlite``,
    ``datapackage``); False for any other format (the caller renders it)."""
    from stemcli.cli.options import ExportFormat, is_stdout
    from stemcli.errors import UsageError

    if fmt is ExportFormat.claimreview:
        from stemcli.exports.claimreview import claimreview_json

        who = _reviewer(reviewer, reviewer_url)
        document, listed = claimreview_json(ds, who, date=_today())
        write(document, output, force)
        _left_out(listed, "the review list", "contradictions and arithmetic findings")
        return True
    if fmt not in (ExportFormat.sqlite, ExportFormat.datapackage):
        if reviewer is not None or reviewer_url is not None:
            raise UsageError("--reviewer and --reviewer-url go with --format claimreview")
        return False
    if output is None or is_stdout(output):
        what = "a database file" if fmt is ExportFormat.sqlite else "a folder"
        name = "claims.db" if fmt is ExportFormat.sqlite else "claims-package"
        raise UsageError(
            f"--format {fmt.value} writes {what}: give --output", hint=f"e.g. -o {name}"
        )
    if reviewer is not None or reviewer_url is not None:
        raise UsageError("--reviewer and --reviewer-url go with --format claimreview")
    if fmt is ExportFormat.sqlite:
        _write_sqlite(ds, output, force)
    else:
        from stemcli.cli.atomic import write_folder
        from stemcli.exports.datapackage import MARKER, build

        held: list[Listed] = []
        write_folder(
            output, lambda folder: held.append(build(ds, folder)), marker=MARKER, force=force
        )
        note(f"wrote {output}/ ({MARKER} and its CSV resources)", style="green")
        _left_out(held[0], "the conflicts resource")
    return True


def _left_out(listed: Listed, holder: str, what: str = "findings") -> None:
    """Say what ``holder`` ("the conflicts table") left out of the ``what``, if it did."""
    if listed.listed < listed.total:
        note(
            f"{holder} holds the first {listed.listed:,} of {listed.total:,} {what}, the "
            "most severe of each kind first; stemcli conflicts --count counts them all, "
            "and stemcli conflicts lists them by condition, source or kind"
        )


REVIEWER_ENV = "STEMCLI_REVIEWER"
REVIEWER_URL_ENV = "STEMCLI_REVIEWER_URL"


def _reviewer(name: str | None, url: str | None) -> Reviewer:
    """Who reviews: the options, else the environment; both are needed."""
    from stemcli.errors import UsageError
    from stemcli.exports.claimreview import Reviewer
    from stemcli.ids import is_url

    name = (name if name is not None else os.environ.get(REVIEWER_ENV, "")).strip()
    url = (url if url is not None else os.environ.get(REVIEWER_URL_ENV, "")).strip()
    if not name:
        raise UsageError(
            "ClaimReview names the organisation that reviews: give --reviewer NAME",
            hint=f"or set {REVIEWER_ENV}; --reviewer-url URL (or {REVIEWER_URL_ENV}) too",
        )
    if not url:
        raise UsageError(
            "ClaimReview needs the address where the reviews are published: give "
            "--reviewer-url URL",
            hint=f"or set {REVIEWER_URL_ENV}",
        )
    if not is_url(url):
        raise UsageError(
            f"--reviewer-url {url!r} must be an absolute http:// or https:// address with no spaces"
        )
    return Reviewer(name, url)


def _today() -> str:
    """The review's date: today (UTC), or the day of $SOURCE_DATE_EPOCH when it is set (for
    reproducible exports)."""
    from datetime import datetime, timezone

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = datetime.now(timezone.utc)
    if epoch.isdigit():
        when = datetime.fromtimestamp(int(epoch), timezone.utc)
    return when.date().isoformat()


def _write_sqlite(ds: Dataset, target: Path, force: bool) -> None:
    """The database and its Datasette metadata beside it (``claims.db`` and
    ``claims.metadata.json``), both or neither: the metadata is put in place once the
    database is built, the database last; if that fails, the metadata is taken back (the
    one it replaced restored)."""
    from stemcli.cli.atomic import check_target, write_built, write_text
    from stemcli.exports.sqlite import build, metadata_json, metadata_path

    meta = metadata_path(target)
    check_target(target, force=force)
    check_target(meta, force=force)
    old: str | None = None
    if meta.exists():
        try:
            old = meta.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            from stemcli.errors import InputError

            raise InputError(f"{meta}: cannot read the file it would replace: {e}") from None
    placed = False

    held: list[Listed] = []  # what the database's conflicts table holds, once built

    def make(tmp: Path) -> None:
        nonlocal placed
        held.append(build(ds, tmp))
        write_text(meta, metadata_json(ds, target.name, held[0]), force=force)
        placed = True

    try:
        write_built(target, make, force=force)
    except BaseException:
        if placed:
            import contextlib

            with contextlib.suppress(Exception):
                if old is None:
                    meta.unlink()
                else:
                    write_text(meta, old, force=True)
        raise
    note(f"wrote {target} and {meta}", style="green")
    note(f"browse it: datasette {target} --metadata {meta}", style="green")
    _left_out(held[0], "the conflicts table")
