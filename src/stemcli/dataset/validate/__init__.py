"""Build and validate a dataset from its parsed files; every problem names file:line:column.

Modules: :mod:`.fields` (the builder and field checks), :mod:`.vocabularies` (sources,
conditions, outcomes), :mod:`.claims` (claims and cross-checks); this one runs them in order."""

from __future__ import annotations

from collections.abc import Sequence

from stemcli.dataset.find import DataFile, display_path
from stemcli.dataset.validate.claims import _add_claims, _cross_check
from stemcli.dataset.validate.fields import _Builder
from stemcli.dataset.validate.vocabularies import _add_conditions, _add_outcomes, _add_sources
from stemcli.dataset.yaml_nodes import Node, parse_yaml
from stemcli.errors import InputError, Location, Problem
from stemcli.model import Dataset
from stemcli.text.files import decode_utf8

__all__ = ["build", "parse_and_build"]


def build(parsed: Sequence[tuple[DataFile, Node | None]]) -> tuple[Dataset, list[Problem]]:
    """Validate parsed files into a :class:`Dataset`; return every problem found."""
    b = _Builder()
    order = {"outcomes": 0, "sources": 1, "conditions": 2, "claims": 3}
    for df, root in sorted(parsed, key=lambda item: order[item[0].role]):
        path = display_path(df)
        if df.role == "sources":
            _add_sources(b, path, root, None if df.bundled else str(df.path.parent))
        elif df.role == "conditions":
            _add_conditions(b, path, root)
        elif df.role == "outcomes":
            _add_outcomes(b, path, root)
        else:
            _add_claims(b, path, root, df.source_id or "")
    _cross_check(b)
    ds = Dataset(b.sources, b.conditions, b.outcomes, b.measures, tuple(b.claims))
    return ds, b.problems


def parse_and_build(
    files: Sequence[DataFile], blobs: Sequence[bytes]
) -> tuple[Dataset, list[Problem]]:
    """Parse every file's bytes and validate the whole; every problem is returned.

    The cyclic garbage collector is paused meanwhile: loading creates millions of
    small acyclic objects, and collections over the growing heap made a 100,000-claim
    load half again as slow.
    """
    from stemcli.collector import paused

    parsed: list[tuple[DataFile, Node | None]] = []
    problems: list[Problem] = []
    # what was loaded lives as long as the run: later collections never scan it again
    with paused(freeze=True):
        for df, data in zip(files, blobs, strict=True):
            try:
                if df.role == "dataset" or data[:4] == b"PAR1":  # JSON Lines, Parquet
                    from stemcli.dataset import formats

                    parsed.extend(formats.read(df, data, display_path(df)))
                    continue
                text = decode_utf8(display_path(df), data)
                parsed.append((df, parse_yaml(display_path(df), text)))
            except InputError as e:
                problems.append(Problem(e.location or Location(display_path(df)), e.reason))
        ds, more = build(parsed)
    problems.extend(more)
    if any(df.index is not None for df, _ in parsed):  # Parquet: rows and fields
        from stemcli.dataset import formats

        problems = formats.relocate(parsed, ds, problems)
    return ds, problems
