"""JSON Lines datasets: line 1 ``{"stemcli": "dataset", "format": 1}``, then one object a
line, ``{"source": {...}}``, ``{"condition": {...}}`` or ``{"claim": {...}}``, with the
fields and spelling of the YAML files (a claim also names its ``source``).

Each line is read on its own (bounded in length, strict UTF-8, no NaN or Infinity, no key
twice in an object) into Nodes located at ``file:line:column``; the column of a field is
found only when a problem is reported there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from stemcli.dataset.find import DataFile
from stemcli.dataset.formats.nodes import FORMAT, HEADER, Mark, TooDeep, parts, too_deep, tree
from stemcli.dataset.yaml_nodes import Node
from stemcli.errors import InputError, Location

# a claim is about a kilobyte; a line this long is not one
MAX_LINE_BYTES = 1024 * 1024
RECORDS = ("source", "condition", "claim")


class _LineMark:
    """The mark of a value on one line: its column is looked up when asked for."""

    __slots__ = ("key", "line", "text")

    def __init__(self, line: int, text: str, key: str | None) -> None:
        self.line = line
        self.text = text
        self.key = key

    @property
    def column(self) -> int:
        """0-based: where the value of ``key`` starts on the line (else the line's start)."""
        if self.key is None:
            return 0
        text = self.text
        at = text.find(f'"{self.key}":')  # as stemcli writes it
        if at >= 0:
            at += len(self.key) + 3
        else:
            m = re.search(re.escape(json.dumps(self.key, ensure_ascii=False)) + r"\s*:", text)
            if m is None:
                return 0
            at = m.end()
        while at < len(text) and text[at] in " \t":
            at += 1
        return at


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a dataset can hold")


def _lines(data: bytes, start: int = 0) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) for each line, without materialising a list of them."""
    pos, number, size = start, 0, len(data)
    while pos < size:
        end = data.find(b"\n", pos)
        if end < 0:
            end = size
        number += 1
        yield number, data[pos:end]
        pos = end + 1


def read_jsonl(df: DataFile, data: bytes, path: str) -> list[tuple[DataFile, Node | None]]:
    if not data or data.isspace():
        raise InputError(
            "an empty file, not a JSON Lines dataset",
            hint=f"its first line is {json.dumps(HEADER)}, as stemcli's export writes it",
            location=Location(path),
        )
    sources: list[Node] = []
    conditions: list[Node] = []
    claims: list[tuple[str, Node]] = []
    header_seen = False
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # a byte order mark
    for number, raw in _lines(data, start):
        if len(raw) > MAX_LINE_BYTES:
            raise InputError(
                f"a line of more than {MAX_LINE_BYTES // 1024} KiB; a record is one claim, "
                "source or condition",
                location=Location(path, number, 1),
            )
        text = _decode(raw, path, number)
        if not text.strip():
            continue
        record = _parse(text, path, number)
        if not header_seen:
            _check_header(record, path, number)
            header_seen = True
            continue
        if not isinstance(record, dict) or len(record) != 1 or next(iter(record)) not in RECORDS:
            raise InputError(
                'each line is {"source": {...}}, {"condition": {...}} or {"claim": {...}}',
                location=Location(path, number, 1),
            )
        kind, body = next(iter(record.items()))
        if not isinstance(body, dict):
            raise InputError(
                f"{kind!r} must be an object of its fields",
                location=Location(path, number, _LineMark(0, text, kind).column + 1),
            )
        try:
            line = number - 1
            fields = {
                k: tree(v, _LineMark(line, text, k), 2)
                if type(v) is dict or type(v) is list
                else Node(v, _LineMark(line, text, k))
                for k, v in body.items()
            }
        except TooDeep:
            raise too_deep(Location(path, number, 1)) from None
        node = Node(fields, Mark(number - 1, _body_column(text)))
        if kind == "source":
            sources.append(node)
        elif kind == "condition":
            conditions.append(node)
        else:
            source = fields.pop("source", None)
            if source is None or not isinstance(source.value, str) or not source.value.strip():
                raise InputError(
                    'a claim names its source: "source": "SOURCE-ID"',
                    location=Location(path, number, node.column),
                )
            claims.append((source.value.strip(), node))
    if not header_seen:
        raise InputError("no records: a blank file", location=Location(path))
    return parts(df, sources, conditions, iter(claims), _LineMark(0, "", None))


def _body_column(text: str) -> int:
    """0-based: where the record's object starts (after ``{"claim":``)."""
    at = text.find(":") + 1
    while at < len(text) and text[at] in " \t":
        at += 1
    return at


def _decode(raw: bytes, path: str, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        column = len(raw[: e.start].decode("utf-8", "replace")) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{raw[e.start]:02x})",
            hint="save the file as UTF-8",
            location=Location(path, number, column),
        ) from None


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)


def _parse(text: str, path: str, number: int) -> Any:
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as e:
        raise InputError(
            f"invalid JSON: {e.msg}", location=Location(path, number, e.colno)
        ) from None
    except _Duplicate as d:
        raise InputError(
            f"key {d.key!r} appears twice in one object",
            location=Location(path, number, _LineMark(0, text, d.key).column + 1),
        ) from None
    except ValueError as e:  # NaN, Infinity, a number of more than 4,300 digits
        raise InputError(f"invalid JSON: {e}", location=Location(path, number, 1)) from None
    except RecursionError:
        raise too_deep(Location(path, number, 1)) from None


def _check_header(record: Any, path: str, number: int) -> None:
    if not (isinstance(record, dict) and record.get("stemcli") == "dataset"):
        raise InputError(
            "not a stemcli dataset: the first line must be " + json.dumps(HEADER),
            location=Location(path, number, 1),
        )
    if record.get("format") != FORMAT:
        raise InputError(
            f"dataset format {record.get('format')!r}; this stemcli reads format {FORMAT}",
            hint="convert it with the stemcli that wrote it, or a newer stemcli",
            location=Location(path, number, 1),
        )
