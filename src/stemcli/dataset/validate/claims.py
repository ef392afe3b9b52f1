"""Claims: each field, the value against its measure, then every cross-reference."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from stemcli.dataset.validate.fields import (
    _Builder,
    _check_fields,
    _list_of_mappings,
    _review,
    _str,
    _str_list,
    _suggest,
)
from stemcli.dataset.yaml_nodes import Node
from stemcli.ids import is_slug
from stemcli.model import BASES, DERIVED_OPS, Claim, Derived, Measure, Quantity, Source

_CLAIM_FIELDS = (
    "id",
    "condition",
    "stages",
    "outcome",
    "measure",
    "value",
    "timepoint",
    "comparator",
    "intervention",
    "basis",
    "n",
    "citation",
    "group",
    "derived",
    "review",
    "quote",
    "ci",
    "scale",
    "n_studies",
    "statement",
)
# the names a claim's review may list: its fields
_REVIEWABLE = tuple(k for k in _CLAIM_FIELDS if k != "review")
# a derivation of derivations nests at most this deep ("the ratio of two reductions")
MAX_DERIVED_DEPTH = 3


def _parse_quantity(
    b: _Builder, path: str, node: Node, key: str, claim: str | None
) -> Quantity | None:
    from stemcli.quantities import QuantityError, parse

    raw = node.value
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        b.problem(path, node, f"{key} must be text such as '60-70%'", claim)
        return None
    try:
        return parse(raw)
    except QuantityError as e:
        b.problem(path, node, f"unparseable {key}: {e}{_unit_suggestion(raw)}", claim)
        return None


def _unit_suggestion(raw: str) -> str:
    """' (did you mean 'days'?)' when the value ends in a word close to a unit."""
    import re

    from stemcli.quantities import UNITS

    m = re.search(r"([A-Za-z][A-Za-z-]*)\W*$", raw)
    if m is None or m.group(1).lower() in UNITS:
        return ""
    return _suggest(m.group(1).lower(), UNITS)


def _add_claims(b: _Builder, path: str, root: Node | None, source_id: str) -> None:
    for node in _list_of_mappings(b, path, root, "claims"):
        f = node.value
        ident = _str(b, path, f, "id", node, required=True)
        _check_fields(b, path, node, _CLAIM_FIELDS, "claim", ident)
        if ident is None:
            continue
        ok = True
        if not is_slug(ident):
            b.problem(path, f["id"], "claim id must be a lowercase slug", ident)
            ok = False
        if not b.define("claim", ident, path, f["id"]):
            ok = False
        condition = _str(b, path, f, "condition", node, required=True, claim=ident)
        outcome = _str(b, path, f, "outcome", node, required=True, claim=ident)
        measure = _str(b, path, f, "measure", node, required=True, claim=ident)
        basis = _str(b, path, f, "basis", node, required=True, claim=ident)
        src = b.sources.get(source_id)
        reference = src is not None and src.is_reference
        quote_node = f.get("quote")
        quote = _str(b, path, f, "quote", node, required=False, claim=ident)
        if quote_node is not None and quote is not None:
            quote = " ".join(quote.split())
        statement = _str(b, path, f, "statement", node, required=False, claim=ident)
        if statement is not None:
            statement = " ".join(statement.split())
        if not _quote_or_statement(b, path, f, node, ident, src, quote, statement):
            ok = False
        scale = _str(b, path, f, "scale", node, required=False, claim=ident)
        stages = tuple(s for s, _ in _str_list(b, path, f, "stages", ident))
        comparator = _str(b, path, f, "comparator", node, required=False, claim=ident)
        intervention = _str(b, path, f, "intervention", node, required=False, claim=ident)
        citation = _str(b, path, f, "citation", node, required=False, claim=ident)
        group = _str(b, path, f, "group", node, required=False, claim=ident)
        review = _review(b, path, f, _REVIEWABLE, ident)
        derived: Derived | None = None
        if f.get("derived") is not None and f["derived"].value is not None:
            derived = _parse_derived(b, path, f["derived"], ident, 1)
            if derived is None:
                ok = False
        n, n_ok = _positive(b, path, f, "n", ident)
        n_studies, studies_ok = _positive(b, path, f, "n_studies", ident)
        ok = ok and n_ok and studies_ok
        value: Quantity | None = None
        # a reference figure is a change or a difference written with its sign (a mean
        # difference of -13.24 points): it may be below 0
        signed = reference
        if "value" not in f or f["value"].value is None:
            b.problem(path, node, "missing required field 'value'", ident)
            ok = False
        else:
            value = _figure(b, path, f["value"], "value", ident, reference)
            if value is not None and not signed and _below_zero(value):
                b.problem(path, f["value"], f"{value.text!r}: a value cannot be below 0", ident)
                ok = False
        ci: Quantity | None = None
        ci_node = f.get("ci")
        if ci_node is not None and ci_node.value is not None:
            ci = _figure(b, path, ci_node, "ci", ident, reference)
            if ci is None or (
                value is not None and not _ci_fits(b, path, ci_node, ci, value, ident)
            ):
                ok = False
        timepoint: Quantity | None = None
        tp_node = f.get("timepoint")
        if tp_node is not None and tp_node.value is not None:
            timepoint = _parse_quantity(b, path, tp_node, "timepoint", ident)
            if timepoint is None:
                ok = False
            else:
                from stemcli.quantities import dimension

                if dimension(timepoint.unit) != "time":
                    b.problem(path, tp_node, "timepoint must be a time such as '12 months'", ident)
                    ok = False
                elif _below_zero(timepoint):
                    b.problem(path, tp_node, f"{timepoint.text!r}: a time cannot be below 0", ident)
                    ok = False
        if basis is not None and basis not in BASES:
            b.problem(
                path,
                f["basis"],
                f"basis must be one of {', '.join(BASES)}{_suggest(basis, BASES)}",
                ident,
            )
            ok = False
        if not (ok and condition and outcome and measure and basis and value):
            continue
        claim = Claim(
            id=ident,
            source=source_id,
            condition=condition,
            stages=stages,
            outcome=outcome,
            measure=measure,
            value=value,
            quote=quote or "",
            basis=basis,
            timepoint=timepoint,
            comparator=comparator,
            intervention=intervention,
            n=n,
            citation=citation,
            group=group,
            derived=derived,
            review=review,
            ci=ci,
            scale=scale,
            n_studies=n_studies,
            statement=statement,
            where=f"{path}:{node.line}:{node.column}",
        )
        b.pending.append((claim, path, f))


def _quote_or_statement(
    b: _Builder,
    path: str,
    f: dict[str, Node],
    node: Node,
    ident: str,
    src: Source | None,
    quote: str | None,
    statement: str | None,
) -> bool:
    """A marketing claim quotes its archived source; a reference claim (of an evidence or
    survey source) is cited, so it states its figure in the curator's words instead."""
    if src is None:  # an unknown source is reported once, in the cross-checks
        if quote is None and statement is None:
            b.problem(path, node, "missing required field 'quote'", ident)
            return False
        return True
    if src.is_reference:
        ok = True
        if quote is not None:
            b.problem(
                path,
                f["quote"],
                f"a claim of {src.kind} source {src.id!r} is cited, not archived: write its "
                "figure in your own words as 'statement', not as 'quote'",
                ident,
            )
            ok = False
        if statement is None:
            b.problem(
                path,
                node,
                f"missing required field 'statement' (a claim of {src.kind} source "
                f"{src.id!r} states its figure in your own words)",
                ident,
            )
            ok = False
        return ok
    ok = True
    if statement is not None:
        b.problem(
            path,
            f["statement"],
            f"a claim of {src.kind} source {src.id!r} quotes its source verbatim: 'statement' "
            "is for claims of evidence and survey sources (did you mean 'quote'?)",
            ident,
        )
        ok = False
    if quote is None:
        if "quote" in f and f["quote"].value is not None:
            b.problem(path, f["quote"], "field 'quote' is empty", ident)
        else:
            b.problem(path, node, "missing required field 'quote'", ident)
        ok = False
    return ok


