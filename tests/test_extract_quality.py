"""extract against the curated dataset: recall and precision over the archived sources.

A draft matches a curated claim when their quotes overlap and their values have the same
low, high and unit (see benchmarks/quality.py). The archived texts sit beside the
repository (../shared/seeds); without them these tests are skipped.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from quality import Quality, matches, quality, quotes_overlap
from stemcli.dataset import load
from stemcli.model import Dataset
from stemcli.ops.extract import extract
from stemcli.ops.verify import normalise_ws
from stemcli.quantities import parse
from stemcli.text.files import read_text

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"

# the targets of the issue: recall 0.90, precision 0.70 over all sources; every single
# source must reach at least the floors below
RECALL, PRECISION = 0.90, 0.70
SOURCE_RECALL_FLOOR, SOURCE_PRECISION_FLOOR = 0.80, 0.70


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load(use_cache=False)


@pytest.fixture(scope="module")
def texts(ds: Dataset) -> dict[str, str]:
    if not SEEDS.is_dir():
        pytest.skip("the archived sources (../shared/seeds) are not here")
    out = {
        s.id: read_text(SEEDS / s.archive)
        for s in ds.sources.values()
        if s.archive and (SEEDS / s.archive).is_file()
    }
    if not out:
        pytest.skip("no archived source of the dataset is in ../shared/seeds")
    return out


@pytest.fixture(scope="module")
def results(ds: Dataset, texts: dict[str, str]) -> dict[str, Quality]:
    return {
        sid: quality(
            extract(ds, text, source_id=sid).drafts, [c for c in ds.claims if c.source == sid]
        )
        for sid, text in texts.items()
    }


def test_recall_and_precision_reach_the_targets(results: dict[str, Quality]) -> None:
    claims = sum(q.claims for q in results.values())
    drafts = sum(q.drafts for q in results.values())
    recall = sum(q.found for q in results.values()) / claims
    precision = sum(q.correct for q in results.values()) / drafts
    misses = [c.id for q in results.values() for c in q.misses]
    assert recall >= RECALL, f"recall {recall:.1%}; missed {misses}"
    assert precision >= PRECISION, f"precision {precision:.1%}"


def test_every_source_reaches_the_floors(results: dict[str, Quality]) -> None:
    for sid, q in results.items():
        assert q.recall >= SOURCE_RECALL_FLOOR, f"{sid}: recall {q.recall:.1%}"
        assert q.precision >= SOURCE_PRECISION_FLOOR, f"{sid}: precision {q.precision:.1%}"


def test_every_draft_quotes_its_source_verbatim(ds: Dataset, texts: dict[str, str]) -> None:
    for sid, text in texts.items():
        flat = normalise_ws(text)
        for d in extract(ds, text, source_id=sid).drafts:
            assert normalise_ws(d.quote) in flat, d.quote
            assert text[d.start : d.end].strip()
            parse(d.value.text)


def test_the_measure_can_fail(ds: Dataset) -> None:
    """The matcher is not lenient: another value or another sentence is no match."""
    a = "Most patients can resume daily activities within 1-2 days."
    b = "Patients can return to sports in 4-6 weeks after the injection."
    assert quotes_overlap(a, "  most patients can resume  daily activities within 1-2 days. ")
    assert not quotes_overlap(a, b)
    (draft,) = extract(ds, a, source_id="x").drafts
    claim = next(c for c in ds.claims if c.value.text == "within 1-2 days")
    assert matches(draft, replace(claim, quote=a))
    assert not matches(draft, replace(claim, quote=b))
    assert not matches(draft, replace(claim, quote=a, value=parse("1-3 days")))
    assert not matches(draft, replace(claim, quote=a, value=parse("1-2 weeks")))
