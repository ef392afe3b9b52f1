"""The quantity grammar, one example per form humans write (see docs/DATA.md, "Values")."""

from __future__ import annotations

import math

import pytest

from stemcli.model import Quantity
from stemcli.quantities import (
    QUALIFIERS,
    UNITS,
    QuantityError,
    dimension,
    format_quantity,
    gap,
    interval,
    overlaps,
    parse,
    scan,
    to_base,
)

MONTH = 30.4375  # days
YEAR = 365.25


def _read(text: str) -> tuple[float, float, str | None, str]:
    q = parse(text)
    return q.low, q.high, q.unit, q.qualifier


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # hyphens, en dashes, spaces around them
        ("60-70%", (60, 70, "percent", "exact")),
        ("60–70%", (60, 70, "percent", "exact")),
        ("60 – 70 %", (60, 70, "percent", "exact")),
        ("60—70 percent", (60, 70, "percent", "exact")),
        ("79.3%", (79.3, 79.3, "percent", "exact")),
        # "to", "or", "between ... and"
        ("2 to 4 weeks", (2, 4, "weeks", "exact")),
        ("one or two sessions", (1, 2, "sessions", "exact")),
        ("between $3,000 and $8,000", (3000, 8000, "usd", "exact")),
        ("between 3 and 5 days", (3, 5, "days", "exact")),
        # thousands separators, currency, multipliers
        ("1,500 patients", (1500, 1500, "patients", "exact")),
        ("$3,000 - $8,000", (3000, 8000, "usd", "exact")),
        ("$20,000 - $33,000", (20000, 33000, "usd", "exact")),
        ("$5000", (5000, 5000, "usd", "exact")),
        ("5,000 USD", (5000, 5000, "usd", "exact")),
        ("50 million cells", (50e6, 50e6, "cells", "exact")),
        ("50-100 million cells", (50e6, 100e6, "cells", "exact")),
        ("50 to 100 million cells", (50e6, 100e6, "cells", "exact")),
        ("1.5 million", (1.5e6, 1.5e6, None, "exact")),
        # spelled-out numbers up to twenty
        ("one to five days", (1, 5, "days", "exact")),
        ("three to six months", (3, 6, "months", "exact")),
        ("twelve weeks", (12, 12, "weeks", "exact")),
        ("twenty sessions", (20, 20, "sessions", "exact")),
        ("a single injection", (1, 1, "sessions", "exact")),
        ("a year", (1, 1, "years", "exact")),
        # at-least
        ("85%+", (85, 85, "percent", "at-least")),
        ("6+ months", (6, 6, "months", "at-least")),
        ("over 85%", (85, 85, "percent", "at-least")),
        ("more than 90%", (90, 90, "percent", "at-least")),
        ("at least 2 weeks", (2, 2, "weeks", "at-least")),
        ("over 60-70%", (60, 70, "percent", "at-least")),
        ("25% or more", (25, 25, "percent", "at-least")),
        # at-most
        ("3cm or less", (3, 3, "cm", "at-most")),
        ("nearly 80%", (80, 80, "percent", "about")),  # just under 80, not 0 to 80
        ("fewer than 10 patients", (10, 10, "patients", "at-most")),
        ("less than 5%", (5, 5, "percent", "at-most")),
        ("under 70 years", (70, 70, "years", "at-most")),
        # about
        ("about 25%", (25, 25, "percent", "about")),
        ("approximately 30%", (30, 30, "percent", "about")),
        ("~50%", (50, 50, "percent", "about")),
        # up-to
        ("up to 24 months", (24, 24, "months", "up-to")),
        ("up to a year", (1, 1, "years", "up-to")),
        ("within 1-2 days", (1, 2, "days", "exact")),  # the range is what is stated
        ("within 3 months", (3, 3, "months", "up-to")),
        # times / fold
        ("3x", (3, 3, "times", "exact")),
        ("3-fold", (3, 3, "times", "exact")),
        ("2-3x", (2, 3, "times", "exact")),
        ("4-6 times", (4, 6, "times", "exact")),
        # time points
        ("week 12", (12, 12, "weeks", "exact")),
        ("day 1", (1, 1, "days", "exact")),
        ("month 6", (6, 6, "months", "exact")),
        ("years 1-3", (1, 3, "years", "exact")),
        ("years 1 to 3", (1, 3, "years", "exact")),
        # proportions
        ("9 of 10 cases", (90, 90, "percent", "exact")),
        ("9 out of 10 patients", (90, 90, "percent", "exact")),
        # mixed time units: both ends in the smaller unit
        ("8 weeks to 3 months", (8, round(3 * MONTH / 7, 6), "weeks", "exact")),
        ("2 weeks to 1 year", (2, round(YEAR / 7, 6), "weeks", "exact")),
        # a trailing full stop, surrounding spaces
        ("  30-40%. ", (30, 40, "percent", "exact")),
    ],
)
def test_parse_forms(text: str, expected: tuple[float, float, str | None, str]) -> None:
    low, high, unit, qualifier = _read(text)
    assert (low, high, unit, qualifier) == pytest.approx(expected)
    assert unit == expected[2]
    assert qualifier == expected[3]


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("10%", "percent"),
        ("10 percent", "percent"),
        ("48 hours", "hours"),
        ("3 days", "days"),
        ("3 weeks", "weeks"),
        ("3 months", "months"),
        ("3 years", "years"),
        ("$300", "usd"),
        ("300 dollars", "usd"),
        ("1,000 cells", "cells"),
        ("2 cm", "cm"),
        ("1.5mm", "mm"),
        ("10 points", "points"),
        ("10 pts", "points"),
        ("3 sessions", "sessions"),
        ("3 injections", "sessions"),
        ("3 treatments", "sessions"),
        ("12 patients", "patients"),
        ("12 participants", "patients"),
        ("4 times", "times"),
        ("42", None),
    ],
)
def test_every_unit(text: str, unit: str | None) -> None:
    q = parse(text)
    assert q.unit == unit
    assert unit is None or unit in UNITS


