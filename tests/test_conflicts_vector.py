"""The numpy engine of conflicts gives what the pure-Python sweep gives: the same counts,
the same findings in the same order, on random small datasets and on generated ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from stemcli.dataset import load
from stemcli.model import Dataset
from stemcli.ops import conflicts as cf
from stemcli.ops.conflicts import vector
from test_conflicts_props import datasets, selections

pytest.importorskip("numpy", reason="the array engine needs numpy")


def both(ds: Dataset, sel: cf.Selection, limit: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts and listing by each path; they must be equal."""
    monkeypatch.setattr(cf, "_FORCE_VECTOR", True)
    counts_v = cf.count_conflicts(ds, sel)
    listed_v = cf.find_conflicts(ds, sel, limit=limit)
    monkeypatch.setattr(cf, "_FORCE_VECTOR", False)
    monkeypatch.setattr(vector, "VECTOR_FROM", 10**12)
    counts_p = cf.count_conflicts(ds, sel)
    listed_p = cf.find_conflicts(ds, sel, limit=limit)
    monkeypatch.undo()
    assert counts_v == counts_p
    assert listed_v.counts == listed_p.counts
    assert listed_v.conflicts == listed_p.conflicts


@settings(max_examples=25, deadline=None)
@given(ds=datasets(), sel=selections)
def test_the_array_engine_agrees_on_random_datasets(ds: Dataset, sel: cf.Selection) -> None:
    with pytest.MonkeyPatch.context() as mp:
        both(ds, sel, 10_000, mp)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    from generate import generate

    out = tmp_path_factory.mktemp("gen") / "data"
    generate(800, out, seed=3, sources=12)
    return load([out], bundled=False, use_cache=False)


SELECTIONS = [
    cf.Selection(),
    cf.Selection(internal=True),
    cf.Selection(condition="knee-oa"),
    cf.Selection(condition="knee-oa", stage="middle"),
    cf.Selection(min_gap=5.0, tolerance=0.1),
    cf.Selection(kind="tension"),
]


@pytest.mark.parametrize("sel", SELECTIONS, ids=str)
def test_the_array_engine_agrees_on_generated_data(
    generated: Dataset, sel: cf.Selection, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cf._arrays(generated, sel, force=True) is not None  # the engine ran
    both(generated, sel, 60, monkeypatch)


def test_the_array_engine_agrees_on_the_bundled_data(monkeypatch: pytest.MonkeyPatch) -> None:
    ds = load(use_cache=False)
    for sel in (cf.Selection(), cf.Selection(internal=True), cf.Selection(condition="knee-oa")):
        both(ds, sel, 10_000, monkeypatch)


def test_a_cached_dataset_is_counted_without_building_its_claims(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From the cache, the engine reads the columns: no claim object is built."""
    from generate import generate
    from stemcli.dataset.cache import codec

    out = tmp_path / "data"
    generate(400, out, seed=1, sources=5)
    parsed = load([out], bundled=False, use_cache=False)
    cached = codec.decode(codec.encode(parsed))
    assert cached is not None
    assert cached.columns is not None
    monkeypatch.setattr(cf, "_FORCE_VECTOR", True)
    assert cf.count_conflicts(cached, cf.Selection()) == cf.count_conflicts(parsed, cf.Selection())
    assert "claims" not in cached.__dict__
    listed = cf.find_conflicts(cached, cf.Selection(), limit=5)
    assert len(listed.conflicts) == 5
    assert "claims" not in cached.__dict__


def test_a_cached_dataset_with_reference_claims_agrees(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled data holds evidence and survey claims: read from its columns (a cache
    hit), the array engine must leave them out exactly as the Python path does."""
    from dataclasses import replace

    from stemcli.dataset.cache import codec
    from stemcli.model import Dataset, Quantity

    bundled = load(use_cache=False)
    # a figure of an evidence source that every marketing claim of its question would
    # contradict, if it were taken for marketing
    pain = next(
        c
        for c in bundled.claims
        if (c.outcome, c.measure, bundled.sources[c.source].kind) == ("pain", "effect", "clinic")
    )
    far = replace(
        pain,
        id="iijima-2018-far",
        source="iijima-2018",
        value=Quantity("99%", 99.0, 99.0, "percent"),
        quote="",
        statement="A figure far from every marketing claim.",
    )
    parsed = Dataset(
        bundled.sources,
        bundled.conditions,
        bundled.outcomes,
        bundled.measures,
        (*bundled.claims, far),
    )
    cached = codec.decode(codec.encode(parsed))
    assert cached is not None
    assert cached.columns is not None
    from stemcli.ops.rules import is_reference_kind, marketing

    market = marketing(cached)  # what the engines see: no reference claim, in any form
    held = market.claim_sources() | (
        set(market.columns.values("source")) if market.columns is not None else set()
    )
    assert "iijima-2018" in cached.claim_sources()
    assert not any(is_reference_kind(cached.sources[s].kind) for s in held)
    for sel in (cf.Selection(), cf.Selection(internal=True), cf.Selection(condition="knee-oa")):
        both(cached, sel, 10_000, monkeypatch)
        monkeypatch.setattr(cf, "_FORCE_VECTOR", True)
        assert cf.count_conflicts(cached, sel) == cf.count_conflicts(parsed, sel)
    # the array engine sweeps the columns as they are: no claim object for the whole
    fresh = codec.decode(codec.encode(parsed))
    assert fresh is not None
    monkeypatch.setattr(cf, "_FORCE_VECTOR", True)
    assert cf.count_conflicts(fresh, cf.Selection()) == cf.count_conflicts(parsed, cf.Selection())
    assert len(cf.find_conflicts(fresh, cf.Selection(), limit=5).conflicts) == 5
    assert "claims" not in fresh.__dict__


def test_a_sub_dataset_does_not_keep_the_columns_of_the_whole() -> None:
    from stemcli.dataset.cache import codec

    cached = codec.decode(codec.encode(load(use_cache=False)))
    assert cached is not None
    a, b = cached.claims[:2]
    sub = cached.with_claims((a, b))
    assert sub.columns is None
    assert sub.claims == (a, b)
    assert sub.claim_count == 2
