"""A :class:`~stemcli.render.page.Page` as one self-contained HTML document.

Nothing is loaded from anywhere: no scripts, no remote fonts, stylesheets or images; the
one figure is an inline SVG. The style sheet is print-friendly (black on white, tables
that break between rows, link addresses printed after links) and meaning never rests on
colour: findings are named in words and marked with glyphs. Tables have captions and
header cells with ``scope``; the figure is an ``img`` with a title and a description.

Every string of the page is made visible by the one neutraliser and escaped here, so a
quote holding ``<script>`` or ``</style>`` is text.
"""

from __future__ import annotations

from stemcli.render.figure import esc
from stemcli.render.page import Block, Facts, Figure, Items, Link, Page, Paragraph, Section, Table

STYLE = """\
:root{color-scheme:light}
body{margin:0 auto;max-width:60rem;padding:1.5rem;font-family:DejaVu Sans,Helvetica,Arial,
sans-serif;font-size:15px;line-height:1.45;color:#1a1a1a;background:#ffffff}
h1{font-size:1.6rem;margin:0 0 .4rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;
border-bottom:2px solid #1a1a1a;padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
p.summary{font-size:1.05rem}p.note{color:#555555;font-style:italic}
nav ol{columns:2;padding-left:1.2rem;margin:.5rem 0}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.9rem}
caption{text-align:left;font-weight:bold;padding:.3rem 0}
th,td{border:1px solid #8c8c8c;padding:.25rem .4rem;text-align:left;vertical-align:top}
thead th{background:#eeeeee}tbody th{font-weight:normal}
td.code,th.code{font-family:DejaVu Sans Mono,Menlo,Consolas,monospace;font-size:.8rem;
overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:bold}
dd{margin:0;overflow-wrap:anywhere}
figure{margin:1rem 0}figure svg{display:block;max-width:100%;height:auto}
figcaption{color:#333333;font-size:.9rem;margin-top:.3rem}
a{color:#1a4f8a}
footer{margin-top:2rem;border-top:1px solid #8c8c8c;padding-top:.5rem;color:#555555;
font-size:.85rem}
@media print{body{max-width:none;padding:0;font-size:11pt}nav{display:none}
a{color:#1a1a1a}a[href]::after{content:" <" attr(href) ">";font-size:.85em}
tr,figure,dl{break-inside:avoid}h2,h3{break-after:avoid}thead{display:table-header-group}
thead th{background:none}}
"""


def render(page: Page) -> str:
    """The page as an HTML document."""
    toc = "".join(f'<li><a href="#{_id(s.id)}">{esc(s.heading)}</a></li>' for s in page.sections)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # nothing may be loaded or run, whatever the data holds
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>{esc(page.title)}</title>",
        f"<style>\n{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{esc(page.title)}</h1>",
        f'<p class="summary">{esc(page.summary)}</p>',
        f'<nav aria-label="Contents"><ol>{toc}</ol></nav>',
        "</header>",
        "<main>",
    ]
    for section in page.sections:
        parts += _section(section, 2)
    parts.append("</main>")
    if page.footer:
        parts.append(f"<footer><p>{esc(page.footer)}</p></footer>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _id(text: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch == "-") else "-" for ch in text)


def _section(section: Section, level: int) -> list[str]:
    h = min(level, 6)
    out = [
        f'<section id="{_id(section.id)}" aria-labelledby="{_id(section.id)}-h">',
        f'<h{h} id="{_id(section.id)}-h">{esc(section.heading)}</h{h}>',
    ]
    for block in section.blocks:
        out.append(_block(block))
    for sub in section.sections:
        out += _section(sub, level + 1)
    out.append("</section>")
    return out


def _block(block: Block) -> str:
    if isinstance(block, Paragraph):
        cls = ' class="note"' if block.note else ""
        return f"<p{cls}>{esc(block.text)}</p>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Facts):
        rows = "".join(f"<dt>{esc(k)}</dt><dd>{_value(v)}</dd>" for k, v in block.pairs)
        return f"<dl>{rows}</dl>"
    if isinstance(block, Items):
        return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in block.items) + "</ul>"
    if isinstance(block, Figure):
        return f"<figure>\n{block.svg}<figcaption>{esc(block.caption)}</figcaption>\n</figure>"
    raise AssertionError(f"unhandled block: {block!r}")


def _value(v: str | Link) -> str:
    if isinstance(v, Link):
        return f'<a href="{esc(v.href)}" rel="nofollow noreferrer">{esc(v.text)}</a>'
    return esc(v)


def _table(t: Table) -> str:
    def cls(k: int) -> str:
        return ' class="code"' if k in t.code else ""

    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in t.headers)
    body = []
    for row in t.rows:
        cells = [f'<th scope="row"{cls(0)}>{esc(row[0])}</th>'] if row else []
        cells += [f"<td{cls(k)}>{esc(c)}</td>" for k, c in enumerate(row) if k > 0]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table>\n<caption>{esc(t.caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
        "<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"
    )
