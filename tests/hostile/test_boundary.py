"""The one error boundary: documented exit codes, one line, a traceback only with --debug."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stemcli.errors import ExitCode

from .conftest import Run, assert_one_error, child_env, data_args, stemcli, write_dataset


def test_exit_codes_are_the_documented_ones() -> None:
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0,
        "FINDINGS": 1,
        "USAGE": 2,
        "DATA": 3,
        "INTERNAL": 70,
        "INTERRUPTED": 130,
    }
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {int(code)} |" in readme, code


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["sources"], ExitCode.OK),
        (["lookup", "no-such-condition"], ExitCode.USAGE),
        (["lookup", "knee-oa", "--format", "xml"], ExitCode.USAGE),
        (["no-such-command"], ExitCode.USAGE),
        (["--data", "no/such/folder", "sources"], ExitCode.DATA),
        (["extract", "no-such-page.txt"], ExitCode.DATA),
    ],
)
def test_expected_failures_have_their_exit_code(run: Run, args: list[str], code: int) -> None:
    result = run(*args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.stderr
    if code == ExitCode.DATA:
        assert_one_error(result.stderr)


def test_findings_exit_1(run: Run, tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "ds", claims={"src": "- id: x\n"})
    result = run(*data_args(root), "validate")
    assert result.exit_code == ExitCode.FINDINGS


BUGS = [RuntimeError("boom"), KeyError("boom"), RecursionError("boom"), ZeroDivisionError("boom")]


@pytest.mark.parametrize("bug", BUGS, ids=lambda e: type(e).__name__)
def test_an_unexpected_exception_is_a_short_message_with_a_hint(
    run: Run, monkeypatch: pytest.MonkeyPatch, bug: Exception
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise bug

    monkeypatch.setattr("stemcli.ops.lookup.lookup", broken)
    result = run("lookup", "knee-oa")
    assert result.exit_code == ExitCode.INTERNAL
    assert result.stdout == ""
    line = assert_one_error(result.stderr, f"unexpected {type(bug).__name__}", "boom")
    assert "--debug" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(line) < 200


def test_debug_shows_the_traceback(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("stemcli.ops.lookup.lookup", broken)
    with pytest.raises(RuntimeError, match="boom"):
        run("--debug", "lookup", "knee-oa")


def test_memory_error_is_reported_not_a_crash(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def hungry(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr("stemcli.ops.lookup.lookup", hungry)
    result = run("lookup", "knee-oa")
    assert result.exit_code == ExitCode.DATA
    assert_one_error(result.stderr, "out of memory")


BROKEN_PROCESS = """
import sys
import stemcli.ops.lookup
def broken(*args, **kwargs):
    raise RuntimeError("boom")
