"""How ``--help`` reads: placeholder names in the usage line and the exit codes.

The command classes here are what typer builds stemcli's commands with. They change
two things of click's help: a required argument reads ``CONDITION`` in the usage line
(typer writes ``{CONDITION}``), and every help ends with the exit codes it can return,
from one table (:data:`MEANINGS`) that follows :class:`stemcli.errors.ExitCode`.
"""

from __future__ import annotations

from typing import Any

import typer.core

from stemcli.errors import ExitCode

__all__ = ["FINDINGS", "MEANINGS", "Command", "Group", "command_epilog", "main_epilog"]

# what each exit code means, in a few words (the README's table says it at length)
MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "success",
    ExitCode.FINDINGS: "findings",
    ExitCode.USAGE: "usage error: an unknown option, condition, stage, source or claim",
    ExitCode.DATA: "data or input error: a file that cannot be read or is invalid",
    ExitCode.INTERNAL: "internal error (a bug): rerun with --debug for the traceback",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C or SIGTERM)",
}

# the commands that can exit 1, and when; every other command never does
FINDINGS: dict[str, str] = {
    "validate": "a problem (with --strict, an unreviewed claim or source too)",
    "verify": "an archive or a quote that does not match",
    "conflicts": "a finding, with --fail-on-conflict",
    "redflags": "a red flag, with --fail-on-flag",
}


_WIDTH = 78  # click's help is at most 78 columns wide (80 less a margin)


def main_epilog() -> str:
    """The exit-code section of ``stemcli --help``: one line per code."""
    meanings = dict(MEANINGS)
    meanings[ExitCode.FINDINGS] = (
        "findings: validate or verify found a problem; with --fail-on-conflict or "
        "--fail-on-flag, conflicts or redflags found one"
    )
    import textwrap

    lines = [
        textwrap.fill(
            meanings[code],
            width=_WIDTH,
            initial_indent=f"  {int(code):<4} ",
            subsequent_indent=" " * 7,
            break_on_hyphens=False,
        )
        for code in ExitCode
    ]
    # \b: click keeps the paragraph's lines as they are
    return "\b\nExit codes:\n" + "\n".join(lines)


def command_epilog(name: str) -> str:
    """The one line of a command's help that names the codes it can return."""
    parts = []
    for code in ExitCode:
        if code is ExitCode.FINDINGS:
            if name not in FINDINGS:
                continue
            meaning = FINDINGS[name]
        else:
            meaning = MEANINGS[code].split(":")[0].split(" (")[0]
        parts.append(f"{int(code)} {meaning}")
    return "Exit codes: " + "; ".join(parts) + "."


class Command(typer.core.TyperCommand):
    """A stemcli command: plain placeholder names, and its exit codes after the options."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces: list[str] = super().collect_usage_pieces(ctx)
        # typer marks a required argument {NAME}; the usual convention is a bare NAME
        return [
            p[1:-1] if p.startswith("{") and p.endswith("}") and " " not in p else p for p in pieces
        ]

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        super().format_epilog(ctx, formatter)
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(command_epilog(self.name or ""))


class Group(typer.core.TyperGroup):
    """The ``stemcli`` group: its help ends with the table of exit codes."""

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        super().format_epilog(ctx, formatter)
        formatter.write_paragraph()
        formatter.write_text(main_epilog())
