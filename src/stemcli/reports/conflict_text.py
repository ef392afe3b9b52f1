"""How conflicts' numbers read: gaps, intervals, a timepoint check and a verdict.

The conflicts operation returns numbers and reason codes (:mod:`stemcli.ops.conflicts`);
the sentences people read are written here, once, for every format.
"""

from __future__ import annotations

import math
from typing import Any

from stemcli.ops.conflicts import Check, Explanation

Interval = tuple[float, float]


def number(x: float) -> str:
    """At most two decimals, thousands separated, ∞ for an open end."""
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    r = round(x, 2)
    if r == int(r):
        return f"{int(r):,}"
    return f"{r:,.2f}".rstrip("0").rstrip(".")


def format_gap(gap: float, unit: str) -> str:
    """ "9.3 pp", "12 days", "$1,000", "2 sessions"."""
    if unit == "usd":
        return f"${number(gap)}"
    if not unit:
        return number(gap)
    if unit == "days" and gap == 1:
        return "1 day"
    return f"{number(gap)} {unit}"


def format_interval(iv: Interval, dim: str) -> str:
    """An interval in the dimension's base unit: "[60, 70] %", "[14, 28] days"."""
    lo, hi = number(iv[0]), number(iv[1])
    if dim == "money":
        return f"[${lo}, ${hi}]"
    unit = {"percent": "%", "time": "days", "money": "", "length": "mm", "number": ""}.get(dim, dim)
    return f"[{lo}, {hi}] {unit}".rstrip()


def check_detail(check: Check) -> str:
    """A rule's reason in words, with the numbers the rule compared."""
    if check.reason not in ("apart", "not-apart"):
        return check.detail
    late, early = check.fact("later_start_days"), check.fact("earlier_end_days")
    limit = f"{check.fact('ratio'):g} × the earlier's end, {number(early)} days"
    if check.reason == "apart":
        return (
            f"{check.detail} (the later starts at {number(late)} days, at least {limit}); "
            "such claims are not compared"
        )
    return f"{check.detail} (the later starts at {number(late)} days, less than {limit})"


def verdict(e: Explanation) -> str:
    """One sentence: not comparable (and why), comparable and agreeing, or the conflict."""
    if not e.comparable:
        return f"Not comparable ({', '.join(e.failed)}): conflicts never pairs these claims."
    x = e.conflict
    if x is None:
        return "Comparable, and no conflict: the intervals overlap (or touch)."
    return (
        f"Conflict ({x.kind}{', internal' if x.internal else ''}): gap "
        f"{format_gap(x.gap, x.unit)} ({x.relative_gap:.0%} of the larger value). {x.why}"
    )


def explanation_data(e: Explanation) -> dict[str, Any]:
    """The explanation as data: the operation's fields, each check's detail and the verdict."""
    data = e.to_json()
    data["checks"] = [{"check": c.name, "ok": c.ok, "detail": check_detail(c)} for c in e.checks]
    data["verdict"] = verdict(e)
    return data
