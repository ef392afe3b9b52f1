"""Reports of draft claims (extract): a claims file to edit, or a table of guesses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from stemcli.numbers import plain, plural
from stemcli.render import Cell, Column, Json, Report, Styled
from stemcli.reports.claims import ANY_STAGE_TEXT, QUOTE_WIDTH, basis_text, shorten
from stemcli.reports.fields import claim_json, csv_of, table_of

# the YAML primitives live with the neutraliser; yaml_quoted is part of this module's API
from stemcli.text.neutralise import yaml_quoted, yaml_word

if TYPE_CHECKING:
    from stemcli.ops.extract import Draft, Extraction

__all__ = ["DraftsWriter", "draft_json", "drafts_report", "drafts_yaml", "yaml_quoted", "yaml_word"]


def review_of(d: Draft) -> list[str]:
    """The fields a person has to check: the draft's guesses, each once, in order."""
    return list(dict.fromkeys(d.guessed))


def draft_json(d: Draft, source: str) -> dict[str, Json]:
    """A draft in the JSON claim contract (``review``: its guesses), plus where it was
    found and what was guessed."""
    out = claim_json(d.to_claim(source))
    out["review"] = list(review_of(d))
    out["guessed"] = list(d.guessed)
    out["line"] = d.line
    out["column"] = d.column
    return out


class DraftsWriter:
    """The one writer of draft YAML: each line it emits is exactly one YAML line.

    Comments and values alike go through :func:`stemcli.text.neutralise.yaml_line`, so no text
    (a file name, a quote) can end a comment or a scalar with a character YAML reads as
    a line break (``\\r``, U+0085, U+2028, U+2029) and become YAML of its own.
    """

    def __init__(self) -> None:
        self._lines: list[str] = []

    def comment(self, text: str = "") -> None:
        self._lines.append(f"# {text}".rstrip())

    def blank(self) -> None:
        self._lines.append("")

    def item(self, key: str, scalar: str) -> None:
        """Start a list item whose first field is ``key``; ``scalar`` is YAML already."""
        self._lines.append(f"- {key}: {scalar}")

    def field(self, key: str, scalar: str, *, guessed: bool = False) -> None:
        """A field of the current item; ``scalar`` comes from yaml_quoted or yaml_word."""
        self._lines.append(f"  {key}: {scalar}" + ("  # guess" if guessed else ""))

    def text(self) -> str:
        from stemcli.text.neutralise import yaml_line

        return "".join(yaml_line(line) + "\n" for line in self._lines)


def _wrapped(head: str, words: Sequence[str], width: int = 86) -> list[str]:
    """``head`` and ``words`` joined by ', ' as comment lines of at most ``width``."""
    lines, line = [], head
    for i, w in enumerate(words):
        part = w + ("," if i < len(words) - 1 else "")
        if len(line) + 1 + len(part) > width and line.strip():
            lines.append(line)
            line = "  " + part
        else:
            line = f"{line} {part}" if line else part
    lines.append(line)
    return lines


def drafts_yaml(
    extraction: Extraction,
    *,
    outcomes: Sequence[str] = (),
    measures: Sequence[str] = (),
    source_added: bool = False,
) -> str:
    """Drafts as a claims file (data/claims/<source>.yaml); guesses say '# guess' and
    each draft's ``review`` lists them. ``outcomes`` and ``measures``: the valid ids,
    listed in the header; ``source_added``: the source is in sources.yaml already
    (``extract --into``), else the header says how to add it."""
    sid = extraction.source_id
    n = len(extraction.drafts)
    out = DraftsWriter()
    header = [
        f"Draft claims from {extraction.path or 'the text'} (stemcli extract),",
        f"for claims/{sid}.yaml of a dataset folder. Values and quotes come from the text;",
        'every field marked "# guess" was guessed. Confirm or correct each field named in',
        "review, then delete it from the list (or the whole line) and the mark.",
        "validate warns of every claim with a review list (and fails on it when strict).",
    ]
    if not source_added:
        header += [
            f"Add the source to sources.yaml first (the file name must be {sid}.yaml):",
            f"  - id: {sid}",
            "    title: ...",
            "    publisher: ...",
            "    kind: clinic            # clinic, broker or information",
            "    sells_treatment: true",
        ]
    if outcomes:
        header += _wrapped("outcomes:", outcomes)
    if measures:
        header += _wrapped("measures:", measures)
    header.append(
        f"{plural(n, 'draft')} from {plural(extraction.segments, 'sentence')} and table rows."
    )
    for line in header:
        out.comment(line)
    for d in extraction.drafts:
        guess = set(d.guessed)
        out.blank()
        out.comment(f"line {d.line}, column {d.column}")
        out.item("id", yaml_word(d.id))
        review = review_of(d)
        if review:
            out.field("review", "[" + ", ".join(yaml_word(f) for f in review) + "]")
        out.field("condition", yaml_word(d.condition), guessed="condition" in guess)
        stages = "[" + ", ".join(yaml_word(s) for s in d.stages) + "]"
        out.field("stages", stages, guessed="stages" in guess)
        out.field("outcome", yaml_word(d.outcome), guessed="outcome" in guess)
        out.field("measure", yaml_word(d.measure), guessed="measure" in guess)
        out.field("value", yaml_quoted(d.value.text), guessed="value" in guess)
        if d.timepoint is not None:
            out.field("timepoint", yaml_quoted(d.timepoint.text), guessed="timepoint" in guess)
        if d.comparator:
            out.field("comparator", yaml_quoted(d.comparator), guessed="comparator" in guess)
        if d.intervention:
            out.field("intervention", yaml_quoted(d.intervention), guessed="intervention" in guess)
        out.field("basis", yaml_word(d.basis), guessed="basis" in guess)
        if d.n is not None:
            out.field("n", str(d.n), guessed="n" in guess)
        if d.citation:
            out.field("citation", yaml_quoted(d.citation), guessed="citation" in guess)
        out.field("quote", yaml_quoted(" ".join(d.quote.split())))
    if not extraction.drafts:
        out.blank()
        out.comment("no quantitative statements found")
    return out.text()


