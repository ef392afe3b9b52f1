"""Datasets in one file: JSON Lines (``.jsonl``) and Parquet (``.parquet``).

YAML stays the authoring format; these two carry a whole dataset (its sources, conditions
and claims) in one file, for tools and for scale. Each reader turns its file into the
same :class:`~stemcli.dataset.yaml_nodes.Node` trees the YAML files give: one sources
list, one conditions list and the claims, a list per run of claims of one source, so the
one validator checks every format and every problem names where it is (``file:line:col``
in JSON Lines; ``file: claim row N (id ID), field F`` in Parquet).

The content decides the format (a Parquet file starts and ends with ``PAR1``), the
extension only the doubtful case of a file that is neither. This package is imported on
a cache miss only; pyarrow is imported by the Parquet reader alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stemcli.dataset.find import DataFile
from stemcli.dataset.yaml_nodes import MAX_DEPTH, Node
from stemcli.errors import InputError, Location, Problem

if TYPE_CHECKING:
    from stemcli.model import Dataset

__all__ = ["HEADER", "SUFFIXES", "Mark", "is_parquet", "read", "relocate"]

# line 1 of a JSON Lines dataset; "format" changes only with an incompatible layout
HEADER = {"stemcli": "dataset", "format": 1}
FORMAT = 1
SUFFIXES = (".jsonl", ".parquet")
PARQUET_MAGIC = b"PAR1"


class Mark:
    """Where a value is: ``line`` and ``column`` 0-based, as libyaml's marks are."""

    __slots__ = ("column", "line")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column


def is_parquet(data: bytes) -> bool:
    """Whether the file's bytes begin as a Parquet file does."""
    return data[:4] == PARQUET_MAGIC


def read(df: DataFile, data: bytes, path: str) -> list[tuple[DataFile, Node | None]]:
    """The parts of one dataset file as (file, node tree) pairs for the validator."""
    if is_parquet(data) or (not data.strip() and df.path.suffix.lower() == ".parquet"):
        from stemcli.dataset.formats.parquet import read_parquet

        return read_parquet(df, data, path)
    from stemcli.dataset.formats.jsonl import read_jsonl

    return read_jsonl(df, data, path)


def parts(
    df: DataFile,
    sources: list[Node],
    conditions: list[Node],
    claims: Iterator[tuple[str, Node]],
    mark: Any,
) -> list[tuple[DataFile, Node | None]]:
    """The pairs the validator takes: sources, conditions, then each run of claims of one
    source (in the file's order) as the claims file of that source."""
    out: list[tuple[DataFile, Node | None]] = [
        (_part(df, "sources", None), Node(sources, mark)),
        (_part(df, "conditions", None), Node(conditions, mark)),
    ]
    run: list[Node] = []
    current: str | None = None
    for source, node in claims:
        if source != current and run:
            out.append((_part(df, "claims", current), Node(run, run[0].mark)))
            run = []
        current = source
        run.append(node)
    if run:
        out.append((_part(df, "claims", current), Node(run, run[0].mark)))
    return out


def _part(df: DataFile, role: str, source_id: str | None) -> DataFile:
    part = DataFile(df.path, role, source_id, bundled=df.bundled)
    part.index = df.index
    return part


def tree(value: Any, mark: Any, depth: int = 0) -> Node:
    """A parsed JSON value as Nodes, each at ``mark`` (the validator reads ``.value``)."""
    if depth > MAX_DEPTH:
        raise _Deep()
    if isinstance(value, dict):
        return Node({k: tree(v, mark, depth + 1) for k, v in value.items()}, mark)
    if isinstance(value, list):
        return Node([tree(v, mark, depth + 1) for v in value], mark)
    return Node(value, mark)


class _Deep(Exception):
    pass


def too_deep(location: Location) -> InputError:
    return InputError(f"nested more than {MAX_DEPTH} levels deep", location=location)


def relocate(
    parsed: list[tuple[DataFile, Node | None]], ds: Dataset, problems: list[Problem]
) -> list[Problem]:
    """Parquet files' numbered locations as rows and fields: in the problems, and in
    where each claim and source is defined (``file: claim row N``)."""
    from stemcli.dataset.formats.parquet import RowIndex

    by_path = {ix.path: ix for ix in (df.index for df, _ in parsed) if isinstance(ix, RowIndex)}
    if not by_path:
        return problems
    for items in (ds.sources.values(), ds.claims):
        for item in items:
            path, _, line = item.where.rpartition(":")[0].rpartition(":")
            ix = by_path.get(path)
            if ix is not None:  # still being built: nothing else holds it yet
                object.__setattr__(item, "where", f"{path}: {ix.where(int(line), 0)}")
    return [
        by_path[p.location.path].relocate(p) if p.location.path in by_path else p for p in problems
    ]


def suffix_of(path: Path) -> str:
    return path.suffix.lower()
