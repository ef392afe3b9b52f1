"""The command-line interface: :func:`run` is the one error boundary.

Commands (grouped by purpose in :mod:`browse`, :mod:`analyse`, :mod:`pages` and
:mod:`checks`) parse options, call one operation, pick a report and write; nothing
else in the package prints or exits. Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TextIO

import typer

from stemcli.cli import env
from stemcli.cli.env import begin, quiet, report_error, say, state, stop_progress
from stemcli.errors import ExitCode, StemcliError

__all__ = ["COMMANDS", "app", "app_for", "full_app", "hoist_global_options", "run"]

# every command, in the order --help lists them, and the module that defines it: a run
# imports only its command's module (the others cost start-up time for nothing)
COMMANDS = {
    "lookup": "browse",
    "show": "browse",
    "search": "browse",
    "sources": "browse",
    "conditions": "browse",
    "outcomes": "browse",
    "validate": "checks",
    "verify": "checks",
    "export": "checks",
    "convert": "checks",
    "compare": "analyse",
    "conflicts": "analyse",
    "context": "context",
    "report": "publish",
    "extract": "pages",
    "redflags": "pages",
    "completion": "shell",
}

# the root's options (see env.main_options): accepted before or after the command
_GLOBAL_OPTIONS_WITH_VALUE = ("--data",)
_GLOBAL_FLAGS = ("--no-bundled", "--no-cache", "--debug", "--version", "-V")
GLOBAL_EPILOG = (
    "Global options (--data PATH, --no-bundled, --no-cache, --debug) may also follow "
    "the command: see 'stemcli --help'."
)


def _command_name(info: typer.models.CommandInfo) -> str:
    return info.name or getattr(info.callback, "__name__", "").replace("_", "-")


def _load(modules: Iterable[str]) -> None:
    import importlib

    for module in modules:
        importlib.import_module(f"{__name__}.{module}")


def full_app() -> typer.Typer:
    """The app with every command, in the order of :data:`COMMANDS`."""
    _load(dict.fromkeys(COMMANDS.values()))
    order = {name: i for i, name in enumerate(COMMANDS)}
    env.app.registered_commands.sort(key=lambda info: order.get(_command_name(info), len(order)))
    return env.app


def __getattr__(name: str) -> object:
    if name == "app":  # stemcli.cli.app: the whole app, every command registered
        return full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
            return full_app()
        elif not arg.startswith("-"):
            name = arg
            break
    if name is None or name not in COMMANDS:
        return full_app()
    _load([COMMANDS[name]])
    matches = [info for info in env.app.registered_commands if _command_name(info) == name]
    if len(matches) != 1:
        return full_app()
    slim = copy.copy(env.app)
    slim.registered_commands = matches  # a public attribute: the commands app.command() added
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
        begin(debug=bool(os.environ.get("STEMCLI_DEBUG")))
        try:
            code = _boundary(list(argv))
        finally:
            stop_progress()
            _flush()
        return code


def _boundary(argv: list[str]) -> ExitCode:
    # typer's public API names Exit, Abort and BadParameter, but not the usage errors
    # caught below (UsageError, NoArgsIsHelpError, ClickException); typer 0.28 carries
    # its own copy of click and has no public name for them, so they come from that copy
    try:
        from typer._click import exceptions as click_errors
    except ImportError:
        from click import exceptions as click_errors  # type: ignore[no-redef, import-not-found, unused-ignore]

    try:
        instruction = os.environ.get("_STEMCLI_COMPLETE")
        if instruction:  # the shell asks for completions (see cli/completion.py)
            from stemcli.cli.completion import complete

            state().mute = True  # only the answer: a message would land in the command line
            return complete(full_app(), instruction)
        command = typer.main.get_command(app_for(argv))
        argv = _conventions(command, argv)
        # not command.main(): it prints click's own messages and turns Ctrl-C into other
        # exceptions; here every outcome is decided below
        with command.make_context("stemcli", argv) as ctx:
            command.invoke(ctx)
        return ExitCode.OK
    except typer.Exit as e:  # --help, --version, a command's findings
        return _exit_code(e.exit_code)
    except StemcliError as e:
        report_error(e.message, e.hint)
        return e.exit_code
    except click_errors.NoArgsIsHelpError as e:  # plain 'stemcli': the help, as click does
        say(e.format_message())
        return ExitCode.USAGE
    except click_errors.UsageError as e:  # an unknown option or command, a bad value
        where = e.ctx.command_path if e.ctx is not None else "stemcli"
        report_error(e.format_message(), f"see '{where} --help'")
        return ExitCode.USAGE
    except click_errors.ClickException as e:
        report_error(e.format_message(), None)
        return ExitCode.DATA
    except (KeyboardInterrupt, typer.Abort):  # Ctrl-C, SIGTERM (see __main__)
        report_error("interrupted", None)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # stemcli ... | head: the reader has what it wanted
        quiet(sys.stdout)
        return ExitCode.OK
    except MemoryError:
        report_error("out of memory", "try a smaller dataset or input file")
        return ExitCode.DATA
    except Exception as e:
        if isinstance(e, OSError) and e.errno in _OUTPUT_ERRNOS:
            # click's own writes (--help, --version) to a full or failing device
            report_error(f"cannot write the output: {e.strerror or e}", None)
            quiet(sys.stdout)
            return ExitCode.DATA
        if state().debug:
            raise
        report_error(
            f"unexpected {type(e).__name__}: {e}",
            "this is a bug; rerun with --debug to see the traceback",
        )
        return ExitCode.INTERNAL


def _conventions(root: object, argv: list[str]) -> list[str]:
    """The conventions every command shares, in one place: global options after the
    command move before it; each command's help says so; --bom wherever CSV is written."""
    commands: dict[str, object] = dict(getattr(root, "commands", {}))
    for sub in commands.values():
        if isinstance(sub, typer.core.TyperCommand):
            sub.epilog = f"{sub.epilog}\n\n{GLOBAL_EPILOG}" if sub.epilog else GLOBAL_EPILOG
            _add_bom(sub)
    return hoist_global_options(argv, commands)


