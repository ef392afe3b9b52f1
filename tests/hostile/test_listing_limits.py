"""A huge --limit costs no more than the findings that exist, and never all pairs.

A dataset whose statements disagree pairwise holds millions of contradictions; listing
them all would take gigabytes. The listing counts first: it holds at most the findings of
the selected kind there are, and one that would hold more than MAX_LISTED is refused with
a usage error pointing to --count, before any pair is built. The large cases run in a real
process under a memory limit and a timeout (a guard against a runaway, not a measure of
speed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from stemcli.dataset import load
from stemcli.ops import conflicts as cf
from stemcli.ops.conflicts import MAX_LISTED, ListingTooLarge, Selection, find_conflicts

from .conftest import assert_one_error, claim, data_args, in_process, stemcli, write_dataset

HUGE = "99999999999999999999"  # above sys.maxsize


def _disagreeing(root: Path, n: int, *, wrong_sums: int = 0) -> tuple[Path, dict[str, int]]:
    """n claims of one source, each stating its own value for the same question (0.00%,
    0.01%, 0.02% ...): n statements, every two of them a contradiction; and ``wrong_sums``
    figures that restate the sum of two of them wrongly (arithmetic findings, each stating
    the value of a claim already there, so the contradictions stay n(n-1)/2)."""
    claims: list[dict[str, Any]] = [
        claim(f"c-{i:05d}", value=f"{i / 100:.2f}%", quote=f"Pain fell, case {i}.")
        for i in range(n)
    ]
    for k in range(wrong_sums):
        # 0.01% + 0.02% is 0.03%, not what is stated
        claims.append(
            claim(
                f"d-{k:05d}",
                value=f"{(10 + k) / 100:.2f}%",
                quote=f"Pain fell, sum {k}.",
                derived={"op": "sum", "of": ["c-00001", "c-00002"]},
            )
        )
    counts = {"contradiction": n * (n - 1) // 2, "arithmetic": wrong_sums, "tension": 0}
    return write_dataset(root, claims={"src": claims}), counts


def _never_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building any pair of statements, or any finding of one, fails the test."""

    def refuse(*args: object, **kw: object) -> Any:
        raise AssertionError("pairs were built for a refused listing")

    monkeypatch.setattr(cf, "_pairs", refuse)
    monkeypatch.setattr(cf, "top_pairs", refuse)
    monkeypatch.setattr(cf, "finding", refuse)


@pytest.mark.slow
def test_a_huge_limit_on_millions_of_contradictions_is_a_usage_error(tmp_path: Path) -> None:
    root, counts = _disagreeing(tmp_path / "ds", 3000, wrong_sums=2)
    total = sum(counts.values())
    assert total > 100 * MAX_LISTED
    result = stemcli(*data_args(root), "conflicts", "--limit", HUGE)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stdout == ""
    assert_one_error(result.stderr, f"{total:,}")
    assert "--count" in result.stderr
    counted = stemcli(*data_args(root), "conflicts", "--count", "--format", "json")
    assert counted.returncode == 0, counted.stderr[-2000:]
    assert json.loads(counted.stdout) == counts


def test_a_listing_too_large_is_refused_before_any_pair_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, counts = _disagreeing(tmp_path / "ds", 200, wrong_sums=1)
    total = sum(counts.values())
    assert total > MAX_LISTED
    ds = load([root], bundled=False, use_cache=False)
    _never_pairs(monkeypatch)
    for limit in (MAX_LISTED + 1, sys.maxsize, 10**30):
        with pytest.raises(ListingTooLarge) as refused:
            find_conflicts(ds, Selection(), limit=limit)
        assert (refused.value.wanted, refused.value.total) == (min(limit, total), total)
    with pytest.raises(ListingTooLarge):
        find_conflicts(ds, Selection(kind="contradiction"), limit=10**30)
    ran = in_process([*data_args(root), "conflicts", "--limit", HUGE])
    assert ran.escaped is None, ran.escaped
    assert ran.code == 2, ran.stderr[-2000:]
    assert ran.stdout == ""
    assert_one_error(ran.stderr, f"{total:,}")
    # counting never builds a pair either
    assert cf.count_conflicts(ds, Selection()).contradiction == counts["contradiction"]


def test_a_huge_limit_of_another_kind_lists_the_few_there_are(tmp_path: Path) -> None:
    """The limit is bounded by the findings of the selected kind, not of every kind."""
    root, counts = _disagreeing(tmp_path / "ds", 200, wrong_sums=3)
    assert counts["contradiction"] > MAX_LISTED
    for kind in ("arithmetic", "tension"):
        result = stemcli(
            *data_args(root), "conflicts", "--kind", kind, "--limit", HUGE, "--format", "json"
        )
        assert result.returncode == 0, result.stderr[-2000:]
        listed = json.loads(result.stdout)
        assert len(listed) == counts[kind]
        assert all(x["kind"] == kind for x in listed)
    refused = stemcli(*data_args(root), "conflicts", "--kind", "contradiction", "--limit", HUGE)
    assert refused.returncode == 2, refused.stderr[-2000:]
    assert_one_error(refused.stderr, f"{counts['contradiction']:,}")


def test_a_huge_limit_lists_every_finding_there_is(tmp_path: Path) -> None:
    root, counts = _disagreeing(tmp_path / "ds", 40, wrong_sums=2)
    result = stemcli(*data_args(root), "conflicts", "--limit", HUGE, "--format", "json")
    assert result.returncode == 0, result.stderr[-2000:]
    listed = json.loads(result.stdout)
    assert len(listed) == sum(counts.values())
    kinds = [x["kind"] for x in listed]
    # contradictions, then arithmetic (tensions there are none)
    assert kinds == ["contradiction"] * counts["contradiction"] + ["arithmetic"] * 2
    pairs = {
        (x["a"]["claims"][0]["id"], x["b"]["claims"][0]["id"])
        for x in listed
        if x["kind"] == "contradiction"
    }
    assert len(pairs) == counts["contradiction"]


@pytest.mark.slow
def test_the_largest_listing_allowed_is_listed(tmp_path: Path) -> None:
    root, counts = _disagreeing(tmp_path / "ds", 3000)
    result = stemcli(*data_args(root), "conflicts", "-n", str(MAX_LISTED), "-f", "json")
    assert result.returncode == 0, result.stderr[-2000:]
    listed = json.loads(result.stdout)
    assert len(listed) == MAX_LISTED < counts["contradiction"]
    # the most severe: the largest relative gaps of all (0.00% against anything is 1)
    assert all(x["relative_gap"] == 1 for x in listed[: 3000 - 1])


@pytest.mark.parametrize("limit", [sys.maxsize, sys.maxsize * 1000])
def test_find_conflicts_takes_any_limit(tmp_path: Path, limit: int) -> None:
    root, counts = _disagreeing(tmp_path / "ds", 30, wrong_sums=1)
    ds = load([root], bundled=False, use_cache=False)
    listing = find_conflicts(ds, Selection(), limit=limit)
    assert len(listing.conflicts) == listing.total == sum(counts.values())
    assert listing.counts.contradiction == counts["contradiction"]
    assert listing.counts.arithmetic == counts["arithmetic"]
