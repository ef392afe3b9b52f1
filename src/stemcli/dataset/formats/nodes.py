"""What the one-file readers share: the header, marks, and the Node trees they build."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stemcli.dataset.find import DataFile
from stemcli.dataset.yaml_nodes import MAX_DEPTH, Node
from stemcli.errors import InputError, Location

# line 1 of a JSON Lines dataset; "format" changes only with an incompatible layout
HEADER = {"stemcli": "dataset", "format": 1}
FORMAT = 1
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
        raise TooDeep()
    if isinstance(value, dict):
        return Node({k: tree(v, mark, depth + 1) for k, v in value.items()}, mark)
    if isinstance(value, list):
        return Node([tree(v, mark, depth + 1) for v in value], mark)
    return Node(value, mark)


class TooDeep(Exception):
    pass


def too_deep(location: Location) -> InputError:
    return InputError(f"nested more than {MAX_DEPTH} levels deep", location=location)
