"""Impossible values are validation errors, with qualifiers read exactly.

A share of patients cannot be over 100 % or under 0 %; a reduction (an effect given in
percent) cannot exceed 100 %; nothing a claim counts can be below zero. "at least 100 %"
and "up to 100 %" are possible, and so is a percentage relative to a comparator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import Run, assert_one_error, claim, data_args, write_dataset

RATE = {"measure": "responder-rate", "outcome": "improvement"}

IMPOSSIBLE: list[tuple[str, dict[str, Any]]] = [
    ("over-100-percent-of-patients", {**RATE, "value": "over 100%"}),
    ("more-than-100-percent-of-patients", {**RATE, "value": "more than 100 percent"}),
    ("above-100-percent-of-patients", {**RATE, "value": "above 100 %"}),
    ("a-range-past-100-percent", {**RATE, "value": "90-110%"}),
    ("under-0-percent-of-patients", {**RATE, "value": "under 0%"}),
    ("pain-reduction-over-100-percent", {"value": "120%"}),
    ("pain-reduction-of-more-than-100-percent", {"value": "more than 100%"}),
    ("under-0-percent-effect", {"value": "less than 0%"}),
    (
        "negative-duration",
        {"measure": "duration", "outcome": "recovery-time", "value": "under 0 days"},
    ),
    ("negative-cost", {"measure": "cost", "outcome": "cost", "value": "less than $0"}),
    (
        "negative-count",
        {"measure": "count", "outcome": "cohort-size", "value": "fewer than 0 patients"},
    ),
    ("negative-timepoint", {"timepoint": "under 0 days"}),
]

POSSIBLE: list[tuple[str, dict[str, Any]]] = [
    ("all-patients", {**RATE, "value": "100%"}),
    ("at-least-100-percent", {**RATE, "value": "at least 100%"}),
    ("100-percent-or-more", {**RATE, "value": "100% or more"}),
    ("up-to-100-percent", {**RATE, "value": "up to 100%"}),
    ("a-full-reduction", {"value": "100%"}),
    ("no-patients", {**RATE, "value": "0%"}),
    ("up-to-0-percent", {**RATE, "value": "up to 0%"}),
    (
        "at-most-0-days",
        {"measure": "duration", "outcome": "recovery-time", "value": "at most 0 days"},
    ),
    ("relative-to-a-comparator", {"value": "150%", "comparator": "placebo"}),
    ("over-100-points", {"value": "over 100 points"}),
]


def _root(tmp_path: Path, fields: dict[str, Any]) -> Path:
    return write_dataset(tmp_path / "ds", claims={"src": [claim(**fields)]})


@pytest.mark.parametrize("fields", [c[1] for c in IMPOSSIBLE], ids=[c[0] for c in IMPOSSIBLE])
def test_an_impossible_value_is_one_located_problem(
    run: Run, tmp_path: Path, fields: dict[str, Any]
) -> None:
    root = _root(tmp_path, fields)
    result = run(*data_args(root), "lookup", "cond")
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert_one_error(result.stderr, "src.yaml:", "c-one")
    checked = run(*data_args(root), "validate", "--format", "json")
    assert checked.exit_code == 1, checked.output
    [problem] = json.loads(checked.stdout)
    assert problem["line"] > 0, problem
    assert problem["column"] > 0, problem
    assert (fields.get("timepoint") or fields["value"]) in problem["message"], problem


@pytest.mark.parametrize("fields", [c[1] for c in POSSIBLE], ids=[c[0] for c in POSSIBLE])
def test_a_value_at_the_bound_is_accepted(run: Run, tmp_path: Path, fields: dict[str, Any]) -> None:
    result = run(*data_args(_root(tmp_path, fields)), "validate")
    assert result.exit_code == 0, result.output
