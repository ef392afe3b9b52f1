"""Shared option and argument types, defined once (Annotated, keyword-only).

Every choice an option offers is an enum here: the formats each command writes (a
subset of :class:`stemcli.render.OutputFormat`, whose names they share) and the kinds
of conflict. The option's parser refuses any other value while the command line is
parsed: a usage error (exit 2) that says what the option takes.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, TypeVar

import typer


class Choice(str, Enum):
    """An option's value: it prints as itself ('table', not 'ListingFormat.table')."""

    def __str__(self) -> str:
        return str(self.value)


class ListingFormat(Choice):
    """What listing commands write (lookup, show, search, compare, validate ...)."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class ExportFormat(Choice):
    """What export writes."""

    json = "json"
    csv = "csv"
    yaml = "yaml"


class ExtractFormat(Choice):
    """What extract writes: a claims file to edit (yaml) by default."""

    yaml = "yaml"
    json = "json"
    table = "table"
    csv = "csv"
    markdown = "markdown"


class ConflictKind(Choice):
    """Which conflicts conflicts --kind keeps."""

    contradiction = "contradiction"
    arithmetic = "arithmetic"
    tension = "tension"


E = TypeVar("E", bound=Enum)


def _names(choices: list[str]) -> str:
    return ", ".join(choices[:-1]) + " or " + choices[-1] if len(choices) > 1 else choices[0]


def choice(enum: type[E], flag: str) -> Callable[[str | E], E]:
    """The parser of an option whose values are ``enum``'s (in any case)."""
    values = [str(m.value) for m in enum]

    def parse(value: str | E) -> E:
        if isinstance(value, enum):
            return value
        for member in enum:
            if str(member.value) == str(value).lower():
                return member
        from stemcli.errors import UsageError

        raise UsageError(f"{flag} must be {_names(values)}, not {value!r}")

    return parse


def _format_option(enum: type[E], help: str) -> typer.models.OptionInfo:
    option: typer.models.OptionInfo = typer.Option(
        "--format",
        "-f",
        help=help,
        parser=choice(enum, "--format"),
        metavar="[" + "|".join(str(m.value) for m in enum) + "]",
    )
    return option


def output_path(name: str) -> Path:
    """A file to write, as named (``out/`` names a folder and is refused)."""
    from stemcli.cli.atomic import target_path

    return target_path(name)


# Paths are plain: stemcli's reading and writing code checks them (a file that cannot be
# read is exit 3), never click's exists/readable/folder checks (exit 2, in its words).
Format = Annotated[ListingFormat, _format_option(ListingFormat, "Output format.")]
ExportFormatOpt = Annotated[ExportFormat, _format_option(ExportFormat, "json, csv or yaml.")]
ExtractFormatOpt = Annotated[
    ExtractFormat,
    _format_option(ExtractFormat, "yaml (a claims file to edit), json, table, csv or markdown."),
]
Kind = Annotated[
    ConflictKind | None,
    typer.Option(
        "--kind",
        help="Only one kind: contradiction, arithmetic or tension.",
        parser=choice(ConflictKind, "--kind"),
        metavar="KIND",
    ),
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
TABLE_LIMIT = 50  # rows a table or Markdown listing shows unless --limit says otherwise
RANKED_LIMIT = 20  # the best results search and conflicts show, in every format


def _limit_option(help: str) -> typer.models.OptionInfo:
    """The one --limit of every listing command: at most N rows, 0 for all."""
    option: typer.models.OptionInfo = typer.Option(
        "--limit", "-n", min=0, metavar="N", help=help + " --limit 0 shows all."
    )
    return option


Limit = Annotated[
    int | None,
    _limit_option(
        f"Show at most N rows (tables and Markdown: {TABLE_LIMIT} unless given; JSON, CSV "
        "and YAML: all unless given); stderr says how many were left out."
    ),
]
RankedLimit = Annotated[
    int,
    _limit_option(f"Show the best N, in every format (default {RANKED_LIMIT})."),
]
DataPaths = Annotated[
    list[Path] | None,
    typer.Option(
        "--data",
        help="Add a dataset folder or YAML file (repeatable; also $STEMCLI_DATA).",
        parser=Path,
        metavar="PATH",
    ),
]
