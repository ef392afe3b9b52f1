"""report: everything the dataset says about one source, gathered for a reader's page.

:func:`source_report` is pure: it takes the dataset, a source id and the folders to look
for archived texts in, and returns a :class:`SourceReport` of what the page claims, its
findings (internal, against other sources, arithmetic), its red flags, the comparison its
range chart draws, and the provenance of every quote.

Two functions place the source's claims among others: :func:`evidence_context` (where a
claim sits among what clinics market and what trials show, from
:mod:`stemcli.ops.context`) and :func:`unusual_findings` (a marketing claim outside what a
survey found clinics to market, from :mod:`stemcli.ops.conflicts.unusual`). The report
page and the ClaimReview export read them from here only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stemcli.model import Claim, Dataset, Source

if TYPE_CHECKING:
    from stemcli.ops.compare import Comparison
    from stemcli.ops.conflicts import Conflict
    from stemcli.ops.redflags import RedFlags


@dataclass(frozen=True)
class ContextItem:
    """One line of evidence context: what ``claims`` of the source are set beside."""

    heading: str  # what the line is about: "Knee osteoarthritis · pain · responder-rate"
    text: str  # in words: where the claims sit among marketing and trial figures
    claims: tuple[Claim, ...] = ()


def evidence_context(ds: Dataset, source: Source) -> tuple[ContextItem, ...]:
    """The evidence context of ``source``'s marketing claims: for each that a survey of
    clinics or a trial or review speaks to, where it sits among what clinics market and
    whether the trial figures measure the same thing. Claims whose context reads the same
    (a figure the page repeats) share one item. None for a reference source itself."""
    from stemcli.ops.context import context, value_text
    from stemcli.ops.rules import is_reference, shown

    items: dict[tuple[str, str], list[Claim]] = {}
    for c in ds.claims:
        if c.source != source.id or is_reference(ds, c):
            continue
        cx = context(ds, c)
        # trial figures are results: beside a time, a count or a dose they say nothing
        evidence = cx.evidence if c.measure in _RESULT_MEASURES else ()
        if cx.position is None and not evidence:
            continue
        parts = [] if cx.position is None else [cx.position.sentence]
        if evidence:
            same = [r for r in evidence if r.comparable]
            figures = ", ".join(
                f"{value_text(r.claim.value)} ({_cited(ds, r.claim)})" for r in evidence[:4]
            )
            more = f" and {len(evidence) - 4} more" if len(evidence) > 4 else ""
            n = len(evidence)
            figs = f"{n} trial or review figure{'s' if n != 1 else ''}"
            if same:
                parts.append(
                    f"{len(same)} of {figs} for the same condition and outcome measure it "
                    f"the same way: {figures}{more}."
                )
            else:
                parts.append(
                    f"None of {figs} for the same condition and outcome measures it the "
                    f"same way (this claim is {cx.what}); they are context, not a check: "
                    f"{figures}{more}."
                )
            if cx.certainty:
                grades = cx.certainty.replace("-", " ")
                parts.append(f"Where graded, the certainty of that evidence is {grades} (GRADE).")
        heading = f"{shown(c.value)} · {c.condition} · {c.outcome} · {c.measure}"
        items.setdefault((heading, " ".join(parts)), []).append(c)
    return tuple(ContextItem(h, t, tuple(cs)) for (h, t), cs in items.items())


_RESULT_MEASURES = frozenset({"effect", "responder-rate", "score"})


def _cited(ds: Dataset, c: Claim) -> str:
    src = ds.sources.get(c.source)
    if src is None:
        return c.source
    return f"{src.publisher} {src.year}" if src.year else src.publisher


def unusual_findings(ds: Dataset, source: Source) -> tuple[Conflict, ...]:
    """``source``'s marketing claims outside what a survey found clinics to market; each is
    a finding whose ``a`` is the source's statement."""
    from stemcli.ops.conflicts.results import Selection
    from stemcli.ops.conflicts.unusual import findings

    return tuple(findings(ds, Selection(source=source.id)))


def published_location(where: str, folder: str | None) -> str:
    """A ``file:line:col`` location as a published page shows it: from the dataset folder's
    own name down (``mydata/claims/x.yaml:12:3``), never the absolute path of the folder
    on the machine that made it."""
    import os

    if not folder or not where:
        return where
    path, sep, place = where.partition(":")
    if os.path.isabs(folder) or os.path.isabs(path):
        try:
            rel = os.path.relpath(os.path.abspath(path), os.path.abspath(folder))
        except ValueError:  # another drive
            return os.path.basename(path) + sep + place
        if rel.startswith(os.pardir):
            return os.path.basename(path) + sep + place
        name = os.path.basename(os.path.normpath(os.path.abspath(folder)))
        return os.path.join(name, rel) + sep + place
    return where


@dataclass(frozen=True)
class QuoteLocation:
    """Where a claim's quote is: in the dataset, and in the archived text when found."""

    claim: Claim
    dataset: str  # "claims/x.yaml:12:3"
    archive: str | None = None  # "line:column" in the archived text, when located


@dataclass(frozen=True)
class Archive:
    """The archived text of the source, as found (or not)."""

    name: str | None  # the file name the dataset records
    recorded: str | None  # the sha256 the dataset records
    found: bool = False
    actual: str | None = None  # the sha256 of the file read, when found

    @property
    def matches(self) -> bool | None:
        if not self.found or self.recorded is None:
            return None
        return self.actual == self.recorded


