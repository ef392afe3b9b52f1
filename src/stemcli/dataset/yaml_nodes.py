"""YAML text to values that keep their line and column, from libyaml's event stream.

Anchors and aliases ("billion laughs") and non-standard tags (``!!python/object``) are
refused, and nesting and node counts are bounded while the events arrive.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from stemcli.errors import InputError, Location
from stemcli.text.segments import line_column

MAX_DEPTH = 16


# ~400 bytes per node while composing: 1.5 million is ~600 MB, and a 16 MiB claims file
# (the size limit) of real claims has ~0.9 million
MAX_NODES_PER_FILE = 1_500_000


class Node:
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


def parse_yaml(path: str, text: str) -> Node | None:
    """Parse one YAML document into :class:`Node` values, from libyaml's event stream.

    Only PyYAML's public parsing API is used (``yaml.parse`` with ``CBaseLoader``, the
    event classes and their marks): no resolver or composer internals. Plain scalars are
    typed here with PyYAML's own YAML 1.1 rules, which gives what ``yaml.CSafeLoader``
    gives. Nothing is ever constructed from a tag; aliases, depth beyond ``MAX_DEPTH`` and
    more than ``MAX_NODES_PER_FILE`` nodes are refused while the events arrive, before
    anything is built for them.
    """
    import yaml

    try:
        return _EventBuilder(yaml.resolver.Resolver.yaml_implicit_resolvers).build(
            yaml.parse(text, Loader=_loader_class())
        )
    except _YamlProblem as p:
        raise InputError(p.message, location=Location(path, p.line, p.column)) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 0
        col = mark.column + 1 if mark else 0
        what = e.problem or e.context or "invalid YAML"
        raise InputError(f"invalid YAML: {what}", location=Location(path, line, col)) from None
    except yaml.reader.ReaderError as e:  # a control character; libyaml gives a byte offset
        where = Location(path, *line_column(text.encode("utf-8", "surrogatepass"), e.position))
        raise InputError(
            f"invalid YAML: {e.reason} (U+{e.character:04X})", location=where
        ) from None
    except yaml.YAMLError as e:
        raise InputError(f"invalid YAML: {_one_line(str(e))}", location=Location(path)) from None
    except RecursionError:
        raise InputError("invalid YAML: nested too deeply", location=Location(path)) from None


def _one_line(text: str) -> str:
    return " ".join(text.split())


@functools.cache
def _loader_class() -> Any:
    """libyaml's parser where PyYAML has it, else the pure-Python one (same events)."""
    import yaml

    return getattr(yaml, "CBaseLoader", yaml.BaseLoader)


class _EventBuilder:
    """YAML parse events to Node values; refuses aliases, foreign tags, depth, size.

    A stack of open collections replaces recursion, so depth costs no C or Python stack.
    """

    def __init__(self, resolvers: dict[str, list[tuple[str, Any]]]) -> None:
        self.resolvers = resolvers
        self.budget = MAX_NODES_PER_FILE

    def build(self, events: Iterable[Any]) -> Node | None:
        import yaml

        root: Node | None = None
        documents = 0
        # each open collection: [its Node, a list or a dict, the pending key node or None]
        stack: list[list[Any]] = []
        anchors: dict[str, Any] = {}
        for event in events:
            cls = type(event)
            if getattr(event, "anchor", None) is not None and cls is not yaml.AliasEvent:
                anchors.setdefault(event.anchor, event.start_mark)
            if cls is yaml.ScalarEvent:
                if len(stack) > MAX_DEPTH:
                    raise _YamlProblem(
                        f"nested more than {MAX_DEPTH} levels deep", event.start_mark
                    )
                node = Node(self.scalar(event), event.start_mark)
            elif cls is yaml.SequenceStartEvent or cls is yaml.MappingStartEvent:
                is_seq = cls is yaml.SequenceStartEvent
                tag = event.tag
                if tag not in (None, "!", _SEQ if is_seq else _MAP):
                    raise _YamlProblem(f"unsupported YAML tag {tag!r}", event.start_mark)
                if len(stack) > MAX_DEPTH:
                    raise _YamlProblem(
                        f"nested more than {MAX_DEPTH} levels deep", event.start_mark
                    )
                self.count(event)
                container: Any = [] if is_seq else {}
                stack.append([Node(container, event.start_mark), container, None])
                continue
            elif cls is yaml.SequenceEndEvent or cls is yaml.MappingEndEvent:
                node = stack.pop()[0]
            elif cls is yaml.AliasEvent:  # located at the anchor: where the author wrote it
                mark = anchors.get(event.anchor)
                if mark is None:
                    raise _YamlProblem(
                        f"invalid YAML: found undefined alias {event.anchor!r}", event.start_mark
                    )
                raise _YamlProblem("YAML anchors and aliases are not supported", mark)
            elif cls is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _YamlProblem("expected a single document in the stream", event.start_mark)
                continue
            else:  # stream start and end, document end
                continue
            if not stack:
                root = node
                continue
            top = stack[-1]
            if type(top[1]) is list:
                top[1].append(node)
            elif top[2] is None:
                if not isinstance(node.value, str):
                    raise _YamlProblem("mapping keys must be plain words", node.mark)
                if node.value in top[1]:
                    raise _YamlProblem(f"key {node.value!r} appears twice", node.mark)
                top[2] = node
            else:
                top[1][top[2].value] = node
                top[2] = None
        return root

    def count(self, event: Any) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise _YamlProblem("too many YAML nodes in one file", event.start_mark)

    def scalar(self, event: Any) -> Any:
        self.count(event)
        raw: str = event.value
        tag: str | None = event.tag
        if tag is None:
            if event.style or not event.implicit[0]:  # quoted, literal or folded: text
                tag = _STR
            elif not raw:
                return None
            else:  # plain: YAML 1.1 types, as PyYAML's resolver gives them
                tag = _STR
                for candidate, regexp in self.resolvers.get(raw[0], ()):
                    if regexp.match(raw):
                        tag = candidate
                        break
        elif tag == "!":  # the non-specific tag: text
            tag = _STR
        return _scalar(tag, raw, event.start_mark)


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
