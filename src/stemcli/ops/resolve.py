"""Resolve what a person typed into dataset ids: conditions, stages, outcomes, sources."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stemcli.errors import UsageError
from stemcli.model import Condition, Dataset

FUZZY_THRESHOLD = 90.0  # 88 would take "hip osteoarthritis" to knee-oa
AMBIGUITY_MARGIN = 4.0


@dataclass(frozen=True)
class Resolved:
    condition: Condition
    fuzzy: bool = False
    score: float = 100.0


def normalise(text: str) -> str:
    """Case-folded, punctuation-light form used for exact matching."""
    t = text.casefold().replace("&", " and ")
    t = re.sub(r"[\s_\-–—/.,()']+", " ", t)
    return t.strip()


def _names(c: Condition) -> list[str]:
    return [c.id, c.name, *c.aliases]


def resolve_condition(ds: Dataset, query: str) -> Resolved:
    """By id, name or alias (case-insensitive), else fuzzily; never a silent weak guess."""
    wanted = normalise(query)
    if not wanted:
        raise UsageError("the condition is empty", hint="see 'stemcli conditions'")
    exact = {c.id for c in ds.conditions.values() if wanted in {normalise(n) for n in _names(c)}}
    if len(exact) == 1:
        return Resolved(ds.conditions[exact.pop()])
    if len(exact) > 1:
        raise UsageError(
            f"condition {query!r} is ambiguous: it names {', '.join(sorted(exact))}",
            hint="use a condition id",
        )
    from rapidfuzz import fuzz

    best: dict[str, float] = {}
    for c in ds.conditions.values():
        best[c.id] = max(fuzz.token_sort_ratio(wanted, normalise(n)) for n in _names(c))
    ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
    if not ranked:
        raise UsageError(f"unknown condition {query!r}: the dataset has no conditions")
    closest = ", ".join(cid for cid, _ in ranked[:3])
    top_id, top = ranked[0]
    if top < FUZZY_THRESHOLD:
        raise UsageError(
            f"unknown condition {query!r}; closest: {closest}",
            hint="see 'stemcli conditions' for every condition and its aliases",
        )
    if len(ranked) > 1 and top - ranked[1][1] < AMBIGUITY_MARGIN:
        raise UsageError(
            f"condition {query!r} is ambiguous; closest: {closest}", hint="use a condition id"
        )
    return Resolved(ds.conditions[top_id], fuzzy=True, score=top)


def resolve_stage(condition: Condition, query: str) -> str:
    """A stage id of ``condition`` by id or alias; an error lists the valid ones."""
    wanted = normalise(query)
    for st in condition.stages:
        if wanted in {normalise(st.id), *(normalise(a) for a in st.aliases)}:
            return st.id
    if not condition.stages:
        raise UsageError(f"condition {condition.id!r} has no stages")
    valid = "; ".join(
        st.id + (f" ({', '.join(st.aliases)})" if st.aliases else "") for st in condition.stages
    )
    raise UsageError(f"condition {condition.id!r} has no stage {query!r}; valid stages: {valid}")


def resolve_outcome(ds: Dataset, query: str) -> str:
    wanted = normalise(query)
    for o in ds.outcomes.values():
        if wanted in (normalise(o.id), normalise(o.name)):
            return o.id
    import difflib

    close = difflib.get_close_matches(query, list(ds.outcomes), n=3, cutoff=0.5)
    # docs/DATA.md is not installed with the wheel: name the outcomes themselves
    hint = f"closest: {', '.join(close)}" if close else f"outcomes: {', '.join(ds.outcomes)}"
    raise UsageError(f"unknown outcome {query!r}", hint=hint)


def resolve_source(ds: Dataset, query: str) -> str:
    wanted = normalise(query)
    for s in ds.sources.values():
        if wanted in (normalise(s.id), normalise(s.publisher)):
            return s.id
    raise UsageError(
        f"unknown source {query!r}; sources: {', '.join(ds.sources) or 'none'}",
        hint="see 'stemcli sources'",
    )
