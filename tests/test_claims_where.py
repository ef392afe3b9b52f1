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


def test_claims_built_together_are_the_claims_built_one_by_one(tmp_path: Path) -> None:
    """claims_at builds column by column what claim() builds field by field: the same
    claims (a text field that holds no value included), each built once, in the order
    asked, repeats and all."""
    from generate import generate

    out = tmp_path / "data"
    generate(400, out, seed=9, sources=5)
    parsed = load([out], bundled=False, use_cache=False)
    _, columns = columnar(parsed)
    asked = [399, 3, 17, 3, 0, *range(100, 400, 7), 250]
    together = columns.claims_at(asked)
    assert together == [parsed.claims[i] for i in asked]
    assert together[1] is together[3]  # built once
    assert columns.claim(250) is together[-1]  # the same object claim() returns
    assert len(columns._built) == len(set(asked))
    # a text column with missing values: every third comparator is none
    said = [None if i % 3 == 0 else f"comparator {i}" for i in range(columns.n)]
    altered = dict(columns.columns, comparator=codec._text_column(said))
    fresh = ClaimColumns(columns.n, altered, columns.by_id)
    shown = fresh.claims_at(asked)
    assert [c.comparator for c in shown] == [said[i] for i in asked]
    again = ClaimColumns(columns.n, altered, columns.by_id)
    assert shown == [again.claim(i) for i in asked]
