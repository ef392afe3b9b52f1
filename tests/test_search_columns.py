"""search over a cached dataset's columns ranks exactly as the claim-by-claim path does."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stemcli.dataset import load
from stemcli.dataset.cache import codec
from stemcli.model import Dataset
from stemcli.ops import search as search_module


@pytest.mark.parametrize("query", ["pain relief", "cost", "knee", "months", "Synthetic claim 12"])
def test_column_search_equals_the_claim_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    pytest.importorskip("numpy", reason="the column path uses numpy")
    from generate import generate

    out = tmp_path / "data"
    generate(500, out, seed=5, sources=6)
    parsed = load([out], bundled=False, use_cache=False)
    cached = codec.decode(codec.encode(parsed))
    assert cached is not None
    monkeypatch.setattr(search_module, "VECTOR_FROM", 0)
    found = search_module.search(cached, query, limit=10_000)
    assert "claims" not in cached.__dict__, "the column path built every claim"
    expected = search_module.search(parsed, query, limit=10_000)
    assert len(found) == len(expected)
    assert list(found[:40]) == expected[:40]
    assert list(found) == expected


def _generated_pair(tmp_path: Path, n: int, seed: int) -> tuple[Dataset, Dataset]:
    from generate import generate

    out = tmp_path / "data"
    generate(n, out, seed=seed, sources=6)
    parsed = load([out], bundled=False, use_cache=False)
    cached = codec.decode(codec.encode(parsed))
    assert cached is not None
    return parsed, cached


@pytest.mark.parametrize("limit", [1, 3, 20, 97])
def test_a_short_listing_is_the_head_of_the_whole_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    """ "knee" ties hundreds of hits on score and outcome score, most of whose quotes cover
    it whole: a listing settles only as much of the tie as it shows, and shows exactly
    what the whole order begins with; the count is every hit's."""
    pytest.importorskip("numpy", reason="the column path uses numpy")
    parsed, cached = _generated_pair(tmp_path, 2000, seed=7)
    monkeypatch.setattr(search_module, "VECTOR_FROM", 0)
    monkeypatch.setattr(search_module, "_FIRST_CHUNK", 2)  # a tie read in many chunks
    expected = search_module.search(parsed, "knee", limit=10_000)
    assert len(expected) > 500
    whole = search_module.search(cached, "knee", limit=10_000)
    assert isinstance(whole, search_module._Hits)
    assert list(whole[:limit]) == expected[:limit]
    assert len(whole._ordered) < len(expected), "the whole tie was ordered for a short listing"
    one_by_one = search_module.search(cached, "knee", limit=limit)
    assert [one_by_one[i] for i in range(len(one_by_one))] == expected[:limit]
    # read backwards, then past what the first read settled
    late = search_module.search(cached, "knee", limit=10_000)
    assert late[limit] == expected[limit]
    assert list(late[: 3 * limit]) == expected[: 3 * limit]
    assert list(late) == expected


def test_the_order_holds_when_few_quotes_cover_the_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queries no quote covers whole (the generated quotes say "pain", never "pain
    relief"): every tie is read to its end, and the order is still the claims' order."""
    pytest.importorskip("numpy", reason="the column path uses numpy")
    parsed, cached = _generated_pair(tmp_path, 1500, seed=11)
    monkeypatch.setattr(search_module, "VECTOR_FROM", 0)
    monkeypatch.setattr(search_module, "_FIRST_CHUNK", 2)
    for query in ("pain relief", "synthetic walking"):
        expected = search_module.search(parsed, query, limit=10_000)
        for limit in (1, 10, 10_000):
            found = search_module.search(cached, query, limit=limit)
            assert list(found) == expected[:limit], (query, limit)


def test_the_bundled_quotes_search_alike_from_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled quotes (dashes, percentages, ranges) rank from columns as they do
    from claims."""
    pytest.importorskip("numpy", reason="the column path uses numpy")
    parsed = load(use_cache=False)
    cached = codec.decode(codec.encode(parsed))
    assert cached is not None
    monkeypatch.setattr(search_module, "VECTOR_FROM", 0)
    for query in ("pain relief", "knee", "79.3", "days"):
        assert list(search_module.search(cached, query, limit=1000)) == list(
            search_module.search(parsed, query, limit=1000)
        ), query


class _Positions:
    """What :class:`search._Hits` reads of the columns: the count, the id order, and a
    claim (here its position) per position."""

    def __init__(self, by_id: list[int]) -> None:
        self.n = len(by_id)
        self.by_id = by_id

    def claim(self, i: int) -> int:
        return i


_WORDS = ("knee", "pain", "hip", "the", "knees", "pains")


@given(
    quotes=st.lists(
        st.lists(st.sampled_from(_WORDS), max_size=4).map(" ".join), min_size=1, max_size=60
    ),
    data=st.data(),
)
def test_the_hits_are_the_brute_force_order_however_read(quotes: list[str], data: Any) -> None:
    """Quotes of a few words, some covering "knee pain" whole and some not, in ties on
    score and outcome score, with a shuffled id order, ties read a few hits at a time:
    whatever is read first, every hit read is the one the full sort puts there."""
    np = pytest.importorskip("numpy", reason="the column path uses numpy")
    from rapidfuzz import fuzz, utils

    n = len(quotes)
    by_id = data.draw(st.permutations(range(n)))
    score = np.array(data.draw(st.lists(st.sampled_from([80.0, 90.0]), min_size=n, max_size=n)))
    by_outcome = np.array(data.draw(st.lists(st.sampled_from([0.0, 80.0]), min_size=n, max_size=n)))
    rank = {p: r for r, p in enumerate(by_id)}
    query = "knee pain"
    expected = sorted(
        range(n),
        key=lambda i: (
            -score[i],
            -by_outcome[i],
            -fuzz.token_set_ratio(query, utils.default_process(quotes[i])),
            rank[i],
        ),
    )
    limit = data.draw(st.integers(1, n))
    hits = search_module._Hits(
        _Positions(by_id),  # type: ignore[arg-type]
        quotes,
        query,
        np.arange(n),
        score,
        by_outcome,
        limit,
    )
    assert len(hits) == limit
    reads = data.draw(st.lists(st.integers(-limit, limit - 1), max_size=5))
    with patch.object(search_module, "_FIRST_CHUNK", 1):  # ties read in many chunks
        for i in [*reads, *range(limit)]:
            assert hits[i].claim == expected[i % limit], i
        assert [h.claim for h in hits[1:limit:2]] == expected[1:limit:2]
    with pytest.raises(IndexError):
        hits[limit]