def drafts_report(
    extraction: Extraction,
    *,
    full: bool = False,
    outcomes: Sequence[str] = (),
    measures: Sequence[str] = (),
    source_added: bool = False,
) -> Report:
    """Drafts as a table ('?' marks a guess), CSV, Markdown, JSON (the claim contract)
    or YAML (a claims file to edit, see :func:`drafts_yaml`)."""
    sid = extraction.source_id

    def guess(text: Callable[[Draft], str], *fields: str) -> Callable[[Draft], Cell]:
        def cell(d: Draft) -> Cell:
            shown = text(d)
            if not shown:
                return ""
            if any(f in d.guessed for f in fields):
                return Styled(shown + "?", style="italic")
            return shown

        return cell

    view: list[tuple[Column, Callable[[Draft], Cell]]] = [
        (Column("Id", no_wrap=True), lambda d: d.id),
        (Column("Line", justify="right"), lambda d: str(d.line)),
        (
            Column("Value", min_width=8, max_width=22),
            lambda d: Styled(d.value.text, style="bold"),
        ),
        (
            Column("Timepoint", max_width=14),
            guess(lambda d: d.timepoint.text if d.timepoint else "", "timepoint"),
        ),
        (Column("Condition", max_width=16), guess(lambda d: d.condition, "condition")),
        (
            Column("Stage", max_width=14),
            guess(lambda d: ", ".join(d.stages) or ANY_STAGE_TEXT, "stages"),
        ),
        (Column("Outcome", max_width=26), guess(lambda d: d.outcome, "outcome")),
        (Column("Measure", max_width=15), guess(lambda d: d.measure, "measure")),
        (
            Column("Basis", max_width=22),
            guess(lambda d: basis_text(d.to_claim(sid)), "basis", "n"),
        ),
        (
            Column("Quote", min_width=20, max_width=None if full else 60),
            lambda d: shorten(d.quote, QUOTE_WIDTH, full, around=d.value.text),
        ),
    ]
    columns, rows = table_of(view, extraction.drafts)
    csv_header, csv_rows = csv_of(DRAFT_CSV, extraction.drafts)
    n = len(extraction.drafts)
    return Report(
        columns=columns,
        rows=rows,
        data=[draft_json(d, sid) for d in extraction.drafts],
        csv_header=csv_header,
        csv_rows=csv_rows,
        title=f"Draft claims from {extraction.path}" if extraction.path else "Draft claims",
        summary=f"{plural(n, 'draft')} from {plural(extraction.segments, 'sentence')} and "
        "table rows; '?' marks a guess to confirm",
        yaml=drafts_yaml(
            extraction, outcomes=outcomes, measures=measures, source_added=source_added
        ),
    )


DRAFT_CSV: tuple[tuple[str, Callable[[Draft], str]], ...] = (
    ("id", lambda d: d.id),
    ("line", lambda d: str(d.line)),
    ("column", lambda d: str(d.column)),
    ("value", lambda d: d.value.text),
    ("low", lambda d: plain(d.value.low)),
    ("high", lambda d: plain(d.value.high)),
    ("unit", lambda d: d.value.unit or ""),
    ("qualifier", lambda d: d.value.qualifier),
    ("timepoint", lambda d: d.timepoint.text if d.timepoint else ""),
    ("condition", lambda d: d.condition),
    ("stages", lambda d: ";".join(d.stages)),
    ("outcome", lambda d: d.outcome),
    ("measure", lambda d: d.measure),
    ("comparator", lambda d: d.comparator or ""),
    ("basis", lambda d: d.basis),
    ("n", lambda d: str(d.n) if d.n is not None else ""),
    ("guessed", lambda d: ";".join(d.guessed)),
    ("quote", lambda d: d.quote),
)
