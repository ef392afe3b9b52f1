"""Hypothesis-driven fuzzing of everything that reads or prints what users and data give.

The quantity grammar, the dataset loader (generated YAML documents, valid and not, and
raw bytes), extract and redflags (generated pages) and every renderer (generated reports
and datasets full of control characters): only documented errors escape, results read
back, and no rendered output carries a control character from its input.
"""

from __future__ import annotations

import functools
import io
import json
import math
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from stemcli.cli.options import ListingFormat as OutputFormat
from stemcli.dataset import check, load
from stemcli.errors import DataError, StemcliError
from stemcli.model import Claim, Condition, Dataset, Source, Stage
from stemcli.ops.extract import extract
from stemcli.ops.redflags import scan_text
from stemcli.quantities import QUALIFIERS, UNITS, QuantityError, parse, scan
from stemcli.render import Column, Report, Styled, get_renderer
from stemcli.text.neutralise import without_hidden

from .conftest import assert_terminal_safe, dump, is_unsafe, scaled

# property tests: many generated examples each (a quick run is -m 'not slow')
pytestmark = pytest.mark.slow

HEAVY = scaled(0.5)  # a dataset written and loaded, or every report built, per example

# ---------------------------------------------------------------------------
# text that mixes the grammar with what breaks terminals and parsers

PIECES = [
    "\x1b", "\x1b[31m", "\x1b]8;;http://x\x07", "\x9b", "\r", "\b", "\x00", "\x7f", "\x85",
    "\u202e", "\u2066", "\u200b", "\u200d", "\ufeff", "\u00ad", "\u00a0", "–", "−",
    "[red]", "[/]", "[link=http://x]", "|", "\n", "\t", "%", "$", "-", " ", ".", ",", "+", "~",
    "5", "50", "1,000", "0.5", "٥", "５", "to", "or", "and", "between", "over", "about",
    "up to", "weeks", "months", "days", "x", "patients", "of", "week", "million", "or more",
]  # fmt: skip
hostile_text = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=25).map("".join),
)


# ---------------------------------------------------------------------------
# the quantity grammar


def _well_formed(q: Any) -> None:
    assert math.isfinite(q.low)
    assert math.isfinite(q.high)
    assert q.low <= q.high
    assert q.unit is None or q.unit in UNITS
    assert q.qualifier in QUALIFIERS


@given(hostile_text)
def test_parse_reads_or_refuses(text: str) -> None:
    try:
        q = parse(text)
    except QuantityError:
        return
    _well_formed(q)
    assert parse(q.text) == q  # what it read reads the same again


@given(hostile_text)
def test_scan_finds_only_what_parse_reads_back(text: str) -> None:
    for found in scan(text):
        assert 0 <= found.start < found.end <= len(text)
        q = found.quantity
        # the value is its span as it shows: invisible characters beside a number are not
        # part of it ("50\u200b%" is drafted as 50%, which parse() accepts)
        assert without_hidden(text[found.start : found.end]).strip() == q.text.strip()
        _well_formed(q)
        again = parse(q.text)
        assert (again.low, again.high, again.unit) == (q.low, q.high, q.unit)


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


@given(
    st.integers(min_value=10, max_value=10**7),
    st.data(),
    st.sampled_from(INVISIBLE),
    st.sampled_from(["%", " days", " patients", ""]),
    st.booleans(),
)
def test_an_invisible_character_never_changes_a_number(
    n: int, data: st.DataObject, ch: str, unit: str, commas: bool
) -> None:
    digits = f"{n:,}" if commas else str(n)
    k = data.draw(st.integers(min_value=1, max_value=len(digits) - 1))
    text = f"Knee pain fell {digits[:k]}{ch}{digits[k:]}{unit} after treatment."
    for found in scan(text):
        assert found.quantity.low == n == found.quantity.high, (text, found)


