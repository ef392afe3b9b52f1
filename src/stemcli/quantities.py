"""Quantities as humans write them: "60-70%", "$3,000 - $8,000", "two to five days".

One grammar serves two uses: :func:`parse` reads a whole string (a dataset's ``value``
or ``timepoint``) and refuses anything it does not understand; :func:`scan` finds every
quantity inside running text (for ``stemcli extract``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from stemcli.model import Quantity
from stemcli.numbers import format_quantity
from stemcli.numbers import number as _fmt

__all__ = [
    "DIMENSIONS",
    "QUALIFIERS",
    "UNITS",
    "Found",
    "QuantityError",
    "bound_side",
    "dimension",
    "ends",
    "excludes_bound",
    "format_quantity",
    "gap",
    "interval",
    "overlaps",
    "parse",
    "scan",
    "to_base",
]

QUALIFIERS = ("exact", "about", "at-least", "at-most", "up-to")

# unit -> (dimension, factor to the dimension's base unit)
_UNIT_TABLE: dict[str | None, tuple[str, float]] = {
    "percent": ("percent", 1.0),
    "hours": ("time", 1.0 / 24.0),
    "days": ("time", 1.0),
    "weeks": ("time", 7.0),
    "months": ("time", 30.4375),
    "years": ("time", 365.25),
    "usd": ("money", 1.0),
    # each currency is a dimension of its own: never converted, never compared
    "eur": ("eur", 1.0),
    "gbp": ("gbp", 1.0),
    "cells": ("cells", 1.0),
    "cells-per-kg": ("cells-per-kg", 1.0),
    "cm": ("length", 10.0),
    "mm": ("length", 1.0),
    "points": ("points", 1.0),
    "sessions": ("sessions", 1.0),
    "patients": ("patients", 1.0),
    "times": ("times", 1.0),
    None: ("number", 1.0),
}
UNITS: tuple[str, ...] = tuple(u for u in _UNIT_TABLE if u is not None)
DIMENSIONS: tuple[str, ...] = tuple(sorted({d for d, _ in _UNIT_TABLE.values()}))
BASE_UNIT = {"percent": "%", "time": "days", "money": "usd", "length": "mm"}


class QuantityError(ValueError):
    """A value string that the grammar does not read."""


_WORD_NUMBERS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "a single": 1,
    "single": 1,
    "a": 1,
    "an": 1,
}
# words that stand for "one" only when a unit follows ("a year", "a single injection")
_WEAK_ONE = {"a", "an", "single", "a single"}

_MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9}

_UNIT_WORDS: dict[str, str] = {}
for _u, _words in {
    "percent": ("%", "percent", "per cent", "pct"),
    "hours": ("hours", "hour", "hrs", "hr", "h"),
    "days": ("days", "day"),
    "weeks": ("weeks", "week", "wks"),
    "months": ("months", "month", "mos"),
    "years": ("years", "year", "yrs"),
    "usd": ("usd", "dollars", "dollar", "us dollars"),
    "eur": ("eur", "euros", "euro", "€"),
    "gbp": ("gbp", "pounds sterling", "£"),
    "cells": ("cells", "cell", "mscs"),
    "cells-per-kg": (
        "cells/kg",
        "cells per kg",
        "cells per kilogram",
        "cells/kilogram",
        "cells per kg of body weight",
        "cells per kilogram of body weight",
        "mscs/kg",
        "mscs per kg",
        "per kg",
        "/kg",
        "per kilogram",
        "per kg of body weight",
        "per kilogram of body weight",
    ),
    "cm": ("cm", "centimeters", "centimetres"),
    "mm": ("mm", "millimeters", "millimetres"),
    "points": ("points", "point", "pts"),
    "sessions": (
        "sessions",
        "session",
        "treatments",
        "treatment",
        "injections",
        "injection",
        "infusions",
        "infusion",
        "procedures",
        "procedure",
        "shots",
        "shot",
        "doses",
        "dose",
        "boosters",
        "booster",
    ),
    "patients": (
        "patients",
        "patient",
        "subjects",
        "participants",
        "cases",
        "people",
        "athletes",
    ),
    "times": ("times", "x", "fold"),
}.items():
    for _w in _words:
        _UNIT_WORDS[_w] = _u

_QUALIFIER_WORDS = {
    "over": "at-least",
    "more than": "at-least",
    "greater than": "at-least",
    "above": "at-least",
    "at least": "at-least",
    "in excess of": "at-least",
    # "nearly 80%" is just under 80, not anything from 0 to 80
    "nearly": "about",
    "almost": "about",
    "fewer than": "at-most",
    "less than": "at-most",
    "under": "at-most",
    "below": "at-most",
    "at most": "at-most",
    "no more than": "at-most",
    "up to": "up-to",
    "within": "up-to",
    "about": "about",
    "approximately": "about",
    "approx.": "about",
    "approx": "about",
    "around": "about",
    "roughly": "about",
    "some": "about",
    "~": "about",
}


# "3cm or less", "25% or more"
_POST_QUALIFIERS = {
    "less": "at-most",
    "fewer": "at-most",
    "lower": "at-most",
    "shorter": "at-most",
    "below": "at-most",
    "under": "at-most",
    "more": "at-least",
    "greater": "at-least",
    "higher": "at-least",
    "longer": "at-least",
    "above": "at-least",
    "over": "at-least",
}


def _alternation(words: object) -> str:
    items = sorted((str(w) for w in words), key=len, reverse=True)  # type: ignore[attr-defined]
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in items)


_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# a power of ten: "10^6", "10**6", "10⁶"
_POWER = rf"10(?:\s*(?:\^|\*\*)\s*\d{{1,2}}|[{_SUPERSCRIPTS}]{{1,2}})"
_NUM = (
    rf"(?:{_POWER}(?![\d{_SUPERSCRIPTS}])|\d+(?:\.\d+)?e\d{{1,2}}(?![\w])"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
    r"|(?<![a-z])(?:" + _alternation(_WORD_NUMBERS) + r")(?![a-z]))"
)
# "50 million", and scientific notation: "2×10⁶", "2 x 10^6", "1.5 * 10**6"
_MULT = (
    r"(?:\s*(?:" + _alternation(_MULTIPLIERS) + r")(?![a-z])"
    rf"|\s*[×x*]\s*{_POWER}(?![\d{_SUPERSCRIPTS}]))?"
)
# a currency before its number: "$3,000", "€3,000", "£4,500", "US$ 8,000", "USD 5,000"
_CURRENCY = r"(?:US\s?\$|\$|€|£|(?:USD|EUR|GBP)(?=\s*\d))\s*"
_CURRENCY_UNIT = {"$": "usd", "us$": "usd", "usd": "usd", "€": "eur", "eur": "eur"} | {
    "£": "gbp",
    "gbp": "gbp",
}
_UNIT = r"(?:%|(?:" + _alternation(k for k in _UNIT_WORDS if k != "%") + r")(?![a-z]))"
_QUAL = r"(?:" + _alternation(_QUALIFIER_WORDS) + r")"
# "and" joins a range only after "between": "at 6 and 12 months" is two timepoints
_SEP = r"(?:\s*(?:-|to|or|through|(?(between)and|(?!)))\s*)"


def _side(i: int) -> str:
    return (
        rf"(?P<cur{i}>{_CURRENCY})?(?P<n{i}>{_NUM})(?P<m{i}>{_MULT})"
        # not \s*-?\s*: two adjacent \s* make scan() quadratic on a long run of spaces
        rf"(?:(?:\s*-\s*|\s*)(?P<u{i}>{_UNIT}))?"
    )


_RANGE = (
    rf"(?:(?P<between>between)\s+)?(?:(?P<q>{_QUAL})\s*)?"
    rf"{_side(1)}(?:{_SEP}{_side(2)})?(?P<plus>\s*\+)?(?:\s*(?P<u3>{_UNIT}))?"
    rf"(?:\s+or\s+(?P<post>{_alternation(_POST_QUALIFIERS)})(?![a-z]))?"
)
_TIMEPOINT = (
    r"(?P<tpu>weeks?|days?|months?|years?)\s+(?P<t1>\d+(?:\.\d+)?)"
    r"(?:\s*(?:-|to|and)\s*(?P<t2>\d+(?:\.\d+)?))?(?!\.?\d)"
)
# (?!\.?\d): "by week 6." and "9 of 10." end a sentence; "week 6.5" is not cut to "week 6"
_OF = (
    rf"(?:(?P<oq>{_QUAL})\s+)?"
    rf"(?P<o1>{_NUM})\s+(?:out\s+of|of(?:\s+(?:the|our|these|those|all))?|(?P<oin>in))"
    rf"\s+(?P<o2>{_NUM})(?!\.?\d)(?:\s+(?P<ou>{_UNIT}))?"
    # "7 in 10 of the hip patients": a share of the people named after it
    r"(?P<oof>(?=\s+of\s+(?:(?:the|our|all|these|those|its|their)\s+)?(?:[a-z-]+\s+){0,2}?"
    r"(?:patients|people|participants|subjects|cases|clients)(?![a-z])))?"
)
# a share in words: "half of our patients", "two thirds of the people treated"
_FRACTIONS = {
    "half": 50.0,
    "a third": 100 / 3,
    "one third": 100 / 3,
    "two thirds": 200 / 3,
    "a quarter": 25.0,
    "one quarter": 25.0,
    "three quarters": 75.0,
    "a fifth": 20.0,
    "one fifth": 20.0,
}
_SHARE = (
    rf"(?:(?P<fq>{_QUAL})\s+)?"
    r"(?P<fr>(?<![a-z])(?:" + _alternation(_FRACTIONS).replace(r"\s+", r"[\s-]+") + r"))"
    r"\s+of\s+(?:(?:the|our|all|these|those|its|their)\s+)?(?:[a-z-]+\s+){0,2}?"
    r"(?:patients|people|participants|subjects|cases|clients)(?![a-z])"
)


@functools.cache
def _pattern() -> re.Pattern[str]:
    """The grammar, compiled on first use (keeps start-up fast when nothing is parsed)."""
    return re.compile(
        rf"(?<![\w.,$€£])(?:{_TIMEPOINT}|{_SHARE}|{_OF}|{_RANGE})(?![\w])",
        re.IGNORECASE,
    )


_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen, zero-width characters
# an invisible character reads as a space ("50\u200b%" is 50 %), except inside a number
# ("5\u200b0%", "1,\u200b000" show as 50% and 1,000): there scan() makes it a word
# character, so the number is not read at all rather than misread as "0%" or "1"
_DASHES = str.maketrans(
    {"–": "-", "—": "-", "‑": "-", "‒": "-", "−": "-", "\u00a0": " "}
    | dict.fromkeys(_INVISIBLE, " ")
)
_INVISIBLE_RUN = f"[{_INVISIBLE}]+"  # compiled on first use (re caches it), as below


def _hide_broken_numbers(text: str) -> str:
    """``text`` with every number that has an invisible character inside made of '_'."""
    number = ".," + _INVISIBLE
    parts: list[str] = []
    done = seen = 0  # text[:done] is copied, text[:seen] examined
    for m in re.finditer(_INVISIBLE_RUN, text):
        if m.start() < seen:
            continue
        a, b = m.start(), m.end()
        while a > seen and (text[a - 1].isdigit() or text[a - 1] in number):
            a -= 1
        while b < len(text) and (text[b].isdigit() or text[b] in number):
            b += 1
        seen = b
        left, right = text[a : m.start()], text[m.end() : b]
        if any(c.isdigit() for c in left) and any(c.isdigit() for c in right):
            parts += [text[done:a], "_" * (b - a)]
            done = b
    return "".join([*parts, text[done:]]) if parts else text


@dataclass(frozen=True, slots=True)
class Found:
    """A quantity found in running text, with its span."""

    start: int
    end: int
    quantity: Quantity


def _normalise(text: str) -> str:
    return " ".join(text.translate(_DASHES).split())


def _power(token: str) -> float:
    """10 to the power a token states: "10^6", "10**6", "10⁶" (the token starts with 10)."""
    digits = token.strip()[2:].lstrip(" ^*")
    exponent = digits.translate({ord(c): str(i) for i, c in enumerate(_SUPERSCRIPTS)})
    return 10.0 ** int(exponent)


def _number(token: str) -> float:
    t = " ".join(token.lower().split())
    if t in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[t])
    if t.startswith("10") and (t[2:3] in ("^", "*", " ") or t[2:3] in _SUPERSCRIPTS) and t[2:]:
        return _power(t)
    return float(t.replace(",", ""))


def _multiplier(token: str | None) -> float:
    if not token or not token.strip():
        return 1.0
    t = token.strip().lower()
    if t[0] in "×x*":
        return _power(t[1:])
    return _MULTIPLIERS[t]


_DOT_THOUSANDS = r"^[1-9]\d{0,2}(?:\.\d{3})+$"


def _commas_for_dots(number: str) -> str:
    """ "3.500" as "3,500": the dots of a number written with dots between thousands."""
    return re.sub(_DOT_THOUSANDS, lambda m: m.group().replace(".", ","), number)


def _currency(token: str | None) -> str | None:
    if not token:
        return None
    return _CURRENCY_UNIT["".join(token.lower().split())]


def _unit(token: str | None) -> str | None:
    if not token:
        return None
    return _UNIT_WORDS[" ".join(token.lower().split())]


def _convert(value: float, from_unit: str, to_unit: str) -> float:
    return value * _UNIT_TABLE[from_unit][1] / _UNIT_TABLE[to_unit][1]


def _build(m: re.Match[str], text: str) -> Quantity:
    """Turn one regex match into a Quantity; raise QuantityError when it makes no sense."""
    g = m.groupdict()
    if g["tpu"]:
        unit = _unit(g["tpu"])
        low = float(g["t1"])
        high = float(g["t2"]) if g["t2"] else low
        return _checked(text, low, high, unit, "exact")
    if g["fr"]:
        # a share in words is stated to one decimal, as people write it: "a third" is 33.3%
        pct = round(_FRACTIONS[" ".join(re.split(r"[\s-]+", g["fr"].lower()))], 1)
        word = " ".join(g["fq"].lower().split()) if g["fq"] else ""
        return _checked(text, pct, pct, "percent", _QUALIFIER_WORDS[word] if word else "exact")
    if g["o1"]:
        part, whole = _number(g["o1"]), _number(g["o2"])
        if whole <= 0 or part > whole or part != int(part) or whole != int(whole):
            # "4.9 out of 5" is a rating, not a share of patients
            raise QuantityError(f"'{g['o1']} of {g['o2']}' is not a proportion")
        # "one in three patients" is a share; "3 in 2019" or "1 in 3 weeks" is not
        if g["oin"] and (
            (g["oof"] is None and (_unit(g["ou"]) != "patients" if g["ou"] else part != 1))
            or 1900 <= whole <= 2100  # "3 in 2019 of our patients": a year
        ):
            raise QuantityError(f"'{g['o1']} in {g['o2']}' is not a proportion")
        pct = round(100.0 * part / whole, 1)  # "one in three" is 33.3%
        word = " ".join(g["oq"].lower().split()) if g["oq"] else ""
        return _checked(text, pct, pct, "percent", _QUALIFIER_WORDS[word] if word else "exact")

    n1, n2 = g["n1"], g["n2"]
    u1, u2, u3 = _unit(g["u1"]), _unit(g["u2"]), _unit(g["u3"])
    if u3 and (u2 if n2 is not None else u1):
        raise QuantityError("a unit is given twice")
    currencies = {c for c in (_currency(g["cur1"]), _currency(g["cur2"])) if c}
    if currencies:
        if len(currencies) > 1:
            raise QuantityError("a range cannot go from one currency to another")
        (cur,) = currencies
        if (u1 and u1 != cur) or (u2 and u2 != cur) or (u3 and u3 != cur):
            raise QuantityError("a money value cannot also have another unit")
        u1 = u2 = u3 = cur
    if n1.strip().lower() in _WEAK_ONE and not (u1 or u3 or (n2 is None and u2)):
        raise QuantityError(f"'{n1}' is a number only before a unit")
    m1, m2 = _multiplier(g["m1"]), _multiplier(g["m2"])
    if n2 is not None and (m1 == 1.0) != (m2 == 1.0):
        m1 = m2 = max(m1, m2)  # "50 to 100 million": the multiplier belongs to both ends
    if "eur" in currencies or "eur" in (u1, u2, u3):
        # "€3.500", "3.500 euros": a dot between thousands, as in much of Europe
        n1 = _commas_for_dots(n1)
        n2 = None if n2 is None else _commas_for_dots(n2)
    low = _number(n1) * m1
    if n2 is None:
        return _checked(text, low, low, u1 or u3, _qualifier(g))
    high = _number(n2) * m2
    unit_low = u1
    unit_high = u2 or u3
    if unit_low and unit_high and unit_low != unit_high:
        d1, d2 = _UNIT_TABLE[unit_low][0], _UNIT_TABLE[unit_high][0]
        if d1 != d2:
            raise QuantityError(f"a range cannot go from {unit_low} to {unit_high}")
        # express both ends in the smaller unit ("8 weeks to 3 months" -> weeks)
        small = min(unit_low, unit_high, key=lambda u: _UNIT_TABLE[u][1])
        low = round(_convert(low, unit_low, small), 6)
        high = round(_convert(high, unit_high, small), 6)
        unit = small
    else:
        unit = unit_low or unit_high
    return _checked(text, low, high, unit, _qualifier(g))


def _qualifier(g: dict[str, str | None]) -> str:
    word = " ".join(g["q"].lower().split()) if g["q"] else ""
    qualifier = _QUALIFIER_WORDS[word] if word else "exact"
    if word == "within" and g.get("n2") is not None:
        qualifier = "exact"  # "within 1-2 days" states the range; "within 3 months" a bound
    if g["plus"]:
        if qualifier not in ("exact", "at-least"):
            raise QuantityError("'+' cannot follow a qualifier such as 'up to'")
        qualifier = "at-least"
    post_word = g.get("post")
    if post_word:
        post = _POST_QUALIFIERS[post_word.lower()]
        if qualifier not in ("exact", post):
            raise QuantityError(f"'or {post_word}' contradicts the qualifier before the number")
        qualifier = post
    return qualifier


# qualifier words that leave their number out: "over 100%" is more than 100, where
# "at least 100%", "100%+", "100% or more" and "up to 100%" take 100 itself
_STRICT_WORDS = frozenset(
    {"over", "more than", "greater than", "above", "in excess of"}
    | {"fewer than", "less than", "under", "below"}
)


def excludes_bound(q: Quantity) -> bool:
    """Whether an at-least or at-most quantity excludes its own number ("over", "under")."""
    if q.qualifier not in ("at-least", "at-most"):
        return False
    return _excludes(q.text)


@functools.lru_cache(maxsize=16384)
def _excludes(text: str) -> bool:
    norm = _normalise(text).rstrip(".")
    quick = _excludes_quick(norm)
    return _excludes_by_grammar(norm) if quick is None else quick


def _excludes_by_grammar(norm: str) -> bool:
    """Whether the grammar reads ``norm`` (normalised) with a strict word before its number."""
    m = _pattern().fullmatch(norm)
    if m is None:
        return False
    g = m.groupdict()
    if g.get("plus") or g.get("post"):
        return False
    return " ".join((g.get("q") or "").lower().split()) in _STRICT_WORDS


def _excludes_quick(norm: str) -> bool | None:
    """:func:`_excludes_by_grammar` for the values people write, without compiling the
    grammar (tens of milliseconds of start-up); None when only the grammar can tell.

    The grammar's strict word can only open the value, or follow "between": a value that
    opens with neither is not strict. One that opens with a strict word followed by a
    plain number or range, a multiplier and a unit word (and no "+" or "or more") is
    read as that word and its number by the grammar's range, and by nothing else.
    """
    if not norm.isascii():
        return None
    low = norm.lower()
    if not low.startswith(_STRICT_OPENINGS):
        return False
    word = next((w for w in _STRICT_BY_LENGTH if low.startswith(w)), None)
    if word is None:  # "between over 5 and 10": rare enough for the grammar
        return None
    m = _strict_rest().fullmatch(low, len(word))
    if m is None or (m["unit"] is not None and m["unit"] not in _UNIT_WORDS):
        return None
    return True


# longest first, so that the word found is the one the grammar's alternation reads
_STRICT_BY_LENGTH = tuple(sorted(_STRICT_WORDS, key=len, reverse=True))
_STRICT_OPENINGS = (*_STRICT_BY_LENGTH, "between")


@functools.cache
def _strict_rest() -> re.Pattern[str]:
    """After a strict word: " 5", " 1,500 patients", " 60-70%", " 30 million cells"."""
    number = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    side = rf"{number}(?: (?:{'|'.join(_MULTIPLIERS)}))?"
    # a unit word follows a space, or a digit ("5cm"), never a multiplier ("5 millioncells")
    unit = r"(?:(?<=\d)| )(?P<unit>[a-z](?:[a-z/ ]*[a-z])?)"
    return re.compile(rf" {side}(?:(?:-| to ){side})?(?:%|{unit})?")


def _checked(text: str, low: float, high: float, unit: str | None, qualifier: str) -> Quantity:
    if not (math.isfinite(low) and math.isfinite(high)):
        raise QuantityError("the number is too large")
    if low > high:
        raise QuantityError(f"low {_fmt(low)} is greater than high {_fmt(high)}")
    return Quantity(text=text, low=low, high=high, unit=unit, qualifier=qualifier)


_MAX_VALUE_LENGTH = 200


def parse(text: str) -> Quantity:
    """Read a whole value string, or raise :class:`QuantityError` saying why not.

    Datasets repeat the same values ("60-70%") many times; results are memoised.
    """
    if isinstance(text, str) and len(text) <= _MAX_VALUE_LENGTH:
        return _parse_cached(text)
    return _parse(text)


@functools.lru_cache(maxsize=16384)
def _parse_cached(text: str) -> Quantity:
    return _parse(text)


def _parse(text: str) -> Quantity:
    if not isinstance(text, str):
        raise QuantityError("a value must be a string such as '60-70%'")
    if len(text) > _MAX_VALUE_LENGTH:
        raise QuantityError(f"a value is at most {_MAX_VALUE_LENGTH} characters")
    if not text.isascii() or not text.isprintable():
        from stemcli.text.neutralise import first_escaped, first_foreign_digit, visible

        hidden = first_escaped(text)
        if hidden is not None:  # "50\u200b%" looks like 50% but is not what was typed
            raise QuantityError(
                f"{text!r} holds an invisible or control character ({visible(hidden)}); "
                "type the value again without it"
            )
        foreign = first_foreign_digit(text)
        if foreign is not None:  # "5\u0660%" reads as 50% but looks like "5.%"
            raise QuantityError(
                f"{text!r} holds a digit that is not 0-9 ({visible(foreign)}); "
                "type the value with the digits 0-9"
            )
    norm = _normalise(text).rstrip(".")
    if not norm:
        raise QuantityError("the value is empty")
    m = _pattern().fullmatch(norm)
    if m is None:
        raise QuantityError(
            f"cannot read {text!r} as a quantity (for example '60-70%', '2 to 4 weeks')"
        )
    try:
        return _build(m, text.strip())
    except QuantityError:
        raise
    except (KeyError, ValueError):  # letters that only match the grammar case-insensitively
        raise QuantityError(f"cannot read {text!r} as a quantity") from None


# in running text, a space that output escapes (a carriage return, a form feed, a line or
# paragraph separator ...) ends a value: "$\r0" is no "$0", as no text shows it as one
_SCAN = _DASHES | str.maketrans(dict.fromkeys("\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\u2028\u2029", "\x00"))


def scan(text: str) -> Iterator[Found]:
    """Yield every quantity in running text, with spans into ``text``.

    Spans index the original string: normalisation here only maps single characters
    (dashes, no-break spaces) to single characters, so offsets stay aligned.
    """
    norm = text
    if not text.isascii():  # an invisible character inside a number: see _INVISIBLE
        norm = _hide_broken_numbers(text)
    norm = norm.translate(_SCAN)
    for m in _pattern().finditer(norm):
        raw = text[m.start() : m.end()]
        if not raw.strip():
            continue
        if len(raw) > _MAX_VALUE_LENGTH and len(_normalise(raw)) > _MAX_VALUE_LENGTH:
            continue  # parse() would refuse it (a 5,000-digit number)
        shown = raw
        if not raw.isascii():
            from stemcli.text.neutralise import first_escaped, first_foreign_digit, without_hidden

            if first_foreign_digit(raw) is not None:
                continue  # "5\u0660%" reads as 50 but shows as "5.%": not a number to draft
            if first_escaped(raw) is not None:  # "50\u200b%": the value as it shows, 50%
                shown = without_hidden(raw)
        try:
            q = _build(m, shown)
        except (QuantityError, ValueError, KeyError):
            shorter = _without_last_unit(m, norm, text)
            if shorter is not None:
                yield shorter
            continue
        yield Found(m.start(), m.end(), q)


def _without_last_unit(m: re.Match[str], norm: str, text: str) -> Found | None:
    """The quantity of ``m`` without its last unit word, when the two units cannot go
    together: "95% patients improved" is 95%, not "a unit given twice"."""
    units = [g for g in m.groupdict() if re.fullmatch(r"u\d+", g) and m.group(g)]
    if len(units) < 2:
        return None
    end = max(m.start(g) for g in units)
    while end > m.start() and norm[end - 1].isspace():
        end -= 1
    again = _pattern().match(norm, m.start(), end)
    if again is None or again.end() != end or not text[m.start() : end].isascii():
        return None
    try:
        q = _build(again, text[m.start() : end])
    except (QuantityError, ValueError, KeyError):
        return None
    # "2 booster injections" is one count, read as a noun phrase by its reader
    return None if q.unit in ("sessions", "patients") else Found(m.start(), end, q)


def dimension(unit: str | None) -> str:
    """The dimension a unit measures: percent, time, money, length, cells, ..."""
    return _UNIT_TABLE[unit][0]


def to_base(value: float, unit: str | None) -> float:
    """Convert to the dimension's base unit (days for time, mm for length)."""
    return value * _UNIT_TABLE[unit][1]


