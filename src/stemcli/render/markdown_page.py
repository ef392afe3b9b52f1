"""A :class:`~stemcli.render.page.Page` as Markdown that renders on GitHub.

Headings, pipe tables (the first column bold as the row's header), definition pairs as a
list; the figure is given by its text alternative, since an SVG does not survive most
Markdown renderers. Every string is escaped as :mod:`stemcli.render.markdown` escapes
table cells, so data is never read as Markdown or HTML.
"""

from __future__ import annotations

from stemcli.render.markdown import _escape
from stemcli.render.page import Block, Facts, Figure, Items, Link, Page, Paragraph, Section, Table


def render(page: Page) -> str:
    lines = [f"# {_escape(page.title)}", "", _escape(page.summary), ""]
    for section in page.sections:
        lines += _section(section, 2)
    if page.footer:
        lines += ["---", "", _escape(page.footer), ""]
    return "\n".join(lines)


def _section(section: Section, level: int) -> list[str]:
    out = [f"{'#' * min(level, 6)} {_escape(section.heading)}", ""]
    for block in section.blocks:
        out += [*_block(block), ""]
    for sub in section.sections:
        out += _section(sub, level + 1)
    return out


def _block(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        text = _escape(block.text)
        return [f"*{text}*" if block.note else text]
    if isinstance(block, Table):
        out = [f"**{_escape(block.caption)}**", ""]
        out.append("| " + " | ".join(_escape(h) for h in block.headers) + " |")
        out.append("|" + "|".join("---" for _ in block.headers) + "|")
        for row in block.rows:
            cells = [_escape(c) for c in row]
            if cells and cells[0].strip():
                cells[0] = f"**{cells[0]}**"
            out.append("| " + " | ".join(cells) + " |")
        return out
    if isinstance(block, Facts):
        return [f"- **{_escape(k)}**: {_value(v)}" for k, v in block.pairs]
    if isinstance(block, Items):
        return [f"- {_escape(i)}" for i in block.items]
    if isinstance(block, Figure):
        return [_escape(block.alt), "", f"*{_escape(block.caption)}*"]
    raise AssertionError(f"unhandled block: {block!r}")


def _value(v: str | Link) -> str:
    if isinstance(v, Link):
        return f"<{v.href}>" if v.href.isascii() and ">" not in v.href else _escape(v.href)
    return _escape(v)