# ---------------------------------------------------------------------------
# the dataset loader

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
yaml_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.sampled_from(["id", "value"])), children, max_size=4
        ),
    ),
    max_leaves=12,
)
VALID_CLAIM: dict[str, Any] = {
    "id": "c-one",
    "condition": "cond",
    "stages": ["early"],
    "outcome": "pain",
    "measure": "effect",
    "value": "50%",
    "timepoint": "6 months",
    "basis": "none",
    "n": 12,
    "quote": "Pain fell 50%.",
}
VALID_VALUES = {
    "id": ["c-two", "c-one", "C One", ""],
    "value": ["60-70%", "over 85%", "$3,000 - $8,000", "2 to 4 weeks", "150%", "70-60%"],
    "timepoint": ["12 months", "week 3", "5%", ""],
    "stages": [[], ["late"], ["middle"], "early"],
    "outcome": ["cost", "pian", "improvement"],
    "measure": ["responder-rate", "cost", "duration", "nope"],
    "basis": ["cited-study", "study", None],
    "n": [0, -1, 1.5, 10**40, "12"],
}
claim_like = st.builds(
    lambda changes: {k: v for k, v in {**VALID_CLAIM, **changes}.items() if v is not None},
    st.dictionaries(
        st.sampled_from([*VALID_CLAIM, "extra", "comparator", "citation"]),
        st.one_of(
            yaml_values,
            st.sampled_from([v for vs in VALID_VALUES.values() for v in vs]),
        ),
        max_size=3,
    ),
)
SOURCES = [{"id": "src", "title": "T", "publisher": "P", "kind": "clinic", "sells_treatment": True}]
CONDITIONS = [{"id": "cond", "name": "C", "stages": ["early", "late"]}]
document = st.one_of(
    yaml_values.map(dump),
    st.lists(claim_like, max_size=4).map(dump),
    st.lists(yaml_values, max_size=3).map(dump),
    hostile_text,
    st.binary(max_size=80),
)


def _check_in_a_temporary_dataset(files: dict[str, str | bytes]) -> tuple[Dataset, list[Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "claims").mkdir()
        for name, content in files.items():
            path = root / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", errors="surrogatepass")
        try:
            ds, problems = check([root], bundled=False, use_cache=False)
        except StemcliError:
            return Dataset({}, {}, {}, {}, ()), []
        if problems:
            with pytest.raises(DataError) as info:
                load([root], bundled=False, use_cache=False)
            assert len(info.value.problems) == len(problems)
        return ds, problems


def _problems_print_safely(problems: list[Any]) -> None:
    from stemcli.reports import problems_report

    report = problems_report(problems)
    for fmt in OutputFormat:
        assert_terminal_safe(rendered(report, fmt), f"validate {fmt.value}")


@HEAVY
@given(st.lists(claim_like, max_size=5))
def test_loader_on_generated_claims(claims: list[dict[str, Any]]) -> None:
    ds, problems = _check_in_a_temporary_dataset(
        {"sources.yaml": dump(SOURCES), "conditions.yaml": dump(CONDITIONS),
         "claims/src.yaml": dump(claims)}
    )  # fmt: skip
    for c in ds.claims:
        _well_formed(c.value)
        assert c.id
        assert c.quote
        assert c.condition == "cond"
    _problems_print_safely(problems)


@HEAVY
@given(document, document, document)
def test_loader_on_generated_documents(sources: str, conditions: str, claims: str) -> None:
    _, problems = _check_in_a_temporary_dataset(
        {"sources.yaml": sources, "conditions.yaml": conditions, "claims/src.yaml": claims}
    )
    _problems_print_safely(problems)


@HEAVY
@given(document)
def test_loader_on_a_generated_outcomes_file(outcomes: str) -> None:
    _, problems = _check_in_a_temporary_dataset(
        {"sources.yaml": dump(SOURCES), "conditions.yaml": dump(CONDITIONS),
         "outcomes.yaml": outcomes, "claims/src.yaml": dump([VALID_CLAIM])}
    )  # fmt: skip
    _problems_print_safely(problems)


# ---------------------------------------------------------------------------
# extract and redflags on generated pages


@functools.cache
def bundled() -> Dataset:
    return load([], bundled=True, use_cache=False)


SENTENCES = [
    "Knee pain fell 60-70% within 3 months.",
    "It costs $3,000 - $8,000 per knee.",
    "79.3% of 58 patients improved.",
    "A 55-year-old patient was cured, guaranteed!",
    "| Cost | $5,000 |",
    "Results last up to 24 months",
    "1. Over 85% of patients",
]
page = st.lists(
    st.one_of(st.sampled_from(SENTENCES), hostile_text, st.sampled_from([" ", "\n", ". "])),
    max_size=12,
).map("".join)


@given(page)
def test_extract_and_redflags_on_generated_pages(text: str) -> None:
    from stemcli.reports import drafts_report, drafts_yaml, redflags_report

    result = extract(bundled(), text, source_id="fuzz")
    for d in result.drafts:
        assert 0 <= d.start < d.end <= len(text)
        assert d.quote.strip()
        assert parse(d.value.text) == d.value
        assert d.condition in bundled().conditions
    yaml_text = drafts_yaml(result)
    assert_terminal_safe(yaml_text, "extract yaml")
    report = drafts_report(result, full=True)
    flags = scan_text(text, path="page.txt")
    for f in flags.findings:
        assert 0 <= f.start < f.end <= len(text)
    for fmt in OutputFormat:
        assert_terminal_safe(rendered(report, fmt), f"extract {fmt.value}")
        assert_terminal_safe(rendered(redflags_report(flags), fmt), f"redflags {fmt.value}")


# ---------------------------------------------------------------------------
# renderers


SGR = re.compile(r"\x1b\[[0-9;]*m")


def rendered(report: Report, fmt: OutputFormat, width: int = 100, colour: bool = False) -> str:
    """What a format prints; tables drawn by rich at ``width`` (colour: styles stripped)."""
    out = get_renderer(fmt)(report)
    if isinstance(out, str):
        return out
    from rich.console import Console

    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        force_terminal=colour,
        color_system="truecolor" if colour else None,
        markup=False,
        emoji=False,
        highlight=False,
    )
    console.print(out)
    text = buf.getvalue()
    return SGR.sub("", text) if colour else text


