"""Markdown output: a pipe table that renders on GitHub."""

from __future__ import annotations

from stemcli.render import Cell, Report, Styled
from stemcli.safe import clean


def _escape(text: str) -> str:
    text = clean(text).replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("\r", " ").replace("\n", "<br>")
    return text.replace("<br>", "\0").replace("<", "&lt;").replace("\0", "<br>")


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
    if report.summary:
        lines += ["", _escape(report.summary)]
    return "\n".join(lines) + "\n"