stemcli.ops.lookup.lookup = broken
sys.argv = ["stemcli", *sys.argv[1:]]
from stemcli.__main__ import main
main()
"""


@pytest.mark.parametrize("debug", ["--debug", "STEMCLI_DEBUG"])
def test_a_real_process_shows_the_traceback_only_with_debug(debug: str) -> None:
    import subprocess

    def go(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", BROKEN_PROCESS, *args],
            capture_output=True, text=True, timeout=60, check=False, env=child_env(env),
        )  # fmt: skip

    quiet = go("lookup", "knee-oa")
    assert quiet.returncode == ExitCode.INTERNAL
    assert "Traceback" not in quiet.stderr
    assert_one_error(quiet.stderr, "unexpected RuntimeError: boom")
    if debug == "--debug":
        loud = go("--debug", "lookup", "knee-oa")
    else:
        loud = go("lookup", "knee-oa", env={"STEMCLI_DEBUG": "1"})
    assert loud.returncode != 0
    assert "Traceback" in loud.stderr
    assert "RuntimeError: boom" in loud.stderr


def test_a_real_process_without_arguments_shows_help() -> None:
    result = stemcli()
    assert result.returncode in (0, 2)
    assert "Usage" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------
# one boundary: click's errors are stemcli's errors, every exit goes through run()


@pytest.mark.parametrize(
    "args",
    [
        ["lookup", "knee-oa", "--no-such-option"],  # NoSuchOption
        ["search", "pain", "--limit", "-1"],  # BadParameter: out of range
        ["search", "pain", "--limit", "many"],  # BadParameter: not a number
        ["lookup"],  # MissingParameter
        ["lookup", "knee-oa", "extra"],  # an argument too many
        ["conflicts", "--explain", "only-one"],  # an option's values too few
        ["--data"],  # a global option without its value
        ["lokup"],  # no such command
    ],
    ids=" ".join,
)
def test_click_errors_are_one_line_and_exit_2(run: Run, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stdout == ""
    assert_one_error(result.stderr)
    assert "--help" in result.stderr  # the hint names the help to read


def test_a_global_option_error_is_one_line(run: Run) -> None:
    result = run("--no-bundled", "sources")
    assert result.exit_code == ExitCode.USAGE
    assert_one_error(result.stderr, "--no-bundled needs a dataset")


def test_run_takes_its_environment_and_streams(mini: Path) -> None:
    import io

    from stemcli.cli import run as run_cli

    out, err = io.StringIO(), io.StringIO()
    env = {"STEMCLI_DATA": str(mini), "COLUMNS": "80"}
    code = run_cli(["--no-bundled", "sources", "--format", "json"], env, stdout=out, stderr=err)
    assert code == ExitCode.OK, err.getvalue()
    assert "alpha" in out.getvalue()
    assert "STEMCLI_DATA" not in os.environ or os.environ["STEMCLI_DATA"] != str(mini)
    out, err = io.StringIO(), io.StringIO()
    code = run_cli(["lookup", "no-such-condition"], stdout=out, stderr=err)
    assert code == ExitCode.USAGE
    assert out.getvalue() == ""
    assert_one_error(err.getvalue())


@pytest.mark.parametrize(("args", "code"), [(["--version"], 0), (["--help"], 0), ([], 2)])
def test_help_and_version_go_through_the_boundary(run: Run, args: list[str], code: int) -> None:
    result = run(*args)
    assert result.exit_code == code
    assert "stemcli" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------
# file arguments are read by stemcli, never checked by click


def _path_params() -> list[tuple[str, Any]]:
    import typer.main

    from stemcli.cli import app

    group: Any = typer.main.get_command(app)
    found = [("stemcli", p) for p in group.params]
    for name, cmd in group.commands.items():
        found += [(name, p) for p in cmd.params]
    return found


def _checks_paths(kind: Any) -> bool:
    """A click parameter type that checks a path itself (click's Path, typer's TyperPath)."""
    checks = {"exists": True, "readable": True, "writable": True}
    checks |= {"dir_okay": False, "file_okay": False}
    return any(getattr(kind, name, None) is value for name, value in checks.items())


def test_no_parameter_uses_clicks_path_checks() -> None:
    checked = [f"{cmd} {p.name}" for cmd, p in _path_params() if _checks_paths(p.type)]
    assert checked == []
    assert any(p.name == "output" for _, p in _path_params())


@pytest.fixture
def unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A page no one may read: mode 000, and, for root, reading it refused as it would be."""
    import builtins
    import io

    page = tmp_path / "locked.txt"
    page.write_text("Knee pain fell 60-70% within 3 months.\n", encoding="utf-8")
    page.chmod(0)
    if hasattr(os, "geteuid") and os.geteuid() == 0:

        def denied(path: Any) -> bool:
            try:
                return Path(path).resolve() == page.resolve()
            except (TypeError, ValueError, OSError):
                return False

        def refuse(real: Any) -> Any:
            def opener(file: Any, *args: Any, **kwargs: Any) -> Any:
                if not isinstance(file, int) and denied(file):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
                return real(file, *args, **kwargs)

            return opener

        real_access = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode, **kw: not denied(p) and real_access(p, mode, **kw)
        )
        monkeypatch.setattr(os, "open", refuse(os.open))
        monkeypatch.setattr(io, "open", refuse(io.open))
        monkeypatch.setattr(builtins, "open", refuse(builtins.open))
    yield page
    page.chmod(0o644)


@pytest.mark.parametrize(
    "args", [["extract", "{page}"], ["redflags", "{page}"], ["extract", "{page}", "-f", "json"]]
)
def test_an_unreadable_file_argument_is_an_input_error(
    run: Run, unreadable: Path, args: list[str]
) -> None:
    result = run(*[a.replace("{page}", str(unreadable)) for a in args])
    assert result.exit_code == ExitCode.DATA, result.output
    assert_one_error(result.stderr, str(unreadable))
