"""The sort-and-sweep on arrays: conflicts' counts and most severe pairs with numpy.

The same rules and the same results as :func:`.select.prepare` with :mod:`.sweep`, for
datasets from :data:`VECTOR_FROM` claims on (below that, the pure-Python path runs and
numpy is never imported). Everything that depends on a claim's text is computed once per
distinct value of a column (a million claims hold a few thousand distinct values, stages,
timepoints, comparators); the per-claim work is array arithmetic:

- **statements**: the statement key of every selected claim as one integer (mixed radix
  over interned codes), its first claim in id order by ``np.unique``; rough values folded
  into the one exact value they round by a bisection per rough statement;
- **counts**: for every pair of compatible sub-groups ``(s, t)`` of a group, the number of
  ``(x in s, y in t)`` with ``y.hi < x.cut`` is a ``searchsorted`` of the smaller side
  into the other's sorted ends, all pairs of all groups in one call, on integer keys
  ``segment * R + rank`` (ranks of every end of every item, so that comparisons within a
  segment are exact and segments never mix);
- **top N**: each upper item's most severe partner is its compatible sub-groups' lowest
  item (of another class, for a tension across measures); the N most severe pairs have
  their upper items among the N uppers with the most severe best partners, whose partner
  streams are then merged exactly as :func:`.sweep.top_pairs` merges them.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from stemcli.model import ClaimColumns, Dataset
from stemcli.ops.conflicts.results import VECTOR_FROM, ConflictCounts, Selection
from stemcli.ops.conflicts.select import Item, Prepared, SubKey
from stemcli.ops.facts import TENSION_GAP, TINY
from stemcli.ops.rules import TIME, Interval, comparability_key, fold, same_time
from stemcli.quantities import bound_side, dimension, ends

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    FloatArray = npt.NDArray[np.float64]
    BoolArray = npt.NDArray[np.bool_]


_NEEDED = (
    "source",
    "condition",
    "stages",
    "outcome",
    "measure",
    "value",
    "timepoint",
    "comparator",
    "intervention",
    "group",
    "basis",
)


def columns_for(ds: Dataset, *, force: bool = False) -> ClaimColumns | None:
    """The dataset's columns when the array engine should run on it, else None."""
    columns = ds.columns
    if columns is None:
        if not force and len(ds.claims) < VECTOR_FROM:
            return None
        from stemcli.dataset.cache.codec import columns_of

        columns = columns_of(ds.claims, text_share=2.0)  # every column coded
    elif not force and columns.n < VECTOR_FROM:
        return None
    if any(len(columns.columns[name]) != 2 for name in _NEEDED):
        return None  # a column stored as text: the pure-Python path handles it
    return columns


class Statements:
    """The selected statements as arrays, in statement order (``idx``), and how to find
    their claims."""

    def __init__(self, **arrays: Any) -> None:
        self.__dict__.update(arrays)

    idx: IntArray
    lo: FloatArray
    hi: FloatArray
    cut: FloatArray
    tcut: FloatArray
    top: FloatArray
    source: IntArray
    cls: IntArray
    group: IntArray
    sub: IntArray
    case: BoolArray
    bound: BoolArray
    r_cut: IntArray  # ranks of cut, tcut and hi among all of them, below span
    r_tcut: IntArray
    r_hi: IntArray
    span: int
    # the selected claims: positions in the columns (id order), each one's final statement,
    # its own statement before folding, and whether that one was folded into another
    claim_pos: IntArray
    claim_final: IntArray
    claim_stmt: IntArray
    claim_rough: BoolArray
    subkeys: list[SubKey]
    source_ids: dict[str, int]
    n_classes: int


def _dense(*cols: IntArray) -> IntArray:
    """One code per distinct row of ``cols`` (all non-negative): 0, 1, 2 ... in the order
    of the rows' mixed-radix values. A table of presence when the radix product is small
    (no sort), else ``np.unique``."""
    import numpy as np

    n = len(cols[0])
    key = np.zeros(n, dtype=np.int64)
    span = 1
    for col in cols:
        radix = int(col.max()) + 1 if n else 1
        if span * radix >= 1 << 62:
            key = _compact(key, span)
            span = int(key.max()) + 1 if n else 1
        key = key * radix + col
        span *= radix
    return _compact(key, span)


