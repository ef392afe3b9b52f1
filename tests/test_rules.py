"""ops/rules.py: compare and conflicts agree on which claims are comparable."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations
from pathlib import Path

from stemcli.dataset import load
from stemcli.ops.compare import compare
from stemcli.ops.conflicts import MAX_LISTED, Selection, find_conflicts
from stemcli.ops.rules import comparability_key, fold
from stemcli.quantities import parse

# comparator and intervention as sources word them: case and spacing vary
WORDINGS = [
    (None, None),
    ("PRP", None),
    (" prp ", None),
    ("Hyaluronic  acid", None),
    ("hyaluronic acid", None),
    (None, "Bone marrow"),
    (None, "bone   MARROW"),
    ("PRP", "bone marrow"),
]


def test_fold_ignores_case_and_spacing_but_not_absence() -> None:
    assert fold("  Hyaluronic \t ACID ") == fold("hyaluronic acid") == "hyaluronic acid"
    assert fold(None) is None
    assert fold("") != fold(None)


def test_compare_and_conflicts_agree_on_which_pairs_are_comparable(mini: Path) -> None:
    ds = load([mini], bundled=False, use_cache=False)
    base = ds.claims[0]
    sources = list(ds.sources)
    claims = [
        replace(
            base,
            id=f"w-{i:02d}",
            source=sources[i % len(sources)],
            stages=(),
            timepoint=None,
            comparator=comparator,
            intervention=intervention,
            # values far apart: every comparable pair is a conflict
            value=parse(f"{10 * i + 1}%"),
        )
        for i, (comparator, intervention) in enumerate(WORDINGS)
    ]
    ds = replace(ds, claims=tuple(claims))

    in_a_row = {
        frozenset((a.id, b.id))
        for row in compare(ds).rows
        for a, b in combinations(row.claims, 2)
        if a.id != b.id
    }
    listing = find_conflicts(ds, Selection(), limit=MAX_LISTED)
    conflicting = {frozenset((x.a.id, x.b.id)) for x in listing.conflicts}
    by_key = {
        frozenset((a.id, b.id))
        for a, b in combinations(claims, 2)
        if comparability_key(a) == comparability_key(b)
    }
    assert in_a_row == conflicting == by_key
    # the folding is what makes them agree: differently worded, still comparable
    assert frozenset(("w-01", "w-02")) in by_key  # "PRP" and " prp "
    assert frozenset(("w-05", "w-06")) in by_key  # "Bone marrow" and "bone   MARROW"
    assert frozenset(("w-00", "w-01")) not in by_key  # no comparator is not PRP
    assert frozenset(("w-01", "w-07")) not in by_key  # another intervention
