"""A huge --limit costs no more than the conflicts that exist, and never all pairs.

A dataset whose claims disagree pairwise holds millions of conflicts; listing them all
would take gigabytes. The listing counts first: it holds at most the conflicts there are,
and one that would hold more than MAX_LISTED is refused with a usage error pointing to
--count. The large cases run in a real process under a memory limit and a timeout (a
guard against a runaway, not a measure of speed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from stemcli.dataset import load
from stemcli.ops.conflicts import MAX_LISTED, Selection, find_conflicts

from .conftest import assert_one_error, claim, data_args, stemcli, write_dataset

HUGE = "99999999999999999999"  # above sys.maxsize


def _disagreeing(root: Path, n: int) -> tuple[Path, int]:
    """n claims, half saying 10% and half 90%: every low-high pair conflicts."""
    claims = [
        claim(f"c-{i:05d}", value="10%" if i % 2 else "90%", quote=f"Pain fell, case {i}.")
        for i in range(n)
    ]
    return write_dataset(root, claims={"src": claims}), (n // 2) * (n - n // 2)


@pytest.mark.slow
def test_a_huge_limit_on_millions_of_conflicts_is_a_usage_error(tmp_path: Path) -> None:
    root, total = _disagreeing(tmp_path / "ds", 3000)
    assert total > 100 * MAX_LISTED
    result = stemcli(*data_args(root), "conflicts", "--limit", HUGE)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stdout == ""
    assert_one_error(result.stderr, f"{total:,}")
    assert "--count" in result.stderr
    counted = stemcli(*data_args(root), "conflicts", "--count", "--format", "json")
    assert counted.returncode == 0, counted.stderr[-2000:]
    assert sum(json.loads(counted.stdout).values()) == total


def test_a_huge_limit_lists_every_conflict_there_is(tmp_path: Path) -> None:
    root, total = _disagreeing(tmp_path / "ds", 40)
    result = stemcli(*data_args(root), "conflicts", "--limit", HUGE, "--format", "json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(json.loads(result.stdout)) == total


@pytest.mark.slow
def test_the_largest_listing_allowed_is_listed(tmp_path: Path) -> None:
    root, total = _disagreeing(tmp_path / "ds", 3000)
    result = stemcli(*data_args(root), "conflicts", "-n", str(MAX_LISTED), "-f", "json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(json.loads(result.stdout)) == MAX_LISTED < total


@pytest.mark.parametrize("limit", [sys.maxsize, sys.maxsize * 1000])
def test_find_conflicts_takes_any_limit(tmp_path: Path, limit: int) -> None:
    root, total = _disagreeing(tmp_path / "ds", 30)
    ds = load([root], bundled=False, use_cache=False)
    listing = find_conflicts(ds, Selection(), limit=limit)
    assert len(listing.conflicts) == listing.total == total