def _positive(
    b: _Builder, path: str, f: dict[str, Node], key: str, ident: str
) -> tuple[int | None, bool]:
    """A positive whole number (None when absent), and whether it is valid (else a problem)."""
    node = f.get(key)
    if node is None or node.value is None:
        return None, True
    if isinstance(node.value, int) and not isinstance(node.value, bool) and node.value > 0:
        return node.value, True
    b.problem(path, node, f"{key} must be a positive whole number", ident)
    return None, False


def _figure(
    b: _Builder, path: str, node: Node, key: str, ident: str, reference: bool
) -> Quantity | None:
    """A value or ci: a reference claim's may carry a sign (see :mod:`.reference`)."""
    if reference:
        from stemcli.dataset.validate.reference import parse_signed

        signed = parse_signed(b, path, node, key, ident)
        if signed is not False:
            return signed if isinstance(signed, Quantity) else None
    return _parse_quantity(b, path, node, key, ident)


def _ci_fits(b: _Builder, path: str, node: Node, ci: Quantity, value: Quantity, ident: str) -> bool:
    """A confidence interval is in the value's unit dimension, and holds the value."""
    from stemcli.quantities import dimension, to_base

    if dimension(ci.unit) != dimension(value.unit) and ci.unit is not None:
        b.problem(
            path,
            node,
            f"ci {ci.text!r} is in {ci.unit}, the value {value.text!r} in "
            f"{value.unit or 'a plain number'}",
            ident,
        )
        return False
    unit = value.unit if ci.unit is None else ci.unit
    lo, hi = to_base(ci.low, unit), to_base(ci.high, unit)
    if not (lo <= to_base(value.low, value.unit) and to_base(value.high, value.unit) <= hi):
        b.problem(
            path,
            node,
            f"the value {value.text!r} lies outside its confidence interval {ci.text!r}",
            ident,
        )
        return False
    return True


