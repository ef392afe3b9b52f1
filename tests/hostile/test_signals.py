"""Pipes, streams and signals, in real processes.

`stemcli ... | head -c 10` ends quietly; Ctrl-C and SIGTERM during a slow run exit 130
with one line and no traceback; a full or closed standard output is an error, not a
crash; --output refuses what is not a regular file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import (
    assert_one_error,
    child_env,
    data_args,
    default_signals,
    popen,
    stemcli,
    write_dataset,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes and signals")

CLAIM = """\
- id: s{s}-c{i}
  condition: cond
  stages: [early]
  outcome: pain
  measure: effect
  value: {v}%
  basis: none
  quote: "Pain fell {v}% in the study of claim {i} of source {s}."
"""


def many_claims(root: Path, sources: int, per_source: int) -> Path:
    """A valid dataset of sources x per_source claims."""
    write_dataset(
        root,
        sources=[
            {
                "id": f"s{s}",
                "title": "T",
                "publisher": f"P{s}",
                "kind": "clinic",
                "sells_treatment": True,
            }
            for s in range(sources)
        ],
        claims={
            f"s{s}": "".join(CLAIM.format(s=s, i=i, v=(i * 7) % 100) for i in range(per_source))
            for s in range(sources)
        },
    )
    return root


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 500 kB of JSON per listing: far more than a pipe holds."""
    return many_claims(tmp_path_factory.mktemp("big") / "data", sources=4, per_source=250)


@pytest.fixture(scope="module")
def huge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40,000 claims: a few seconds to parse without the cache."""
    return many_claims(tmp_path_factory.mktemp("huge") / "data", sources=10, per_source=4000)


def page(tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    text = "".join(
        f"Knee pain fell {k % 90 + 5}% within {k % 11 + 1} weeks, a guaranteed cure.\n"
        for k in range(1500)
    )
    path.write_text(text, encoding="utf-8")
    return path


# each prints more than a pipe holds (64 kB), so the write fails while stemcli writes
PIPED = [
    ["export", "--format", "json"],
    ["export", "--format", "csv"],
    ["export", "--format", "yaml"],
    ["lookup", "cond"],
    ["lookup", "cond", "--format", "json"],
    ["lookup", "cond", "--format", "markdown"],
    ["search", "pain fell", "--limit", "2000"],
    ["conflicts", "--limit", "3000", "--format", "json"],
    ["extract", "{page}"],
    ["redflags", "{page}", "--format", "json"],
]


@pytest.mark.parametrize("command", PIPED, ids=" ".join)
def test_a_closed_pipe_ends_quietly(big: Path, tmp_path: Path, command: list[str]) -> None:
    """stemcli ... | head -c 10"""
    args = [a.replace("{page}", str(page(tmp_path))) for a in command]
    proc = popen(*data_args(big), *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stderr is not None
    head = proc.stdout.read(10)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    code = proc.wait(timeout=60)
    assert len(head) == 10
    assert code == 0, err
    assert "Traceback" not in err
    assert "Exception ignored" not in err
    assert "error" not in err, err


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_head_in_a_real_shell(big: Path) -> None:
    cmd = " ".join(
        [f"'{sys.executable}'", "-m", "stemcli", *data_args(big), "export", "--format", "json"]
    )
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {cmd} | head -c 10"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == '[\n  {\n    "'[:10]
    assert result.stderr == ""


def _cpu_seconds(pid: int) -> float | None:
    """User + system time of a running process (Linux), None where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_until_busy(proc: subprocess.Popen[bytes], cpu: float = 0.5) -> None:
    """Until the process has run a while (past start-up, into its work)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        used = _cpu_seconds(proc.pid)
        if used is None:
            time.sleep(1.0)
            return
        if used >= cpu:
            return
        time.sleep(0.02)


@pytest.fixture(params=["runner-default", "runner-ignores-SIGINT"])
def runner_signals(request: pytest.FixtureRequest) -> object:
    """The test process as usual, or started as under nohup: SIGINT ignored."""
    if request.param == "runner-default":
        yield None
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield None
    finally:
        signal.signal(signal.SIGINT, old)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_a_slow_run_exits_130(
    huge: Path, signum: int, runner_signals: object
) -> None:
    proc = popen(
        "--no-bundled", "--no-cache", "--data", str(huge), "lookup", "cond", "--format", "json",
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_until_busy(proc)
        assert proc.poll() is None, "the run ended before the signal"
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    text = err.decode("utf-8", "replace")
    assert proc.returncode == 130, text
    assert out == b""
    assert "Traceback" not in text
    assert_one_error(text, "interrupted")


# a signal while Python imports typer and rich, before any of stemcli's code has run:
# the hook sends it from inside the import machinery, so it lands there for certain
INTERRUPTED_IMPORT = """
import os, signal, sys
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "typer":
            os.kill(os.getpid(), signal.{signal})
        return None
sys.meta_path.insert(0, Interrupt())
sys.argv = ["stemcli", "sources"]
from stemcli.__main__ import main
main()
"""


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_a_signal_during_the_imports_exits_130(signame: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", INTERRUPTED_IMPORT.format(signal=signame)],
        capture_output=True, text=True, timeout=60, check=False, env=child_env(),
        preexec_fn=default_signals,
    )  # fmt: skip
    assert result.returncode == 130, result.stderr
    assert result.stdout == ""
    assert_one_error(result.stderr, "interrupted")


def test_the_entry_point_guards_before_it_imports_the_cli() -> None:
    probe = (
        "import sys, stemcli.__main__; "
        "print([m for m in ('typer', 'rich', 'stemcli.cli') if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout.strip() == "[]", result.stderr


# ---------------------------------------------------------------------------
# standard output that cannot be written


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
@pytest.mark.parametrize(
    "command",
    [
        ["export"],
        ["sources"],
        ["lookup", "knee-oa", "--full"],
        ["--version"],
        ["--help"],
        ["lookup", "--help"],
    ],
)
def test_a_full_standard_output_is_an_error_not_a_bug(command: list[str]) -> None:
    """stemcli ... >/dev/full: exit 3 and one line, whoever writes (stemcli or click)."""
    with open("/dev/full", "w") as full:
        proc = popen(*command, stdout=full, stderr=subprocess.PIPE)
        _, err = proc.communicate(timeout=60)
    text = err.decode()
    assert proc.returncode == 3, text
    assert_one_error(text, "No space left on device")


def _close_stdout() -> None:
    os.close(1)


@pytest.mark.parametrize("command", [["export"], ["sources"]])
def test_a_closed_standard_output_is_an_error_not_a_bug(command: list[str]) -> None:
    """stemcli ... >&-"""
    result = subprocess.run(
        [sys.executable, "-m", "stemcli", *command],
        stderr=subprocess.PIPE, text=True, timeout=60, check=False, preexec_fn=_close_stdout,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert_one_error(result.stderr, "standard output is closed")


def test_output_to_a_pipe_is_refused_not_replaced(tmp_path: Path) -> None:
    """--output --force renames over its target: never over a FIFO (or /dev/null)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = stemcli("sources", "--output", str(fifo), "--force")
    assert result.returncode == 2, result.stderr
    assert_one_error(result.stderr, "not a regular file")
    assert fifo.is_fifo()
