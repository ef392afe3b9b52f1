"""Interval arithmetic for figures that restate others (a claim's ``derived``).

Each part is an interval [low, high] in its dimension's base unit, qualifiers applied
(:func:`stemcli.quantities.ends`), so the result is every value the parts allow: a
ratio of $20,000-$33,000 to $3,000-$8,000 is 2.5 to 11 times. The operations, of
(first, second):

- ``ratio``: first / second, in times;
- ``difference``: first - second, in the parts' unit (percentage points for percentages);
- ``percent-change``: (second - first) / first x 100, in percent;
- ``reduction``: (first - second) / first x 100, in percent ("3mm to 1.5mm" is 50%);
- ``sum``: first + second, in the parts' unit.
"""

from __future__ import annotations

import math

Interval = tuple[float, float]

# the dimension of each operation's result; None: the parts' own dimension
_RESULT: dict[str, str | None] = {
    "ratio": "times",
    "difference": None,
    "percent-change": "percent",
    "reduction": "percent",
    "sum": None,
}


class ArithmeticError_(ValueError):
    """The parts cannot be combined (a division by a part that may be zero)."""


def result_dimension(op: str, first: str, second: str) -> str | None:
    """The dimension ``op`` gives for parts of dimensions ``first`` and ``second``, or
    None when they cannot be combined (the parts must share one dimension)."""
    if first != second:
        return None
    out = _RESULT[op]
    return first if out is None else out


def _divide(a: Interval, b: Interval) -> Interval:
    """a / b: the smallest and largest quotient. A divisor that only starts at 0 ("up to
    5%") bounds the result below; one that holds 0 inside, or is 0, leaves it unknown."""
    if b[0] == 0 < b[1] and a[0] >= 0:
        return (a[0] / b[1], math.inf)
    if b[0] <= 0 <= b[1]:
        raise ArithmeticError_("the divisor may be 0, so the result is unbounded")
    quotients = [x / y for x in a for y in b]
    finite = [q for q in quotients if not math.isnan(q)]  # inf / inf: unbounded
    lo, hi = min(finite, default=-math.inf), max(finite, default=math.inf)
    if len(finite) < len(quotients):
        lo, hi = min(lo, 0.0), math.inf
    return (lo, hi)


def combine(op: str, a: Interval, b: Interval) -> Interval:
    """Every value ``op`` gives for a first part in ``a`` and a second in ``b``; raises
    :class:`ArithmeticError_` when the parts cannot be combined or the result lies beyond
    the floats (a ratio of 10^180 to 10^-180)."""
    lo, hi = _combine(op, a, b)
    if not math.isfinite(lo) and not (lo == -math.inf and hi > lo):
        raise ArithmeticError_("the result is beyond the numbers a float holds")
    if math.isnan(hi):
        raise ArithmeticError_("the result is not a number")
    return lo, hi


def _combine(op: str, a: Interval, b: Interval) -> Interval:
    if op == "sum":
        return (a[0] + b[0], a[1] + b[1])
    if op == "difference":
        return (a[0] - b[1], a[1] - b[0])
    if op == "ratio":
        return _divide(a, b)
    if op == "percent-change":  # (b - a) / a = b / a - 1
        lo, hi = _divide(b, a)
        return ((lo - 1) * 100, (hi - 1) * 100)
    if op == "reduction":  # (a - b) / a = 1 - b / a
        lo, hi = _divide(b, a)
        return ((1 - hi) * 100, (1 - lo) * 100)
    raise ValueError(f"unknown operation {op!r}")