def test_unit_and_qualifier_lists_are_the_documented_ones() -> None:
    assert set(UNITS) == {
        "percent",
        "days",
        "weeks",
        "months",
        "years",
        "hours",
        "usd",
        "eur",
        "gbp",
        "cells",
        "cells-per-kg",
        "cm",
        "mm",
        "points",
        "sessions",
        "patients",
        "times",
    }
    assert set(QUALIFIERS) == {"exact", "about", "at-least", "at-most", "up-to"}


def test_parse_keeps_the_text_as_written() -> None:
    q = parse(" $3,000 - $8,000 ")
    assert q.text == "$3,000 - $8,000"
    assert isinstance(q, Quantity)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("lots", "cannot read"),
        ("", "empty"),
        ("   ", "empty"),
        ("-5 days", "cannot read"),
        ("70-60%", "greater than"),
        ("5% to 3 days", "cannot go from percent to days"),
        ("$5 to 3 weeks", "money"),
        ("60-", "cannot read"),
        ("%", "cannot read"),
        ("5 7", "cannot read"),
        ("a", "only before a unit"),
        ("11 of 10 cases", "not a proportion"),
        ("up to 5+ days", "cannot follow a qualifier"),
        ("up to 5 days or more", "contradicts"),
        ("60-70%%", "twice"),
        ("5 days weeks", "twice"),
        ("9" * 201, "at most"),
    ],
)
def test_unreadable_values_are_errors_not_guesses(text: str, reason: str) -> None:
    with pytest.raises(QuantityError, match=reason):
        parse(text)


def test_a_non_string_is_an_error() -> None:
    with pytest.raises(QuantityError):
        parse(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["5 dayſ", "ſix days", "2 bıllion cells", "3 ſessions"])
def test_letters_matching_only_case_insensitively_raise_quantity_error(text: str) -> None:
    # "ſ" (long s) matches "s" under re.IGNORECASE but is not a key of the unit table
    with pytest.raises(QuantityError):
        parse(text)


# ---------------------------------------------------------------------------
# scan


def test_scan_finds_every_quantity_with_spans() -> None:
    text = "Pain fell 60–70% within 2 to 4 weeks; it costs $3,000 - $8,000 (see week 12)."
    found = list(scan(text))
    assert [text[f.start : f.end] for f in found] == [
        "60–70%",
        "within 2 to 4 weeks",
        "$3,000 - $8,000",
        "week 12",
    ]
    assert [(f.quantity.low, f.quantity.high, f.quantity.unit) for f in found] == [
        (60, 70, "percent"),
        (2, 4, "weeks"),
        (3000, 8000, "usd"),
        (12, 12, "weeks"),
    ]
    assert all(f.quantity.text == text[f.start : f.end] for f in found)


def test_scan_skips_what_makes_no_sense() -> None:
    assert list(scan("nothing numeric here")) == []
    assert [f.quantity.low for f in scan("from 70-60% to 5%")] == [5]


# ---------------------------------------------------------------------------
# interval, dimension, overlaps


def test_interval_widens_at_least_percent_to_100() -> None:
    assert interval(parse("over 85%")) == (85.0, 100.0)


def test_interval_at_least_outside_percent_is_open() -> None:
    low, high = interval(parse("more than 6 months"))
    assert low == pytest.approx(6 * MONTH)
    assert math.isinf(high)


def test_interval_up_to_starts_at_zero_in_days() -> None:
    assert interval(parse("up to 24 months")) == pytest.approx((0.0, 24 * MONTH))


