"""Resolve what a person typed into dataset ids: conditions, stages, outcomes, sources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stemcli.errors import UsageError
from stemcli.ids import closest, normalise
from stemcli.model import Claim, Condition, Dataset

FUZZY_THRESHOLD = 90.0  # 88 would take "hip osteoarthritis" to knee-oa
AMBIGUITY_MARGIN = 4.0


@dataclass(frozen=True)
class Resolved:
    condition: Condition
    fuzzy: bool = False
    score: float = 100.0


def _names(c: Condition) -> list[str]:
    return [c.id, c.name, *c.aliases]


def _one(found: Iterable[str], what: str, query: str, hint: str) -> str | None:
    """The one id of ``found``, None when it is empty; several are a usage error."""
    ids = sorted(set(found))
    if len(ids) > 1:
        raise UsageError(f"{what} {query!r} is ambiguous: it names {', '.join(ids)}", hint=hint)
    return ids[0] if ids else None


def resolve_condition(ds: Dataset, query: str) -> Resolved:
    """By id, then by name or alias (case-insensitive), then fuzzily; never a weak guess.

    An exact id always wins, whatever other conditions call themselves: a condition
    named or aliased like another's id cannot take that id away from it.
    """
    wanted = normalise(query)
    if not wanted:
        raise UsageError("the condition is empty", hint="see 'stemcli conditions'")
    typed = query.strip()
    if typed in ds.conditions:
        return Resolved(ds.conditions[typed])
    hint = "use a condition id"
    for tier in (
        (c.id for c in ds.conditions.values() if normalise(c.id) == wanted),
        (c.id for c in ds.conditions.values() if wanted in {normalise(n) for n in _names(c)}),
    ):
        found = _one(tier, "condition", query, hint)
        if found is not None:
            return Resolved(ds.conditions[found])
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
        raise UsageError(f"condition {query!r} is ambiguous; closest: {closest}", hint=hint)
    return Resolved(ds.conditions[top_id], fuzzy=True, score=top)


def resolve_stage(condition: Condition, query: str) -> str:
    """A stage id of ``condition``: by id, then by id or alias case-insensitively.

    Validation keeps a condition's stage ids and aliases apart, so at most one stage
    matches; an ambiguity is still refused rather than decided by file order.
    """
    typed = query.strip()
    if typed in condition.stage_ids:
        return typed
    wanted = normalise(query)
    what = f"stage of {condition.id!r}"
    for tier in (
        (st.id for st in condition.stages if normalise(st.id) == wanted),
        (st.id for st in condition.stages if wanted in {normalise(a) for a in st.aliases}),
    ):
        found = _one(tier, what, query, "use a stage id")
        if found is not None:
            return found
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
    close = closest(query, ds.outcomes)
    # docs/DATA.md is not installed with the wheel: name the outcomes themselves
    hint = f"closest: {', '.join(close)}" if close else f"outcomes: {', '.join(ds.outcomes)}"
    raise UsageError(f"unknown outcome {query!r}", hint=hint)


def find_source(ds: Dataset, query: str) -> str | None:
    """A source id: by id exactly, then by publisher exactly, then case-insensitively;
    None when nothing matches.

    An id always wins over a publisher's name ("beta" is the source beta, even when
    another source's publisher is called "beta"); a publisher's name shared by
    several sources is refused with their ids.
    """
    typed = query.strip()
    if typed in ds.sources:
        return typed
    wanted = normalise(query)
    hint = "use a source id (see 'stemcli sources')"
    for tier in (
        (s.id for s in ds.sources.values() if s.publisher == typed),
        (s.id for s in ds.sources.values() if normalise(s.id) == wanted),
        (s.id for s in ds.sources.values() if normalise(s.publisher) == wanted),
    ):
        found = _one(tier, "source", query, hint)
        if found is not None:
            return found
    return None


def resolve_source(ds: Dataset, query: str) -> str:
    """:func:`find_source`, or a usage error naming the sources there are."""
    found = find_source(ds, query)
    if found is not None:
        return found
    raise UsageError(
        f"unknown source {query!r}; sources: {', '.join(ds.sources) or 'none'}",
        hint="see 'stemcli sources'",
    )


CANDIDATES_SHOWN = 5


def resolve_claim(ds: Dataset, query: str) -> Claim:
    """A claim by its id, then by its handle, then by a prefix of exactly one id or
    handle; an ambiguous prefix is a usage error naming candidates (handle and id), an
    unknown one names the closest ids."""
    from stemcli.ops.handles import handles

    typed = query.strip()
    exact = ds.claim(typed)
    if exact is not None:
        return exact
    short = handles(ds)
    by_handle = [c for c in ds.claims if short.get(c.id) == typed]
    if len(by_handle) == 1:  # handles are unique: at most one
        return by_handle[0]
    found = [
        c
        for c in ds.claims
        if typed and (c.id.startswith(typed) or short.get(c.id, "").startswith(typed))
    ]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(f"{short.get(c.id, c.id)} ({c.id})" for c in found[:CANDIDATES_SHOWN])
        more = f" and {len(found) - CANDIDATES_SHOWN} more" if len(found) > CANDIDATES_SHOWN else ""
        raise UsageError(
            f"claim {query!r} is ambiguous: it begins {len(found)} ids or handles ({names}{more})",
            hint="type more of the id or handle",
        )
    from stemcli.dataset.validate.fields import _suggest

    raise UsageError(
        f"no claim {query!r}{_suggest(typed, [c.id for c in ds.claims])}",
        hint="the Id column of lookup, search and conflicts names each claim by its handle",
    )
