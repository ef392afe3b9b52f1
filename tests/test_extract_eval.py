"""The hand-labelled evaluation pages (tests/extract_eval): labels that hold, figures kept.

The figures themselves are measured and reported by benchmarks/extract_quality.py and
benchmarks/redflags_quality.py; these tests keep the labels honest (every label is found in
every format of its page) and keep the measured quality from sliding back below floors set
a little under what was measured when the set was made.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evalset import EVAL, Located, PageLabels, fmt, page_sets, page_text, read_labels
from extract_quality import Score, score_file, total
from stemcli.dataset import load
from stemcli.model import Dataset

SETS = page_sets()
PAGES = [(name, p) for name, pages in SETS.items() for p in pages]
FILES = [(name, p, f) for name, p in PAGES for f in p.files]


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load(use_cache=False)


def _id(x: object) -> str:
    return str(x)


def test_there_are_enough_pages_of_every_kind_and_format() -> None:
    assert len(PAGES) >= 8
    kinds = {p.kind for _, p in PAGES}
    assert {"clinic", "broker", "news", "brochure"} <= kinds
    formats = {fmt(f) for _, _, f in FILES}
    assert {"txt", "html", "pdf"} <= formats


@pytest.mark.parametrize(("set_name", "page", "path"), FILES, ids=lambda x: getattr(x, "name", x))
def test_every_label_is_found_in_the_page(set_name: str, page: PageLabels, path: Path) -> None:
    text, _ = page_text(path)
    where = Located(text)
    # a page's text must hold every label; a web page or PDF reader must keep every claim
    # (a lost dateline or phone number is no loss to extract)
    kept = [n for n in page.numbers if n.claim or fmt(path) == "txt"]
    lost = [n.sentence for n in kept if where.number(n) is None]
    assert not lost, f"{set_name}/{path.name}: {len(lost)} labels not found, first {lost[0]!r}"
    flags = [f.sentence for f in page.redflags if f.sentence and where.find(f.sentence) is None]
    assert not flags, f"{set_name}/{path.name}: red-flag sentence not found: {flags[0]!r}"


def test_the_score_can_fail(ds: Dataset, tmp_path: Path) -> None:
    """A label with another value, or in another sentence, is no match."""
    (tmp_path / "p.txt").write_text(
        "Knee pain.\n\nIn our clinic 79.3% of patients with knee osteoarthritis improved.\n"
        "Pain fell by 50% at 6 months.\n",
        encoding="utf-8",
    )
    base = (
        "page: p.txt\nkind: clinic\nnumbers:\n"
        "  - sentence: 'In our clinic 79.3% of patients with knee osteoarthritis improved.'\n"
        "    text: '79.3%'\n    low: {v}\n    high: {v}\n    unit: percent\n"
        "    condition: knee-oa\n    outcome: improvement\n    measure: responder-rate\n"
        "    basis: clinic-data\n"
    )
    for value, found in (("79.3", 1), ("80", 0)):
        (tmp_path / "p.labels.yaml").write_text(base.format(v=value), encoding="utf-8")
        page = read_labels(tmp_path / "p.labels.yaml")
        s = score_file(ds, page, tmp_path / "p.txt")
        assert (s.claims, s.found) == (1, found)
        # the 50% is a draft no label claims: precision counts it against the tool
        assert s.drafts == 2
        assert s.correct == found


def _set_score(ds: Dataset, name: str) -> Score:
    return total(score_file(ds, p, f) for n, p, f in FILES if n == name)


# floors a little under the figures measured when the set was made (README, Extract quality)
FLOORS = {
    "dev": {"recall": 0.97, "precision": 0.98},
    "holdout": {"recall": 0.87, "precision": 0.90},
}
FLAG_FLOORS = {
    "dev": {"recall": 0.98, "precision": 0.95},
    "holdout": {"recall": 0.75, "precision": 0.90},
}


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_measured_quality_does_not_slide_back(ds: Dataset, name: str) -> None:
    s = _set_score(ds, name)
    floor = FLOORS[name]
    assert s.recall >= floor["recall"], f"{name}: recall {s.recall:.1%}"
    assert s.precision >= floor["precision"], f"{name}: precision {s.precision:.1%}"


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_red_flag_quality_does_not_slide_back(name: str) -> None:
    from redflags_quality import measure, tallies
    from stemcli.ops.redflags import load_rules

    notes: list[str] = []
    _, _, t = tallies(measure(EVAL / name, load_rules(), notes))
    floor = FLAG_FLOORS[name]
    assert t.recall >= floor["recall"], f"{name}: red-flag recall {t.recall:.1%}; {notes}"
    assert t.precision >= floor["precision"], f"{name}: red-flag precision {t.precision:.1%}"