def interval(q: Quantity, tolerance: float = 0.05, *, capped: bool = True) -> tuple[float, float]:
    """The interval a quantity allows, in base units, with qualifiers widened.

    "over 85%" is [85, 100]; "up to 24 months" is [0, 24 months]; "about 25%" is
    25 ± tolerance·25. ``capped=False`` for a percentage nothing caps at 100 (a measure
    without ``max_percent``, a value relative to a comparator): "over 50%" is [50, ∞).
    """
    factor = _UNIT_TABLE[q.unit][1]
    low, high = q.low * factor, q.high * factor
    if q.qualifier == "about":
        low, high = low - abs(low) * tolerance, high + abs(high) * tolerance
    elif q.qualifier == "at-least":
        high = 100.0 if capped and q.unit == "percent" and q.low <= 100 else math.inf
    elif q.qualifier in ("at-most", "up-to"):
        low = 0.0
    return low, high


def bound_side(q: Quantity) -> str | None:
    """ "lower" for a value bounded below ("over 2 years", "25% or more"), "upper" for one
    bounded above ("up to 24 months", "under 5cm"), None for an exact or rough value."""
    if q.qualifier == "at-least":
        return "lower"
    if q.qualifier in ("at-most", "up-to"):
        return "upper"
    return None


def ends(q: Quantity, tolerance: float = 0.05, *, capped: bool = True) -> tuple[float, float]:
    """:func:`interval`, with each end exact about whether it holds its own number.

    "over", "more than", "above" leave their number out, as do "under", "less than",
    "fewer than"; "at least", "+", "or more", "up to", "at most", "within" keep it. An end
    that leaves its number out moves to the next float inwards, so that two such
    intervals are closed and overlap exactly when the values can both be true: "up to 24
    months" and "over 2 years" do not, "up to 24 months" and "at least 2 years" do.
    """
    low, high = interval(q, tolerance, capped=capped)
    if excludes_bound(q):
        if q.qualifier == "at-least":
            low = math.nextafter(low, math.inf)
            if high < low:  # "over 100%": above the cap of shares, so not capped
                high = math.inf
        else:
            high = math.nextafter(high, -math.inf)  # "under 0": empty, and refused by validate
    return low, high


def overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Two closed intervals share at least one point (30–50 and 50–60 do)."""
    return a[0] <= b[1] and b[0] <= a[1]


def gap(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two intervals; 0 when they overlap."""
    return max(0.0, a[0] - b[1], b[0] - a[1])
