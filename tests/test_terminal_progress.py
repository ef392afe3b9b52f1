"""The progress indicator and colour on a real terminal (a pty), and neither in a pipe.

The slow path comes from the documented test hook STEMCLI_PROGRESS_DELAY: 0 shows the
indicator at once (before the dataset is loaded), 60 never within a test's run. Each
run reports on stderr, after stemcli is done, whether rich's live display was imported.
"""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from stemcli.cli import progress

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")

MINI = Path(__file__).parent / "fixtures" / "mini"
ARGS = ["--no-bundled", "--data", str(MINI), "lookup", "knee-oa"]
SPINNER_TEXT = ("working…", "loading the dataset…")
STYLE = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])(?:;[0-9;]*)?m")  # a foreground colour
# runs stemcli as the console script does, then says whether rich.live was ever imported
WRAPPER = (
    "import sys\n"
    "from stemcli.cli import run\n"
    "code = run(sys.argv[1:])\n"
    "sys.stderr.write('LIVE=%s\\n' % ('rich.live' in sys.modules))\n"
    "sys.exit(code)\n"
)


def _env(delay: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm-256color", COLUMNS="100", STEMCLI_PROGRESS_DELAY=delay, **extra)
    return env


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            raise AssertionError("no output from stemcli within 60 s")
        try:
            data = os.read(fd, 65536)
        except OSError:  # EIO: every writer of the pty has closed it
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def _run(args: list[str], env: dict[str, str], *, stdout_on_tty: bool) -> tuple[str, str, int]:
    """stemcli with stderr (and stdout, if asked) on a pty: (what the terminal got, stdout
    if it was a pipe, exit code)."""
    controller, terminal = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", WRAPPER, *args],
            stdin=subprocess.DEVNULL,
            stdout=terminal if stdout_on_tty else subprocess.PIPE,
            stderr=terminal,
            env=env,
        )
        os.close(terminal)
        terminal = -1
        shown = _read_all(controller)
        piped = b""
        if proc.stdout is not None:
            piped = proc.stdout.read()
            proc.stdout.close()
        code = proc.wait(timeout=60)
    finally:
        if terminal != -1:
            os.close(terminal)
        os.close(controller)
    return shown.decode("utf-8", "replace"), piped.decode("utf-8", "replace"), code


def test_a_slow_run_shows_the_indicator_and_colour_on_a_terminal() -> None:
    shown, _, code = _run(ARGS, _env("0"), stdout_on_tty=True)
    assert code == 0, shown
    assert any(text in shown for text in SPINNER_TEXT), shown
    assert COLOUR.search(shown), shown
    assert "LIVE=True" in shown
    assert "Knee osteoarthritis (knee-oa)" in shown  # and the result after it
    # the indicator is gone before the result: its line is erased, the cursor shown again
    assert shown.index("\x1b[?25h") < shown.index("Knee osteoarthritis")


def test_no_colour_keeps_the_indicator_without_colour() -> None:
    shown, _, code = _run(ARGS, _env("0", NO_COLOR="1"), stdout_on_tty=True)
    assert code == 0, shown
    assert any(text in shown for text in SPINNER_TEXT), shown
    assert not COLOUR.search(shown), shown
    assert STYLE.search(shown)  # bold and dim stay: NO_COLOR is about colour


def test_a_fast_run_shows_nothing_and_never_imports_the_live_display() -> None:
    shown, _, code = _run(ARGS, _env("60"), stdout_on_tty=True)
    assert code == 0, shown
    assert not any(text in shown for text in SPINNER_TEXT), shown
    assert "LIVE=False" in shown
    assert STYLE.search(shown)  # still a terminal: the table has its styles (bold, dim)


def test_no_indicator_when_stdout_is_a_pipe_even_with_stderr_on_a_terminal() -> None:
    shown, piped, code = _run([*ARGS, "-f", "json"], _env("0"), stdout_on_tty=False)
    assert code == 0, shown
    assert shown.strip() == "LIVE=False", shown
    assert "\x1b" not in piped
    assert json.loads(piped)


def test_no_indicator_and_no_colour_in_pipes() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, *ARGS],
        capture_output=True,
        text=True,
        env=_env("0"),
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "LIVE=False\n"
    assert "\x1b" not in proc.stdout
    assert "Knee osteoarthritis (knee-oa)" in proc.stdout


def test_an_indicator_stopped_before_its_delay_does_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(progress.DELAY_VARIABLE, "60")
    asked: list[bool] = []

    def console() -> object:
        asked.append(True)
        raise AssertionError("the indicator must not be shown")

    indicator = progress.Indicator(console)  # type: ignore[arg-type]
    indicator.start()
    indicator.say("loading")
    indicator.stop()
    indicator._timer.join(timeout=5)
    assert not indicator._timer.is_alive()
    assert asked == []


@pytest.mark.parametrize(("value", "seconds"), [(None, 0.5), ("0", 0.0), ("x", 0.5), ("-1", 0.5)])
def test_the_delay_hook(monkeypatch: pytest.MonkeyPatch, value: str | None, seconds: float) -> None:
    if value is None:
        monkeypatch.delenv(progress.DELAY_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(progress.DELAY_VARIABLE, value)
    assert progress.delay() == seconds
