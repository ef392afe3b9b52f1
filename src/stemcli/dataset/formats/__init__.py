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

from typing import TYPE_CHECKING

from stemcli.dataset.find import DataFile
from stemcli.dataset.formats.nodes import FORMAT, HEADER, is_parquet
from stemcli.dataset.yaml_nodes import Node
from stemcli.errors import Problem

if TYPE_CHECKING:
    from stemcli.model import Dataset

__all__ = ["FORMAT", "HEADER", "is_parquet", "read", "relocate"]


def read(df: DataFile, data: bytes, path: str) -> list[tuple[DataFile, Node | None]]:
    """The parts of one dataset file as (file, node tree) pairs for the validator."""
    blank = not data or data.isspace()  # (no copy of a large file)
    if is_parquet(data) or (blank and df.path.suffix.lower() == ".parquet"):
        from stemcli.dataset.formats.parquet import read_parquet

        return read_parquet(df, data, path)
    from stemcli.dataset.formats.jsonl import read_jsonl

    return read_jsonl(df, data, path)


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
