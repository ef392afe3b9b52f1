"""A page for a reader: sections of headings, paragraphs, tables, facts and a figure.

Reports (:mod:`stemcli.reports.page`) build a :class:`Page` of plain strings, no markup;
:mod:`stemcli.render.html_page` and :mod:`stemcli.render.markdown_page` turn it into a
document. Every string is data: each renderer escapes it for its format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True)
class Link:
    """A link to a web address (checked as a plain http(s) address by validation)."""

    text: str
    href: str


Value: TypeAlias = "str | Link"


@dataclass(frozen=True)
class Paragraph:
    text: str
    note: bool = False  # secondary text (what a section holds when it holds nothing)


@dataclass(frozen=True)
class Table:
    """A table; the first cell of each row is that row's header."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # columns whose text is code-like (ids, hashes, locations): never hyphenated
    code: tuple[int, ...] = ()


@dataclass(frozen=True)
class Facts:
    """Name and value pairs (a definition list)."""

    pairs: tuple[tuple[str, Value], ...]


@dataclass(frozen=True)
class Items:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Figure:
    """An SVG document (already escaped by its own renderer), its caption and its text
    alternative (for formats that cannot show the SVG)."""

    svg: str
    caption: str
    alt: str


Block: TypeAlias = "Paragraph | Table | Facts | Items | Figure"


@dataclass(frozen=True)
class Section:
    id: str  # the anchor: lowercase letters, digits and hyphens
    heading: str
    blocks: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Page:
    title: str
    summary: str
    sections: tuple[Section, ...]
    footer: str = ""
