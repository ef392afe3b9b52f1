"""Parse and validate datasets; every problem names file:line:column.

The parser reads YAML with ``yaml.CSafeLoader``'s composer only and builds values itself
from the node tree, so that every field keeps its line and column, anchors/aliases
("billion laughs") and non-standard tags (``!!python/object``) are refused, and nesting
is bounded. Finding and reading the files, and the cache, live in :mod:`stemcli.loader`;
the names re-exported from there keep ``stemcli.dataset`` a complete entry point.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from stemcli.errors import InputError, Location, Problem
from stemcli.loader import (
    MAX_FILE_BYTES,
    DataFile,
    bundled_dir,
    check,
    data_paths,
    decode_utf8,
    display_path,
    find_files,
    load,
    read_bytes,
)
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

__all__ = [
    "MAX_FILE_BYTES",
    "DataFile",
    "build",
    "bundled_dir",
    "check",
    "data_paths",
    "decode_utf8",
    "display_path",
    "find_files",
    "load",
    "parse_and_build",
    "parse_yaml",
    "read_bytes",
]

MAX_DEPTH = 16
# ~400 bytes per node while composing: 1.5 million is ~600 MB, and a 16 MiB claims file
# (the size limit) of real claims has ~0.9 million
MAX_NODES_PER_FILE = 1_500_000

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


# ---------------------------------------------------------------------------
# YAML -> values with positions


class _Node:
    """A value from YAML with where it starts (line and column are 1-based)."""

    __slots__ = ("mark", "value")

    def __init__(self, value: Any, mark: Any) -> None:
        self.value = value
        self.mark = mark

    @property
    def line(self) -> int:
        return int(self.mark.line) + 1

    @property
    def column(self) -> int:
        return int(self.mark.column) + 1


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _YamlProblem(Exception):
    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.line = int(mark.line) + 1
        self.column = int(mark.column) + 1


def parse_yaml(path: str, text: str) -> _Node | None:
    """Compose one YAML document and convert it into :class:`_Node` values.

    The C composer runs with PyYAML's *base* resolver, which does no implicit typing;
    plain scalars are typed here with PyYAML's own YAML 1.1 rules, which gives what
    ``yaml.CSafeLoader`` gives without a Python resolver call per scalar. Nothing is
    ever constructed from a tag.
    """
    import yaml

    try:
        loader = _composer_class()(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 0
        col = mark.column + 1 if mark else 0
        what = e.problem or e.context or "invalid YAML"
        raise InputError(f"{Location(path, line, col)}: invalid YAML: {what}") from None
    except yaml.reader.ReaderError as e:  # a control character; libyaml gives a byte offset
        before = text.encode("utf-8", "surrogatepass")[: e.position]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        where = Location(path, line, col)
        raise InputError(f"{where}: invalid YAML: {e.reason} (U+{e.character:04X})") from None
    except yaml.YAMLError as e:
        raise InputError(f"{path}: invalid YAML: {e}") from None
    except RecursionError:
        raise InputError(f"{path}: invalid YAML: nested too deeply") from None
    if root is None:
        return None
    converter = _Converter(yaml.resolver.Resolver.yaml_implicit_resolvers)
    try:
        return converter.convert(root, 0)
    except _YamlProblem as p:
        raise InputError(f"{Location(path, p.line, p.column)}: {p.message}") from None


@functools.cache
def _composer_class() -> Any:
    """libyaml's parser and composer, with a resolver that does nothing.

    The C composer asks Python to resolve every node's tag and to track the resolver
    path; here both are trivial (plain scalars are typed by :class:`_Converter`).
    Falls back to the pure-Python composer where libyaml is missing.
    """
    import yaml

    base = getattr(yaml, "CBaseLoader", None)
    if base is None:  # pragma: no cover - PyYAML without libyaml
        return yaml.BaseLoader
    tags = {yaml.ScalarNode: _STR, yaml.SequenceNode: _SEQ, yaml.MappingNode: _MAP}

    class Composer(base):  # type: ignore[misc, valid-type]
        # Bounds checked while composing, before any value is converted: the C composer
        # recurses without a limit (100,000 nested '[' overflowed the C stack: a crash)
        # and holds every node (~400 bytes each: 2 million items took 1 GiB, then crashed).
        depth = 0
        nodes = 0

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            return tags[kind]

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            self.depth += 1
            self.nodes += 1
            if self.depth > MAX_DEPTH + 1 or self.nodes > MAX_NODES_PER_FILE:
                what = "too many YAML nodes in one file"
                if self.depth > MAX_DEPTH + 1:
                    what = f"nested more than {MAX_DEPTH} levels deep"
                raise yaml.MarkedYAMLError(problem=what, problem_mark=current_node.start_mark)

        def ascend_resolver(self) -> None:
            self.depth -= 1

    return Composer


class _Converter:
    """Composed YAML nodes to _Node values; refuses aliases, foreign tags, depth, size."""

    def __init__(self, resolvers: dict[str, list[tuple[str, Any]]]) -> None:
        self.resolvers = resolvers
        self.seen: set[int] = set()
        self.budget = MAX_NODES_PER_FILE

    def convert(self, node: Any, depth: int) -> _Node:
        self.budget -= 1
        if self.budget < 0:
            raise _YamlProblem("too many YAML nodes in one file", node.start_mark)
        if depth > MAX_DEPTH:
            raise _YamlProblem(f"nested more than {MAX_DEPTH} levels deep", node.start_mark)
        key = id(node)  # the composer hands out an anchored node again for each alias of it
        if key in self.seen:
            raise _YamlProblem("YAML anchors and aliases are not supported", node.start_mark)
        self.seen.add(key)
        kind = node.id
        tag = node.tag
        if kind == "scalar":
            return _Node(self.scalar(node), node.start_mark)
        if kind == "sequence":
            if tag != _SEQ:
                raise _YamlProblem(f"unsupported YAML tag {tag!r}", node.start_mark)
            return _Node([self.convert(v, depth + 1) for v in node.value], node.start_mark)
        if kind == "mapping":
            if tag != _MAP:
                raise _YamlProblem(f"unsupported YAML tag {tag!r}", node.start_mark)
            out: dict[str, _Node] = {}
            for k_node, v_node in node.value:
                k = self.convert(k_node, depth + 1)
                if not isinstance(k.value, str):
                    raise _YamlProblem("mapping keys must be plain words", k.mark)
                if k.value in out:
                    raise _YamlProblem(f"key {k.value!r} appears twice", k.mark)
                out[k.value] = self.convert(v_node, depth + 1)
            return _Node(out, node.start_mark)
        raise _YamlProblem("unsupported YAML node", node.start_mark)  # pragma: no cover

    def scalar(self, node: Any) -> Any:
        raw: str = node.value
        tag: str = node.tag
        if not node.style and tag == _STR:  # plain (C composer: "", Python: None): YAML 1.1 types
            if not raw:
                return None
            for candidate, regexp in self.resolvers.get(raw[0], ()):
                if regexp.match(raw):
                    tag = candidate
                    break
        return _scalar(tag, raw, node.start_mark)


def _scalar(tag: str, raw: str, mark: Any) -> Any:
    if tag in (_STR, _TIMESTAMP):  # dates stay text: nothing in a dataset is a date
        return raw
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return raw.lower() in ("true", "yes", "on", "y")
    if tag == _INT:
        text = raw.replace("_", "")
        try:
            return int(text, 0) if not text.lstrip("+-").startswith("0") else int(text, 10)
        except ValueError:
            try:
                return int(text, 0)
            except ValueError:
                raise _YamlProblem(f"cannot read {raw!r} as a whole number", mark) from None
    if tag == _FLOAT:
        try:
            return float(raw.replace("_", "").replace(".inf", "inf").replace(".nan", "nan"))
        except ValueError:
            raise _YamlProblem(f"cannot read {raw!r} as a number", mark) from None
    # timestamps, binary, python/* ...: refuse rather than guess
    raise _YamlProblem(f"unsupported YAML tag {tag!r}", mark)


# ---------------------------------------------------------------------------
# building and validating


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
    pending: list[tuple[Claim, str, dict[str, _Node]]] = field(default_factory=list)

    def problem(
        self, path: str, node: _Node | None, message: str, claim: str | None = None
    ) -> None:
        loc = Location(path, node.line, node.column) if node else Location(path)
        self.problems.append(Problem(loc, message, claim))

    def define(self, kind: str, ident: str, path: str, node: _Node) -> bool:
        where = f"{path}:{node.line}:{node.column}"
        first = self.defined_at.get((kind, ident))
        if first is not None:
            self.problem(path, node, f"duplicate {kind} id {ident!r} (first defined at {first})")
            return False
        self.defined_at[(kind, ident)] = where
        return True


_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]{0,119}")


def _slug_ok(s: str) -> bool:
    """Lowercase ASCII letters, digits, '-', '_' and '.', starting with a letter or digit."""
    return _SLUG.fullmatch(s) is not None


def _typable(b: _Builder, path: str, node: _Node, kind: str, ident: str) -> bool:
    """An id is typed by people: refuse one holding an invisible or control character."""
    from stemcli.safe import first_escaped, visible

    hidden = first_escaped(ident)
    if hidden is not None:
        b.problem(
            path, node, f"{kind} id {ident!r} holds an invisible character ({visible(hidden)})"
        )
    return hidden is None


def _suggest(word: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_fields(
    b: _Builder, path: str, node: _Node, allowed: Sequence[str], what: str, ident: str | None
) -> None:
    for key in node.value:
        if key not in allowed:
            b.problem(path, node, f"unknown {what} field {key!r}{_suggest(key, allowed)}", ident)


def _str(
    b: _Builder,
    path: str,
    fields: dict[str, _Node],
    key: str,
    parent: _Node,
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
    b: _Builder, path: str, fields: dict[str, _Node], key: str, claim: str | None = None
) -> list[tuple[str, _Node]]:
    node = fields.get(key)
    if node is None or node.value is None:
        return []
    if isinstance(node.value, str):
        return [(node.value.strip(), node)]
    if not isinstance(node.value, list):
        b.problem(path, node, f"field {key!r} must be a list", claim)
        return []
    out: list[tuple[str, _Node]] = []
    for item in node.value:
        if isinstance(item.value, (str, int, float)) and not isinstance(item.value, bool):
            out.append((str(item.value).strip(), item))
        else:
            b.problem(path, item, f"items of {key!r} must be text", claim)
    return out


def _list_of_mappings(b: _Builder, path: str, root: _Node | None, what: str) -> list[_Node]:
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


def _add_sources(b: _Builder, path: str, root: _Node | None) -> None:
    for node in _list_of_mappings(b, path, root, "sources"):
        f = node.value
        ident = _str(b, path, f, "id", node, required=True)
        _check_fields(b, path, node, _SOURCE_FIELDS, "source", ident)
        if ident is None:
            continue
        if not _slug_ok(ident):
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


def _add_conditions(b: _Builder, path: str, root: _Node | None) -> None:
    for node in _list_of_mappings(b, path, root, "conditions"):
        f = node.value
        ident = _str(b, path, f, "id", node, required=True)
        _check_fields(b, path, node, _CONDITION_FIELDS, "condition", ident)
        if ident is None:
            continue
        if not _slug_ok(ident):
            b.problem(path, f["id"], f"condition id {ident!r} must be a lowercase slug")
            continue
        name = _str(b, path, f, "name", node, required=True)
        aliases = tuple(a for a, _ in _str_list(b, path, f, "aliases") if a)
        stages: list[Stage] = []
        stage_node = f.get("stages")
        items = stage_node.value if stage_node is not None else None
        if items is not None and not isinstance(items, list):
            b.problem(path, stage_node, "stages must be a list")
            items = []
        for item in items or []:
            if isinstance(item.value, str):
                stages.append(Stage(item.value.strip()))
            elif isinstance(item.value, dict):
                sid = _str(b, path, item.value, "id", item, required=True)
                _check_fields(b, path, item, ("id", "aliases"), "stage", sid)
                if sid:
                    saliases = tuple(a for a, _ in _str_list(b, path, item.value, "aliases") if a)
                    stages.append(Stage(sid, saliases))
            else:
                b.problem(path, item, "a stage must be an id or a mapping with id and aliases")
        seen_stages: set[str] = set()
        for st in stages:
            if st.id in seen_stages:
                b.problem(path, stage_node, f"stage {st.id!r} is listed twice")
            seen_stages.add(st.id)
        if b.define("condition", ident, path, f["id"]) and name:
            b.conditions[ident] = Condition(ident, name, aliases, tuple(stages))


def _add_outcomes(b: _Builder, path: str, root: _Node | None) -> None:
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
    b: _Builder, path: str, node: _Node, key: str, claim: str | None
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


def _add_claims(b: _Builder, path: str, root: _Node | None, source_id: str) -> None:
    for node in _list_of_mappings(b, path, root, "claims"):
        f = node.value
        ident = _str(b, path, f, "id", node, required=True)
        _check_fields(b, path, node, _CLAIM_FIELDS, "claim", ident)
        if ident is None:
            continue
        ok = True
        if not _slug_ok(ident):
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
            if (
                measure.max_percent is not None
                and claim.value.unit == "percent"
                and claim.value.high > measure.max_percent
            ):
                b.problem(
                    path, f["value"], f"a {measure.id} cannot exceed {measure.max_percent:g}%", cid
                )
                ok = False
        if ok:
            b.claims.append(claim)


def build(parsed: Sequence[tuple[DataFile, _Node | None]]) -> tuple[Dataset, list[Problem]]:
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


def _problem_from_message(message: str) -> Problem:
    """An InputError message 'path:line:col: what' as a Problem."""
    head, sep, rest = message.partition(": ")
    if not sep:
        return Problem(Location(""), message)
    parts = head.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return Problem(Location(parts[0], int(parts[1]), int(parts[2])), rest)
    return Problem(Location(head), rest)


def parse_and_build(
    files: Sequence[DataFile], blobs: Sequence[bytes]
) -> tuple[Dataset, list[Problem]]:
    """Parse every file's bytes and validate the whole; every problem is returned.

    The cyclic garbage collector is paused meanwhile: loading creates millions of
    small acyclic objects, and collections over the growing heap made a 100,000-claim
    load half again as slow.
    """
    import gc

    parsed: list[tuple[DataFile, _Node | None]] = []
    problems: list[Problem] = []
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for df, data in zip(files, blobs, strict=True):
            try:
                text = decode_utf8(display_path(df), data)
                parsed.append((df, parse_yaml(display_path(df), text)))
            except InputError as e:
                problems.append(_problem_from_message(e.message))
        ds, more = build(parsed)
    finally:
        if was_enabled:
            gc.freeze()  # what was loaded lives as long as the run: never scan it again
            gc.enable()
    problems.extend(more)
    return ds, problems