def _parse_derived(b: _Builder, path: str, node: Node, claim: str, depth: int) -> Derived | None:
    """``{op: ratio, of: [first, second]}``; a part is a claim id or a nested derivation."""
    raw = node.value
    if not isinstance(raw, dict):
        b.problem(path, node, "derived must be a mapping such as {op: ratio, of: [a, b]}", claim)
        return None
    ok = True
    for key in raw:
        if key not in ("op", "of"):
            b.problem(
                path, node, f"unknown derived field {key!r}{_suggest(key, ('op', 'of'))}", claim
            )
            ok = False
    op = _str(b, path, raw, "op", node, required=True, claim=claim)
    if op is not None and op not in DERIVED_OPS:
        b.problem(
            path,
            raw["op"],
            f"derived op must be one of {', '.join(DERIVED_OPS)}{_suggest(op, DERIVED_OPS)}",
            claim,
        )
        ok = False
    of = raw.get("of")
    parts: list[str | Derived] = []
    if of is None or not isinstance(of.value, list) or len(of.value) != 2:
        b.problem(path, of or node, "derived 'of' must list two parts: [first, second]", claim)
        return None
    for item in of.value:
        if isinstance(item.value, str) and item.value.strip():
            part = item.value.strip()
            if part == claim:
                b.problem(path, item, "a figure cannot be derived from itself", claim)
                ok = False
            parts.append(part)
        elif isinstance(item.value, dict):
            if depth >= MAX_DERIVED_DEPTH:
                b.problem(path, item, f"derivations nest at most {MAX_DERIVED_DEPTH} deep", claim)
                ok = False
                continue
            nested = _parse_derived(b, path, item, claim, depth + 1)
            if nested is None:
                ok = False
            else:
                parts.append(nested)
        else:
            b.problem(path, item, "a derived part is a claim id or a derivation", claim)
            ok = False
    if not ok or op is None:
        return None
    return Derived(op, tuple(parts))


