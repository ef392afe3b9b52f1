"""Build and validate a dataset from its parsed files; every problem names file:line:column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from stemcli.dataset.find import DataFile, display_path
from stemcli.dataset.yaml_nodes import Node, parse_yaml
from stemcli.errors import InputError, Location, Problem
from stemcli.ids import RESERVED_STAGES, closest, is_slug, normalise
from stemcli.model import (
    BASES,
    KINDS,
    Claim,
    Condition,
    Dataset,
    Measure,
    Outcome,
    Quantity,
    Source,
    Stage,
)
from stemcli.text.files import decode_utf8

__all__ = ["build", "parse_and_build"]


_SOURCE_FIELDS = ("id", "title", "publisher", "kind", "sells_treatment", "archive", "sha256")


_CONDITION_FIELDS = ("id", "name", "aliases", "stages")


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
    "quote",
)


@dataclass
class _Builder:
    problems: list[Problem] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    conditions: dict[str, Condition] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)
    defined_at: dict[tuple[str, str], str] = field(default_factory=dict)
    # claims waiting for cross-reference checks: (claim, location, fields)
    pending: list[tuple[Claim, str, dict[str, Node]]] = field(default_factory=list)
    # every condition's id, name and aliases, normalised: (condition id, what, where)
    condition_names: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def problem(self, path: str, node: Node | None, message: str, claim: str | None = None) -> None:
        loc = Location(path, node.line, node.column) if node else Location(path)
        self.problems.append(Problem(loc, message, claim))

    def define(self, kind: str, ident: str, path: str, node: Node) -> bool:
        where = f"{path}:{node.line}:{node.column}"
        first = self.defined_at.get((kind, ident))
        if first is not None:
            self.problem(path, node, f"duplicate {kind} id {ident!r} (first defined at {first})")
            return False
        self.defined_at[(kind, ident)] = where
        return True


def _typable(b: _Builder, path: str, node: Node, kind: str, ident: str) -> bool:
    """An id is typed by people: refuse one holding an invisible or control character."""
    from stemcli.text.neutralise import first_escaped, visible

    hidden = first_escaped(ident)
    if hidden is not None:
        b.problem(
            path, node, f"{kind} id {ident!r} holds an invisible character ({visible(hidden)})"
        )
    return hidden is None


def _suggest(word: str, choices: Iterable[str]) -> str:
    close = closest(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_fields(
    b: _Builder, path: str, node: Node, allowed: Sequence[str], what: str, ident: str | None
) -> None:
    for key in node.value:
        if key not in allowed:
            b.problem(path, node, f"unknown {what} field {key!r}{_suggest(key, allowed)}", ident)


def _str(
    b: _Builder,
    path: str,
    fields: dict[str, Node],
    key: str,
    parent: Node,
    *,
    required: bool,
    claim: str | None = None,
) -> str | None:
    node = fields.get(key)
    if node is None or node.value is None:
        if required:
            b.problem(path, parent, f"missing required field {key!r}", claim)
        return None
    value = node.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        b.problem(path, node, f"field {key!r} must be text, not {_type_name(value)}", claim)
        return None
    value = value.strip()
    if required and not value:
        b.problem(path, node, f"field {key!r} is empty", claim)
        return None
    return value or None


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "empty"
    if isinstance(value, (int, float)):
        return "a number"
    return "text"


def _str_list(
    b: _Builder, path: str, fields: dict[str, Node], key: str, claim: str | None = None
) -> list[tuple[str, Node]]:
    node = fields.get(key)
    if node is None or node.value is None:
        return []
    if isinstance(node.value, str):
        return [(node.value.strip(), node)]
    if not isinstance(node.value, list):
        b.problem(path, node, f"field {key!r} must be a list", claim)
        return []
    out: list[tuple[str, Node]] = []
    for item in node.value:
        if isinstance(item.value, (str, int, float)) and not isinstance(item.value, bool):
            out.append((str(item.value).strip(), item))
        else:
            b.problem(path, item, f"items of {key!r} must be text", claim)
    return out


def _list_of_mappings(b: _Builder, path: str, root: Node | None, what: str) -> list[Node]:
    if root is None or root.value is None:
        return []
    if not isinstance(root.value, list):
        b.problem(path, root, f"expected a list of {what}, found {_type_name(root.value)}")
        return []
    out = []
    for item in root.value:
        if isinstance(item.value, dict):
            out.append(item)
        else:
            b.problem(
                path, item, f"each {what[:-1]} must be a mapping, not {_type_name(item.value)}"
            )
    return out


def _add_sources(b: _Builder, path: str, root: Node | None) -> None:
    for node in _list_of_mappings(b, path, root, "sources"):
        f = node.value
        ident = _str(b, path, f, "id", node, required=True)
        _check_fields(b, path, node, _SOURCE_FIELDS, "source", ident)
        if ident is None:
            continue
        if not is_slug(ident):
            b.problem(path, f["id"], f"source id {ident!r} must be a lowercase slug")
            continue
        title = _str(b, path, f, "title", node, required=True)
        publisher = _str(b, path, f, "publisher", node, required=True)
        kind = _str(b, path, f, "kind", node, required=True)
        if kind is not None and kind not in KINDS:
            b.problem(path, f["kind"], f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        sells = f.get("sells_treatment")
        if sells is None or not isinstance(sells.value, bool):
            b.problem(path, sells or node, "sells_treatment must be true or false")
        archive = _str(b, path, f, "archive", node, required=False)
        sha = _str(b, path, f, "sha256", node, required=False)
        if sha is not None and (len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha)):
            b.problem(path, f["sha256"], "sha256 must be 64 lowercase hex digits")
        if not b.define("source", ident, path, f["id"]):
            continue
        if title and publisher and kind in KINDS and sells is not None:
            b.sources[ident] = Source(
                ident, title, publisher, kind, bool(sells.value), archive, sha
            )


def _where(path: str, node: Node) -> str:
    return f"{path}:{node.line}:{node.column}"


def _add_conditions(b: _Builder, path: str, root: Node | None) -> None:
    for node in _list_of_mappings(b, path, root, "conditions"):
        f = node.value
        ident = _str(b, path, f, "id", node, required=True)
        _check_fields(b, path, node, _CONDITION_FIELDS, "condition", ident)
        if ident is None:
            continue
        if not is_slug(ident):
            b.problem(path, f["id"], f"condition id {ident!r} must be a lowercase slug")
            continue
        name = _str(b, path, f, "name", node, required=True)
        aliases = _aliases(b, path, f, f"condition {ident!r}")
        stages = _stages(b, path, f, ident)
        if not b.define("condition", ident, path, f["id"]) or not name:
            continue
        names = [(ident, "id", f["id"]), (name, "name", f["name"])]
        _names_free(b, path, ident, [*names, *((a, "alias", n) for a, n in aliases)])
        b.conditions[ident] = Condition(ident, name, tuple(a for a, _ in aliases), stages)


def _aliases(b: _Builder, path: str, f: dict[str, Node], owner: str) -> list[tuple[str, Node]]:
    """The aliases of ``f``; one a person cannot type (empty, only punctuation) is a problem."""
    out = []
    for alias, anode in _str_list(b, path, f, "aliases"):
        if normalise(alias):
            out.append((alias, anode))
        else:
            b.problem(path, anode, f"an alias of {owner} is empty")
    return out


def _names_free(b: _Builder, path: str, ident: str, names: Iterable[tuple[str, str, Node]]) -> None:
    """Record a condition's names; a name that is another condition's id is a problem.

    Names are compared as a person's input is (:func:`stemcli.ids.normalise`). An id
    always wins when resolving, so a name or alias equal to another condition's id
    could never be reached. (A name or alias shared by two conditions is refused as
    ambiguous where it is used.)
    """
    for text, what, node in names:
        key = normalise(text)
        other = b.condition_names.setdefault(key, (ident, what, _where(path, node)))
        if other[0] != ident and "id" in (what, other[1]):
            b.problem(
                path,
                node,
                f"{what} {text!r} of condition {ident!r} also names condition {other[0]!r} "
                f"(its {other[1]}, at {other[2]})",
            )


def _stages(b: _Builder, path: str, f: dict[str, Node], cond: str) -> tuple[Stage, ...]:
    """The stages of condition ``cond``; every invalid one is a problem.

    A stage id is a slug other than a reserved word of the output (``any``); its
    aliases are text a person can type. No two stages of a condition may share an id
    or an alias, compared as input is (case, spaces and punctuation aside): ``--stage``
    would otherwise mean whichever stage comes first.
    """
    stage_node = f.get("stages")
    items = stage_node.value if stage_node is not None else None
    if items is None:
        return ()
    if not isinstance(items, list):
        b.problem(path, stage_node, "stages must be a list")
        return ()
    stages: list[Stage] = []
    taken: dict[str, tuple[str, str, str]] = {}  # normalised name -> (stage, what, where)

    def claim_name(text: str, what: str, node: Node, stage: str) -> None:
        key = normalise(text)
        mine = f"stage {text!r}" if what == "stage" else f"alias {text!r} of stage {stage!r}"
        if key in RESERVED_STAGES:
            b.problem(path, node, f"{mine}: {text!r} is reserved (the output's 'any stage')")
            return
        other = taken.get(key)
        if other is None:
            taken[key] = (stage, what, _where(path, node))
        elif other[0] != stage:
            theirs = f"stage {other[0]!r}"
            if other[1] != "stage":
                theirs = f"an alias of {theirs}"
            b.problem(path, node, f"{mine} of condition {cond!r} is also {theirs} (at {other[2]})")
        elif what == "stage":
            b.problem(path, node, f"stage {text!r} is listed twice (first at {other[2]})")
        # else: an alias repeating its own stage's id or another alias of it: harmless

    for item in items:
        if isinstance(item.value, str):
            sid: str | None = item.value.strip()
            id_node, aliases = item, []
        elif isinstance(item.value, dict):
            sid = _str(b, path, item.value, "id", item, required=True)
            _check_fields(b, path, item, ("id", "aliases"), "stage", sid)
            id_node = item.value.get("id", item)
            aliases = _aliases(b, path, item.value, f"stage {sid!r}") if sid else []
        else:
            b.problem(path, item, "a stage must be an id or a mapping with id and aliases")
            continue
        if not sid:
            if isinstance(item.value, str):  # a mapping's empty id is reported by _str
                b.problem(path, item, f"a stage id of condition {cond!r} is empty")
            continue
        if not is_slug(sid):
            b.problem(path, id_node, f"stage id {sid!r} must be a lowercase slug")
            continue
        claim_name(sid, "stage", id_node, sid)
        for alias, anode in aliases:
            claim_name(alias, "alias", anode, sid)
        stages.append(Stage(sid, tuple(a for a, _ in aliases)))
    return tuple(stages)


def _add_outcomes(b: _Builder, path: str, root: Node | None) -> None:
    from stemcli.quantities import DIMENSIONS

    if root is None or root.value is None:
        return
    if not isinstance(root.value, dict):
        b.problem(path, root, "outcomes.yaml must be a mapping with 'measures' and 'outcomes'")
        return
    for key in root.value:
        if key not in ("measures", "outcomes"):
            b.problem(path, root, f"unknown section {key!r} (expected measures, outcomes)")
    for node in _list_of_mappings(b, path, root.value.get("measures"), "measures"):
        f = node.value
        ident = _str(b, path, f, "id", node, required=True)
        _check_fields(
            b, path, node, ("id", "description", "max_percent", "dimensions"), "measure", ident
        )
        if ident is None or not _typable(b, path, f["id"], "measure", ident):
            continue
        if not b.define("measure", ident, path, f["id"]):
            continue
        mp = f.get("max_percent")
        max_percent = None
        if mp is not None and mp.value is not None:
            if isinstance(mp.value, (int, float)) and not isinstance(mp.value, bool):
                max_percent = float(mp.value)
            else:
                b.problem(path, mp, "max_percent must be a number")
        dims = tuple(d for d, _ in _str_list(b, path, f, "dimensions"))
        for d, dn in _str_list(b, path, f, "dimensions"):
            if d not in DIMENSIONS:
                b.problem(path, dn, f"unknown dimension {d!r}{_suggest(d, DIMENSIONS)}")
        desc = _str(b, path, f, "description", node, required=False) or ""
        b.measures[ident] = Measure(ident, desc, max_percent, dims)
    for node in _list_of_mappings(b, path, root.value.get("outcomes"), "outcomes"):
        f = node.value
        ident = _str(b, path, f, "id", node, required=True)
        _check_fields(
            b, path, node, ("id", "name", "family", "description", "compared"), "outcome", ident
        )
        if ident is None or not _typable(b, path, f["id"], "outcome", ident):
            continue
        if not b.define("outcome", ident, path, f["id"]):
            continue
        name = _str(b, path, f, "name", node, required=False) or ident
        family = _str(b, path, f, "family", node, required=False) or ident
        desc = _str(b, path, f, "description", node, required=False) or ""
        compared_node = f.get("compared")
        compared = True
        if compared_node is not None and compared_node.value is not None:
            if isinstance(compared_node.value, bool):
                compared = compared_node.value
            else:
                b.problem(path, compared_node, "compared must be true or false", ident)
        b.outcomes[ident] = Outcome(ident, name, family, desc, compared)


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
        b.problem(path, node, f"unparseable {key}: {e}", claim)
        return None


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
        quote_node = f.get("quote")
        quote = _str(b, path, f, "quote", node, required=True, claim=ident)
        if quote_node is not None and quote is not None:
            quote = " ".join(quote.split())
        stages = tuple(s for s, _ in _str_list(b, path, f, "stages", ident))
        comparator = _str(b, path, f, "comparator", node, required=False, claim=ident)
        intervention = _str(b, path, f, "intervention", node, required=False, claim=ident)
        citation = _str(b, path, f, "citation", node, required=False, claim=ident)
        n: int | None = None
        n_node = f.get("n")
        if n_node is not None and n_node.value is not None:
            if (
                isinstance(n_node.value, int)
                and not isinstance(n_node.value, bool)
                and n_node.value > 0
            ):
                n = n_node.value
            else:
                b.problem(path, n_node, "n must be a positive whole number", ident)
                ok = False
        value: Quantity | None = None
        if "value" not in f or f["value"].value is None:
            b.problem(path, node, "missing required field 'value'", ident)
            ok = False
        else:
            value = _parse_quantity(b, path, f["value"], "value", ident)
            if value is not None and _below_zero(value):
                b.problem(path, f["value"], f"{value.text!r}: a value cannot be below 0", ident)
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
        if not (ok and condition and outcome and measure and basis and quote and value):
            continue
        claim = Claim(
            id=ident,
            source=source_id,
            condition=condition,
            stages=stages,
            outcome=outcome,
            measure=measure,
            value=value,
            quote=quote,
            basis=basis,
            timepoint=timepoint,
            comparator=comparator,
            intervention=intervention,
            n=n,
            citation=citation,
            where=f"{path}:{node.line}:{node.column}",
        )
        b.pending.append((claim, path, f))


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
                    f"{n} claim{'s' if n != 1 else ''}; add it to sources.yaml",
                )
            ok = False
        cond = b.conditions.get(claim.condition)
        if cond is None:
            b.problem(
                path,
                f["condition"],
                f"unknown condition {claim.condition!r}{_suggest(claim.condition, b.conditions)}",
                cid,
            )
            ok = False
        else:
            for st, st_node in _str_list(b, path, f, "stages", cid):
                if st not in cond.stage_ids:
                    valid = ", ".join(cond.stage_ids) or "none"
                    b.problem(
                        path,
                        st_node,
                        f"condition {cond.id!r} has no stage {st!r} (valid: {valid})",
                        cid,
                    )
                    ok = False
            if len(set(claim.stages)) != len(claim.stages):
                b.problem(path, f["stages"], "a stage is listed twice", cid)
                ok = False
        if claim.outcome not in b.outcomes:
            b.problem(
                path,
                f["outcome"],
                f"unknown outcome {claim.outcome!r}{_suggest(claim.outcome, b.outcomes)}",
                cid,
            )
            ok = False
        measure = b.measures.get(claim.measure)
        if measure is None:
            b.problem(
                path,
                f["measure"],
                f"unknown measure {claim.measure!r}{_suggest(claim.measure, b.measures)}",
                cid,
            )
            ok = False
        else:
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


def build(parsed: Sequence[tuple[DataFile, Node | None]]) -> tuple[Dataset, list[Problem]]:
    """Validate parsed files into a :class:`Dataset`; return every problem found."""
    b = _Builder()
    order = {"outcomes": 0, "sources": 1, "conditions": 2, "claims": 3}
    for df, root in sorted(parsed, key=lambda item: order[item[0].role]):
        path = display_path(df)
        if df.role == "sources":
            _add_sources(b, path, root)
        elif df.role == "conditions":
            _add_conditions(b, path, root)
        elif df.role == "outcomes":
            _add_outcomes(b, path, root)
        else:
            _add_claims(b, path, root, df.source_id or "")
    _cross_check(b)
    ds = Dataset(b.sources, b.conditions, b.outcomes, b.measures, tuple(b.claims))
    return ds, b.problems


def parse_and_build(
    files: Sequence[DataFile], blobs: Sequence[bytes]
) -> tuple[Dataset, list[Problem]]:
    """Parse every file's bytes and validate the whole; every problem is returned.

    The cyclic garbage collector is paused meanwhile: loading creates millions of
    small acyclic objects, and collections over the growing heap made a 100,000-claim
    load half again as slow.
    """
    import gc

    parsed: list[tuple[DataFile, Node | None]] = []
    problems: list[Problem] = []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for df, data in zip(files, blobs, strict=True):
            try:
                text = decode_utf8(display_path(df), data)
                parsed.append((df, parse_yaml(display_path(df), text)))
            except InputError as e:
                problems.append(Problem(e.location or Location(display_path(df)), e.reason))
        ds, more = build(parsed)
    finally:
        if was_enabled:
            gc.freeze()  # what was loaded lives as long as the run: never scan it again
            gc.enable()
    problems.extend(more)
    return ds, problems
