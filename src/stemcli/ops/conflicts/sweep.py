"""The sort-and-sweep: counting conflicting pairs without listing them, and the top N.

Two intervals do not overlap exactly when one lies entirely above the other, so the number
of conflicting pairs between two sub-groups is a sum of bisections over sorted lower and
upper bounds: counting never looks at pairs. The most severe pairs are found best-first:
for a fixed upper claim, its partners sorted by upper bound come in falling severity, so a
heap holding each claim's best partner yields the top N in O(n log n + N log n).
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import chain
from typing import Any

from stemcli.ops.conflicts.results import ConflictCounts, Selection, relative
from stemcli.ops.conflicts.select import CUT, Cut, Item, Prepared


def _partition(
    prep: Prepared, items: Iterable[Item], *, by_class: bool, by_source: bool
) -> Iterator[list[tuple[int, list[Item]]]]:
    """Groups of mutually comparable claims (but for stages and timepoints), as
    (sub-group key, members) lists; groups that cannot hold a pair are left out."""
    groups: dict[int, dict[int, list[Item]]] = {}
    nc = prep.n_classes if by_class else 1
    ns = prep.n_sources if by_source else 1
    for it in items:
        key = it.group
        if by_class:
            key = key * nc + it.cls
        if by_source:
            key = key * ns + it.source
        group = groups.get(key)
        if group is None:
            groups[key] = {it.sub: [it]}
            continue
        members = group.get(it.sub)
        if members is None:
            group[it.sub] = [it]
        else:
            members.append(it)
    for group in groups.values():
        if len(group) > 1 or any(len(m) > 1 for m in group.values()):
            yield list(group.items())


def _nested(
    prep: Prepared, items: Iterable[Item], *, by_source: bool
) -> Iterator[list[dict[int, list[Item]]]]:
    """Per comparability group (and source, with ``by_source``): per class, the members by
    sub-group."""
    groups: dict[int, dict[int, dict[int, list[Item]]]] = {}
    ns = prep.n_sources if by_source else 1
    for it in items:
        key = it.group * ns + it.source if by_source else it.group
        classes = groups.get(key)
        if classes is None:
            classes = groups[key] = {}
        subs = classes.get(it.cls)
        if subs is None:
            subs = classes[it.cls] = {}
        members = subs.get(it.sub)
        if members is None:
            subs[it.sub] = [it]
        else:
            members.append(it)
    for classes in groups.values():
        yield list(classes.values())


def _compat_lists(prep: Prepared, keys: Sequence[int]) -> list[list[int]]:
    """For each sub-group, the sub-groups it may be paired with (itself included)."""
    m = len(keys)
    out: list[list[int]] = [[i] for i in range(m)]
    for i in range(m):
        for j in range(i + 1, m):
            if prep.compatible(keys[i], keys[j]):
                out[i].append(j)
                out[j].append(i)
    return out


def _above(x_cuts: list[float], y_his: list[float]) -> int:
    """#{(x, y): y.hi < x.cut} for x with sorted ``x_cuts`` and y with sorted ``y_his``.

    Iterates over the smaller side: for each y, the x whose cut exceeds y.hi are
    ``len - bisect_right``; for each x, the y below it are ``bisect_left``.
    """
    if not x_cuts or not y_his or x_cuts[-1] <= y_his[0]:
        return 0
    if len(x_cuts) <= len(y_his):
        return sum(map(partial(bisect_left, y_his), x_cuts))
    return len(x_cuts) * len(y_his) - sum(map(partial(bisect_right, x_cuts), y_his))


def _count_subs(
    pairs: Sequence[tuple[int, int]], cuts: Sequence[list[float]], his: Sequence[list[float]]
) -> int:
    """The pairs within each sub-group and between the compatible ones (``pairs``, i < j)
    whose lower item's ``hi`` lies below the upper's cut, from sorted cuts and his."""
    total = 0
    for i in range(len(cuts)):
        total += _above(cuts[i], his[i])
    for i, j in pairs:
        total += _above(cuts[i], his[j]) + _above(cuts[j], his[i])
    return total


def _sorted_ends(groups: Sequence[Sequence[Item]]) -> tuple[list[list[float]], ...]:
    """Per sub-group: sorted cuts, sorted tension cuts, sorted upper ends."""
    return (
        [sorted([it.cut for it in m]) for m in groups],
        [sorted([it.tcut for it in m]) for m in groups],
        [sorted([it.hi for it in m]) for m in groups],
    )


def _counts(prep: Prepared, items: Sequence[Item], *, by_source: bool) -> ConflictCounts:
    """Every kind of pair among ``items``, each counted by sweeps, none listed: one pass
    over the groups of one class for what needs the same quantity, one over the groups of
    every class for the tensions across measures."""
    contradiction = bound = same_far = typical_far = cross = 0
    compatible = prep.compatible

    def pairs_of(keys: Sequence[int]) -> list[tuple[int, int]]:
        m = len(keys)
        return [(i, j) for i in range(m) for j in range(i + 1, m) if compatible(keys[i], keys[j])]

    for by_class in _nested(prep, items, by_source=by_source):
        # every class of the group at once: the tensions across measures
        merged: dict[int, list[Item]] = {}
        for subs in by_class:
            for sub, m in subs.items():
                merged.setdefault(sub, []).extend(m)
        if len(merged) > 1 or any(len(m) > 1 for m in merged.values()):
            keys = list(merged)
            groups = list(merged.values())
            tcuts = [sorted([it.tcut for it in g]) for g in groups]
            his = [sorted([it.hi for it in g]) for g in groups]
            cross += _count_subs(pairs_of(keys), tcuts, his)
        for subs in by_class:
            if len(subs) < 2 and not any(len(m) > 1 for m in subs.values()):
                continue
            keys = list(subs)
            members = list(subs.values())
            pairs = pairs_of(keys)
            cuts, tcuts, his = _sorted_ends(members)
            far = _count_subs(pairs, tcuts, his)
            same_far += far
            if any(it.case for g in members for it in g):
                typical = [[it for it in g if not it.case] for g in members]
                cuts, tcuts, his = _sorted_ends(typical)
                far = _count_subs(pairs, tcuts, his)
            else:
                typical = members
            typical_far += far
            contradiction += _count_subs(pairs, cuts, his)
            if any(it.bound for g in typical for it in g):
                bounded = [[it for it in g if it.bound] for g in typical]
                b_cuts, _, b_his = _sorted_ends(bounded)
                bound += _count_subs(pairs, b_cuts, b_his)
    return ConflictCounts.of_sweeps(contradiction, bound, cross, same_far, typical_far)


def selection_counts(prep: Prepared, sel: Selection) -> ConflictCounts:
    """The pairs of every kind (arithmetic aside: see :mod:`.derived`)."""
    items = prep.items
    if sel.source is None or sel.internal:
        return _counts(prep, items, by_source=sel.internal)
    # pairs involving the source = all pairs - pairs among the other sources' statements
    src = prep.source_ids.get(sel.source, -1)
    everything = _counts(prep, items, by_source=False)
    return everything - _counts(prep, [it for it in items if it.source != src], by_source=False)


class _Partners:
    """Candidate lower partners sorted by (hi, idx), with runs of one class to skip."""

    __slots__ = ("cls", "items", "keys", "run_end")

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.keys = [(it.hi, it.idx) for it in items]
        self.cls = [it.cls for it in items]
        n = len(items)
        run_end = [n] * n
        for i in range(n - 2, -1, -1):
            run_end[i] = run_end[i + 1] if self.cls[i + 1] == self.cls[i] else i + 1
        self.run_end = run_end

    def first(self, pos: int, skip: int | None) -> int:
        """The first position at or after ``pos`` whose class is not ``skip``."""
        if skip is not None and pos < len(self.items) and self.cls[pos] == skip:
            return self.run_end[pos]
        return pos


def _by_hi(items: Iterable[Item]) -> list[Item]:
    return sorted(items, key=lambda it: (it.hi, it.idx))


# (-relative gap, -gap, lower hi, upper idx, lower idx, upper, lower, stream)
_Entry = tuple[float, float, float, int, int, Item, Item, Any]


def _entry(a: Item, b: Item, stream: Any) -> _Entry:
    gap = a.lo - b.hi
    # for non-negative values the larger value of the pair is a.top (b lies below a)
    rel = gap / a.top if a.top > 0 else 0.0
    return (-rel, -gap, b.hi, a.idx, b.idx, a, b, stream)


def _entries(uppers: Iterable[Item], b: Item, stream: Any, cut: Cut = CUT) -> list[_Entry]:
    """:func:`_entry` for every claim of ``uppers`` that lies above ``b`` (batched: hot)."""
    b_hi, b_idx = b.hi, b.idx
    out: list[_Entry] = []
    for a in uppers:
        if b_hi < cut(a):
            gap = a.lo - b_hi
            rel = gap / a.top if a.top > 0 else 0.0
            out.append((-rel, -gap, b_hi, a.idx, b_idx, a, b, stream))
    return out


Pair = tuple[_Entry, Item, Item]


def top_pairs(
    prep: Prepared,
    items: Sequence[Item],
    limit: int,
    *,
    by_class: bool,
    skip_class: bool = False,
    by_source: bool = False,
    mark: Callable[[Item], bool] | None = None,
    accept: Callable[[Item, Item], bool] | None = None,
    cut: Cut = CUT,
) -> list[Pair]:
    """The ``limit`` most severe (upper, lower) pairs among ``items``, best first, each
    with its sort key: pairs of one class (``by_class``), or of two (``skip_class``), or
    either; within one source (``by_source``); with at least one ``mark``-ed item; and
    that ``accept`` takes.

    Every unordered pair has exactly one upper item (its interval lies above the other's),
    so each pair belongs to one stream: its upper item's partners in (hi, idx) order,
    which for a fixed upper item is falling severity. The heap holds the head of every
    stream; popping one advances its stream.
    """
    if limit <= 0:
        return []
    heap: list[_Entry] = []
    merged_cache: dict[tuple[int, int, bool | None], _Partners] = {}
    group_data: list[tuple[list[list[Item]], list[list[int]]]] = []
    parts = _partition(prep, items, by_class=by_class, by_source=by_source)
    for g, subs in enumerate(parts):
        members = [m for _, m in subs]
        compat = _compat_lists(prep, [k for k, _ in subs])
        group_data.append((members, compat))
        if any(it.lo < 0 for m in members for it in m):
            # severity falls along a stream only for non-negative values (all the parser
            # produces); rank such a group's pairs exhaustively
            found = _exhaustive(members, compat, skip_class, mark, accept, cut)
            heap.extend(heapq.nsmallest(limit, found))
            continue
        lists: dict[bool | None, list[_Partners]] = {None: [_Partners(_by_hi(m)) for m in members]}
        if mark is not None:
            lists[True] = [_Partners(_by_hi(it for it in m if mark(it))) for m in members]
        for i, m in enumerate(members):
            # marked items pair with anyone, the others with marked ones only
            buckets: list[tuple[bool | None, list[Item]]] = [(None, m)]
            if mark is not None:
                buckets = [
                    (None, [it for it in m if mark(it)]),
                    (True, [it for it in m if not mark(it)]),
                ]
            for r, uppers in buckets:
                best, second = _heads(lists[r], compat[i]) if uppers else (None, None)
                if best is None:
                    continue
                if not skip_class:
                    heap += _entries(uppers, best, (g, i, r), cut)
                    continue
                others = [it for it in uppers if it.cls != best.cls]
                heap += _entries(others, best, (g, i, r), cut)
                if second is not None:
                    same = [it for it in uppers if it.cls == best.cls]
                    heap += _entries(same, second, (g, i, r), cut)
    heapq.heapify(heap)
    out: list[Pair] = []
    while heap and len(out) < limit:
        entry = heapq.heappop(heap)
        a, b, stream = entry[5], entry[6], entry[7]
        if accept is None or accept(a, b):
            out.append((entry, a, b))
        if stream is None:
            continue
        g, i, r = stream
        merged = merged_cache.get(stream)
        if merged is None:
            members, compat = group_data[g]
            pool = chain.from_iterable(members[j] for j in compat[i])
            merged = merged_cache[stream] = _Partners(
                _by_hi(it for it in pool if r is None or (mark is not None and mark(it)))
            )
        pos = merged.first(bisect_right(merged.keys, (b.hi, b.idx)), a.cls if skip_class else None)
        if pos < len(merged.items) and merged.items[pos].hi < cut(a):
            heapq.heappush(heap, _entry(a, merged.items[pos], stream))
    return out


def _heads(lists: Sequence[_Partners], compat: Sequence[int]) -> tuple[Item | None, Item | None]:
    """Over the compatible sub-groups: the lowest partner, and the lowest of another class."""
    best: Item | None = None
    for j in compat:
        p = lists[j]
        if p.items and (best is None or p.keys[0] < (best.hi, best.idx)):
            best = p.items[0]
    if best is None:
        return None, None
    second: Item | None = None
    for j in compat:
        p = lists[j]
        pos = p.first(0, best.cls)
        if pos < len(p.items) and (second is None or p.keys[pos] < (second.hi, second.idx)):
            second = p.items[pos]
    return best, second


def _exhaustive(
    members: Sequence[Sequence[Item]],
    compat: Sequence[Sequence[int]],
    skip_class: bool,
    mark: Callable[[Item], bool] | None,
    accept: Callable[[Item, Item], bool] | None,
    cut: Cut,
) -> Iterator[_Entry]:
    """Every qualifying pair of one group, as final heap entries (no stream)."""
    for i, m in enumerate(members):
        for j in compat[i]:
            for a in m:
                for b in members[j]:
                    if b.hi >= cut(a) or (skip_class and a.cls == b.cls):
                        continue
                    if mark is not None and not (mark(a) or mark(b)):
                        continue
                    if accept is not None and not accept(a, b):
                        continue
                    gap = a.lo - b.hi
                    # as explain.finding ranks them: by the scale, or below 0 the largest end
                    if b.lo < 0:
                        rel = relative(gap, a.lo, a.hi, b.lo, b.hi)
                    else:
                        rel = gap / a.top if a.top > 0 else 0.0
                    yield (-rel, -gap, b.hi, a.idx, b.idx, a, b, None)