def _above_max(measure: Measure, claim: Claim) -> bool:
    """A percentage above the measure's ``max_percent``, qualifiers taken exactly.

    "over 100%" of patients is impossible, "at least 100%" and "up to 100%" are not;
    a range reaching above the bound is impossible in part, so refused. A value
    relative to a comparator ("60% more than placebo") is a difference, not a share,
    and has no upper bound.
    """
    from stemcli.quantities import excludes_bound

    q = claim.value
    top = measure.max_percent
    if top is None or q.unit != "percent" or claim.comparator is not None:
        return False
    return q.high > top or (q.high == top and q.qualifier == "at-least" and excludes_bound(q))


def _below_zero(q: Quantity) -> bool:
    """A value below zero: nothing a claim counts (shares, durations, costs, counts,
    doses, changes given as their size) can be, so "under 0%" or "fewer than 0 days"
    is impossible; "up to 0" and "at most 0" are zero itself."""
    from stemcli.quantities import excludes_bound

    return q.low < 0 or (q.low == 0 and q.qualifier == "at-most" and excludes_bound(q))


def _cross_check(b: _Builder) -> None:
    """Checks that need every file: references between claims, conditions, vocabularies."""
    from stemcli.quantities import dimension

    unknown_sources: set[str] = set()
    per_source: Counter[str] | None = None
    for claim, path, f in b.pending:
        ok = True
        cid = claim.id
        if claim.source not in b.sources:
            if claim.source not in unknown_sources:  # once per claims file, not per claim
                unknown_sources.add(claim.source)
                if per_source is None:
                    per_source = Counter(c.source for c, _, _ in b.pending)
                n = per_source[claim.source]
                b.problem(
                    path,
                    None,
                    f"unknown source {claim.source!r} (the claims file's name) for "
                    f"{n} claim{'s' if n != 1 else ''}; add it to sources.yaml"
                    f"{_suggest(claim.source, b.sources)}",
                )
            ok = False
        cond = b.conditions.get(claim.condition)
        if not _known(b, path, f, "condition", claim.condition, b.conditions, cid):
            ok = False
        elif cond is not None:
            for st, st_node in _str_list(b, path, f, "stages", cid):
                if st not in cond.stage_ids:
                    valid = ", ".join(cond.stage_ids) or "none"
                    b.problem(
                        path,
                        st_node,
                        f"condition {cond.id!r} has no stage {st!r}"
                        f"{_suggest(st, cond.stage_ids)} (valid: {valid})",
                        cid,
                    )
                    ok = False
            if len(set(claim.stages)) != len(claim.stages):
                b.problem(path, f["stages"], "a stage is listed twice", cid)
                ok = False
        if not _known(b, path, f, "outcome", claim.outcome, b.outcomes, cid):
            ok = False
        measure = b.measures.get(claim.measure)
        if not _known(b, path, f, "measure", claim.measure, b.measures, cid):
            ok = False
        elif measure is not None:
            dim = dimension(claim.value.unit)
            if measure.dimensions and dim not in measure.dimensions:
                b.problem(
                    path,
                    f["value"],
                    f"a {measure.id} cannot be in {claim.value.unit or 'a plain number'} "
                    f"(expected {', '.join(measure.dimensions)})",
                    cid,
                )
                ok = False
            if _above_max(measure, claim):
                b.problem(
                    path,
                    f["value"],
                    f"{claim.value.text!r}: a {measure.id} cannot exceed {measure.max_percent:g}%",
                    cid,
                )
                ok = False
        if ok:
            b.claims.append(claim)
    _check_derivations(b)