def _compact(key: IntArray, span: int) -> IntArray:
    import numpy as np

    if span <= max(4 * len(key), 1 << 16):
        present = np.zeros(span, dtype=np.int64)
        present[key] = 1
        remap = np.cumsum(present) - 1
        return remap[key]
    return np.unique(key, return_inverse=True)[1].astype(np.int64).reshape(-1)


def _representatives(codes: IntArray) -> IntArray:
    """For each code 0..k-1, a position holding it."""
    import numpy as np

    rep = np.empty(int(codes.max()) + 1 if len(codes) else 0, dtype=np.int64)
    rep[codes] = np.arange(len(codes))
    return rep


def _codes(columns: ClaimColumns, name: str) -> tuple[list[Any], IntArray]:
    import numpy as np

    values, codes = columns.columns[name]
    return values, np.asarray(codes).astype(np.int64)


def statements(ds: Dataset, columns: ClaimColumns, sel: Selection) -> Statements | None:
    """What :func:`.select.prepare` makes of the selection, as arrays; None when the
    selection holds a value below zero (ranked exhaustively by the pure-Python path)."""
    import numpy as np

    tol = sel.tolerance
    src_v, src = _codes(columns, "source")
    cond_v, cond = _codes(columns, "condition")
    stages_v, stages = _codes(columns, "stages")
    out_v, outc = _codes(columns, "outcome")
    meas_v, meas = _codes(columns, "measure")
    val_v, val = _codes(columns, "value")
    tp_v, tpc = _codes(columns, "timepoint")
    comp_v, comp = _codes(columns, "comparator")
    int_v, intv = _codes(columns, "intervention")
    grp_v, grp = _codes(columns, "group")
    basis_v, basis = _codes(columns, "basis")

    # the selection (selected() in select.py), in id order
    def ok(values: list[Any], test: Callable[[Any], bool]) -> BoolArray:
        return np.array([test(v) for v in values], dtype=bool)

    from stemcli.ops.rules import reference_sources

    refs = reference_sources(ds)
    mask = ok(out_v, lambda o: ds.outcomes.get(o) is None or ds.outcomes[o].compared)[outc]
    if refs:  # reference claims are never marketing (see select.selected)
        mask &= ok(src_v, lambda s: s not in refs)[src]
    if sel.condition is not None:
        mask &= ok(cond_v, lambda c: c == sel.condition)[cond]
    if sel.stage is not None:
        mask &= ok(stages_v, lambda st: not st or sel.stage in st)[stages]
    if sel.internal and sel.source:
        mask &= ok(src_v, lambda s: s == sel.source)[src]
    by_id = np.asarray(columns.by_id).astype(np.int64)
    pos = by_id[mask[by_id]]  # selected claims, in id order
    if not len(pos):
        return _empty()
    src, cond, stages, outc, meas = src[pos], cond[pos], stages[pos], outc[pos], meas[pos]
    val, tpc, comp, intv, grp, basis = (
        val[pos],
        tpc[pos],
        comp[pos],
        intv[pos],
        grp[pos],
        basis[pos],
    )

    # per distinct value: its ends (capped and not), dimension, bound, rough top
    caps = np.array(
        [
            (ds.measures.get(m) is not None and ds.measures[m].max_percent is not None)
            for m in meas_v
        ],
        dtype=bool,
    )
    capped = caps[meas] & ok(comp_v, lambda c: c is None)[comp]
    nv = len(val_v)
    lo_t = np.empty(2 * nv)
    hi_t = np.empty(2 * nv)
    dims: dict[str, int] = {}
    dim_t = np.empty(nv, dtype=np.int64)
    bound_t = np.empty(nv, dtype=bool)
    about_t = np.empty(nv, dtype=bool)
    exact_t = np.empty(nv, dtype=bool)
    atleast_t = np.empty(nv, dtype=bool)
    nearly_t = np.empty(nv, dtype=bool)
    unit_q: dict[tuple[object, ...], int] = {}
    unitq_t = np.empty(nv, dtype=np.int64)
    for i, q in enumerate(val_v):
        lo_t[2 * i], hi_t[2 * i] = ends(q, tol, capped=False)
        lo_t[2 * i + 1], hi_t[2 * i + 1] = ends(q, tol, capped=True)
        dim_t[i] = dims.setdefault(dimension(q.unit), len(dims))
        bound_t[i] = bound_side(q) is not None
        about_t[i] = q.qualifier == "about"
        exact_t[i] = q.qualifier == "exact"
        atleast_t[i] = q.qualifier == "at-least"
        nearly_t[i] = q.text.lstrip().lower().startswith(("nearly", "almost"))
        unitq_t[i] = unit_q.setdefault((q.unit, q.qualifier), len(unit_q))
    vc = 2 * val + capped
    lo, hi = lo_t[vc], hi_t[vc]
    if bool((lo < 0).any()):
        return None
    time_code = dims.get(TIME, -1)
    dim = dim_t[val]
    timed = dim == time_code

    # comparability groups: interned over distinct (condition, what, dim, folds)
    families = {o.id: o.family for o in ds.outcomes.values()}
    dim_names = list(dims)
    raw = _dense(cond, outc, timed.astype(np.int64), dim, comp, intv, grp)
    first = _representatives(raw)
    groups: dict[object, int] = {}
    gid_of = np.empty(len(first), dtype=np.int64)
    for r, i in enumerate(first):
        outcome = out_v[outc[i]]
        d = dim_names[dim[i]]
        what = outcome if d == TIME else families.get(outcome, outcome)
        key = (
            cond_v[cond[i]],
            what,
            d,
            fold(comp_v[comp[i]]),
            fold(int_v[intv[i]]),
            fold(grp_v[grp[i]]),
        )
        gid_of[r] = groups.setdefault(key, len(groups))
    gid = gid_of[raw]

    # stages sorted; timepoints as intervals; sub-groups (stages, timepoint)
    canon: dict[tuple[str, ...], int] = {}
    stage_t = np.array(
        [canon.setdefault(st if len(st) < 2 else tuple(sorted(st)), len(canon)) for st in stages_v],
        dtype=np.int64,
    )
    canon_list = list(canon)
    tp_ends: dict[Interval | None, int] = {}
    when_t: dict[tuple[Interval, str] | None, int] = {}
    tpe = np.empty(len(tp_v), dtype=np.int64)
    tpw = np.empty(len(tp_v), dtype=np.int64)
    for i, t in enumerate(tp_v):
        iv = None if t is None else ends(t, tol)
        tpe[i] = tp_ends.setdefault(iv, len(tp_ends))
        tpw[i] = when_t.setdefault(None if iv is None else (iv, t.qualifier), len(when_t))
    tp_list = list(tp_ends)
    sc = stage_t[stages]
    sub_raw = _dense(sc, tpe[tpc])
    sub_first = _representatives(sub_raw)
    subkeys: list[SubKey] = [(canon_list[sc[i]], tp_list[tpe[tpc[i]]]) for i in sub_first]
    sub = sub_raw

    # classes: (outcome, measure class)
    cls = _dense(outc, np.where(timed, -1, meas) + 1)

    # statements: (source, group, stages, outcome, measure, when), lo, hi, unit, qualifier
    question = _dense(src, gid, sc, outc, meas, tpw[tpc])
    # (lo, hi, unit, qualifier) interned per distinct (value, capped)
    ends_of: dict[tuple[float, float, int], int] = {}
    vkey_t = np.array(
        [
            ends_of.setdefault((float(lo_t[j]), float(hi_t[j]), int(unitq_t[j // 2])), len(ends_of))
            for j in range(2 * nv)
        ],
        dtype=np.int64,
    )
    skey = _dense(question, vkey_t[vc])
    # statements numbered by their first claim (claims are in id order)
    order_s = np.argsort(skey, kind="stable")
    sk = skey[order_s]
    starts = np.ones(len(sk), dtype=bool)
    starts[1:] = sk[1:] != sk[:-1]
    first_pos = order_s[starts]  # each statement's first claim, statements by key
    is_first = np.zeros(len(pos), dtype=bool)
    is_first[first_pos] = True
    seq = np.cumsum(is_first) - 1  # at a first claim: its statement's number
    by_key = np.cumsum(starts) - 1
    stmt = np.empty(len(pos), dtype=np.int64)
    stmt[order_s] = seq[first_pos][by_key]
    m = len(first_pos)
    head = np.nonzero(is_first)[0]  # each statement's first claim (index into pos)
    s_lo, s_hi = lo[head], hi[head]
    s_q = question[head]
    s_about, s_exact = about_t[val[head]], exact_t[val[head]]
    is_case = (
        basis == basis_v.index("case-report")
        if "case-report" in basis_v
        else np.zeros(len(pos), dtype=bool)
    )

    # fold each rough statement into the one exact value it rounds, if there is one
    host = np.arange(m)
    rough = np.nonzero(s_about)[0]
    if len(rough):
        ex = np.nonzero(s_exact)[0]
        ex = ex[np.lexsort((s_lo[ex], s_q[ex]))]
        ex_q, ex_lo, ex_hi = s_q[ex], s_lo[ex], s_hi[ex]
        r_lo = s_lo[rough]
        r_top = np.where(nearly_t[val[head[rough]]], (r_lo + s_hi[rough]) / 2, s_hi[rough])
        # candidates: exact values of the same question with r_lo <= lo <= r_top
        qa = s_q[rough]
        start = _search2(ex_q, ex_lo, qa, r_lo, "left")
        stop = _search2(ex_q, ex_lo, qa, r_top, "right")
        lengths = np.maximum(stop - start, 0)
        cand = _ranges(start, lengths)
        owner = np.repeat(np.arange(len(rough)), lengths)
        fits = ex_hi[cand] <= r_top[owner]
        hosts = np.bincount(owner[fits], minlength=len(rough))
        single = hosts == 1
        chosen = np.full(len(rough), -1, dtype=np.int64)
        chosen[owner[fits]] = ex[cand[fits]]
        host[rough[single]] = chosen[single]
    folded = host != np.arange(m)
    # surviving statements keep their order; idx is the rank among them
    alive = ~folded
    new_idx = np.cumsum(alive) - 1
    final = new_idx[host]  # each statement's final statement
    claim_final = final[stmt]
    n_final = int(alive.sum())
    noncase = np.bincount(claim_final[~is_case], minlength=n_final)
    keep = np.nonzero(alive)[0]
    h = head[keep]
    # each statement's ends, from a table of the distinct (lo, hi, unit, qualifier)
    e_lo = np.array([k[0] for k in ends_of], dtype=np.float64)
    e_hi = np.array([k[1] for k in ends_of], dtype=np.float64)
    e_atleast = np.zeros(len(ends_of), dtype=bool)
    e_atleast[vkey_t] = np.repeat(atleast_t, 2)
    min_gap = sel.min_gap
    if min_gap <= 0:
        e_cut = e_lo.copy()
    else:
        e_cut = np.minimum(e_lo, np.nextafter(e_lo - min_gap, math.inf))
    e_top = np.where((e_hi < math.inf) & ~e_atleast, e_hi, np.where(e_lo >= TINY, e_lo, 0.0))
    e_tcut = np.nextafter(e_lo - TENSION_GAP * np.abs(e_top), math.inf)
    e_tcut = np.where(e_tcut < e_cut, e_tcut, e_cut)
    # every end ranked among all ends: the sweep compares integers
    values = np.unique(np.concatenate([e_cut, e_tcut, e_hi]))
    s_vk = vkey_t[vc[h]]
    # sources numbered in order of first appearance, as prepare numbers them
    s_src = src[h]
    uniq, first_src = np.unique(s_src, return_index=True)
    src_rank = np.empty(int(uniq.max()) + 1 if len(uniq) else 1, dtype=np.int64)
    src_rank[uniq[np.argsort(first_src, kind="stable")]] = np.arange(len(uniq))
    source_ids = {
        src_v[int(u)]: i for i, u in enumerate(uniq[np.argsort(first_src, kind="stable")])
    }
    return Statements(
        idx=np.arange(n_final, dtype=np.int64),
        lo=e_lo[s_vk],
        hi=e_hi[s_vk],
        cut=e_cut[s_vk],
        tcut=e_tcut[s_vk],
        top=e_top[s_vk],
        r_cut=np.searchsorted(values, e_cut)[s_vk],
        r_tcut=np.searchsorted(values, e_tcut)[s_vk],
        r_hi=np.searchsorted(values, e_hi)[s_vk],
        span=len(values) + 1,
        source=src_rank[s_src],
        cls=cls[h],
        group=gid[h],
        sub=sub[h],
        case=noncase == 0,
        bound=bound_t[val[h]],
        claim_pos=pos,
        claim_final=claim_final,
        claim_stmt=stmt,
        claim_rough=folded[stmt],
        subkeys=subkeys,
        source_ids=source_ids,
        n_classes=int(cls.max()) + 1 if len(cls) else 1,
    )


def _empty() -> Statements:
    import numpy as np

    z = np.zeros(0, dtype=np.int64)
    f = np.zeros(0)
    b = np.zeros(0, dtype=bool)
    return Statements(
        idx=z, lo=f, hi=f, cut=f, tcut=f, top=f, r_cut=z, r_tcut=z, r_hi=z, span=1,
        source=z, cls=z, group=z, sub=z, case=b, bound=b, claim_pos=z, claim_final=z,
        claim_stmt=z, claim_rough=b, subkeys=[], source_ids={}, n_classes=1,
    )  # fmt: skip


def _search2(
    keys: IntArray, values: FloatArray, qk: IntArray, qv: FloatArray, side: Literal["left", "right"]
) -> IntArray:
    """searchsorted over rows sorted by (key, value), for queries (qk, qv)."""
    import numpy as np

    ranks = np.unique(np.concatenate([values, qv]), return_inverse=True)[1].astype(np.int64)
    span = int(ranks.max()) + 2 if len(ranks) else 1
    a = keys * span + ranks[: len(values)]
    b = qk * span + ranks[len(values) :]
    return np.asarray(np.searchsorted(a, b, side=side), dtype=np.int64)


def _ranges(starts: IntArray, lengths: IntArray) -> IntArray:
    """The concatenation of ``range(s, s + n)`` for each start and length."""
    import numpy as np

    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends_ = np.cumsum(lengths)
    offsets = np.repeat(starts - (ends_ - lengths), lengths)
    return np.asarray(np.arange(total, dtype=np.int64) + offsets, dtype=np.int64)


# ---------------------------------------------------------------------------
# compatibility of sub-groups, all pairs at once


def _compatible(subkeys: Sequence[SubKey]) -> BoolArray:
    """k × k: whether sub-groups may be paired (rules.stages_compatible and same_time)."""
    import numpy as np

    k = len(subkeys)
    names: dict[str, int] = {}
    for stages, _ in subkeys:
        for s in stages:
            names.setdefault(s, len(names))
    member = np.zeros((k, max(1, len(names))), dtype=np.int64)
    for i, (stages, _) in enumerate(subkeys):
        for s in stages:
            member[i, names[s]] = 1
    empty = member.sum(axis=1) == 0
    stage_ok = empty[:, None] | empty[None, :] | ((member @ member.T) > 0)
    none = np.array([t is None for _, t in subkeys], dtype=bool)
    a0 = np.array([t[0] if t is not None else 0.0 for _, t in subkeys])
    a1 = np.array([t[1] if t is not None else 0.0 for _, t in subkeys])
    lo = np.maximum(a0[:, None], a0[None, :])
    hi = np.minimum(a1[:, None], a1[None, :])
    point = a0 == a1
    time_ok = (
        none[:, None] | none[None, :] | (lo < hi) | ((lo == hi) & (point[:, None] | point[None, :]))
    )
    return np.asarray(stage_ok & time_ok)


# ---------------------------------------------------------------------------
# counting


def _pair_count(
    part: IntArray, sub: IntArray, r_cut: IntArray, r_hi: IntArray, span: int, compat: BoolArray
) -> int:
    """#{(x, y): part[x] == part[y], compat[sub[x], sub[y]], hi[y] < cut[x]}, from the
    ranks of the ends among all ends (``r_cut``, ``r_hi``, below ``span``)."""
    import numpy as np

    n = len(part)
    if n < 2:
        return 0
    seg = _dense(part, sub)
    nseg = int(seg.max()) + 1
    h_keys = np.sort(seg * span + r_hi)
    c_keys = np.sort(seg * span + r_cut)
    size = np.bincount(seg, minlength=nseg)
    start = np.zeros(nseg + 1, dtype=np.int64)
    np.cumsum(size, out=start[1:])
    # segments of one part, and every ordered pair of compatible ones
    seg_part = np.empty(nseg, dtype=np.int64)
    seg_sub = np.empty(nseg, dtype=np.int64)
    seg_part[seg] = part
    seg_sub[seg] = sub
    by_part = np.argsort(seg_part, kind="stable")
    parts, p_start, p_size = np.unique(seg_part[by_part], return_index=True, return_counts=True)
    reps = p_size[np.searchsorted(parts, seg_part[by_part])]
    s_idx = np.repeat(by_part, reps)
    t_idx = by_part[_ranges(p_start[np.searchsorted(parts, seg_part[by_part])], reps)]
    keep = compat[seg_sub[s_idx], seg_sub[t_idx]]
    s_idx, t_idx = s_idx[keep], t_idx[keep]
    total = 0
    small = size[s_idx] <= size[t_idx]
    # x in the smaller s: the y of t below x.cut
    s1, t1 = s_idx[small], t_idx[small]
    if len(s1):
        q = _ranges(start[s1], size[s1])
        tq = np.repeat(t1, size[s1])
        keys = tq * span + (c_keys[q] % span)
        total += int((np.searchsorted(h_keys, keys, side="left") - start[tq]).sum())
    # y in the smaller t: |s||t| minus the x of s whose cut is at most y.hi
    s2, t2 = s_idx[~small], t_idx[~small]
    if len(s2):
        q = _ranges(start[t2], size[t2])
        sq = np.repeat(s2, size[t2])
        keys = sq * span + (h_keys[q] % span)
        below = np.searchsorted(c_keys, keys, side="right") - start[sq]
        total += int((size[s2] * size[t2]).sum()) - int(below.sum())
    return total


def counts(st: Statements, *, by_source: bool, keep: BoolArray | None = None) -> ConflictCounts:
    """:func:`.sweep._counts` on arrays: every kind of pair, none listed."""
    import numpy as np

    compat = _compatible(st.subkeys)
    sel = np.ones(len(st.idx), dtype=bool) if keep is None else keep
    part = st.group if not by_source else _dense(st.group, st.source)
    by_class = _dense(part, st.cls)

    k = len(st.idx)
    r_cut, r_tcut, r_hi, span = st.r_cut, st.r_tcut, st.r_hi, st.span

    def count(mask: BoolArray, p: IntArray, r: IntArray) -> int:
        m = mask & sel
        return _pair_count(p[m], st.sub[m], r[m], r_hi[m], span, compat)

    everything = np.ones(k, dtype=bool)
    typical = ~st.case
    cross = count(everything, part, r_tcut)
    same_far = count(everything, by_class, r_tcut)
    typical_far = count(typical, by_class, r_tcut)
    contradiction = count(typical, by_class, r_cut)
    bound = count(typical & st.bound, by_class, r_cut)
    return ConflictCounts.of_sweeps(contradiction, bound, cross, same_far, typical_far)


def selection_counts(st: Statements, sel: Selection) -> ConflictCounts:
    """:func:`.sweep.selection_counts` on arrays."""
    if sel.source is None or sel.internal:
        return counts(st, by_source=sel.internal)
    src = st.source_ids.get(sel.source, -1)
    everything = counts(st, by_source=False)
    return everything - counts(st, by_source=False, keep=st.source != src)


# ---------------------------------------------------------------------------
# the most severe pairs

Entry = tuple[float, float, float, int, int]


def top_pairs(
    st: Statements,
    limit: int,
    *,
    typical_only: bool,
    by_class: bool,
    by_source: bool = False,
    skip_class: bool = False,
    mark: BoolArray | None = None,
    tension: bool = False,
) -> list[tuple[Entry, int, int]]:
    """The ``limit`` most severe (upper, lower) pairs as :func:`.sweep.top_pairs` ranks
    them, each (key, upper statement, lower statement); ``mark``: as there, a pair needs
    at least one marked statement."""
    import numpy as np

    if limit <= 0 or not len(st.idx):
        return []
    compat = _compatible(st.subkeys)
    items = np.nonzero(~st.case)[0] if typical_only else np.arange(len(st.idx))
    if len(items) < 2:
        return []
    cutv = st.tcut if tension else st.cut
    keys = [st.group]
    if by_class:
        keys.append(st.cls)
    if by_source:
        keys.append(st.source)
    part_all = _dense(*keys)
    part = part_all[items]
    seg = _dense(part, st.sub[items])
    hi, idx, cls = st.hi[items], st.idx[items], st.cls[items]
    nseg = int(seg.max()) + 1
    seg_part = np.empty(nseg, dtype=np.int64)
    seg_sub = np.empty(nseg, dtype=np.int64)
    seg_part[seg] = part
    seg_sub[seg] = st.sub[items]
    marked = None if mark is None else mark[items]

    # per segment, the lowest partner (by hi, idx) of each pool, and for skip_class the
    # lowest of another class than that one
    order = np.lexsort((idx, hi, seg))
    pools: list[tuple[str, Any]] = [("all", None)]
    if marked is not None:
        pools.append(("marked", marked))
    best_of: dict[str, tuple[IntArray, IntArray]] = {}
    for name, pool in pools:
        o = order if pool is None else order[pool[order]]
        s = seg[o]
        head = np.full(nseg, -1, dtype=np.int64)
        first = np.ones(len(o), dtype=bool)
        first[1:] = s[1:] != s[:-1]
        head[s[first]] = o[first]
        # the first item of each segment whose class differs from the head's
        other = np.full(nseg, -1, dtype=np.int64)
        if skip_class and len(o):
            differs = cls[o] != cls[head[s]]
            cand = np.nonzero(differs)[0]
            if len(cand):
                seg_c = s[cand]
                firsts = np.ones(len(cand), dtype=bool)
                firsts[1:] = seg_c[1:] != seg_c[:-1]
                other[seg_c[firsts]] = o[cand[firsts]]
        best_of[name] = (head, other)

    # every ordered pair of compatible segments of one part
    by_part = np.argsort(seg_part, kind="stable")
    parts, p_start, p_size = np.unique(seg_part[by_part], return_index=True, return_counts=True)
    where = np.searchsorted(parts, seg_part[by_part])
    reps = p_size[where]
    s_idx = np.repeat(by_part, reps)
    t_idx = by_part[_ranges(p_start[where], reps)]
    ok = compat[seg_sub[s_idx], seg_sub[t_idx]]
    s_idx, t_idx = s_idx[ok], t_idx[ok]

    def lowest_per_segment(cands: IntArray) -> IntArray:
        """For each segment s: the lowest (hi, idx) of cands[pair] over its pairs."""
        out = np.full(nseg, -1, dtype=np.int64)
        valid = cands >= 0
        ss, cc = s_idx[valid], cands[valid]
        if not len(cc):
            return out
        o = np.lexsort((idx[cc], hi[cc], ss))
        ss, cc = ss[o], cc[o]
        first = np.ones(len(ss), dtype=bool)
        first[1:] = ss[1:] != ss[:-1]
        out[ss[first]] = cc[first]
        return out

    n = len(items)
    best = np.full(n, -1, dtype=np.int64)
    for name, _ in pools:
        head, other = best_of[name]
        b = lowest_per_segment(head[t_idx])
        if skip_class:
            bcls = np.where(b >= 0, cls[np.maximum(b, 0)], -1)
            # second: per pair, the segment's head if of another class than b's, else
            # its first item of another class than the head's (when the head's is b's)
            h = head[t_idx]
            hc = np.where(h >= 0, cls[np.maximum(h, 0)], -2)
            alt = np.where(hc != bcls[s_idx], h, np.where(hc == bcls[s_idx], other[t_idx], -1))
            second = lowest_per_segment(alt)
            mine = np.where(cls != bcls[seg], b[seg], second[seg])
        else:
            mine = b[seg]
        if marked is None:
            best = mine
        elif name == "all":
            best = np.where(marked, mine, best)
        else:
            best = np.where(marked, best, mine)
    has = best >= 0
    bb = np.maximum(best, 0)
    upper_cut = cutv[items]
    has &= hi[bb] < upper_cut
    ups = np.nonzero(has)[0]
    if not len(ups):
        return []
    lo_u, top_u = st.lo[items][ups], st.top[items][ups]
    gap = lo_u - hi[bb[ups]]
    rel = np.where(top_u > 0, gap / np.where(top_u > 0, top_u, 1.0), 0.0)
    o = np.lexsort((idx[bb[ups]], idx[ups], hi[bb[ups]], -gap, -rel))
    chosen = ups[o[:limit]]

    # the partner streams of the chosen uppers, merged exactly as sweep.top_pairs does
    lo_all, top_all = st.lo[items], st.top[items]
    heap: list[tuple[Entry, int, int, int]] = []
    streams: dict[int, tuple[IntArray, int]] = {}
    for a in chosen.tolist():
        pool_ok = np.ones(n, dtype=bool) if marked is None or marked[a] else marked.copy()
        cand_mask = pool_ok & (part == part[a]) & compat[seg_sub[seg[a]], seg_sub[seg]]
        cand_mask &= hi < upper_cut[a]
        if skip_class:
            cand_mask &= cls != cls[a]
        cands = np.nonzero(cand_mask)[0]
        cands = cands[np.lexsort((idx[cands], hi[cands]))][:limit]
        streams[a] = (cands, 0)
        if len(cands):
            heap.append((_key(lo_all[a], top_all[a], hi[cands[0]], idx[a], idx[cands[0]]), a, 0, 0))
    heapq.heapify(heap)
    found: list[tuple[Entry, int, int]] = []
    while heap and len(found) < limit:
        key, a, k, _ = heapq.heappop(heap)
        cands = streams[a][0]
        found.append((key, int(items[a]), int(items[cands[k]])))
        if k + 1 < len(cands):
            b = cands[k + 1]
            heapq.heappush(heap, (_key(lo_all[a], top_all[a], hi[b], idx[a], idx[b]), a, k + 1, 0))
    return found


def _key(lo: float, top: float, b_hi: float, a_idx: int, b_idx: int) -> Entry:
    lo, top, b_hi = float(lo), float(top), float(b_hi)
    gap = lo - b_hi
    rel = gap / top if top > 0 else 0.0
    return (-rel, -gap, b_hi, int(a_idx), int(b_idx))


def item(ds: Dataset, columns: ClaimColumns, st: Statements, i: int) -> Item:
    """Statement ``i`` as the pure-Python path's record, its claims built."""
    import numpy as np

    by_statement = st.__dict__.get("_by_statement")
    if by_statement is None:
        order = np.argsort(st.claim_final, kind="stable")  # id order within each
        start = np.searchsorted(st.claim_final[order], np.arange(len(st.idx) + 1))
        by_statement = st.__dict__["_by_statement"] = (order, start)
    order, start = by_statement
    mine = order[start[i] : start[i + 1]].tolist()
    # its own claims first, then those of each rough statement folded into it, in order
    mine.sort(key=lambda c: (bool(st.claim_rough[c]), int(st.claim_stmt[c])))
    claims = [columns.claim(int(st.claim_pos[c])) for c in mine]
    return Item(
        int(st.idx[i]),
        float(st.lo[i]),
        float(st.hi[i]),
        float(st.cut[i]),
        float(st.tcut[i]),
        float(st.top[i]),
        int(st.source[i]),
        int(st.cls[i]),
        int(st.group[i]),
        int(st.sub[i]),
        bool(st.case[i]),
        bool(st.bound[i]),
        claims,
    )


def prepared(st: Statements) -> Prepared:
    """An empty :class:`Prepared` with the statements' tables (for what reads them)."""
    return Prepared([], st.subkeys, st.source_ids, st.n_classes)


__all__ = [
    "VECTOR_FROM",
    "Statements",
    "columns_for",
    "counts",
    "item",
    "prepared",
    "selection_counts",
    "statements",
    "top_pairs",
]

_ = (comparability_key, same_time)  # the rules this module restates on arrays