def hoist_global_options(argv: list[str], commands: Mapping[str, object]) -> list[str]:
    """``argv`` with the global options given after the command name moved before it.

    ``lookup knee-oa --data mine`` becomes ``--data mine lookup knee-oa``. Nothing after
    ``--`` moves, nor a value of the command's own options (``--source --debug`` keeps
    ``--debug`` as the source), nor an option of the command's own of the same name.
    The order of several --data is kept: the ones before the command, then the others.
    """
    at = _command_index(argv)
    if at is None or argv[at] not in commands:
        return argv
    takes_value, own = _options_of(commands[argv[at]])
    moved: list[str] = []
    kept: list[str] = []
    rest = argv[at + 1 :]
    i = 0
    while i < len(rest):
        arg = rest[i]
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if arg == "--":
            kept += rest[i:]
            break
        if name in own:
            kept.append(arg)
            if arg in takes_value and i + 1 < len(rest):  # its value, whatever it looks like
                kept.append(rest[i + 1])
                i += 1
        elif name in _GLOBAL_OPTIONS_WITH_VALUE:
            moved.append(arg)
            if arg == name:
                if i + 1 == len(rest):  # moved alone, it would take the command as its value
                    from stemcli.errors import UsageError

                    raise UsageError(f"{arg} needs a value", hint=f"e.g. {arg} PATH")
                moved.append(rest[i + 1])
                i += 1
        elif arg in _GLOBAL_FLAGS:
            moved.append(arg)
        else:
            kept.append(arg)
        i += 1
    return [*argv[:at], *moved, argv[at], *kept]


def _command_index(argv: list[str]) -> int | None:
    """Where the command name is in ``argv``: the first word that is no root option's."""
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
        elif arg in _GLOBAL_OPTIONS_WITH_VALUE:
            skip = True
        elif arg == "--":
            return None
        elif not arg.startswith("-") or arg == "-":
            return i
    return None


def _options_of(command: object) -> tuple[set[str], set[str]]:
    """A command's option names that take a value, and all its option names."""
    takes_value: set[str] = set()
    every: set[str] = set()
    for param in getattr(command, "params", ()):
        if not isinstance(param, typer.core.TyperOption):
            continue
        names = [*param.opts, *param.secondary_opts]
        every.update(names)
        if not param.is_flag and not param.count:
            takes_value.update(names)
    return takes_value, every


def _add_bom(command: typer.core.TyperCommand) -> None:
    """--bom on a command that writes CSV: a byte-order mark first, for spreadsheets; an
    error with any other format (before any work is done)."""
    fmt = next((p for p in command.params if p.name == "format"), None)
    # the formats a command offers are listed in its --format help ("... json, csv or ...")
    if fmt is None or "csv" not in str(getattr(fmt, "help", "") or ""):
        return
    command.params.append(
        typer.core.TyperOption(
            param_decls=["--bom"],
            is_flag=True,
            default=False,
            help="CSV only: start with a UTF-8 byte-order mark, for spreadsheet programs "
            "that need one to read UTF-8 (Excel).",
        )
    )
    inner = command.callback
    if inner is None:
        return

    def callback(*args: object, bom: bool = False, **kwargs: object) -> object:
        if bom:
            if str(kwargs.get("format")) != "csv":
                from stemcli.errors import UsageError

                raise UsageError("--bom goes with --format csv", hint="add --format csv")
            state().bom = True
        return inner(*args, **kwargs)

    command.callback = callback


# writing failed for a reason of the device, not of stemcli
_OUTPUT_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("ENOSPC", "EIO", "EDQUOT", "EFBIG", "EROFS", "EBADF")
    if hasattr(errno, name)
)


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
            quiet(stream)


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
