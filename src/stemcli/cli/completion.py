"""Shell completion: the script ``stemcli completion SHELL`` prints, and the answers.

The script the shell sources runs ``stemcli`` with ``_STEMCLI_COMPLETE`` set
(``complete_bash``, ``complete_zsh`` or ``complete_fish``) and the words typed so far
in the shell's variables (bash: ``COMP_WORDS`` and ``COMP_CWORD``; zsh and fish:
``_TYPER_COMPLETE_ARGS``); :func:`complete` answers with the commands, options or
values that fit. Values come from the dataset the command line names (``--data``,
``--no-bundled``, ``$STEMCLI_DATA``), else the bundled one, through the cache:
condition, stage, source, outcome and claim ids, each with its name where a shell
shows one.

This module is imported only to complete or to print a script, never on another run;
the ``completion`` command is in :mod:`stemcli.cli.shell`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import typer

from stemcli.errors import ExitCode, StemcliError

if TYPE_CHECKING:
    from stemcli.model import Dataset

COMPLETE_VAR = "_STEMCLI_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


def script(shell: str) -> str:
    """The completion script of ``shell`` (one of :data:`SHELLS`)."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name="stemcli", complete_var=COMPLETE_VAR, shell=shell)


def complete(app: typer.Typer, instruction: str) -> ExitCode:
    """Answer the shell's completion request ``instruction`` (``complete_bash`` ...).

    The caller mutes stderr first: a note there would land in the middle of the command
    line. Fish asks whether to offer values (``is-args``) by the exit status: 0 yes, 1 no.
    """
    from typer.completion import shell_complete

    _register_shells()
    cli = typer.main.get_command(app)
    try:
        status = shell_complete(cli, {}, "stemcli", COMPLETE_VAR, instruction)
    except SystemExit as e:  # fish's is-args answers by exit status
        status = e.code if isinstance(e.code, int) else 1
    return ExitCode.OK if status == 0 else ExitCode.FINDINGS  # 1: the shell's "no"


def _register_shells() -> None:
    """typer's completion classes for bash, zsh and fish, with descriptions (names of
    conditions, sources ...) written as plain text: typer would read them as markup."""
    from typer._click.shell_completion import CompletionItem, add_completion_class
    from typer._completion_classes import BashComplete, FishComplete, ZshComplete

    class Remember:
        def get_completions(self, args: list[str], incomplete: str) -> list[CompletionItem]:
            _typed[:] = args
            found: list[CompletionItem] = super().get_completions(args, incomplete)  # type: ignore[misc]
            return found

    def described(item: CompletionItem) -> str | None:
        from stemcli.text.neutralise import clean_line

        return " ".join(clean_line(item.help).split()) if item.help else None

    class Bash(Remember, BashComplete):
        pass

    class Zsh(Remember, ZshComplete):
        def format_completion(self, item: CompletionItem) -> str:
            def escape(s: str) -> str:
                return (
                    s.replace('"', '""')
                    .replace("'", "''")
                    .replace("$", "\\$")
                    .replace("`", "\\`")
                    .replace(":", r"\\:")
                )

            help = described(item)
            value = f'"{escape(str(item.value))}"'
            return f'{value}:"{escape(help)}"' if help else value

    class Fish(Remember, FishComplete):
        def format_completion(self, item: CompletionItem) -> str:
            help = described(item)
            return f"{item.value}\t{help}" if help else str(item.value)

    add_completion_class(Bash, "bash")
    add_completion_class(Zsh, "zsh")
    add_completion_class(Fish, "fish")


# ---------------------------------------------------------------------------
# values: each returns (value, description) pairs; typer keeps those that start
# with what has been typed


Values = list[tuple[str, str | None]]

# the words typed before the one being completed (the command name not included)
_typed: list[str] = []


def _params(ctx: Any) -> dict[str, Any]:
    """The command's parameters as typed so far.

    click stops parsing at an option that still awaits its value (``lookup knee-oa
    --stage <TAB>``), leaving the arguments before it unparsed: they are parsed again
    without that option.
    """
    from typer._click import exceptions as click_errors

    params: dict[str, Any] = dict(ctx.params)
    name = ctx.info_name
    if params.get("condition") is not None or name not in _typed:
        return params
    words = _typed[len(_typed) - _typed[::-1].index(name) :]
    if words and words[-1].startswith("-"):
        words = words[:-1]
    try:
        with ctx.command.make_context(
            name, words, parent=ctx.parent, resilient_parsing=True
        ) as again:
            params = dict(again.params)
    except (StemcliError, click_errors.ClickException):
        pass  # what the person typed is wrong: complete as if it were not there
    return params


def _contexts(ctx: Any) -> Iterator[Any]:
    while ctx is not None:
        yield ctx
        ctx = ctx.parent


def _dataset(ctx: Any) -> Dataset | None:
    """The dataset the command line names so far, or None when it cannot be loaded."""
    from stemcli.dataset import load
    from stemcli.dataset.find import data_paths

    data: list[Any] = []
    bundled = True
    for c in _contexts(ctx):
        data.extend(c.params.get("data") or ())
        bundled = bundled and not c.params.get("no_bundled")
    if not bundled and not data and not os.environ.get("STEMCLI_DATA"):
        return None
    try:
        return load(data_paths(data), bundled=bundled, use_cache=True)
    except (StemcliError, OSError):
        return None


def conditions(ctx: Any, incomplete: str) -> Values:
    ds = _dataset(ctx)
    return [] if ds is None else [(c.id, c.name) for c in ds.conditions.values()]


def stages(ctx: Any, incomplete: str) -> Values:
    """The stages of the condition on the command line, else every condition's."""
    ds = _dataset(ctx)
    if ds is None:
        return []
    chosen = list(ds.conditions.values())
    given = _params(ctx).get("condition")
    if isinstance(given, str):
        from stemcli.ops.resolve import resolve_condition

        with contextlib.suppress(StemcliError):  # an unknown condition: every stage
            chosen = [resolve_condition(ds, given).condition]
    found: dict[str, list[str]] = {}
    for cond in chosen:
        for stage in cond.stages:
            found.setdefault(stage.id, []).append(cond.id)
    if len(chosen) == 1:
        return [(s, None) for s in found]
    return [(s, ", ".join(ids)) for s, ids in found.items()]


def sources(ctx: Any, incomplete: str) -> Values:
    ds = _dataset(ctx)
    return [] if ds is None else [(s.id, s.publisher) for s in ds.sources.values()]


def source_list(ctx: Any, incomplete: str) -> Values:
    """A comma-separated list of source ids: completes the last one."""
    done, comma, _ = incomplete.rpartition(",")
    prefix = done + comma
    taken = set(done.split(",")) if done else set()
    return [(prefix + sid, name) for sid, name in sources(ctx, "") if sid not in taken]


def outcomes(ctx: Any, incomplete: str) -> Values:
    ds = _dataset(ctx)
    return [] if ds is None else [(o.id, o.name) for o in ds.outcomes.values()]


def claims(ctx: Any, incomplete: str) -> Values:
    ds = _dataset(ctx)
    return [] if ds is None else [(c.id, None) for c in ds.claims if c.id.startswith(incomplete)]


def choices(values: Iterable[str]) -> Values:
    return [(v, None) for v in values]
