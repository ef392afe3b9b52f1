"""Property tests of the quantity grammar: generated ranges round-trip, nothing else escapes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from stemcli.quantities import QuantityError, interval, parse, scan

WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]

# how a unit may follow a number: (text, needs a space before it when the number is a word)
UNIT_SPELLINGS: dict[str | None, list[str]] = {
    "percent": ["%", " %", " percent"],
    "hours": [" hours", " hrs"],
    "days": [" days", " day"],
    "weeks": [" weeks", " wks"],
    "months": [" months", " mos"],
    "years": [" years", " yrs"],
    "usd": [" USD", " dollars"],
    "cells": [" cells"],
    "cm": [" cm", "cm"],
    "mm": [" mm", "mm"],
    "points": [" points", " pts"],
    "sessions": [" sessions", " injections", " treatments"],
    "patients": [" patients", " participants", " cases"],
    "times": ["x", "-fold", " times"],
    None: [""],
}

QUALIFIER_PREFIXES = {
    "exact": [""],
    "about": ["about ", "approximately ", "around ", "~", "nearly ", "almost "],
    "at-least": ["over ", "more than ", "at least ", "above "],
    "at-most": ["fewer than ", "less than ", "under "],
    "up-to": ["up to "],
}


@dataclass(frozen=True)
class Number:
    text: str
    value: float


@st.composite
def numbers(draw: st.DrawFn, *, words: bool = True) -> Number:
    kind = draw(
        st.sampled_from(["int", "decimal", "comma", "word"] if words else ["int", "decimal"])
    )
    if kind == "word":
        i = draw(st.integers(0, 20))
        return Number(WORDS[i], float(i))
    if kind == "comma":
        i = draw(st.integers(1000, 10**9))
        return Number(f"{i:,}", float(i))
    if kind == "decimal":
        places = draw(st.integers(1, 3))
        i = draw(st.integers(0, 10**6))
        text = f"{i / 10**places:.{places}f}"
        return Number(text, float(text))
    i = draw(st.integers(0, 10**7))
    return Number(str(i), float(i))


@dataclass(frozen=True)
class Rendered:
    text: str
    low: float
    high: float
    unit: str | None
    qualifier: str


def _attach(n: Number, unit_text: str) -> str:
    if n.text[0].isalpha() and unit_text and not unit_text.startswith(" "):
        unit_text = " " + unit_text.lstrip("-")  # "three x" or "three fold", not "threex"
    return n.text + unit_text


@st.composite
def rendered_quantities(draw: st.DrawFn) -> Rendered:
    unit = draw(st.sampled_from(list(UNIT_SPELLINGS)))
    qualifier = draw(st.sampled_from(list(QUALIFIER_PREFIXES)))
    dollars = unit == "usd" and draw(st.booleans())
    a = draw(numbers(words=not dollars))
    b = draw(numbers(words=not dollars))
    low, high = sorted([a, b], key=lambda n: n.value)
    single = draw(st.booleans())
    unit_text = draw(st.sampled_from(UNIT_SPELLINGS[unit]))

    if single:
        body = f"${low.text}" if dollars else _attach(low, unit_text)
        high = low
    else:
        form = draw(st.sampled_from(["dash", "en-dash", "spaced", "to", "or", "both", "between"]))
        if form == "between" and qualifier != "exact":
            form = "to"
        if dollars:
            left, right = f"${low.text}", f"${high.text}"
        elif form == "both":
            left, right = _attach(low, unit_text), _attach(high, unit_text)
        else:
            left, right = low.text, _attach(high, unit_text)
        sep = {
            "dash": "-",
            "en-dash": "–",
            "spaced": " - ",
            "to": " to ",
            "or": " or ",
            "both": " - ",
            "between": " and ",
        }[form]
        if "-" in sep and (left[-1].isalpha() or right[0].isalpha()):
            sep = " - "  # "three-five" is not how numbers are written
        body = ("between " if form == "between" else "") + left + sep + right

    prefix = draw(st.sampled_from(QUALIFIER_PREFIXES[qualifier]))
    if qualifier == "at-least" and draw(st.booleans()):
        prefix = ""
        body += "+"  # "85%+", "6 months+"
    return Rendered(prefix + body, low.value, high.value, unit, qualifier)


@given(rendered_quantities())
@example(Rendered("between $3,000 and $8,000", 3000, 8000, "usd", "exact"))
@example(Rendered("50-100 million cells", 50e6, 100e6, "cells", "exact"))
@example(Rendered("three to six months", 3, 6, "months", "exact"))
def test_generated_ranges_round_trip(r: Rendered) -> None:
    q = parse(r.text)
    assert (q.low, q.high, q.unit, q.qualifier) == (r.low, r.high, r.unit, r.qualifier), r.text
    assert q.low <= q.high


@given(rendered_quantities())
def test_interval_contains_the_stated_range(r: Rendered) -> None:
    q = parse(r.text)
    low, high = interval(q)
    from stemcli.quantities import to_base

    assert low <= high
    if q.qualifier in ("exact", "about", "at-least"):
        assert low <= to_base(q.low, q.unit) + 1e-9
    if q.qualifier in ("exact", "about", "at-most", "up-to"):
        assert high >= to_base(q.high, q.unit) - 1e-9


def _parse_or_none(text: str) -> object:
    try:
        return parse(text)
    except QuantityError:
        return None


@given(st.text())
@example("5 dayſ")
@example("ſix days")
@example("1" * 400)
@example("9" * 200)
def test_only_quantity_error_escapes_parse(text: str) -> None:
    q = _parse_or_none(text)
    if q is not None:
        assert q.low <= q.high  # type: ignore[attr-defined]


TOKENS = [
    "1",
    "20",
    "1,500",
    "0.5",
    "three",
    "a",
    "-",
    "–",
    "to",
    "or",
    "and",
    "between",
    "of",
    "%",
    "$",
    "+",
    "x",
    "fold",
    "days",
    "week",
    "months",
    "years",
    "million",
    "cells",
    "over",
    "up to",
    "about",
    "nearly",
    "ſ",
    ".",
    ",",
]


@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8), st.sampled_from(["", " "]))
def test_near_miss_token_soup_never_breaks_the_parser(tokens: list[str], joiner: str) -> None:
    """Strings built from the grammar's own words hit its corners far more often than st.text."""
    q = _parse_or_none(joiner.join(tokens))
    if q is not None:
        assert q.low <= q.high  # type: ignore[attr-defined]


def _check_scan(text: str) -> None:
    last_end = 0
    for f in scan(text):
        assert 0 <= f.start < f.end <= len(text)
        assert f.start >= last_end, "matches do not overlap"
        assert f.quantity.text == text[f.start : f.end]
        assert f.quantity.low <= f.quantity.high
        last_end = f.end


@given(st.text())
@example("Pain fell 60–70\u00a0% in 2 to 4 weeks—and ſix dayſ later")
def test_scan_never_raises_and_spans_index_the_input(text: str) -> None:
    _check_scan(text)


@given(st.lists(st.sampled_from([*TOKENS, "pain fell", "\n", "—", "\u00a0"]), max_size=20))
def test_scan_on_token_soup(tokens: list[str]) -> None:
    _check_scan(" ".join(tokens))


@given(rendered_quantities())
def test_scan_finds_a_generated_quantity_in_a_sentence(r: Rendered) -> None:
    text = f"Patients said: {r.text} overall."
    found = [f for f in scan(text) if (f.quantity.low, f.quantity.high) == (r.low, r.high)]
    assert found, text


@pytest.mark.parametrize("text", ["", " ", "\x00", "\u202e60%"])
def test_parse_edge_strings(text: str) -> None:
    assert _parse_or_none(text) is None
