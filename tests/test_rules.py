"""ops/rules.py: compare and conflicts agree on which claims are comparable."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from stemcli.dataset import load
from stemcli.model import Claim
from stemcli.ops.compare import compare
from stemcli.ops.conflicts import MAX_LISTED, Selection, find_conflicts
from stemcli.ops.rules import (
    about,
    comparability_key,
    compared,
    fold,
    measure_class,
    same_time,
    stages_compatible,
)
from stemcli.quantities import ends, parse

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
FAMILY = {"pain": "benefit", "function": "benefit", "cost": "cost"}


def _claim(value: str, outcome: str = "pain", measure: str = "effect", **more: Any) -> Claim:
    return Claim("c", "s", "knee-oa", (), outcome, measure, parse(value), "q", **more)


def _days(text: str) -> tuple[float, float]:
    return ends(parse(text))


def test_fold_ignores_case_and_spacing_but_not_absence() -> None:
    assert fold("  Hyaluronic \t ACID ") == fold("hyaluronic acid") == "hyaluronic acid"
    assert fold(None) is None
    assert fold("") != fold(None)


def test_stages_compatible() -> None:
    assert stages_compatible((), ())
    assert stages_compatible((), ("late",))
    assert stages_compatible(("early", "middle"), ("middle",))
    assert not stages_compatible(("early",), ("late",))


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("6 months", "6 months", True),
        ("3-6 months", "6 months", True),  # a point at the end of a period is within it
        ("6 months", "6-12 months", True),
        ("3-9 months", "6-12 months", True),  # overlapping periods
        ("up to 6 months", "week 1", True),
        ("years 1-3", "years 3-5", False),  # periods that only touch are consecutive
        ("3-6 months", "6-12 months", False),
        ("6 weeks", "12 months", False),
        ("6 months", "12 months", False),
        ("week 1", "week 2", False),
    ],
)
def test_same_time(a: str, b: str, same: bool) -> None:
    assert same_time(_days(a), _days(b)) is same
    assert same_time(_days(b), _days(a)) is same
    assert same_time(_days(a), None)
    assert same_time(None, _days(b))


def test_times_are_about_their_outcome_other_numbers_about_its_family() -> None:
    assert about(_claim("2 weeks", measure="duration"), FAMILY) == "pain"
    assert about(_claim("30%"), FAMILY) == "benefit"
    assert about(_claim("30%", outcome="function"), FAMILY) == "benefit"
    assert about(_claim("30%", outcome="unknown"), FAMILY) == "unknown"


def test_durations_and_time_points_are_one_measure_class() -> None:
    assert measure_class(_claim("2-4 weeks", measure="duration")) == "time"
    assert measure_class(_claim("week 6", measure="time-point")) == "time"
    assert measure_class(_claim("30%")) == "effect"
    assert measure_class(_claim("30%", measure="responder-rate")) == "responder-rate"


def test_the_comparability_key_holds_the_group_folded() -> None:
    one = _claim("30%", group="One-time treatment  group")
    same = _claim("60%", group="one-time treatment group")
    other = _claim("60%", group="regular follow-up group")
    nobody = _claim("60%")
    assert comparability_key(one) == comparability_key(same)
    assert comparability_key(one) != comparability_key(other)
    assert comparability_key(one) != comparability_key(nobody)
    assert comparability_key(one)[-1] == "one-time treatment group"


def test_outcomes_that_describe_a_study_are_not_compared(mini: Path) -> None:
    ds = load([mini], bundled=False, use_cache=False)
    assert compared(ds, "pain")
    assert not compared(ds, "follow-up")
    assert compared(ds, "an-outcome-of-no-vocabulary")


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
    conflicting = {
        frozenset((x.a.claim.id, x.b.claim.id)) for x in listing.conflicts if x.b is not None
    }
    by_key = {
        frozenset((a.id, b.id))
        for a, b in combinations(claims, 2)
        if comparability_key(a) == comparability_key(b)
    }
    assert in_a_row == conflicting == by_key
    assert {x.kind for x in listing.conflicts} == {"contradiction"}
    # the folding is what makes them agree: differently worded, still comparable
    assert frozenset(("w-01", "w-02")) in by_key  # "PRP" and " prp "
    assert frozenset(("w-05", "w-06")) in by_key  # "Bone marrow" and "bone   MARROW"
    assert frozenset(("w-00", "w-01")) not in by_key  # no comparator is not PRP
    assert frozenset(("w-01", "w-07")) not in by_key  # another intervention


def test_compare_and_conflicts_agree_on_groups(mini: Path) -> None:
    ds = load([mini], bundled=False, use_cache=False)
    base = ds.claims[0]
    groups = [None, "arm one", " ARM  one", "arm two"]
    claims = [
        replace(
            base,
            id=f"g-{i}",
            source="alpha" if i % 2 else "beta",
            stages=(),
            timepoint=None,
            group=group,
            value=parse(f"{20 * i + 1}%"),
        )
        for i, group in enumerate(groups)
    ]
    ds = replace(ds, claims=tuple(claims))
    listing = find_conflicts(ds, Selection(), limit=MAX_LISTED)
    conflicting = {
        frozenset((x.a.claim.id, x.b.claim.id)) for x in listing.conflicts if x.b is not None
    }
    assert conflicting == {frozenset(("g-1", "g-2"))}
    in_a_row = {
        frozenset((a.id, b.id))
        for row in compare(ds).rows
        for a, b in combinations(row.claims, 2)
        if a.id != b.id
    }
    assert in_a_row == conflicting