def test_interval_at_most_starts_at_zero() -> None:
    assert interval(parse("fewer than 80%")) == (0.0, 80.0)


def test_interval_about_is_five_percent_either_side() -> None:
    assert interval(parse("about 25%")) == pytest.approx((23.75, 26.25))
    assert interval(parse("about 25%"), tolerance=0.2) == pytest.approx((20.0, 30.0))


def test_interval_exact_is_the_range_in_base_units() -> None:
    assert interval(parse("2-4 weeks")) == (14.0, 28.0)
    assert interval(parse("2 cm")) == (20.0, 20.0)
    assert interval(parse("$3,000 - $8,000")) == (3000.0, 8000.0)


def test_dimensions_and_base_units() -> None:
    assert dimension("weeks") == dimension("hours") == "time"
    assert dimension("percent") == "percent"
    assert dimension("usd") == "money"
    assert dimension(None) == "number"
    assert to_base(2, "weeks") == 14
    assert to_base(1, "cm") == 10


def test_overlaps_and_gap() -> None:
    assert overlaps((30, 50), (50, 60))
    assert not overlaps((30, 40), (60, 70))
    assert gap((30, 40), (60, 70)) == 20
    assert gap((60, 70), (30, 40)) == 20
    assert gap((30, 50), (40, 60)) == 0


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("60-70%", "60–70 %"),
        ("over 85%", "≥ 85 %"),
        ("$3,000 - $8,000", "$3,000–$8,000"),
        ("2 to 4 weeks", "2–4 weeks"),
        ("up to 24 months", "up to 24 months"),
        ("about 25%", "≈ 25 %"),
        ("50-100 million cells", "50–100 million cells"),
    ],
)
def test_format_quantity(text: str, shown: str) -> None:
    assert format_quantity(parse(text)) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("10 million cells", "10 million cells"),
        ("2.5 million cells", "2.5 million cells"),
        ("50-100 million cells", "50–100 million cells"),
        ("10,000.5 points", "10,000.5 points"),
        ("8 weeks to 3 months", "8–13.04 weeks"),
    ],
)
def test_display_keeps_millions_and_never_uses_an_exponent(text: str, shown: str) -> None:
    assert format_quantity(parse(text)) == shown


def test_and_makes_a_range_only_after_between() -> None:
    assert [f.quantity.text for f in scan("at 6 and 12 months, 30% and 50%")] == [
        "6",
        "12 months",
        "30%",
        "50%",
    ]
    q = parse("between 40 and 60 million cells")
    assert (q.low, q.high, q.unit) == (40e6, 60e6, "cells")
    with pytest.raises(QuantityError):
        parse("30% and 50%")


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("€3,000-€7,000", 3000, 7000, "eur"),
        ("£4,500", 4500, 4500, "gbp"),
        ("USD 5,000", 5000, 5000, "usd"),
        ("5,000 euros", 5000, 5000, "eur"),
        ("US$ 8,000", 8000, 8000, "usd"),
        ("3,000 EUR", 3000, 3000, "eur"),
        ("2×10⁶ cells/kg", 2e6, 2e6, "cells-per-kg"),
        ("50 million cells per kg", 5e7, 5e7, "cells-per-kg"),
        ("2 x 10^6 cells", 2e6, 2e6, "cells"),
        ("1.5 × 10^6 cells per kilogram", 1.5e6, 1.5e6, "cells-per-kg"),
        ("1-2 × 10^6 cells/kg", 1e6, 2e6, "cells-per-kg"),
        ("2e6 cells", 2e6, 2e6, "cells"),
        ("10^6 cells", 1e6, 1e6, "cells"),
        ("nine out of ten patients", 90, 90, "percent"),
        ("one in three patients", 33.3, 33.3, "percent"),
        ("12 of the 20 patients", 60, 60, "percent"),
        ("half of our patients", 50, 50, "percent"),
        ("two-thirds of knee patients", 66.7, 66.7, "percent"),
        ("about a third of patients", 33.3, 33.3, "percent"),
        ("€3.500", 3500, 3500, "eur"),
        ("3.500 - 7.000 euros", 3500, 7000, "eur"),
        ("€3.50", 3.5, 3.5, "eur"),
        ("2 million MSCs/kg", 2e6, 2e6, "cells-per-kg"),
        ("1.5 × 10^6 per kg of body weight", 1.5e6, 1.5e6, "cells-per-kg"),
        ("100 million MSCs", 1e8, 1e8, "cells"),
    ],
)
def test_currencies_doses_per_kg_scientific_notation_and_shares(
    text: str, low: float, high: float, unit: str
) -> None:
    q = parse(text)
    assert (q.unit, q.low, q.high) == (unit, pytest.approx(low), pytest.approx(high))
    assert unit in UNITS


