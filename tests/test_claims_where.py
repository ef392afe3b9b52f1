"""Dataset.claims_where: the claims whose fields pass the tests, the same from claim
objects and from the columns of a cache hit, which build only the claims it returns."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemcli.dataset import load
from stemcli.dataset.cache import codec
from stemcli.model import ClaimColumns, Dataset


def columnar(ds: Dataset) -> tuple[Dataset, ClaimColumns]:
    cached = codec.decode(codec.encode(ds))
    assert cached is not None
    assert cached.columns is not None
    return cached, cached.columns


@pytest.mark.parametrize("numpy_from", [0, 10**9], ids=["numpy", "python"])
def test_the_columns_find_what_the_claims_find(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, numpy_from: int
) -> None:
    from generate import generate
    from stemcli import model

    out = tmp_path / "data"
    generate(600, out, seed=2, sources=6)
    parsed = load([out], bundled=False, use_cache=False)
    monkeypatch.setattr(model, "_NUMPY_FROM", numpy_from)
    queries: list[dict[str, object]] = [
        {"condition": lambda c: c == "knee-oa"},
        {"condition": lambda c: c == "knee-oa", "comparator": lambda v: v is None},
        {"source": lambda s: s.endswith("1"), "stages": lambda st: not st},
        {"quote": lambda q: "pain" in q},  # a text column: tested claim by claim
        {"condition": lambda c: c == "no-such-condition"},
    ]
    for tests in queries:
        cached, columns = columnar(parsed)
        expected = parsed.claims_where(**tests)  # type: ignore[arg-type]
        found = cached.claims_where(**tests)  # type: ignore[arg-type]
        assert found == expected
        assert "claims" not in cached.__dict__
        if "quote" not in tests:  # only the matching claims were built
            assert len(columns._built) == len(expected)
    assert parsed.claims_where(condition=lambda c: c == "knee-oa")  # the tests select some
