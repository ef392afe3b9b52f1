"""A progress indicator on stderr for a run that takes a while (loading a large dataset
on a cache miss, a long listing): rich's status spinner, shown only after a delay.

The fast path pays for one timer thread and nothing else: rich's live display is imported
by the timer, if it fires. The indicator is shown only when stdout and stderr are both a
terminal (never in a pipe or a redirection, never under a pager, never in JSON, CSV or
YAML that a program reads) and the terminal is not ``TERM=dumb``; ``NO_COLOR`` keeps it,
without colour. It is taken away before anything is written to stdout or stderr, and
ends the run's indicator for good (a run shows at most one).

``STEMCLI_PROGRESS_DELAY`` (seconds, default 0.5) is a hook for tests, which need the
slow path without a slow run: 0 shows the indicator at once, before the command's work
starts. It is not meant to be set otherwise.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live
    from rich.spinner import Spinner

DELAY = 0.5  # seconds: a run faster than this shows nothing
DELAY_VARIABLE = "STEMCLI_PROGRESS_DELAY"


def wanted() -> bool:
    """Whether this run may show an indicator: both streams a terminal, not a dumb one."""
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(sys.stdout and sys.stdout.isatty() and sys.stderr and sys.stderr.isatty())
    except (OSError, ValueError):  # a closed stream
        return False


def delay() -> float:
    value = os.environ.get(DELAY_VARIABLE)
    if value is None:
        return DELAY
    try:
        seconds = float(value)
    except ValueError:
        return DELAY
    return seconds if 0 <= seconds < 3600 else DELAY


class Indicator:
    """A status line that appears after :func:`delay` seconds unless stopped before."""

    def __init__(self, console: Callable[[], Console], message: str = "working…") -> None:
        self._console = console
        self._message = message
        self._lock = threading.Lock()
        self._live: Live | None = None
        self._spinner: Spinner | None = None
        self._stopped = False
        self._timer = threading.Timer(delay(), self._show)
        self._timer.daemon = True  # never keeps a finished run alive

    def start(self) -> None:
        if delay() == 0:  # tests: shown at once, not when a thread gets round to it
            self._show()
        else:
            self._timer.start()

    def say(self, message: str) -> None:
        """What the run is doing now (shown if the indicator is, or when it appears)."""
        with self._lock:
            self._message = message
            if self._spinner is not None:
                self._spinner.update(text=message)

    def stop(self) -> None:
        """Take the indicator away (it leaves no trace on the terminal), for good."""
        self._timer.cancel()
        with self._lock:
            self._stopped = True
            live, self._live = self._live, None
        if live is not None:
            live.stop()

    def _show(self) -> None:
        with self._lock:
            if self._stopped:
                return
            from rich.live import Live
            from rich.spinner import Spinner

            self._spinner = Spinner("dots", text=self._message, style="cyan")
            # stdout and stderr stay as they are: nothing is written while it is shown
            self._live = Live(
                self._spinner,
                console=self._console(),
                transient=True,
                refresh_per_second=12.5,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            try:
                self._live.start(refresh=True)
            except (OSError, ValueError):  # stderr went away: no indicator, no error
                self._live = None
                self._stopped = True
