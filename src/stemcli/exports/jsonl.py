"""A dataset as JSON Lines: the header line, then each source, condition and claim on a
line of its own (see :mod:`stemcli.dataset.formats.jsonl`, which reads it back).

Written a line at a time: :func:`lines` yields text, the caller writes it as it comes.
"""

from __future__ import annotations

from collections.abc import Iterator

from stemcli.model import Dataset


def lines(ds: Dataset, *, chunk: int = 1000) -> Iterator[str]:
    """The file's text in pieces of about ``chunk`` lines each."""
    import json

    from stemcli.dataset.formats.nodes import HEADER
    from stemcli.exports.records import claim_record, condition_record, source_record
    from stemcli.text.neutralise import json_safe

    def line(kind: str | None, record: object) -> str:
        obj = record if kind is None else {kind: record}
        return json_safe(json.dumps(obj, ensure_ascii=False, allow_nan=False)) + "\n"

    head = [line(None, HEADER)]
    head += [line("source", source_record(s)) for s in ds.sources.values()]
    head += [line("condition", condition_record(c)) for c in ds.conditions.values()]
    yield "".join(head)
    claims = ds.claims
    for start in range(0, len(claims), chunk):
        yield "".join(line("claim", claim_record(c)) for c in claims[start : start + chunk])