def test_each_currency_is_its_own_dimension() -> None:
    from stemcli.quantities import dimension

    dims = {dimension(u) for u in ("usd", "eur", "gbp")}
    assert len(dims) == 3
    assert dimension("cells-per-kg") != dimension("cells")
    for mixed in ("$3,000 - €5,000", "€3,000 - 5,000 USD", "£4,500 dollars"):
        with pytest.raises(QuantityError):
            parse(mixed)
    # "1 in 3 weeks" is no share; "3 in 2019" is not either
    for not_share in ("1 in 3 weeks", "3 in 2019"):
        with pytest.raises(QuantityError):
            parse(not_share)


def test_scan_reads_a_quantity_before_a_second_unit_word() -> None:
    # "% patients" is no unit: the percentage is read, and the words after it left alone
    got = [(f.quantity.low, f.quantity.unit) for f in scan("95% patients improved")]
    assert got == [(95, "percent")]
    got = [(f.quantity.low, f.quantity.unit) for f in scan("98% patient satisfaction")]
    assert got == [(98, "percent")]
    got = [(f.quantity.low, f.quantity.unit) for f in scan("after 2 weeks patients walk")]
    assert got == [(2, "weeks")]


def test_a_digit_share_of_the_people_named_after_it_is_a_percentage() -> None:
    found = [f.quantity for f in scan("7 in 10 of the hip patients we followed improved")]
    assert [(q.low, q.high, q.unit) for q in found] == [(70.0, 70.0, "percent")]
    # a year is no whole, and "3 in 10" with nothing counted after it stays no share
    assert not [f for f in scan("3 in 2019 of our patients") if f.quantity.unit == "percent"]
    with pytest.raises(QuantityError):
        parse("3 in 10")


def _data_value_texts() -> set[str]:
    """Every value, timepoint and confidence interval written in the bundled claims."""
    import yaml

    from stemcli.dataset.find import bundled_dir

    texts: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("value", "timepoint", "ci") and isinstance(value, str):
                    texts.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in sorted((bundled_dir() / "claims").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return texts


def _quick_and_grammar(text: str) -> tuple[bool | None, bool]:
    from stemcli.quantities import _excludes_by_grammar, _excludes_quick, _normalise

    norm = _normalise(text).rstrip(".")
    return _excludes_quick(norm), _excludes_by_grammar(norm)


def test_the_quick_strictness_check_agrees_with_the_grammar_on_the_bundled_values() -> None:
    texts = _data_value_texts()
    assert len(texts) > 100
    bounds = 0
    for text in sorted(texts):
        quick, grammar = _quick_and_grammar(text)
        assert quick is None or quick == grammar, text
        try:
            q = parse(text)
        except QuantityError:
            continue
        if q.qualifier in ("at-least", "at-most"):
            bounds += 1
            # the bundled data never needs the whole grammar to show a bound
            assert quick is not None, text
    assert bounds >= 10


def test_the_quick_strictness_check_agrees_with_the_grammar_on_every_qualifier() -> None:
    from stemcli.quantities import _QUALIFIER_WORDS, _STRICT_WORDS

    words = [*_QUALIFIER_WORDS, *(w.upper() for w in _STRICT_WORDS), "between", "overall", ""]
    rests = [
        *("5", "1,500", "2.5", "60-70", "5 to 10", "30 million", "5-10 million", ".5", "1,50"),
        *("10^6", "two", "half of", "9 of 10", "1 in 3", "5 and 10", "5 million-10 million"),
    ]
    units = [
        *("", "%", " %", "cm", " cm", "cells", " cells", " cells per kg", " years", "x", " x"),
        *(" or more", " or less", "+", "+ years", " years or less", "/kg", " per kg", " h"),
        *(" foo", " in 10", " of patients", "millioncells", " weeks.", " million cells"),
    ]
    decided = strict = 0
    for word in words:
        for rest in rests:
            for unit in units:
                text = f"{word} {rest}{unit}"
                quick, grammar = _quick_and_grammar(text)
                if quick is not None:
                    assert quick == grammar, text
                    decided += 1
                    strict += quick
    # most are decided without the grammar, the strict ones among them too
    assert decided > 5_000
    assert strict > 150
    for text in ("over 85%", "under 30 million cells", "more than 2 years", "below 5cm"):
        assert _quick_and_grammar(text) == (True, True), text
    for text in ("over5%", "over  5 %", "OVER 5 Cells", "more\tthan 5", "over 5\u2013 6%"):
        quick, grammar = _quick_and_grammar(text)
        assert quick is None or quick == grammar, text
    for text in ("at least 2 weeks", "85%+", "25% or more", "up to 24 months", "3cm or less"):
        assert _quick_and_grammar(text) == (False, False), text
