"""The ``stemcli`` command and ``python -m stemcli``.

Ctrl-C or SIGTERM can come at any moment, also while typer and rich are being imported
(a tenth of a second): so this module imports nothing of its own at the top, and
:func:`main` installs the handling before it imports the CLI, inside the same guard.
"""

import sys


def main() -> None:
    """Console-script entry point: ``sys.exit(run(sys.argv[1:]))``, interrupts handled."""
    try:
        import signal

        def _terminate(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        # SIGTERM ends the run as Ctrl-C does; a signal the parent ignores stays ignored
        # (as Python leaves SIGINT ignored), the shell's way of shielding background jobs
        try:
            if signal.getsignal(signal.SIGTERM) is not signal.SIG_IGN:
                signal.signal(signal.SIGTERM, _terminate)
        except (ValueError, OSError):  # not the main thread, or no such signal
            pass

        from stemcli.cli import run

        code = int(run(sys.argv[1:]))
    except KeyboardInterrupt:
        code = _interrupted()
    sys.exit(code)


def _interrupted() -> int:
    """Interrupted outside the CLI's own boundary (during imports): one line, 130."""
    try:
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C: no traceback
    except (ValueError, OSError, KeyboardInterrupt):
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is sys.stderr and stream is not None:
                stream.write("error: interrupted\n")
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            _quiet(stream)
    return 130


def _quiet(stream: object) -> None:
    """Point a stream that cannot be written at /dev/null, so the last flush succeeds."""
    import os

    try:
        fileno = stream.fileno()  # type: ignore[attr-defined]
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fileno)
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    main()
