"""compare from a cache hit (the columns) gives what it gives from claim objects, the rows
it builds for a listing are the first rows of the whole comparison, and a report made for
one format renders that format exactly as a report made for every format does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from typer.testing import Result

from stemcli.dataset import load
from stemcli.dataset.cache import codec
from stemcli.model import Dataset
from stemcli.ops.compare import Comparison, compare
from stemcli.render import get_renderer
from stemcli.render.recorder import as_text
from stemcli.reports.compare import compare_report
from test_conflicts_props import datasets

FORMATS = ("table", "json", "csv", "markdown")


def columnar(ds: Dataset) -> Dataset:
    """``ds`` as a cache hit holds it: column by column, no claim object built."""
    cached = codec.decode(codec.encode(ds))
    assert cached is not None
    assert cached.columns is not None
    assert "claims" not in cached.__dict__
    return cached


def rendered(ds: Dataset, comparison: Comparison, fmt: str, only: str | None) -> str:
    report = compare_report(ds, comparison, chart=False, only=only)
    return as_text(get_renderer(fmt)(report))


def agree(parsed: Dataset, cached: Dataset, **filters: object) -> Comparison:
    """The comparison of the claim objects and of the columns, the same row for row; the
    first rows alone (a listing's limit) the same as the first of all; returns it."""
    cond = filters.pop("condition", None)
    condition = parsed.conditions[cond] if isinstance(cond, str) else None
    whole = compare(parsed, condition, **filters)  # type: ignore[arg-type]
    assert whole.total == len(whole.rows)
    from_columns = compare(cached, condition, **filters)  # type: ignore[arg-type]
    assert from_columns == whole
    for limit in (0, 1, 3):
        first = compare(cached, condition, limit=limit, **filters)  # type: ignore[arg-type]
        assert first.rows == whole.rows[:limit]
        assert first.total == len(whole.rows)
    return whole


@settings(max_examples=20, deadline=None)
@given(ds=datasets())
def test_the_columns_give_the_same_rows_on_random_datasets(ds: Dataset) -> None:
    cached = columnar(ds)
    agree(ds, cached)
    for cond in ("c1", "c2"):
        if cond in ds.conditions:
            agree(ds, cached, condition=cond)
    assert "claims" not in cached.__dict__  # grouped from the columns alone


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generate import generate

    out = tmp_path_factory.mktemp("gen") / "data"
    generate(500, out, seed=5, sources=10)
    return out


FILTERS: list[dict[str, object]] = [
    {},
    {"condition": "knee-oa"},
    {"condition": "knee-oa", "stage": "middle"},
    {"condition": "rotator-cuff", "outcome": "pain"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=str)
def test_the_columns_give_the_same_output_on_generated_data(
    generated: Path, filters: dict[str, object]
) -> None:
    parsed = load([generated], bundled=False, use_cache=False)
    cached = columnar(parsed)
    whole = agree(parsed, cached, **dict(filters))
    assert whole.rows  # the filters select something
    for fmt in FORMATS:
        everything = rendered(parsed, whole, fmt, None)
        assert rendered(cached, whole, fmt, fmt) == everything


def test_the_bundled_data_compares_the_same_from_its_columns() -> None:
    parsed = load(use_cache=False)
    cached = columnar(parsed)  # evidence and survey claims go beside the rows
    for filters in ({}, {"condition": "knee-oa"}, {"condition": "knee-oa", "stage": "middle"}):
        whole = agree(parsed, cached, **dict(filters))
        assert any(r.evidence for r in whole.rows) or filters
        for fmt in FORMATS:
            assert rendered(cached, whole, fmt, fmt) == rendered(parsed, whole, fmt, None)


@pytest.mark.parametrize(
    "args",
    [
        ("compare", "knee-oa"),
        ("compare", "knee-oa", "--chart"),
        ("compare", "knee-oa", "--stage", "early", "--sources", "synth-001"),
    ],
    ids=" ".join,
)
def test_a_cache_hit_prints_what_the_first_load_printed(
    generated: Path, run: Callable[..., Result], args: tuple[str, ...]
) -> None:
    """Through the command: a run that parses the files and one that reads the cache
    print the same bytes in every format, and the same note of rows left out."""
    import os
    import time

    # files written a moment ago are keyed by their bytes: age them so the cache is hit
    old = time.time() - 60
    for f in generated.rglob("*.yaml"):
        os.utime(f, (old, old))
    base = ("--no-bundled", "--data", str(generated))
    assert run(*base, "sources").exit_code == 0  # writes the cache
    formats = ("table",) if "--chart" in args else FORMATS
    for fmt in formats:
        first = run("--no-cache", *base, *args, "--format", fmt)
        again = run(*base, *args, "--format", fmt)
        assert first.exit_code == 0, first.output
        assert again.exit_code == 0, again.output
        assert again.stdout == first.stdout
        assert again.stderr == first.stderr
        assert first.stdout.strip()
    if args == ("compare", "knee-oa"):
        assert "left out" in first.stderr  # the generated data has more rows than shown


def test_a_table_compares_the_sources_with_the_most_claims(generated: Path) -> None:
    """``max_sources`` compares the sources with the most claims about what is asked, as
    ``sources`` naming them would (in the dataset's order), from claims or columns alike."""
    from collections import Counter

    parsed = load([generated], bundled=False, use_cache=False)
    knee = parsed.conditions["knee-oa"]
    counts = Counter(c.source for c in parsed.claims if c.condition == "knee-oa")
    assert len(counts) > 3
    most = sorted(counts, key=lambda s: (-counts[s], list(parsed.sources).index(s)))[:3]
    named = tuple(s for s in parsed.sources if s in most)
    expected = compare(parsed, knee, sources=named)
    for ds in (parsed, columnar(parsed)):
        bounded = compare(ds, knee, max_sources=3)
        assert bounded.sources == named
        assert bounded.source_total == len(counts)
        assert bounded.rows == expected.rows
    # enough room: every source, and nothing said
    whole = compare(parsed, knee, max_sources=len(counts))
    assert whole.source_total is None
    assert set(whole.sources) == set(counts)


def test_a_crowded_cell_shows_its_lowest_and_highest_values() -> None:
    """A table cell of more values than it shows keeps the lowest and highest halves in
    order and says how many it left out, and how many of those contradict."""
    from stemcli.quantities import parse
    from stemcli.reports.compare import _bounded

    q = parse("10%")
    values = [(f"{k} %", "contradiction" if k % 3 == 0 else None, q, []) for k in range(12)]
    shown = _bounded(values, 8)  # type: ignore[arg-type]
    assert [v[0] for v in shown] == [
        "0 %",
        "1 %",
        "2 %",
        "3 %",
        "… 4 more values (1 ≠)",
        "8 %",
        "9 %",
        "10 %",
        "11 %",
    ]
    assert shown[4][3] == []  # no claim is listed on the elision's line
    assert _bounded(values, None) == values
    assert _bounded(values[:8], 8) == values[:8]
    assert _bounded(values[:9], 8) == values[:9]  # a line for one value would say no less
    assert [v[0] for v in _bounded(values[:10], 8)][4] == "… 2 more values"
    # an odd bound keeps its halves: 3 shows 1 each side, and cuts from 4 values
    assert _bounded(values[:3], 3) == values[:3]
    assert [v[0] for v in _bounded(values[:4], 3)] == ["0 %", "… 2 more values", "3 %"]


def test_the_compare_table_bounds_sources_and_values_and_says_so(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    """Through the command: the table compares at most 8 sources and says how many it left
    out; ``--limit 0`` and JSON compare every source; a crowded cell is cut in the table
    and whole in JSON."""
    import json

    from generate import generate

    data = tmp_path / "data"
    generate(3000, data, seed=3, sources=12)
    base = ("--no-bundled", "--data", str(data), "compare", "knee-oa")
    table = run(*base)
    assert table.exit_code == 0, table.output
    assert "comparing the 8 of 12 sources with the most claims here (4 left out)" in table.stderr
    assert "more values" in table.stdout
    everything = run(*base, "--limit", "0", "--format", "markdown")
    assert everything.exit_code == 0, everything.output
    assert "sources with the most claims" not in everything.stderr
    assert "more values" not in everything.stdout
    data_run = run(*base, "--format", "json")
    assert data_run.exit_code == 0, data_run.output
    assert "sources with the most claims" not in data_run.stderr
    doc = json.loads(data_run.stdout)
    assert len(doc["sources"]) == 12
    most = max(len(v) for row in doc["rows"] for v in row["cells"].values())
    assert most > 9  # what the table cut, JSON holds whole


@pytest.mark.parametrize("filters", FILTERS, ids=str)
def test_the_numpy_grouping_of_large_datasets_agrees(
    generated: Path, filters: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    """From _NUMPY_FROM claims the columns are filtered and sources counted with numpy:
    the same rows, and the same sources compared, as the claim objects give."""
    pytest.importorskip("numpy", reason="the large-dataset path uses numpy")
    from stemcli import model

    parsed = load([generated], bundled=False, use_cache=False)
    monkeypatch.setattr(model, "_NUMPY_FROM", 0)
    agree(parsed, columnar(parsed), **dict(filters))
    cond = filters.get("condition")
    condition = parsed.conditions[cond] if isinstance(cond, str) else None
    expected = compare(parsed, condition, max_sources=3)
    assert compare(columnar(parsed), condition, max_sources=3) == expected


def test_the_chart_bounds_a_source_s_values_as_the_table_does(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    """--chart draws at most 8 sources and, for a source of many values, its lowest and
    highest four and one bar for the rest; ``--limit 0`` draws every value."""
    from generate import generate

    data = tmp_path / "data"
    generate(3000, data, seed=3, sources=12)
    base = ("--no-bundled", "--data", str(data), "compare", "knee-oa", "--chart")
    bounded = run(*base, "--limit", "2")
    assert bounded.exit_code == 0, bounded.output
    assert "more values" in bounded.stdout
    # two rows of at most 8 sources of at most 9 bars, a title line each, and the legend
    assert len(bounded.stdout.splitlines()) <= 2 * (8 * 9 + 2) + 4
    whole = run(*base, "--limit", "0")
    assert whole.exit_code == 0, whole.output
    assert "more values" not in whole.stdout
    # the legend says what the dim span is, only when a chart has one
    assert "┄ span of the values left out" in bounded.stdout
    assert "┄" not in whole.stdout


def test_the_chart_s_elision_spans_the_values_it_stands_for() -> None:
    """The bar for a source's hidden values runs from the lowest to the highest of them,
    between the values shown on either side."""
    from stemcli.ops.compare import Cell as CompareCell
    from stemcli.ops.compare import Entry, Row
    from stemcli.quantities import parse
    from stemcli.reports.compare import _compare_chart

    ds = load(use_cache=False)
    claim = next(c for c in ds.claims if c.value.unit == "percent" and c.stages)
    from dataclasses import replace

    claims = [
        replace(claim, id=f"{claim.id}-{k}", value=parse(f"{k * 10}%"), timepoint=None)
        for k in range(10)
    ]
    row = Row(
        condition=claim.condition,
        stage=claim.stages[0],
        outcome=claim.outcome,
        measure=claim.measure,
        dimension="percent",
        unit="percent",
        intervention=claim.intervention,
        comparator=claim.comparator,
        group=claim.group,
        cells=(CompareCell(claim.source, tuple(Entry(c) for c in claims)),),
    )
    marks = _compare_chart(ds, row, True, 4).marks
    assert [m.text for m in marks][2] == "… 6 more values"
    assert (marks[2].low, marks[2].high) == (20.0, 70.0)
    assert [m.elided for m in marks] == [False, False, True, False, False]
    assert marks[0].name  # the source is named on its first line, and only there
    assert not any(m.name for m in marks[1:])
    assert [(m.low, m.high) for m in (*marks[:2], *marks[3:])] == [
        (0.0, 0.0),
        (10.0, 10.0),
        (80.0, 80.0),
        (90.0, 90.0),
    ]
    assert len(_compare_chart(ds, row, True).marks) == 10
