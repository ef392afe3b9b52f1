"""The command-line interface: thin commands and the one error boundary.

Commands parse options, call one operation, pick a renderer and write. Nothing else in
the package prints or exits. Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar

import typer

from stemcli import __version__
from stemcli.cli.options import (
    ConditionArg,
    DataPaths,
    Force,
    Format,
    Full,
    Limit,
    OptionalConditionArg,
    OutcomeOpt,
    Output,
    Raw,
    SourceOpt,
    Stage,
    output_path,
)
from stemcli.errors import ExitCode, StemcliError
from stemcli.render import OutputFormat

if TYPE_CHECKING:
    from rich.console import Console

    from stemcli.model import Dataset
    from stemcli.render import Report

app = typer.Typer(
    name="stemcli",
    help=(
        "Explore, compare and check the numeric claims of stem cell therapy marketing.\n\n"
        "Example: stemcli lookup knee-oa --stage middle"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class State:
    data: list[Path] = field(default_factory=list)
    bundled: bool = True
    debug: bool = False
    cache: bool = True
    mute: bool = False  # stderr could not be written: no more messages
    _dataset: Dataset | None = None
    # one pair of consoles per run (they read the terminal's width, NO_COLOR, ...)
    _out: Console | None = None
    _err: Console | None = None


_state = State()

# ---------------------------------------------------------------------------
# consoles and messages


def _columns() -> int | None:
    """The width to lay out for: $COLUMNS when it is a positive number, else the terminal's.

    rich takes COLUMNS=0 at its word and prints nothing; a width that is not a positive
    integer is ignored, for the terminal's width or 80.
    """
    value = os.environ.get("COLUMNS")
    if value is None:
        return None  # rich asks the terminal
    try:
        columns = int(value)
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    import shutil

    return shutil.get_terminal_size((80, 24)).columns or 80


def _console(**options: Any) -> Console:
    """A rich console that prints data as text: no markup, emoji or highlighting.

    A closed pipe is a BrokenPipeError for the boundary to handle, not rich's own exit.
    """
    return _console_class()(
        width=options.pop("width", _columns()),
        highlight=False,
        markup=False,
        emoji=False,
        **options,
    )


@functools.cache
def _console_class() -> type[Console]:
    from rich.console import Console

    class QuietConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    return QuietConsole


def out_console() -> Console:
    if _state._out is None:
        _state._out = _console(soft_wrap=False)
    return _state._out


def err_console() -> Console:
    if _state._err is None:
        _state._err = _console(stderr=True)
    return _state._err


def _say(message: Any) -> None:
    """Print a message on stderr. A stderr that cannot be written never changes the outcome
    of a run: the message is dropped, and so are the ones after it."""
    if _state.mute:
        return
    try:
        err_console().print(message, soft_wrap=True)
    except (OSError, ValueError):  # closed, full, a broken pipe
        _state.mute = True
        _quiet(sys.stderr)


def note(message: str, style: str = "yellow") -> None:
    """A message for the person (stderr), never data."""
    from rich.text import Text

    from stemcli.text.neutralise import clean_line

    _say(Text(clean_line(message), style=style))


def _report_error(message: str, hint: str | None) -> None:
    from rich.text import Text

    from stemcli.text.neutralise import clean_line

    _say(Text("error: ", style="bold red") + Text(clean_line(message)))
    if hint:
        _say(Text("hint: " + clean_line(hint), style="dim"))


def _quiet(stream: Any) -> None:
    """Point a stream that cannot be written at /dev/null, so that the last flush (at exit)
    succeeds instead of failing again and turning the exit code into 120."""
    try:
        fileno = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        if devnull != fileno:
            os.dup2(devnull, fileno)
            os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no such stream, or not a real file
        pass


F = TypeVar("F", bound=Callable[..., Any])


def command(name: str | None = None) -> Callable[[F], F]:
    def register(fn: F) -> F:
        app.command(name)(fn)
        return fn

    return register


# ---------------------------------------------------------------------------
# shared plumbing


def dataset() -> Dataset:
    """The dataset for this run: bundled and/or the user's, validated (cached)."""
    if _state._dataset is None:
        from stemcli.dataset import load
        from stemcli.dataset.find import data_paths

        _state._dataset = load(
            data_paths(_state.data), bundled=_state.bundled, use_cache=_state.cache
        )
    return _state._dataset


