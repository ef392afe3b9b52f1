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
from typing import Annotated, Any, TypeVar

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
    jsonl = "jsonl"  # the whole dataset, one record a line (readable by --data)
    parquet = "parquet"  # the whole dataset, a row per claim (readable by --data)
    # the findings published (stemcli.exports): ClaimReview JSON-LD, a database, a package
    claimreview = "claimreview"
    sqlite = "sqlite"
    datapackage = "datapackage"


# the export formats that are a report rendered (render/); the others are files of their
# own shape, written by stemcli.exports (a whole dataset, a database, ClaimReview ...)
RENDERED_EXPORTS = frozenset(("json", "csv", "yaml"))


class DatasetFormat(Choice):
    """The formats a whole dataset is kept in (convert --to)."""

    yaml = "yaml"  # a folder laid out like data/
    jsonl = "jsonl"
    parquet = "parquet"


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
    unusual = "unusual"


E = TypeVar("E", bound=Enum)
F = TypeVar("F", bound=Callable[..., Any])


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


Completions = list[tuple[str, str | None]]


def _unannotated(fn: F) -> F:
    """typer reads every completion callback's signature on each run (to pass ``ctx`` and
    ``incomplete`` by name): without annotations to evaluate, in a sixth of the time."""
    fn.__annotations__ = {}
    return fn


def completes(kind: str) -> Callable[[Any, str], Completions]:
    """The shell completion of a value: ``kind`` names a function of
    :mod:`stemcli.cli.completion`, imported only when the shell asks."""

    def complete(ctx: Any, incomplete: str) -> Completions:
        from stemcli.cli import completion

        values: Callable[[Any, str], Completions] = getattr(completion, kind)
        return values(ctx, incomplete)

    complete.__name__ = f"complete_{kind}"
    return _unannotated(complete)


def completes_choices(enum: type[Enum]) -> Callable[[str], Completions]:
    """The shell completion of an option whose values are ``enum``'s."""

    def complete(incomplete: str) -> Completions:
        return [(str(m.value), None) for m in enum]

    return _unannotated(complete)


def _format_option(enum: type[E], help: str) -> typer.models.OptionInfo:
    option: typer.models.OptionInfo = typer.Option(
        "--format",
        "-f",
        help=help,
        parser=choice(enum, "--format"),
        metavar="FORMAT",
        autocompletion=completes_choices(enum),
    )
    return option


# what ``-`` names for --output, --svg or --html: standard output. Known by identity:
# ``./-`` is a file named ``-`` (Path("./-") == Path("-"), but it is another object).
STDOUT = Path("-")


def is_stdout(path: Path) -> bool:
    """Whether ``path`` is the ``-`` that means standard output (see :func:`output_path`)."""
    return path is STDOUT


def output_path(name: str) -> Path:
    """A file to write, as named (``out/`` names a folder and is refused); ``-`` is
    standard output, :data:`STDOUT`."""
    if name == "-":
        return STDOUT
    from stemcli.cli.atomic import target_path

    return target_path(name)


# Paths are plain: stemcli's reading and writing code checks them (a file that cannot be
# read is exit 3), never click's exists/readable/folder checks (exit 2, in its words).
Format = Annotated[
    ListingFormat, _format_option(ListingFormat, "Output format: table, json, csv or markdown.")
]
ExportFormatOpt = Annotated[
    ExportFormat,
    _format_option(
        ExportFormat,
        "Output format: json, csv or yaml (the claims); jsonl or parquet (the whole "
        "dataset, for --data FILE; parquet needs --output); claimreview (JSON-LD), sqlite "
        "(-o FILE) or datapackage (-o DIR).",
    ),
]
ExtractFormatOpt = Annotated[
    ExtractFormat,
    _format_option(
        ExtractFormat, "Output format: yaml (a claims file to edit), json, table, csv or markdown."
    ),
]
Kind = Annotated[
    ConflictKind | None,
    typer.Option(
        "--kind",
        help="Only one kind: contradiction, arithmetic, tension or unusual.",
        parser=choice(ConflictKind, "--kind"),
        metavar="KIND",
        autocompletion=completes_choices(ConflictKind),
    ),
]
Output = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the result to FILE (atomically) instead of standard output; - is "
        "standard output. The folder must exist.",
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
    typer.Option(
        "--stage",
        "-s",
        help="Only claims for this STAGE (id or alias, e.g. middle), plus those for any stage.",
        metavar="STAGE",
        autocompletion=completes("stages"),
    ),
]
OutcomeOpt = Annotated[
    str | None,
    typer.Option(
        "--outcome",
        help="Only claims about this OUTCOME (id or name, e.g. pain).",
        metavar="OUTCOME",
        autocompletion=completes("outcomes"),
    ),
]
SourceOpt = Annotated[
    str | None,
    typer.Option(
        "--source",
        help="Only claims from this SOURCE (id).",
        metavar="SOURCE",
        autocompletion=completes("sources"),
    ),
]
ConditionArg = Annotated[
    str,
    typer.Argument(
        help="Condition id, name or alias (e.g. knee-oa, 'knee arthritis').",
        metavar="CONDITION",
        autocompletion=completes("conditions"),
    ),
]
OptionalConditionArg = Annotated[
    str | None,
    typer.Argument(
        help="Condition id, name or alias; all conditions when omitted.",
        metavar="[CONDITION]",
        autocompletion=completes("conditions"),
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


# a claim named on the command line (show, context): resolved by ops.resolve.resolve_claim
ClaimArg = Annotated[
    str,
    typer.Argument(
        help="The claim's id or handle (the Id column of lookup), or a prefix of one.",
        metavar="CLAIM",
        autocompletion=completes("claims"),
    ),
]
