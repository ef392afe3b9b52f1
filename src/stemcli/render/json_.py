"""JSON output: the report's data, pretty-printed, terminal-safe.

A list (the records of a listing) is written a record at a time (:func:`chunks`), in
exactly the bytes ``json.dumps(data, indent=2)`` gives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from stemcli.render.interface import Json, Report
from stemcli.text.neutralise import json_safe

# about this much text is gathered before it is written
CHUNK = 1 << 16


def dumps(data: Json) -> str:
    return json_safe(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)) + "\n"


def render(report: Report) -> str:
    return "".join(chunks(report))


def chunks(report: Report) -> Iterator[str]:
    """The JSON text in pieces: the records of a list one by one, as they are made."""
    data = report.raw("data")
    if isinstance(data, (str, dict)) or not isinstance(data, Iterable):
        yield dumps(data)
        return
    yield from batched(_list(data))


def _list(items: Iterable[Json]) -> Iterator[str]:
    """``json.dumps(list(items), indent=2)``, an item at a time: each item dumped on its
    own and indented one level (JSON text has no line break inside a string)."""
    first = True
    for item in items:
        text = json.dumps(item, ensure_ascii=False, indent=2, allow_nan=False)
        yield ("[\n  " if first else ",\n  ") + json_safe(text.replace("\n", "\n  "))
        first = False
    yield "[]\n" if first else "\n]\n"


def batched(pieces: Iterable[str], size: int = CHUNK) -> Iterator[str]:
    """``pieces`` joined into strings of about ``size`` characters (fewer writes)."""
    buf: list[str] = []
    n = 0
    for piece in pieces:
        buf.append(piece)
        n += len(piece)
        if n >= size:
            yield "".join(buf)
            buf, n = [], 0
    if buf:
        yield "".join(buf)