def emit(
    report: Report, fmt: OutputFormat, output: Path | None, force: bool, raw: bool = False
) -> None:
    """Render ``report`` in ``fmt`` to stdout or, atomically, to ``output``."""
    from stemcli.render import get_renderer

    rendered = get_renderer(fmt, raw=raw)(report)
    write(rendered, output, force)


def write(rendered: Any, output: Path | None, force: bool) -> None:
    """``rendered`` (text or a rich renderable) to stdout or, atomically, to ``output``."""
    if output is None:
        write_stdout(rendered)
    else:
        save([(output, as_text(rendered))], force)


def write_stdout(rendered: Any) -> None:
    """The one way data reaches stdout. A closed pipe (``| head``) propagates as
    BrokenPipeError, for the boundary to end the run quietly; text the stream's encoding
    cannot hold is written as backslash escapes (see :func:`run`)."""
    from stemcli.errors import InputError

    if sys.stdout is None:  # started with stdout closed (>&-)
        raise InputError("standard output is closed", hint="use --output FILE")
    try:
        if isinstance(rendered, str):
            sys.stdout.write(rendered)
            sys.stdout.flush()
        else:
            out_console().print(rendered)
    except BrokenPipeError:
        raise
    except OSError as e:  # a full disk or device: an error of the run, not a bug
        raise InputError(f"cannot write to standard output: {e.strerror or e}") from None


def as_text(rendered: Any) -> str:
    """What a file keeps of ``rendered``: a table is laid out 120 wide, without colour."""
    if isinstance(rendered, str):
        return rendered
    buf = io.StringIO()
    _console(file=buf, width=120, color_system=None).print(rendered)
    return buf.getvalue()


def save(files: list[tuple[Path, str]], force: bool) -> None:
    """Write every file or none (see :mod:`stemcli.atomic`), then say so."""
    from stemcli.atomic import write_files

    write_files(files, force=force)
    for path, _ in files:
        note(f"wrote {path}", style="green")


def resolve(condition: str, stage: str | None) -> tuple[Any, str | None]:
    from stemcli.ops.resolve import resolve_condition, resolve_stage

    ds = dataset()
    res = resolve_condition(ds, condition)
    if res.fuzzy:
        note(f"matched {condition!r} to {res.condition.id} (score {res.score:.0f})")
    stage_id = resolve_stage(res.condition, stage) if stage is not None else None
    return res.condition, stage_id


# ---------------------------------------------------------------------------
# global options


