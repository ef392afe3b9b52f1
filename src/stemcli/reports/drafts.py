"""Reports of draft claims (extract): a claims file to edit, or a table of guesses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stemcli.numbers import plain, plural
from stemcli.render import Cell, Column, Json, Report, Styled
from stemcli.reports.claims import QUOTE_WIDTH, basis_text, shorten
from stemcli.reports.fields import claim_json

# the YAML primitives live with the neutraliser; yaml_quoted is part of this module's API
from stemcli.text.neutralise import yaml_quoted, yaml_word

if TYPE_CHECKING:
    from stemcli.ops.extract import Draft, Extraction

__all__ = ["DraftsWriter", "draft_json", "drafts_report", "drafts_yaml", "yaml_quoted", "yaml_word"]


def draft_json(d: Draft, source: str) -> dict[str, Json]:
    """A draft in the JSON claim contract, plus where it was found and what was guessed."""
    out = claim_json(d.to_claim(source))
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


def drafts_yaml(extraction: Extraction) -> str:
    """Drafts as a claims file (data/claims/<source>.yaml); guesses say '# guess'."""
    sid = extraction.source_id
    n = len(extraction.drafts)
    out = DraftsWriter()
    for line in (
        f"Draft claims from {extraction.path or 'the text'} (stemcli extract),",
        f"for claims/{sid}.yaml of a dataset folder. Values and quotes come from the text;",
        'every field marked "# guess" was guessed: confirm or correct it, then delete the mark.',
        f"Add the source to sources.yaml first (the file name must be {sid}.yaml):",
        f"  - id: {sid}",
        "    title: ...",
        "    publisher: ...",
        "    kind: clinic            # clinic, broker or information",
        "    sells_treatment: true",
        f"{plural(n, 'draft')} from {plural(extraction.segments, 'sentence')} and table rows.",
    ):
        out.comment(line)
    for d in extraction.drafts:
        guess = set(d.guessed)
        out.blank()
        out.comment(f"line {d.line}, column {d.column}")
        out.item("id", yaml_word(d.id))
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
        out.field("basis", yaml_word(d.basis), guessed="basis" in guess)
        if d.n is not None:
            out.field("n", str(d.n), guessed="n" in guess)
        out.field("quote", yaml_quoted(" ".join(d.quote.split())))
    if not extraction.drafts:
        out.blank()
        out.comment("no quantitative statements found")
    return out.text()


def drafts_report(extraction: Extraction, *, full: bool = False) -> Report:
    """Drafts as a table ('?' marks a guess), CSV, Markdown, JSON (the claim contract)
    or YAML (a claims file to edit, see :func:`drafts_yaml`)."""
    sid = extraction.source_id

    def cell(text: str, guessed: bool) -> Cell:
        if not text:
            return ""
        return Styled(text + "?", style="italic") if guessed else text

    rows: list[tuple[Cell, ...]] = []
    csv_rows: list[tuple[str, ...]] = []
    for d in extraction.drafts:
        g = set(d.guessed)
        tp = d.timepoint
        rows.append(
            (
                d.id,
                str(d.line),
                Styled(d.value.text, style="bold"),
                cell(tp.text if tp else "", "timepoint" in g),
                cell(d.condition, "condition" in g),
                cell(", ".join(d.stages) or "—", "stages" in g),
                cell(d.outcome, "outcome" in g),
                cell(d.measure, "measure" in g),
                cell(basis_text(d.to_claim(sid)), "basis" in g or "n" in g),
                shorten(d.quote, QUOTE_WIDTH, full),
            )
        )
        csv_rows.append(
            (
                d.id,
                str(d.line),
                str(d.column),
                d.value.text,
                plain(d.value.low),
                plain(d.value.high),
                d.value.unit or "",
                d.value.qualifier,
                tp.text if tp else "",
                d.condition,
                ";".join(d.stages),
                d.outcome,
                d.measure,
                d.comparator or "",
                d.basis,
                str(d.n) if d.n is not None else "",
                ";".join(d.guessed),
                d.quote,
            )
        )
    n = len(extraction.drafts)
    return Report(
        columns=(
            Column("Id", no_wrap=True),
            Column("Line", justify="right"),
            Column("Value", min_width=8, max_width=22),
            Column("Timepoint", max_width=14),
            Column("Condition", max_width=16),
            Column("Stage", max_width=14),
            Column("Outcome", max_width=26),
            Column("Measure", max_width=15),
            Column("Basis", max_width=22),
            Column("Quote", min_width=20, max_width=None if full else 60),
        ),
        rows=tuple(rows),
        data=[draft_json(d, sid) for d in extraction.drafts],
        csv_header=(
            "id",
            "line",
            "column",
            "value",
            "low",
            "high",
            "unit",
            "qualifier",
            "timepoint",
            "condition",
            "stages",
            "outcome",
            "measure",
            "comparator",
            "basis",
            "n",
            "guessed",
            "quote",
        ),
        csv_rows=tuple(csv_rows),
        title=f"Draft claims from {extraction.path}" if extraction.path else "Draft claims",
        summary=f"{plural(n, 'draft')} from {plural(extraction.segments, 'sentence')} and "
        "table rows; '?' marks a guess to confirm",
        yaml=drafts_yaml(extraction),
    )
