"""What every command shares: the app, the run's state and consoles, the dataset, and writing.

Messages for the person go to stderr (:func:`note`), data to stdout or a file (:func:`emit`,
:func:`write`). Heavy modules (rich, the dataset, renderers) are imported when first needed.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from stemcli import __version__
from stemcli.cli.helptext import Command, Group
from stemcli.cli.options import DataPaths

if TYPE_CHECKING:
    from enum import Enum

    from rich.console import Console, RenderableType

    from stemcli.cli.progress import Indicator
    from stemcli.model import Condition, Dataset
    from stemcli.render import Report


app = typer.Typer(
    name="stemcli",
    help=(
        "Explore, compare and check the numeric claims of stem cell therapy marketing.\n\n"
        "Examples:\n\n"
        "\b\n"
        "  stemcli lookup knee-oa --stage middle\n"
        "  stemcli conflicts --count\n"
        "  stemcli --data mydata validate --strict"
    ),
    cls=Group,
    no_args_is_help=True,
    # completion scripts come from 'stemcli completion SHELL' (cli/shell.py): nothing
    # is written into a shell's start-up files, and no run builds completion options
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
    bom: bool = False  # --bom: CSV output starts with a byte-order mark
    mute: bool = False  # stderr could not be written: no more messages
    _dataset: Dataset | None = None
    # one pair of consoles per run (they read the terminal's width, NO_COLOR, ...)
    _out: Console | None = None
    _err: Console | None = None
    _progress: Indicator | None = None


_state = State()


def state() -> State:
    """The state of the current run."""
    return _state


def begin(*, debug: bool) -> None:
    """Start a run: new state, new consoles (they read the terminal's width, NO_COLOR ...)."""
    global _state
    _state = State(debug=debug)


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


def console(*, stderr: bool = False, soft_wrap: bool = False) -> Console:
    """A rich console that prints data as text: no markup, emoji or highlighting.

    A closed pipe is a BrokenPipeError for the boundary to handle, not rich's own exit.
    """
    return console_class()(
        width=_columns(),
        stderr=stderr,
        soft_wrap=soft_wrap,
        highlight=False,
        markup=False,
        emoji=False,
    )


@functools.cache
def console_class() -> type[Console]:
    from rich.console import Console

    class QuietConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    return QuietConsole


def out_console() -> Console:
    if _state._out is None:
        _state._out = console(soft_wrap=False)
    return _state._out


def err_console() -> Console:
    if _state._err is None:
        _state._err = console(stderr=True)
    return _state._err


def say(message: RenderableType) -> None:
    """Print a message on stderr. A stderr that cannot be written never changes the outcome
    of a run: the message is dropped, and so are the ones after it."""
    stop_progress()
    if _state.mute:
        return
    try:
        err_console().print(message, soft_wrap=True)
    except (OSError, ValueError):  # closed, full, a broken pipe
        _state.mute = True
        quiet(sys.stderr)


def note(message: str, style: str = "yellow") -> None:
    """A message for the person (stderr), never data."""
    from rich.text import Text

    from stemcli.text.neutralise import clean_line

    say(Text(clean_line(message), style=style))


def report_error(message: str, hint: str | None) -> None:
    from rich.text import Text

    from stemcli.text.neutralise import clean_line

    say(Text("error: ", style="bold red") + Text(clean_line(message)))
    if hint:
        say(Text("hint: " + clean_line(hint), style="dim"))


def quiet(stream: IO[str] | None) -> None:
    """Point a stream that cannot be written at /dev/null, so that the last flush (at exit)
    succeeds instead of failing again and turning the exit code into 120."""
    if stream is None:
        return
    try:
        fileno = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        if devnull != fileno:
            os.dup2(devnull, fileno)
            os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no such stream, or not a real file
        pass


def start_progress() -> None:
    """Show a progress indicator on stderr if the run takes a while (see
    :mod:`stemcli.cli.progress`: only on a terminal, only after half a second)."""
    if _state._progress is not None or _state.mute or not _isatty(sys.stderr):
        return  # scripts and pipes: not even the module is imported
    from stemcli.cli import progress

    if progress.wanted():
        _state._progress = progress.Indicator(err_console)
        _state._progress.start()


def _isatty(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):  # closed
        return False


def progress_says(message: str) -> None:
    """What the progress indicator says the run is doing, if there is one."""
    if _state._progress is not None:
        _state._progress.say(message)


def stop_progress() -> None:
    """Take the progress indicator away before anything else is written."""
    indicator, _state._progress = _state._progress, None
    if indicator is not None:
        indicator.stop()


P = ParamSpec("P")
R = TypeVar("R")


def command(name: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Register a command with the app, by its function's name unless ``name`` is given."""

    def register(fn: Callable[P, R]) -> Callable[P, R]:
        app.command(name, cls=Command)(fn)
        return fn

    return register


def dataset() -> Dataset:
    """The dataset for this run: bundled and/or the user's, validated (cached)."""
    if _state._dataset is None:
        from stemcli.dataset import load
        from stemcli.dataset.find import data_paths

        progress_says("loading the dataset…")
        _state._dataset = load(
            data_paths(_state.data), bundled=_state.bundled, use_cache=_state.cache
        )
        progress_says("working…")
    return _state._dataset


def emit(report: Report, fmt: Enum, output: Path | None, force: bool, raw: bool = False) -> None:
    """Render ``report`` in ``fmt`` (a format option's value) to stdout or, atomically,
    to ``output``; JSON and CSV are written as they are made (streamed)."""
    name = str(fmt.value)
    if name == "json":  # written as it is made, a record at a time
        from stemcli.render import json_

        write_chunks(json_.chunks(report), output, force)
        return
    if name == "csv":  # --bom exists only where CSV is written
        from stemcli.render import csv_

        write_chunks(csv_.chunks(report, raw=raw, bom=_state.bom), output, force)
        return
    from stemcli.render import get_renderer

    write(get_renderer(name, raw=raw)(report), output, force)


def write(rendered: RenderableType, output: Path | None, force: bool) -> None:
    """``rendered`` (text or a rich renderable) to stdout or, atomically, to ``output``
    (``-`` is stdout)."""
    from stemcli.cli.options import is_stdout

    if output is None or is_stdout(output):
        write_stdout(rendered)
    else:
        from stemcli.render.recorder import as_text

        save([(output, as_text(rendered))], force)


def write_stdout(rendered: RenderableType) -> None:
    """The one way data reaches stdout. A closed pipe (``| head``) propagates as
    BrokenPipeError, for the boundary to end the run quietly; text the stream's encoding
    cannot hold is written as backslash escapes (see :func:`run`)."""
    from stemcli.errors import InputError

    stop_progress()
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


def write_chunks(chunks: Iterable[str], output: Path | None, force: bool) -> None:
    """Text made piece by piece, written as it comes: to stdout, or through a temporary
    file put in place as ``output`` once every piece is written (atomically; on any
    failure ``output`` is as it was)."""
    from stemcli.cli.options import is_stdout

    if output is None or is_stdout(output):
        for chunk in chunks:
            write_stdout(chunk)
        return
    from stemcli.cli.atomic import write_built

    def build(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            for chunk in chunks:
                f.write(chunk)

    write_built(output, build, force=force)
    note(f"wrote {output}", style="green")


def save(files: list[tuple[Path, str]], force: bool) -> bool:
    """Write every file or none (see :mod:`stemcli.cli.atomic`), then say so; a file named
    ``-`` is written to stdout, after the others. True if one was."""
    from stemcli.cli.atomic import write_files
    from stemcli.cli.options import is_stdout

    to_stdout = [text for path, text in files if is_stdout(path)]
    files = [(path, text) for path, text in files if not is_stdout(path)]
    write_files(files, force=force)
    for path, _ in files:
        note(f"wrote {path}", style="green")
    for text in to_stdout:
        write_stdout(text)
    return bool(to_stdout)


def resolve(condition: str, stage: str | None) -> tuple[Condition, str | None]:
    from stemcli.ops.resolve import resolve_condition, resolve_stage

    ds = dataset()
    res = resolve_condition(ds, condition)
    if res.fuzzy:
        note(f"matched {condition!r} to {res.condition.id} (score {res.score:.0f})")
    stage_id = resolve_stage(res.condition, stage) if stage is not None else None
    return res.condition, stage_id


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

    Examples: stemcli lookup knee-oa --stage middle; stemcli conflicts --count
    """
    # an invocation of the app without run() (typer's runner, tests) starts afresh too
    _state._dataset = None
    _state.bom = False
    stop_progress()
    _state.data = list(data or [])
    _state.bundled = not no_bundled
    _state.debug = debug or _state.debug
    _state.cache = not no_cache
    start_progress()
    if no_bundled and not _state.data and not os.environ.get("STEMCLI_DATA"):
        from stemcli.errors import UsageError

        raise UsageError("--no-bundled needs a dataset: give --data PATH")