def _version(value: bool) -> None:
    if value:
        typer.echo(f"stemcli {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    data: DataPaths = None,
    no_bundled: Annotated[
        bool,
        typer.Option("--no-bundled", help="Use only the --data datasets, not the bundled one."),
    ] = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse the data files even if a cached copy exists.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Explore, compare and check the numeric claims of stem cell therapy marketing.

    Example: stemcli lookup knee-oa --stage middle
    """
    _state.data = list(data or [])
    _state.bundled = not no_bundled
    _state.debug = debug or _state.debug
    _state.cache = not no_cache
    if no_bundled and not _state.data and not os.environ.get("STEMCLI_DATA"):
        from stemcli.errors import UsageError

        raise UsageError("--no-bundled needs a dataset: give --data PATH")


# ---------------------------------------------------------------------------
# commands


@command()
def lookup(
    condition: ConditionArg,
    *,
    stage: Stage = None,
    outcome: OutcomeOpt = None,
    source: SourceOpt = None,
    format: Format = OutputFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    full: Full = False,
) -> None:
    """What the sources claim about a condition, grouped by outcome.

    Example: stemcli lookup knee-oa --stage middle
    """
    from stemcli.ops.lookup import lookup as run
    from stemcli.ops.resolve import resolve_outcome, resolve_source
    from stemcli.reports import claims_report

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
        str, typer.Argument(help="The claim's id (see lookup --format json).", metavar="CLAIM_ID")
    ],
    *,
    format: Format = OutputFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """One claim: every field, the full quote, and its source.

    Example: stemcli show bookimed-trial-oa-responders-79pct
    """
    from stemcli.reports import show_report

    ds = dataset()
    claim = ds.claim(claim_id)
    if claim is None:
        from rapidfuzz import process

        from stemcli.errors import UsageError

        close = [m[0] for m in process.extract(claim_id, [c.id for c in ds.claims], limit=3)]
        raise UsageError(f"no claim {claim_id!r}; closest: {', '.join(close) or 'none'}")
    emit(show_report(ds, claim), format, output, force, raw)


@command()
def search(
    text: Annotated[
        str, typer.Argument(help="What to look for: 'return to sports', 'cost' ...", metavar="TEXT")
    ],
    *,
    limit: Limit = 20,
    format: Format = OutputFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    full: Full = False,
) -> None:
    """Ranked fuzzy search over quotes, outcomes and conditions.

    Example: stemcli search "return to sports" --limit 5
    """
    from stemcli.ops.search import search as run
    from stemcli.reports import search_report

    ds = dataset()
    emit(search_report(ds, run(ds, text, limit=limit), full=full), format, output, force, raw)


@command()
def sources(
    *,
    format: Format = OutputFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """The sources of the dataset, with their claim counts.

    Example: stemcli sources --format json
    """
    from stemcli.reports import sources_report

    emit(sources_report(dataset()), format, output, force, raw)


@command()
def conditions(
    *,
    format: Format = OutputFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """The conditions, their aliases and stages, with claim counts per stage.

    Example: stemcli conditions
    """
    from stemcli.reports import conditions_report

    emit(conditions_report(dataset()), format, output, force, raw)


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

    ds, problems = check(data_paths(_state.data), bundled=_state.bundled, use_cache=_state.cache)
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


@command()
def compare(
    condition: OptionalConditionArg = None,
    *,
    stage: Stage = None,
    sources: Annotated[
        str | None,
        typer.Option(
            "--sources",
            help="Only these sources, as columns in this order (comma-separated ids).",
            metavar="ID,ID,...",
        ),
    ] = None,
    outcome: OutcomeOpt = None,
    chart: Annotated[
        bool, typer.Option("--chart", help="Draw each row as a range chart instead of a table.")
    ] = False,
    format: Format = OutputFormat.table,
    output: Output = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace existing --output, --svg or --html files.")
    ] = False,
    raw: Raw = False,
    svg: Annotated[
        Path | None,
        typer.Option(
            "--svg", help="Also save what is shown as SVG.", parser=output_path, metavar="FILE"
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html", help="Also save what is shown as HTML.", parser=output_path, metavar="FILE"
        ),
    ] = None,
) -> None:
    """The sources side by side: one row per condition, stage, outcome and measure.

    A value is marked ≠ when another source states values in its row and none of them
    overlaps it. Claims that are not stage-specific hold for every stage: they join the
    rows of the stages others name, or get an "any" row when nothing is stage-specific.

    Example: stemcli compare knee-oa --stage middle --chart
    """
    from stemcli.errors import UsageError
    from stemcli.ops.compare import compare as run
    from stemcli.ops.compare import parse_sources
    from stemcli.ops.resolve import resolve_outcome
    from stemcli.reports import compare_report

    recorded = [p for p in (svg, html) if p is not None]
    if (chart or recorded) and format is not OutputFormat.table:
        raise UsageError("--chart, --svg and --html go with --format table")
    from stemcli.atomic import check_target

    files = [p for p in (output, *recorded) if p is not None]
    for p in files:
        check_target(p, force=force)
    if len({p.absolute() for p in files}) < len(files):
        raise UsageError("--output, --svg and --html need different files")
    ds = dataset()
    cond, stage_id = resolve(condition, stage) if condition is not None else (None, stage)
    result = run(
        ds,
        cond,
        stage=stage_id,
        outcome=resolve_outcome(ds, outcome) if outcome is not None else None,
        sources=parse_sources(ds, sources) if sources is not None else None,
    )
    report = compare_report(ds, result, chart=chart)
    if not recorded:
        emit(report, format, output, force, raw)
        return
    from stemcli.render import get_renderer

    rendered = get_renderer(format)(report)
    # what the terminal shows (without --output) is what the files keep: rendered at its
    # width, and every file written (all or none) before the table is shown
    recorder = _console(record=True, file=io.StringIO(), width=out_console().width)
    recorder.print(rendered)
    title = "stemcli compare" + (f" {cond.id}" if cond else "")
    saved = [(output, as_text(rendered))] if output is not None else []
    if svg is not None:
        saved.append((svg, recorder.export_svg(title=title, clear=False)))
    if html is not None:
        saved.append((html, recorder.export_html(clear=False)))
    save(saved, force)
    if output is None:
        write_stdout(rendered)


@command()
def conflicts(
    condition: OptionalConditionArg = None,
    *,
    stage: Stage = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Only direct or only cross-measure conflicts.", metavar="KIND"),
    ] = None,
    internal: Annotated[
        bool, typer.Option("--internal", help="Only pairs of claims from one source.")
    ] = False,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Only pairs involving this source (id).", metavar="ID"),
    ] = None,
    min_gap: Annotated[
        float,
        typer.Option(
            "--min-gap",
            min=0,
            metavar="X",
            help="Only gaps of at least X, in the pair's unit (percentage points, days, $).",
        ),
    ] = 0.0,
    limit: Limit = 20,
    count: Annotated[
        bool, typer.Option("--count", help="Print only the number of conflicting pairs per kind.")
    ] = False,
    fail_on_conflict: Annotated[
        bool,
        typer.Option("--fail-on-conflict", help="Exit 1 when the selection has a direct conflict."),
    ] = False,
    tolerance: Annotated[
        float,
        typer.Option("--tolerance", min=0, max=100, metavar="P", help="'about' means ± P percent."),
    ] = 5.0,
    explain: Annotated[
        tuple[str, str] | None,
        typer.Option(
            "--explain",
            metavar="ID ID",
            help="Tell whether two claims are comparable, and why or why not.",
        ),
    ] = None,
    format: Format = OutputFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    full: Annotated[bool, typer.Option("--full", help="Add both quotes, in full.")] = False,
) -> None:
    """Numbers that disagree: comparable claims whose values do not overlap.

    Comparable: same condition, compatible stages, related outcomes, one unit dimension,
    the same comparator and intervention, timepoints not clearly different. KIND is direct
    (same outcome and measure) or cross-measure. Most severe (relative gap) first.

    Example: stemcli conflicts knee-oa --kind direct
    """
    from stemcli.errors import UsageError
    from stemcli.ops import conflicts as ops
    from stemcli.ops.resolve import resolve_source
    from stemcli.reports import conflicts_report

    ds = dataset()
    if explain is not None:
        given = [
            name
            for name, on in (
                ("CONDITION", condition is not None),
                ("--stage", stage is not None),
                ("--kind", kind is not None),
                ("--internal", internal),
                ("--source", source is not None),
                ("--min-gap", min_gap != 0),
                ("--count", count),
                ("--fail-on-conflict", fail_on_conflict),
            )
            if on
        ]
        if given:
            raise UsageError(f"--explain takes two claim ids, not {', '.join(given)}")
        result = ops.explain(ds, explain[0], explain[1], tolerance=tolerance / 100)
        emit(conflicts_report(ds, result, full=full), format, output, force, raw)
        return
    if condition is None and stage is not None:
        raise UsageError(
            "--stage needs a CONDITION", hint="stemcli conflicts knee-oa --stage middle"
        )
    cond, stage_id = resolve(condition, stage) if condition is not None else (None, None)
    sel = ops.Selection(
        condition=cond.id if cond is not None else None,
        stage=stage_id,
        kind=kind.lower() if kind is not None else None,
        internal=internal,
        source=resolve_source(ds, source) if source is not None else None,
        min_gap=min_gap,
        tolerance=tolerance / 100,
    )
    if count:
        counts = ops.count_conflicts(ds, sel)
        if format is OutputFormat.table:
            write(
                "".join(f"{k}: {n}\n" for k, n in counts.to_json(sel.kind).items()), output, force
            )
        else:
            emit(conflicts_report(ds, counts, kind=sel.kind), format, output, force, raw)
    else:
        listing = ops.find_conflicts(ds, sel, limit=limit)
        counts = listing.counts
        title = None
        if cond is not None:
            title = f"Conflicts: {cond.name}" + (f", stage {stage_id}" if stage_id else "")
        report = conflicts_report(ds, listing, full=full, with_condition=cond is None, title=title)
        emit(report, format, output, force, raw)
        if listing.total > len(listing.conflicts):
            note(
                f"showing the {len(listing.conflicts)} most severe of {listing.total}; "
                "--limit N shows more",
                style="dim",
            )
    if fail_on_conflict and counts.direct:
        note(f"{counts.direct} direct conflict{'s' if counts.direct != 1 else ''}", style="red")
        raise typer.Exit(int(ExitCode.FINDINGS))


def _is_stdin(file: Path) -> bool:
    return str(file) == "-"


def _page_name(file: Path) -> str:
    return "<stdin>" if _is_stdin(file) else str(file)


def read_page(file: Path) -> str:
    """A page's text: from FILE, or from standard input when FILE is '-'."""
    from stemcli.text.files import MAX_TEXT_BYTES, read_text, text_of

    if not _is_stdin(file):
        return read_text(file)
    from stemcli.errors import InputError

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError("<stdin>: standard input is closed", hint="give the page as a FILE")
    try:
        data = stream.read(MAX_TEXT_BYTES + 1)
    except OSError as e:
        raise InputError(f"<stdin>: cannot read: {e.strerror or e}") from None
    if len(data) > MAX_TEXT_BYTES:
        limit = MAX_TEXT_BYTES // (1024 * 1024)
        raise InputError(f"<stdin>: more than the {limit} MiB limit")
    return text_of("<stdin>", data)


@command()
def extract(
    file: Annotated[
        Path,
        typer.Argument(
            help="A plain-text (UTF-8) copy of the page; - reads standard input.",
            parser=Path,
            metavar="FILE",
        ),
    ],
    *,
    source_id: Annotated[
        str | None,
        typer.Option(
            "--source-id",
            help="The new source's id: claims are named ID-001, ID-002 ... "
            "(default: from the file name).",
            metavar="ID",
        ),
    ] = None,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="yaml (a claims file to edit), json, table, csv or markdown.",
            case_sensitive=False,
        ),
    ] = "yaml",
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
    full: Full = False,
) -> None:
    """Draft claims from a page's text: one per number, with guesses to confirm.

    Every field marked as a guess (YAML '# guess', JSON 'guessed', '?' in tables) needs a
    person's check. Add the source to sources.yaml, then run validate.

    Example: stemcli extract page.txt --source-id my-clinic -o mydata/claims/my-clinic.yaml
    """
    from stemcli.errors import UsageError
    from stemcli.ops.extract import check_source_id, default_source_id
    from stemcli.ops.extract import extract as run
    from stemcli.reports import drafts_report, drafts_yaml

    fmt = format.lower()
    if fmt not in ("yaml", "json", "table", "csv", "markdown"):
        raise UsageError(f"--format must be yaml, json, table, csv or markdown, not {format!r}")
    stem = "stdin" if _is_stdin(file) else file.stem
    sid = check_source_id(source_id) if source_id is not None else default_source_id(stem)
    text = read_page(file)
    result = run(dataset(), text, source_id=sid, path=_page_name(file))
    if fmt == "yaml":
        write(drafts_yaml(result), output, force)
    else:
        emit(drafts_report(result, full=full), OutputFormat(fmt), output, force, raw)
    n = len(result.drafts)
    note(
        f"{n} draft claim{'s' if n != 1 else ''} from {_page_name(file)}",
        style="green" if n else "yellow",
    )


