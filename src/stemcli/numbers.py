"""The one way numbers, units, gaps and intervals become text for people.

Reports, renderers and messages format numbers here and nowhere else: plain decimals
("1,500", "2.5"), values in their unit ("$3,000", "50 million"), quantities ("60–70 %"),
gaps ("9.3 pp"), intervals ("[14, 28] days"), axis ticks ("$3k") and counts ("2 claims").
"""

from __future__ import annotations

import math

from stemcli.model import Quantity

# what a unit is called after a number, when not its own name ("%" for percent)
UNIT_LABEL: dict[str | None, str] = {"percent": "%", "usd": "", None: ""}
# what a unit is called over an axis or a column of numbers
UNIT_TITLE: dict[str | None, str] = {"percent": "%", "usd": "$", None: ""}
# the unit intervals of a dimension are stated in (see quantities.to_base)
DIMENSION_UNIT: dict[str, str] = {
    "percent": "%",
    "time": "days",
    "money": "",
    "length": "mm",
    "number": "",
}
QUALIFIER_LABEL: dict[str, str] = {
    "exact": "",
    "about": "≈ ",
    "at-least": "≥ ",
    "at-most": "≤ ",
    "up-to": "up to ",
}


def plural(n: int, noun: str, many: str | None = None) -> str:
    """'1 claim', '2 claims'; ``many`` for irregular plurals ('1 match', '2 matches')."""
    return f"{n:,} {noun if n == 1 else (many or noun + 's')}"


def plain(x: float) -> str:
    """A number as the data states it, for machines (CSV): '12', '2.5', '0.1'."""
    return str(int(x)) if x == int(x) else repr(x)


def number(x: float) -> str:
    """Plain decimal notation, thousands separated, never an exponent."""
    if x == int(x) and abs(x) < 1e15:
        i = int(x)
        return f"{i:,}" if abs(i) >= 1000 else str(i)
    if abs(x) >= 1e15 or abs(x) < 1e-3:
        return f"{x:.3g}"
    digits = 1 if abs(x) >= 100 else 2 if abs(x) >= 1 else 3
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".")


def rounded(x: float) -> str:
    """A computed number to two decimals, thousands separated; infinity as '∞'."""
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    r = round(x, 2)
    if r == int(r):
        return f"{int(r):,}"
    return f"{r:,.2f}".rstrip("0").rstrip(".")


def unit_value(x: float, unit: str | None) -> str:
    """A number in its unit's own form: '$3,000', '50 million' (cells), '12'."""
    if unit == "cells" and x >= 1e6:
        return f"{number(x / 1e6)} million"
    if unit == "usd":
        return f"${x:,.0f}" if x == int(x) else f"${x:,.2f}"
    return number(x)


def format_quantity(q: Quantity, *, strict: bool = False) -> str:
    """A normalised display form: "60–70 %", "≥ 85 %", "$3,000–$8,000", "2–4 weeks";
    ``strict`` for a bound that leaves its number out: "> 2 years", "< 5 cm"."""
    low = unit_value(q.low, q.unit)
    high = unit_value(q.high, q.unit)
    if q.unit == "cells" and q.low != q.high and q.low >= 1e6 and q.high >= 1e6:
        low = low.removesuffix(" million")  # "50–100 million cells"
    text = low if q.low == q.high else f"{low}–{high}"
    label = UNIT_LABEL.get(q.unit, q.unit or "")
    if label and q.unit != "percent" and q.low == q.high == 1 and label.endswith("s"):
        label = label[:-1]
    text = f"{text} {label}".rstrip() if label else text
    if strict and q.qualifier in ("at-least", "at-most"):
        return (">" if q.qualifier == "at-least" else "<") + " " + text
    return QUALIFIER_LABEL[q.qualifier] + text


def format_gap(gap: float, unit: str) -> str:
    """ "9.3 pp", "12 days", "1 day", "$1,000", "2 sessions"."""
    if unit == "usd":
        return f"${rounded(gap)}"
    if not unit:
        return rounded(gap)
    if unit == "days" and gap == 1:
        return "1 day"
    return f"{rounded(gap)} {unit}"


def format_interval(interval: tuple[float, float], dimension: str) -> str:
    """An interval in its dimension's base unit: "[60, 70] %", "[14, 28] days", "[$1, $2]"."""
    lo, hi = rounded(interval[0]), rounded(interval[1])
    if dimension == "money":
        return f"[${lo}, ${hi}]"
    return f"[{lo}, {hi}] {DIMENSION_UNIT.get(dimension, dimension)}".rstrip()


def format_span(interval: tuple[float, float], dimension: str) -> str:
    """A recomputed value in words: "2.5 times", "12%", "2.5–11 times", "over 3 times"."""
    lo, hi = interval
    unit = {"percent": "%", "times": " times", "time": " days", "length": " mm"}.get(
        dimension, f" {DIMENSION_UNIT.get(dimension, dimension)}".rstrip()
    )
    money = dimension == "money"

    def one(x: float) -> str:
        return f"${rounded(x)}" if money else f"{rounded(x)}{unit}"

    if hi == math.inf:
        return f"at least {one(lo)}"
    if lo == hi or rounded(lo) == rounded(hi):
        return one(lo)
    return f"{one(lo).removesuffix(unit) if not money else one(lo)}–{one(hi)}"


def format_tick(x: float, unit: str | None) -> str:
    """A short axis label: 25, 2.5, $3k, $1.5M, 50M."""
    x = round(x, 10)
    sign = "-" if x < 0 else ""
    a = abs(x)
    if a >= 1e6:
        text = f"{a / 1e6:g}M"
    elif a >= 1e4 or (unit == "usd" and a >= 1e3):
        text = f"{a / 1e3:g}k"
    else:
        text = f"{a:g}"
    return sign + ("$" if unit == "usd" else "") + text


def unit_title(unit: str | None) -> str:
    """A unit's name over an axis: '%', '$', 'days'."""
    return UNIT_TITLE.get(unit, unit or "")