def _check_derivations(b: _Builder) -> None:
    """A derived figure's parts exist, come from its own source and can be combined, and
    the result has the stated value's dimension; a figure that fails is dropped."""
    from stemcli.quantities import dimension

    by_id = {c.id: c for c in b.claims}
    dropped: set[str] = set()
    for claim, path, f in b.pending:
        if claim.derived is None or claim.id not in by_id:
            continue
        node = f["derived"]
        got = _derived_dimension(b, path, node, claim, claim.derived, by_id)
        stated = dimension(claim.value.unit)
        if got is not None and got != stated:
            b.problem(
                path,
                node,
                f"{claim.derived.text()} gives {got}, but the value "
                f"{claim.value.text!r} is {stated}",
                claim.id,
            )
            got = None
        if got is None:
            dropped.add(claim.id)
    dropped |= _cycles(b, by_id)
    if dropped:
        b.claims[:] = [c for c in b.claims if c.id not in dropped]


def _cycles(b: _Builder, by_id: dict[str, Claim]) -> set[str]:
    """Derived figures that restate each other in a circle (A from B, B from A): one
    located problem per circle; its figures are dropped."""
    where = {claim.id: (path, f["derived"]) for claim, path, f in b.pending if "derived" in f}
    parts = {c.id: c.derived.claim_ids() for c in by_id.values() if c.derived is not None}
    state: dict[str, int] = {}  # 1: on the path being followed, 2: done
    found: set[str] = set()
    for start in parts:
        if state.get(start):
            continue
        path: list[str] = []
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            node, i = stack.pop()
            if i == 0:
                state[node] = 1
                path.append(node)
            nexts = [p for p in parts.get(node, ()) if p in parts]
            if i < len(nexts):
                stack.append((node, i + 1))
                nxt = nexts[i]
                if state.get(nxt) == 1:
                    circle = path[path.index(nxt) :]
                    if not found & set(circle):
                        loc_path, loc_node = where[circle[0]]
                        b.problem(
                            loc_path,
                            loc_node,
                            "derived figures restate each other in a circle: "
                            + " -> ".join([*circle, circle[0]]),
                            circle[0],
                        )
                    found |= set(circle)
                elif not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()
    return found


def _derived_dimension(
    b: _Builder, path: str, node: Node, claim: Claim, d: Derived, by_id: dict[str, Claim]
) -> str | None:
    """The dimension ``d`` gives, or None (and a problem) when it cannot be computed."""
    from stemcli.arithmetic import result_dimension
    from stemcli.quantities import dimension

    dims: list[str] = []
    for part in d.of:
        if isinstance(part, Derived):
            sub = _derived_dimension(b, path, node, claim, part, by_id)
            if sub is None:
                return None
            dims.append(sub)
            continue
        other = by_id.get(part)
        if other is None:
            if ("claim", part) not in b.defined_at:  # else its own problem is reported
                b.problem(path, node, f"derived from unknown claim {part!r}", claim.id)
            return None
        if other.source != claim.source:
            b.problem(
                path,
                node,
                f"derived from {part!r} of source {other.source!r}: a figure "
                "restates numbers of its own page",
                claim.id,
            )
            return None
        dims.append(dimension(other.value.unit))
    out = result_dimension(d.op, dims[0], dims[1])
    if out is None:
        b.problem(
            path,
            node,
            f"{d.op} of {dims[0]} and {dims[1]}: the parts of a derivation share a unit",
            claim.id,
        )
    return out


def _known(
    b: _Builder,
    path: str,
    fields: dict[str, Node],
    key: str,
    value: str,
    table: Mapping[str, object],
    claim: str,
) -> bool:
    """Whether a claim's ``key`` names an entry of ``table``; if not, a located problem
    with the closest ids."""
    if value in table:
        return True
    b.problem(path, fields[key], f"unknown {key} {value!r}{_suggest(value, table)}", claim)
    return False
