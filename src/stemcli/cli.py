"""The command-line interface: thin commands and the one error boundary.

Commands parse options, call one operation, pick a renderer and write. Nothing else in
the package prints or exits. Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from stemcli import __version__
from stemcli.errors import ExitCode, StemcliError
from stemcli.options import (
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
)
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
    _dataset: Dataset | None = None
    # one pair of consoles per run (they read the terminal's width, NO_COLOR, ...)
    _out: Console | None = None
    _err: Console | None = None


_state = State()

# ---------------------------------------------------------------------------
# consoles and the error boundary


def out_console() -> Console:
    if _state._out is None:
        from rich.console import Console

        _state._out = Console(highlight=False, markup=False, emoji=False, soft_wrap=False)
    return _state._out


def err_console() -> Console:
    if _state._err is None:
        from rich.console import Console

        _state._err = Console(stderr=True, highlight=False, markup=False, emoji=False)
    return _state._err


def note(message: str, style: str = "yellow") -> None:
    """A message for the person (stderr), never data."""
    from rich.text import Text

    from stemcli.safe import clean_line

    err_console().print(Text(clean_line(message), style=style), soft_wrap=True)


def _report_error(message: str, hint: str | None) -> None:
    from rich.text import Text

    from stemcli.safe import clean_line

    line = Text("error: ", style="bold red") + Text(clean_line(message))
    err_console().print(line, soft_wrap=True)
    if hint:
        err_console().print(Text("hint: " + clean_line(hint), style="dim"), soft_wrap=True)


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


F = TypeVar("F", bound=Callable[..., Any])


def guarded(fn: F) -> F:
    """The error boundary: expected errors become one line and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except StemcliError as e:
            _report_error(e.message, e.hint)
            raise typer.Exit(int(e.exit_code)) from None
        except KeyboardInterrupt:
            _report_error("interrupted", None)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(int(ExitCode.OK)) from None
        except MemoryError:
            _report_error("out of memory", "try a smaller dataset or input file")
            raise typer.Exit(int(ExitCode.DATA)) from None
        except Exception as e:
            if _state.debug:
                raise
            _report_error(
                f"unexpected {type(e).__name__}: {e}",
                "this is a bug; rerun with --debug to see the traceback",
            )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None

    return wrapper  # type: ignore[return-value]


def command(name: str | None = None) -> Callable[[F], F]:
    def register(fn: F) -> F:
        app.command(name)(guarded(fn))
        return fn

    return register


# ---------------------------------------------------------------------------
# shared plumbing


def dataset() -> Dataset:
    """The dataset for this run: bundled and/or the user's, validated (cached)."""
    if _state._dataset is None:
        from stemcli.loader import data_paths, load

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
    if output is None:
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
        return
    from stemcli.atomic import write_text

    if not isinstance(rendered, str):
        import io

        from rich.console import Console

        buf = io.StringIO()
        Console(
            file=buf, width=120, color_system=None, markup=False, emoji=False, highlight=False
        ).print(rendered)
        rendered = buf.getvalue()
    write_text(output, rendered, force=force)
    note(f"wrote {output}", style="green")


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
    global _state
    _state = State(
        data=list(data or []),
        bundled=not no_bundled,
        debug=debug or bool(os.environ.get("STEMCLI_DEBUG")),
        cache=not no_cache,
    )
    if no_bundled and not _state.data and not os.environ.get("STEMCLI_DATA"):
        from stemcli.errors import UsageError

        _report_error("--no-bundled needs a dataset: give --data PATH", None)
        raise typer.Exit(int(UsageError.exit_code))


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
    from stemcli.loader import check, data_paths
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
        typer.Option("--sources", help="Folder with the archived source texts.", metavar="DIR"),
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
            "--svg", help="Also save what is shown as SVG.", dir_okay=False, metavar="FILE"
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html", help="Also save what is shown as HTML.", dir_okay=False, metavar="FILE"
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
    import io

    from rich.console import Console

    from stemcli.atomic import write_text
    from stemcli.render import get_renderer

    rendered = get_renderer(format)(report)
    if output is not None:
        write(rendered, output, force)
    # what the terminal shows (without --output) is what the files keep
    console = Console(
        record=True,
        file=io.StringIO() if output is not None else None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    console.print(rendered)
    title = "stemcli compare" + (f" {cond.id}" if cond else "")
    if svg is not None:
        write_text(svg, console.export_svg(title=title, clear=False), force=force)
        note(f"wrote {svg}", style="green")
    if html is not None:
        write_text(html, console.export_html(clear=False), force=force)
        note(f"wrote {html}", style="green")


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


@command()
def extract(
    file: Annotated[
        Path, typer.Argument(help="A plain-text (UTF-8) copy of the page.", metavar="FILE")
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
    from stemcli.textfile import read_text

    fmt = format.lower()
    if fmt not in ("yaml", "json", "table", "csv", "markdown"):
        raise UsageError(f"--format must be yaml, json, table, csv or markdown, not {format!r}")
    sid = check_source_id(source_id) if source_id is not None else default_source_id(file.stem)
    text = read_text(file)
    result = run(dataset(), text, source_id=sid, path=str(file))
    if fmt == "yaml":
        write(drafts_yaml(result), output, force)
    else:
        emit(drafts_report(result, full=full), OutputFormat(fmt), output, force, raw)
    n = len(result.drafts)
    note(f"{n} draft claim{'s' if n != 1 else ''} from {file}", style="green" if n else "yellow")


@command()
def redflags(
    file: Annotated[
        Path | None, typer.Argument(help="A plain-text (UTF-8) copy of a page.", metavar="[FILE]")
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
        from stemcli.textfile import read_text

        result = scan_text(read_text(file), path=str(file))
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


def main() -> None:
    """Console-script entry point."""
    import signal

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError, OSError):  # not the main thread
        signal.signal(signal.SIGTERM, _terminate)
    try:
        code = app_for(sys.argv[1:])(prog_name="stemcli", standalone_mode=False)
    except KeyboardInterrupt:
        _report_error("interrupted", None)
        sys.exit(int(ExitCode.INTERRUPTED))
    except Exception as e:
        # click's own errors (unknown option, bad value, missing argument): one line, as
        # every stemcli error is, instead of click's usage block; Abort is Ctrl-C at a prompt
        if type(e).__name__ == "Abort":
            _report_error("interrupted", None)
            sys.exit(int(ExitCode.INTERRUPTED))
        message = getattr(e, "format_message", None)
        if message is None:
            raise
        if type(e).__name__ == "NoArgsIsHelpError":  # plain 'stemcli': the help, as click does
            sys.stderr.write(str(message()) + "\n")
            sys.exit(int(ExitCode.USAGE))
        context = getattr(e, "ctx", None)
        command = getattr(context, "command_path", "stemcli") if context else "stemcli"
        _report_error(str(message()), f"see '{command} --help'")
        sys.exit(int(getattr(e, "exit_code", ExitCode.USAGE)))
    finally:
        try:
            sys.stdout.flush()
        except (OSError, ValueError, AttributeError):  # a broken pipe, a full disk, no stdout
            _quiet_stdout()
    sys.exit(code if isinstance(code, int) else 0)
