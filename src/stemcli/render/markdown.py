"""Markdown output: a pipe table that renders on GitHub."""

from __future__ import annotations

import re

from stemcli.render.interface import Cell, Report, Styled
from stemcli.text.neutralise import clean

# inside a table cell, these would make links, images, emphasis, code or a new column
_MARKDOWN = re.compile(r"([\\`*_\[\]!|~])")


def _escape(text: str) -> str:
    """Data as literal text in a GitHub table cell: Markdown and HTML neutralised."""
    text = _MARKDOWN.sub(r"\\\1", clean(text))
    text = text.replace("&", "&amp;").replace("<", "&lt;")
    return text.replace("\r", " ").replace("\n", "<br>")


def _cell(cell: Cell) -> str:
    text = _escape(str(cell))
    if isinstance(cell, Styled) and cell.style and text.strip():
        return f"**{text}**"
    return text


def render(report: Report) -> str:
    lines: list[str] = []
    if report.title:
        lines += [f"### {_escape(report.title)}", ""]
    lines.append("| " + " | ".join(_escape(c.header) for c in report.columns) + " |")
    aligns = {"left": "---", "right": "---:", "center": ":---:"}
    lines.append("|" + "|".join(aligns.get(c.justify, "---") for c in report.columns) + "|")
    for row in report.rows:
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    for section in report.sections:
        lines += ["", render(section).rstrip("\n")]
    if report.summary:
        lines += ["", _escape(report.summary)]
    return "\n".join(lines) + "\n"
