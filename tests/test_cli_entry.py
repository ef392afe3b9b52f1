"""The console entry point builds only the command it runs; behaviour is the same."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stemcli.cli import app, app_for


def _names(a: object) -> list[str]:
    return [
        info.name or info.callback.__name__.replace("_", "-")
        for info in a.registered_commands  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["lookup", "knee-oa"], "lookup"),
        (["--no-cache", "compare"], "compare"),
        (["--data", "lookup", "conflicts", "--count"], "conflicts"),  # a folder named lookup
        (["--data", "x", "--debug", "show", "some-id"], "show"),
    ],
)
def test_only_the_invoked_command_is_built(argv: list[str], command: str) -> None:
    slim = app_for(argv)
    assert slim is not app
    assert _names(slim) == [command]
    assert len(_names(app)) > 1  # the full app is untouched


@pytest.mark.parametrize(
    "argv", [[], ["--help"], ["-h"], ["--version"], ["lokup"], ["--data", "x"], ["--", "lookup"]]
)
def test_help_version_and_unknown_commands_get_the_whole_app(argv: list[str]) -> None:
    assert app_for(argv) is app


def test_the_entry_point_runs_the_command_as_the_app_does() -> None:
    args = ["lookup", "knee-oa", "--stage", "middle", "--format", "json"]
    via_main = subprocess.run(
        [sys.executable, "-m", "stemcli", *args], capture_output=True, text=True, timeout=60
    )
    assert via_main.returncode == 0, via_main.stderr
    unknown = subprocess.run(
        [sys.executable, "-m", "stemcli", "lokup"], capture_output=True, text=True, timeout=60
    )
    assert unknown.returncode == 2
    assert "No such command 'lokup'" in unknown.stderr
    from typer.testing import CliRunner

    direct = CliRunner().invoke(app, args)
    assert direct.exit_code == 0
    assert direct.stdout == via_main.stdout


def test_every_command_is_listed_with_its_module() -> None:
    """A run imports only its command's module: COMMANDS must name every command, and the
    module that defines it (a command missing there would run through the whole app)."""
    import stemcli.cli as cli

    registered = [info.callback for info in cli.full_app().registered_commands]
    names = [cli._command_name(info) for info in cli.full_app().registered_commands]
    assert names == list(cli.COMMANDS)
    for name, callback in zip(names, registered, strict=True):
        assert callback is not None
        assert callback.__module__ == f"stemcli.cli.{cli.COMMANDS[name]}", name