@command()
def redflags(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A plain-text (UTF-8) copy of a page; - reads standard input.",
            parser=Path,
            metavar="[FILE]",
        ),
    ] = None,
    *,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Check the quotes of this source of the dataset instead."),
    ] = None,
    fail_on_flag: Annotated[
        bool, typer.Option("--fail-on-flag", help="Exit 1 when any red flag is found.")
    ] = False,
    format: Format = OutputFormat.table,
    output: Output = None,
    force: Force = False,
    raw: Raw = False,
) -> None:
    """Warning signs in a page or a source's quotes, each with why and public guidance.

    With --source, also how many of its claims state n, a timepoint, a comparator and a
    citation. Finding red flags is the job done (exit 0); --fail-on-flag exits 1 instead,
    as conflicts --fail-on-conflict does.

    Example: stemcli redflags page.txt
    """
    from stemcli.errors import UsageError
    from stemcli.ops.redflags import scan_quotes, scan_text
    from stemcli.reports import redflags_report

    if file is not None and source is not None:
        raise UsageError("give either a FILE or --source ID, not both")
    if file is not None:
        result = scan_text(read_page(file), path=_page_name(file))
    elif source is not None:
        from stemcli.ops.resolve import resolve_source

        ds = dataset()
        sid = resolve_source(ds, source)
        result = scan_quotes([c for c in ds.claims if c.source == sid], source=sid)
    else:
        raise UsageError("give a FILE or --source ID", hint="see 'stemcli redflags --help'")
    emit(redflags_report(result), format, output, force, raw)
    if fail_on_flag and result.findings:
        raise typer.Exit(int(ExitCode.FINDINGS))