@dataclass(frozen=True)
class SourceReport:
    source: Source
    # by condition, outcome (in the vocabulary's order), intervention, comparator, group,
    # measure, then id
    claims: tuple[Claim, ...]
    internal: tuple[Conflict, ...]  # contradictions and tensions within the page
    across: tuple[Conflict, ...]  # contradictions and tensions with other sources
    arithmetic: tuple[Conflict, ...]
    unusual: tuple[Conflict, ...]
    redflags: RedFlags
    context: tuple[ContextItem, ...]
    # the rows where the source states a value beside another source's, or values that
    # disagree: every source's values in them
    comparison: Comparison
    quotes: tuple[QuoteLocation, ...]
    archive: Archive


def redflag_kind(source: Source) -> str:
    """The kind a source's quotes are read as: its own, unless it sells treatment under
    another kind (then as a clinic's page), as ``redflags --source`` reads it."""
    from stemcli.ops.redflags import SELLING_KINDS

    as_is = source.kind in SELLING_KINDS or not source.sells_treatment
    return source.kind if as_is else "clinic"


def source_findings(ds: Dataset, source_id: str) -> tuple[Conflict, ...]:
    """The findings that involve ``source_id``, its own and those against others: every
    one, up to :data:`~stemcli.ops.conflicts.MAX_LISTED` (the most severe of each kind
    first)."""
    from stemcli.ops.conflicts import MAX_LISTED, Selection, find_conflicts

    # a listing holds every finding there is, up to MAX_LISTED, without being told how many
    return find_conflicts(ds, Selection(source=source_id), limit=MAX_LISTED).conflicts


def source_report(ds: Dataset, source_id: str, folders: Sequence[Path] = ()) -> SourceReport:
    """What ``source_id`` claims and what is found in it, for one page."""
    from dataclasses import replace

    from stemcli.ops.compare import compare
    from stemcli.ops.redflags import scan_quotes

    source = ds.sources[source_id]
    outcome_order = {o: i for i, o in enumerate(ds.outcomes)}
    claims = sorted(
        (c for c in ds.claims if c.source == source_id),
        key=lambda c: (
            c.condition,
            outcome_order.get(c.outcome, len(outcome_order)),
            c.intervention or "",
            c.comparator or "",
            c.group or "",
            c.measure,
            c.id,
        ),
    )
    findings = source_findings(ds, source_id)
    internal = tuple(x for x in findings if x.kind != "arithmetic" and x.internal)
    across = tuple(x for x in findings if x.kind != "arithmetic" and not x.internal)
    arithmetic = tuple(x for x in findings if x.kind == "arithmetic")
    flags = scan_quotes(claims, source=source_id, kind=redflag_kind(source))
    comparison = compare(ds)
    mine = [i for i, s in enumerate(comparison.sources) if s == source_id]
    # the rows where the source's values can be set against another value: another
    # source's in the same row, or its own that disagree
    rows = tuple(
        r
        for r in comparison.rows
        if any(r.cells[i].entries for i in mine) and (r.source_count > 1 or r.disagree)
    )
    used = {cell.source for r in rows for cell in r.cells if cell.entries}
    columns = tuple(s for s in comparison.sources if s in used)
    rows = tuple(
        replace(r, cells=tuple(cell for cell in r.cells if cell.source in used)) for r in rows
    )
    comparison = replace(comparison, rows=rows, sources=columns)
    archive, text = _archive(source, folders)
    quotes = tuple(
        QuoteLocation(
            c,
            published_location(c.where, source.folder),
            _locate(text, c.quote) if text is not None else None,
        )
        for c in claims
    )
    return SourceReport(
        source=source,
        claims=tuple(claims),
        internal=internal,
        across=across,
        arithmetic=arithmetic,
        unusual=unusual_findings(ds, source),
        redflags=flags,
        context=evidence_context(ds, source),
        comparison=comparison,
        quotes=quotes,
        archive=archive,
    )


def _archive(source: Source, folders: Sequence[Path]) -> tuple[Archive, str | None]:
    """The source's archive as verify finds it (``folders``, else its dataset folder's
    ``archive/``), its sha256 and its text; not found is not an error here."""
    from stemcli.errors import InputError
    from stemcli.ops.verify import _archive_folder, _folder, _inside
    from stemcli.text.files import decode_utf8, read_bytes

    folders = [_folder(d) for d in folders]  # a folder named that is none is an error
    archive = Archive(source.archive, source.sha256)
    if source.archive is None:
        return archive, None
    folder = _archive_folder(source, list(folders))
    path = None if folder is None else _inside(folder, source.archive)
    if path is None or not path.is_file():
        return archive, None
    try:
        data = read_bytes(path)
        text = decode_utf8(path, data)
    except InputError:
        return archive, None
    found = Archive(source.archive, source.sha256, True, hashlib.sha256(data).hexdigest())
    return found, text


def _locate(text: str, quote: str) -> str | None:
    """Where ``quote`` is in ``text`` as ``line:column`` (spacing aside), or None."""
    words = quote.split()
    if not words:
        return None
    m = re.search(r"\s+".join(re.escape(w) for w in words), text)
    if m is None:
        return None
    line = text.count("\n", 0, m.start()) + 1
    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
    return f"{line}:{column}"
