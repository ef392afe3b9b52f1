"""The one error boundary: documented exit codes, one line, a traceback only with --debug."""

from __future__ import annotations

import sys
from pathlib import Path

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