STYLES = ["bold", "red", "dim", "bold red", "yellow on black", None]


@st.composite
def cells(draw: st.DrawFn) -> str | Styled:
    text = draw(hostile_text)
    if not draw(st.booleans()):
        return text
    spans: list[tuple[int, int, str]] = []
    if text:
        for _ in range(draw(st.integers(0, 2))):
            a = draw(st.integers(0, len(text) - 1))
            b = draw(st.integers(a + 1, len(text)))
            spans.append((a, b, draw(st.sampled_from(["bold", "red", "reverse"]))))
    return Styled(text, draw(st.sampled_from(STYLES)), tuple(spans))


@st.composite
def reports(draw: st.DrawFn) -> Report:
    n = draw(st.integers(1, 4))
    columns = tuple(
        Column(
            draw(hostile_text),
            max_width=draw(st.one_of(st.none(), st.integers(1, 30))),
            min_width=draw(st.one_of(st.none(), st.integers(1, 10))),
            justify=draw(st.sampled_from(["left", "right", "center"])),
            no_wrap=draw(st.booleans()),
        )
        for _ in range(n)
    )
    rows = tuple(tuple(draw(cells()) for _ in range(n)) for _ in range(draw(st.integers(0, 4))))
    data = [{"text": str(c)} for row in rows for c in row]
    return Report(
        columns=columns,
        rows=rows,
        data=data,
        title=draw(st.one_of(st.none(), hostile_text)),
        summary=draw(st.one_of(st.none(), hostile_text)),
        group_by=draw(st.one_of(st.none(), st.integers(0, n - 1))),
    )


@given(reports(), st.integers(min_value=8, max_value=160), st.booleans())
@example(Report(columns=(Column("\x1b[31mh"),), rows=(("\x9b",),), data=[]), 80, False)
def test_every_renderer_neutralises_every_cell_header_and_title(
    report: Report, width: int, colour: bool
) -> None:
    for fmt in OutputFormat:
        out = rendered(report, fmt, width=width, colour=colour)
        assert_terminal_safe(out, fmt.value)
    assert json.loads(get_renderer(OutputFormat.json)(report)) == report.data


