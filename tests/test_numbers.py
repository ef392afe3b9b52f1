"""numbers.py: the one way numbers become text for people."""

from __future__ import annotations

import math

import pytest

from stemcli.numbers import format_gap, format_interval, format_tick, number, plain, plural


@pytest.mark.parametrize(
    ("gap", "unit", "shown"),
    [
        (9.3, "pp", "9.3 pp"),
        (1, "days", "1 day"),
        (12, "days", "12 days"),
        (1500, "usd", "$1,500"),
        (2, "", "2"),
    ],
)
def test_format_gap(gap: float, unit: str, shown: str) -> None:
    assert format_gap(gap, unit) == shown


def test_format_interval() -> None:
    assert format_interval((60.0, 100.0), "percent") == "[60, 100] %"
    assert format_interval((0.0, math.inf), "time") == "[0, ∞] days"
    assert format_interval((1000, 2500.5), "money") == "[$1,000, $2,500.5]"
    assert format_interval((2, 3), "number") == "[2, 3]"


def test_plural() -> None:
    assert plural(1, "claim") == "1 claim"
    assert plural(2, "claim") == "2 claims"
    assert plural(0, "match", "matches") == "0 matches"
    assert plural(1200, "row") == "1,200 rows"


def test_number_and_plain() -> None:
    assert number(1500) == "1,500"
    assert number(2.5) == "2.5"
    assert number(1e16) == "1e+16"
    assert plain(12.0) == "12"
    assert plain(0.1) == "0.1"


def test_format_tick() -> None:
    assert [format_tick(x, "usd") for x in (0, 2500, 1.5e6)] == ["$0", "$2.5k", "$1.5M"]
    assert format_tick(-5, None) == "-5"
