"""The errors stemcli raises, and the exit codes they map to.

Library code raises :class:`StemcliError` subclasses; only :mod:`stemcli.cli` turns them into
an ``error: ...`` line and an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """Documented exit codes (see README)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    DATA = 3
    INTERNAL = 70
    INTERRUPTED = 130


@dataclass(frozen=True)
class Location:
    """Where in a file something is: 1-based line and column."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.column}"


class StemcliError(Exception):
    """Base of every expected failure."""

    exit_code: ExitCode = ExitCode.DATA

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(StemcliError):
    """The user asked for something that cannot be: unknown condition, bad option value."""

    exit_code = ExitCode.USAGE


class InputError(StemcliError):
    """A file the user gave cannot be read or is not what it should be.

    With a ``location`` the message reads ``"LOCATION: reason"``; ``reason`` is the part
    after it, for callers that show the location on its own (a problem list).
    """

    exit_code = ExitCode.DATA

    def __init__(
        self, reason: str, *, hint: str | None = None, location: Location | None = None
    ) -> None:
        super().__init__(reason if location is None else f"{location}: {reason}", hint=hint)
        self.reason = reason
        self.location = location


@dataclass(frozen=True)
class Problem:
    """One problem found in a dataset, with where it is."""

    location: Location
    message: str
    claim_id: str | None = None

    def __str__(self) -> str:
        where = str(self.location)
        if self.claim_id:
            return f"{where}: claim {self.claim_id!r}: {self.message}"
        return f"{where}: {self.message}"


class DataError(StemcliError):
    """A dataset has problems; carries every one found."""

    exit_code = ExitCode.DATA

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid dataset"
        more = len(problems) - 1
        suffix = f" (and {more} more problem{'s' if more != 1 else ''})" if more > 0 else ""
        super().__init__(
            first + suffix, hint="run 'stemcli validate' to list every problem" if more else None
        )