VALUES = {
    ("pain", "effect"): ["50%", "60-70%", "over 85%", "about 30%", "up to 90%", "10 points"],
    ("improvement", "responder-rate"): ["79.3%", "nearly 100%", "40-60%"],
    ("cost", "cost"): ["$3,000 - $8,000", "$5,000", "under $2,000"],
    ("return-to-activity", "duration"): ["2-4 weeks", "1-2 days", "up to 3 months"],
}


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    base = bundled()
    sources = {
        sid: Source(sid, draw(hostile_text), draw(hostile_text), "clinic", draw(st.booleans()))
        for sid in draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, unique=True))
    }
    stages = (Stage("early", (draw(hostile_text),)), Stage("late"))
    cond = Condition("cond", draw(hostile_text), (draw(hostile_text),), stages)
    claims = []
    for k in range(draw(st.integers(1, 6))):
        outcome, measure = draw(st.sampled_from(sorted(VALUES)))
        maybe_text = st.one_of(st.none(), hostile_text)
        claims.append(
            Claim(
                id=f"c-{k}",
                source=draw(st.sampled_from(sorted(sources))),
                condition="cond",
                stages=draw(st.sampled_from([(), ("early",), ("late",)])),
                outcome=outcome,
                measure=measure,
                value=parse(draw(st.sampled_from(VALUES[outcome, measure]))),
                quote=draw(hostile_text) or "q",
                basis=draw(st.sampled_from(["none", "cited-study", "case-report"])),
                timepoint=draw(st.sampled_from([None, parse("6 months")])),
                comparator=draw(maybe_text),
                intervention=draw(maybe_text),
                n=draw(st.one_of(st.none(), st.integers(1, 10**6))),
                citation=draw(maybe_text),
                where="data/claims/x.yaml:1:3",
            )
        )
    return Dataset(sources, {"cond": cond}, base.outcomes, base.measures, tuple(claims))


@HEAVY
@given(datasets(), st.integers(min_value=20, max_value=160))
def test_every_report_of_a_generated_dataset_prints_safely(ds: Dataset, width: int) -> None:
    from stemcli.ops import conflicts
    from stemcli.ops.compare import compare
    from stemcli.reports import (
        claims_report,
        compare_report,
        conditions_report,
        conflicts_report,
        export_report,
        show_report,
        sources_report,
    )

    cond = ds.conditions["cond"]
    built = [
        claims_report(ds, ds.claims, full=True, title=cond.name),
        claims_report(ds, ds.claims, full=False, stage="early"),
        show_report(ds, ds.claims[0]),
        sources_report(ds),
        conditions_report(ds),
        compare_report(ds, compare(ds, cond)),
        compare_report(ds, compare(ds, None), chart=True),
        conflicts_report(
            ds, conflicts.find_conflicts(ds, conflicts.Selection(), limit=50), full=True
        ),
    ]
    for report in built:
        for fmt in OutputFormat:
            assert_terminal_safe(rendered(report, fmt, width=width), fmt.value)
        assert_terminal_safe(rendered(report, OutputFormat.table, width=width, colour=True))
    for fmt in ("json", "csv", "yaml"):
        assert_terminal_safe(get_renderer(fmt)(export_report(ds)), f"export {fmt}")


def test_the_checker_itself_catches_what_it_should() -> None:
    """assert_terminal_safe is the oracle of this module: it must fail on each payload."""
    for ch in ["\x1b", "\x9b", "\r", "\b", "\x00", "\x7f", "\u202e", "\u2066", "\x85"]:
        assert is_unsafe(ch)
        try:
            assert_terminal_safe(f"a{ch}b")
        except AssertionError:
            continue
        raise AssertionError(f"{ch!r} passed")
    assert_terminal_safe("tab\tnewline\n and ünïcödé ✓ 漢字 😀 \u200b")


@pytest.mark.parametrize("text", ["$\r0", "60\r%", "2\rto 4 weeks", "US\x0b$5"])
def test_a_control_character_inside_a_value_is_not_part_of_its_text(text: str) -> None:
    """A carriage return (or another character output escapes) between a sign and its
    number: the value's text is what shows, and parses back as the same value."""
    for found in scan(text):
        q = found.quantity
        assert q.text.isprintable()
        again = parse(q.text)
        assert (again.low, again.high, again.unit) == (q.low, q.high, q.unit)
