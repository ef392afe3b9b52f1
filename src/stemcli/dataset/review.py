"""Review marks: the fields of claims and sources a person has not checked yet (light:
validate imports it on a cache hit, without the validation code).

``review: [outcome, measure]`` (written by ``extract``) is not an error in the data: the
dataset loads and every command works. ``validate`` reports each marked claim or source
(a warning, or with ``--strict`` a problem), so that a guess is never taken for a fact
unnoticed.
"""

from __future__ import annotations

from stemcli.errors import Location, Problem
from stemcli.model import Dataset

__all__ = ["unreviewed"]


def _location(where: str) -> Location:
    """A "file:line:col" string as a Location (the file name may hold ':')."""
    path, _, rest = where.rpartition(":")
    path2, _, line = path.rpartition(":")
    if path2 and line.isdigit() and rest.isdigit():
        return Location(path2, int(line), int(rest))
    return Location(where)


def unreviewed(ds: Dataset) -> list[Problem]:
    """One entry per source, then per claim, whose ``review`` lists fields to check."""
    out = [
        Problem(_location(s.where), f"source {s.id!r}: unreviewed: {', '.join(s.review)}")
        for s in ds.sources.values()
        if s.review
    ]
    out += [
        Problem(_location(c.where), f"unreviewed: {', '.join(c.review)}", c.id)
        for c in ds.claims
        if c.review
    ]
    return out
