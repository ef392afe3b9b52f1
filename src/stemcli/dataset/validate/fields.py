"""The builder that collects problems, and the checks of one field's type and shape."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from stemcli.dataset.yaml_nodes import Node
from stemcli.errors import Location, Problem
from stemcli.ids import closest
from stemcli.model import Claim, Condition, Measure, Outcome, Source


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
    """' (did you mean 'x'?)' with the closest of ``choices`` (up to three, best first:
    those about as close as the best), or '' when none is close; every unknown-id
    problem of validate words it so."""
    from rapidfuzz import fuzz

    close = closest(word, choices, n=3, cutoff=0.6)
    if not close:
        return ""
    best = fuzz.ratio(word, close[0])
    close = [c for c in close if fuzz.ratio(word, c) >= best - 5]
    names = [repr(c) for c in close]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f" (did you mean {listed}?)"


def _review(
    b: _Builder, path: str, fields: dict[str, Node], allowed: Sequence[str], ident: str | None
) -> tuple[str, ...]:
    """The ``review`` list: the fields a person has not checked yet, each one of
    ``allowed`` (a name that is not is a located problem); in order, each once."""
    out: list[str] = []
    for name, node in _str_list(b, path, fields, "review", ident):
        if name not in allowed:
            b.problem(
                path,
                node,
                f"review names {name!r}, not a field{_suggest(name, allowed)}",
                ident,
            )
        elif name not in out:
            out.append(name)
    return tuple(out)


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


def _where(path: str, node: Node) -> str:
    return f"{path}:{node.line}:{node.column}"