# ---------------------------------------------------------------------------
# entry point


_GLOBAL_OPTIONS_WITH_VALUE = ("--data",)


def app_for(argv: list[str]) -> typer.Typer:
    """The app to run ``argv`` with: only the invoked command, when there is one.

    typer inspects every command's parameters on each run (about 20 ms for twelve
    commands, more than all of stemcli's own start-up); a run needs only its own command.
    Help, --version, unknown commands and anything unusual get the whole app.
    """
    import copy

    name = None
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in _GLOBAL_OPTIONS_WITH_VALUE:
            skip = True
        elif arg in ("-h", "--help", "-V", "--version", "--"):
            return app
        elif not arg.startswith("-"):
            name = arg
            break
    if name is None:
        return app
    matches = [
        info
        for info in app.registered_commands
        if (info.name or getattr(info.callback, "__name__", "").replace("_", "-")) == name
    ]
    if len(matches) != 1:
        return app
    slim = copy.copy(app)
    slim.registered_commands = matches
    return slim


def run(
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> ExitCode:
    """Run stemcli with ``argv``: the one error boundary.

    ``env`` is the environment of the run (default: the process's), the streams default
    to the process's. Every outcome becomes a documented exit code: stemcli's errors and
    click's (an unknown option, a bad value) one ``error:`` line, Ctrl-C and SIGTERM 130,
    a closed stdout pipe a quiet 0, anything unexpected 70 with a hint (its traceback
    only with --debug, which re-raises it). Text a stream's encoding cannot hold is
    written as a backslash escape; a stderr that cannot be written changes nothing.
    """
    with _environment(env), _streams(stdin, stdout, stderr):
        global _state
        _state = State(debug=bool(os.environ.get("STEMCLI_DEBUG")))
        try:
            code = _boundary(list(argv))
        finally:
            _flush()
        return code


def _boundary(argv: list[str]) -> ExitCode:
    try:  # recent typer carries its own copy of click
        from typer._click import exceptions as click_errors
    except ImportError:
        from click import exceptions as click_errors  # type: ignore[no-redef, import-not-found, unused-ignore]

    try:
        command = typer.main.get_command(app_for(argv))
        # not command.main(): it prints click's own messages and turns Ctrl-C into other
        # exceptions; here every outcome is decided below
        with command.make_context("stemcli", argv) as ctx:
            command.invoke(ctx)
        return ExitCode.OK
    except typer.Exit as e:  # --help, --version, a command's findings
        return _exit_code(e.exit_code)
    except StemcliError as e:
        _report_error(e.message, e.hint)
        return e.exit_code
    except click_errors.NoArgsIsHelpError as e:  # plain 'stemcli': the help, as click does
        _say(e.format_message())
        return ExitCode.USAGE
    except click_errors.UsageError as e:  # an unknown option or command, a bad value
        where = e.ctx.command_path if e.ctx is not None else "stemcli"
        _report_error(e.format_message(), f"see '{where} --help'")
        return ExitCode.USAGE
    except click_errors.ClickException as e:
        _report_error(e.format_message(), None)
        return ExitCode.DATA
    except (KeyboardInterrupt, typer.Abort):  # Ctrl-C, SIGTERM (see __main__)
        _report_error("interrupted", None)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # stemcli ... | head: the reader has what it wanted
        _quiet(sys.stdout)
        return ExitCode.OK
    except MemoryError:
        _report_error("out of memory", "try a smaller dataset or input file")
        return ExitCode.DATA
    except Exception as e:
        if _state.debug:
            raise
        _report_error(
            f"unexpected {type(e).__name__}: {e}",
            "this is a bug; rerun with --debug to see the traceback",
        )
        return ExitCode.INTERNAL


def _exit_code(code: int) -> ExitCode:
    try:
        return ExitCode(code)
    except ValueError:
        return ExitCode.INTERNAL


def _flush() -> None:
    """Flush both streams now, inside the boundary: one that fails is pointed at /dev/null
    (Python would otherwise fail again at exit and exit 120)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except (OSError, ValueError):
            _quiet(stream)


@contextlib.contextmanager
def _environment(env: Mapping[str, str] | None) -> Iterator[None]:
    if env is None or env is os.environ:
        yield
        return
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def _streams(stdin: TextIO | None, stdout: TextIO | None, stderr: TextIO | None) -> Iterator[None]:
    saved = sys.stdin, sys.stdout, sys.stderr
    if stdin is not None:
        sys.stdin = stdin
    if stdout is not None:
        sys.stdout = stdout
    if stderr is not None:
        sys.stderr = stderr
    for stream in (sys.stdout, sys.stderr):
        _escape_unencodable(stream)
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def _escape_unencodable(stream: TextIO | None) -> None:
    """On a stream whose encoding cannot hold every character (ASCII, Latin-1 ...), write
    what it cannot hold as ``\\u2260`` instead of failing."""
    if isinstance(stream, io.TextIOWrapper) and stream.errors != "backslashreplace":
        with contextlib.suppress(OSError, ValueError):
            stream.reconfigure(errors="backslashreplace")


def main() -> None:
    """The entry point as installs made before ``stemcli.__main__:main`` name it."""
    from stemcli.__main__ import main as entry

    entry()
