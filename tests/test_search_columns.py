"""search over a cached dataset's columns ranks exactly as the claim-by-claim path does."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemcli.dataset import load
from stemcli.dataset.cache import codec
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
