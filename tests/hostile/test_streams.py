"""Standard streams that are not what a program hopes for.

A pipe closed before anything is written, a stdout or stderr whose encoding cannot hold
the data (ASCII, Latin-1), a stderr that is closed or full, a $COLUMNS that is no width:
each ends with the exit code the run would have had anyway, never a crash.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stemcli.cli import run as run_cli
from stemcli.cli.options import ListingFormat as OutputFormat
from stemcli.errors import ExitCode

from .conftest import Run, _limits, assert_one_error, child_env, data_args, write_dataset

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes and streams")

FORMATS = [f.value for f in OutputFormat]

# every way stemcli writes to stdout: each format, a chart, the help, the version
WRITERS = [
    *(["lookup", "knee-oa", "--format", fmt] for fmt in FORMATS),
    ["compare", "knee-oa", "--chart"],
    ["compare", "knee-oa"],
    ["conditions"],
    ["export", "--format", "yaml"],
    ["compare", "--help"],
    ["--version"],
]


def _process(
    args: list[str],
    *,
    stdout: int | None = subprocess.PIPE,
    stderr: int | None = subprocess.PIPE,
    env: dict[str, str] | None = None,
    close: tuple[int, ...] = (),
) -> subprocess.CompletedProcess[bytes]:
    def setup() -> None:
        _limits()
        for fd in close:
            os.close(fd)

    return subprocess.run(
        [sys.executable, "-m", "stemcli", *args],
        stdout=stdout, stderr=stderr, env=child_env(env), timeout=60, check=False,
        preexec_fn=setup,
    )  # fmt: skip


# ---------------------------------------------------------------------------
# a pipe whose reader is gone before stemcli writes (stemcli ... | true)


@pytest.mark.parametrize("args", WRITERS, ids=" ".join)
def test_a_pipe_closed_before_any_output_ends_quietly(args: list[str]) -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        result = _process(args, stdout=write)
    finally:
        os.close(write)
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode == ExitCode.OK, err
    assert err == ""


# ---------------------------------------------------------------------------
# encodings that cannot hold the data


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("args", WRITERS, ids=" ".join)
def test_a_narrow_stdout_encoding_escapes_what_it_cannot_hold(
    args: list[str], encoding: str
) -> None:
    # lookup: every claim, whole (no note on stderr of rows left out)
    whole = ["--full", "--limit", "0"] if args[0] == "lookup" else []
    result = _process([*args, *whole], env={"PYTHONIOENCODING": encoding})
    err = result.stderr.decode(encoding, "replace")
    assert result.returncode == ExitCode.OK, err
    assert err == ""
    assert result.stdout
    if "--help" not in args:  # click writes help to an ASCII stream as UTF-8, on purpose
        result.stdout.decode(encoding)  # what was written is text in the stream's encoding


def test_what_cannot_be_encoded_stays_visible() -> None:
    """A bundled quote has a curly apostrophe: in ASCII it is an escape, not '?' or a crash."""
    result = _process(["lookup", "knee-oa", "--full", "--format", "csv"],
                      env={"PYTHONIOENCODING": "ascii"})  # fmt: skip
    assert result.returncode == ExitCode.OK
    assert "\\u2019" in result.stdout.decode("ascii")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["lookup", "no-such-\u00e9\u2260"], ExitCode.USAGE),
        (["extract", "no-such-\u2260.txt"], ExitCode.DATA),
        (["lookup", "knee-oa", "--format", "\u2260"], ExitCode.USAGE),
    ],
)
def test_a_narrow_stderr_encoding_escapes_too(args: list[str], code: int) -> None:
    result = _process(args, env={"PYTHONIOENCODING": "ascii:strict"})
    err = result.stderr.decode("ascii")
    assert result.returncode == code, err
    line = assert_one_error(err)
    assert "\\u2260" in line


def test_in_process_an_ascii_stream_is_written_with_escapes(mini: Path) -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    err = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    code = run_cli(["--no-bundled", "--data", str(mini), "compare", "knee-oa"],
                   stdout=out, stderr=err)  # fmt: skip
    out.flush()
    assert code == ExitCode.OK
    shown = out.buffer.getvalue().decode("ascii")  # type: ignore[attr-defined]
    assert "Alpha Clinic" in shown
    assert "\\u2260" in shown  # the 'disagrees' mark
    err = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    code = run_cli(["lookup", "no-such-\u2260"], stdout=io.StringIO(), stderr=err)
    err.flush()
    assert code == ExitCode.USAGE
    assert "no-such-\\u2260" in assert_one_error(err.buffer.getvalue().decode("ascii"))  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# a stderr that cannot be written never changes the exit code


def _dataset_with_problems(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "bad", claims={"src": "- id: x\n"})


CODES = [
    (["sources", "--output", "{tmp}/out.txt"], ExitCode.OK),  # says 'wrote ...'
    (["validate", "--data", "{bad}"], ExitCode.FINDINGS),  # says 'N problems found'
    (["lookup", "no-such-condition"], ExitCode.USAGE),
    (["lokup"], ExitCode.USAGE),  # click's own error
    ([], ExitCode.USAGE),  # the help, on stderr
    (["extract", "{tmp}/no-such-page.txt"], ExitCode.DATA),
]
IDS = [" ".join(args) or "no-arguments" for args, _ in CODES]


def _args(args: list[str], tmp_path: Path) -> list[str]:
    bad = _dataset_with_problems(tmp_path)
    out = [a.replace("{tmp}", str(tmp_path)).replace("{bad}", str(bad)) for a in args]
    if out[:1] == ["validate"]:  # --data is a global option
        return ["--no-bundled", "--no-cache", *out[1:], "validate"]
    return out


@pytest.mark.parametrize(("args", "code"), CODES, ids=IDS)
def test_a_closed_stderr_changes_no_exit_code(tmp_path: Path, args: list[str], code: int) -> None:
    """stemcli ... 2>&-"""
    result = _process(_args(args, tmp_path), stdout=subprocess.DEVNULL, stderr=None, close=(2,))
    assert result.returncode == code


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize(("args", "code"), CODES, ids=IDS)
def test_a_full_stderr_changes_no_exit_code(tmp_path: Path, args: list[str], code: int) -> None:
    """stemcli ... 2>/dev/full"""
    with open("/dev/full", "wb") as full:
        result = _process(_args(args, tmp_path), stdout=subprocess.DEVNULL, stderr=full.fileno())
    assert result.returncode == code


@pytest.mark.parametrize(("args", "code"), CODES, ids=IDS)
def test_a_stderr_pipe_without_reader_changes_no_exit_code(
    tmp_path: Path, args: list[str], code: int
) -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        result = _process(_args(args, tmp_path), stdout=subprocess.DEVNULL, stderr=write)
    finally:
        os.close(write)
    assert result.returncode == code


# ---------------------------------------------------------------------------
# $COLUMNS that is no width


@pytest.mark.parametrize("columns", ["0", "00", "-1", "-80", "abc", "", " ", "1e3"])
@pytest.mark.parametrize(
    "args", [["sources"], ["lookup", "knee-oa"], ["compare", "knee-oa", "--chart"]], ids=" ".join
)
def test_a_columns_that_is_no_width_is_ignored(
    run: Run, mini: Path, args: list[str], columns: str
) -> None:
    sane = run(*data_args(mini), *args, env={"COLUMNS": "80"})
    odd = run(*data_args(mini), *args, env={"COLUMNS": columns})
    assert sane.exit_code == odd.exit_code == ExitCode.OK, odd.output
    assert "Alpha" in odd.stdout
    # not a terminal here: the width is the 80 of no terminal
    assert odd.stdout == sane.stdout
