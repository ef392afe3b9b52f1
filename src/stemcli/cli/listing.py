"""How many rows a listing shows (--limit), and the line that says how many were left out."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TYPE_CHECKING, TypeVar

from stemcli.cli.options import TABLE_LIMIT

if TYPE_CHECKING:
    from pathlib import Path

    from stemcli.render import Report

T = TypeVar("T")

# formats a person reads: a default limit keeps them short; data formats get everything
HUMAN_FORMATS = frozenset({"table", "markdown"})
# compare in those formats: the sources compared (those with the most claims) and the values
# a cell shows (its lowest and highest halves), unless --sources or --limit 0 say otherwise
TABLE_SOURCES = 8
CELL_VALUES = 8


def row_limit(limit: int | None, fmt: Enum) -> int | None:
    """The rows to show: ``limit`` as given (0: all), else the default of ``fmt``;
    None means all."""
    if limit is None:
        return TABLE_LIMIT if str(fmt.value) in HUMAN_FORMATS else None
    return limit or None


def first(items: Sequence[T], limit: int | None) -> tuple[Sequence[T], int]:
    """The first ``limit`` items (all when None) and how many are left out."""
    if limit is None or len(items) <= limit:
        return items, 0
    return items[:limit], len(items) - limit


def left_out(shown: int, total: int, what: str, *, shown_as: str | None = None) -> None:
    """Say on stderr how many rows a listing left out, and how to see them
    ("showing 50 of 142 claims (92 left out); ...")."""
    if total <= shown:
        return
    from stemcli.cli.env import note

    note(
        f"showing {shown_as or shown} of {total:,} {what} ({total - shown:,} left out); "
        "--limit N shows N, --limit 0 shows all",
        style="dim",
    )


def emit_listing(
    report: Report,
    limit: int | None,
    fmt: Enum,
    output: Path | None,
    force: bool,
    raw: bool,
    what: str,
    keys: Sequence[str] = (),
) -> None:
    """Emit ``report`` cut to the rows --limit allows (see
    :func:`~stemcli.reports.fields.limit_report`), then say how many were left out."""
    from stemcli.cli.env import emit
    from stemcli.reports.fields import limit_report, record_count

    n = row_limit(limit, fmt)
    emit(limit_report(report, n, keys), fmt, output, force, raw)
    total = record_count(report, str(fmt.value), keys)
    left_out(total if n is None else min(n, total), total, what)
