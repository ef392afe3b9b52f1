"""Shared option and argument types, defined once (Annotated, keyword-only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stemcli.render import OutputFormat


def output_path(name: str) -> Path:
    """A file to write, as named (``out/`` names a folder and is refused)."""
    from stemcli.atomic import target_path

    return target_path(name)


# Paths are plain: stemcli's reading and writing code checks them (a file that cannot be
# read is exit 3), never click's exists/readable/folder checks (exit 2, in its words).
Format = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]
Output = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the result to FILE (atomically) instead of standard output.",
        parser=output_path,
        metavar="FILE",
    ),
]
Raw = Annotated[
    bool,
    typer.Option(
        "--raw",
        help="CSV only: write cells as they are. By default a cell that a spreadsheet would "
        "run as a formula (it starts with =, +, -, @ or a tab) gets a leading ' so that it "
        "shows as text; a plain number such as -13 is left as it is. Control and invisible "
        "characters are shown as escapes either way.",
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing --output file.")]
Full = Annotated[bool, typer.Option("--full", help="Show quotes in full, not truncated.")]
Stage = Annotated[
    str | None,
    typer.Option("--stage", "-s", help="Only claims for this stage (plus those for any stage)."),
]
OutcomeOpt = Annotated[
    str | None, typer.Option("--outcome", help="Only claims about this outcome (id or name).")
]
SourceOpt = Annotated[str | None, typer.Option("--source", help="Only claims from this source id.")]
ConditionArg = Annotated[
    str,
    typer.Argument(
        help="Condition id, name or alias (e.g. knee-oa, 'knee arthritis').", metavar="CONDITION"
    ),
]
OptionalConditionArg = Annotated[
    str | None,
    typer.Argument(
        help="Condition id, name or alias; all conditions when omitted.", metavar="[CONDITION]"
    ),
]
Limit = Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most N results.")]
DataPaths = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        help="Add a dataset folder or YAML file (repeatable; also $STEMCLI_DATA).",
        parser=Path,
        metavar="PATH",
    ),
]
