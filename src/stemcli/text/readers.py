"""Pages as text: a plain-text copy, a saved web page (.html) or a PDF, decided by content.

:func:`page_of` turns a page's bytes into a :class:`Page`; :func:`read_page` reads them from
a file or from standard input first. The kind is decided by what the bytes are: ``%PDF-`` at
the start is a PDF, HTML markup is a web page, anything else is plain UTF-8 text; the file's
extension only breaks a tie (a ``.html`` file holding plain text is read as text).

- Text: as it is (:func:`stemcli.text.files.text_of`, which refuses binary files and other
  encodings with the line and column of the first bad byte).
- HTML: the main text as trafilatura finds it (tables, lists, FAQ and testimonial blocks
  kept, a comments section dropped), rendered one block a line: a heading on a line of its
  own, a list item a line, a table row a line whose cells are separated by ``" | "``.
  trafilatura keeps one block of the page; what it left out of the page's main landmark
  (``<main>``, ``role=main`` or the ``<article>``) is put back in document order when it
  is a heading or holds a number (a headline claim above the article's body), and the
  reader is then named "trafilatura 2.3.1 + main landmark". When trafilatura is not
  installed, or finds almost nothing, the page's whole visible text is read with the
  standard library's :mod:`html.parser`. Either way scripts, styles, templates,
  ``noscript``, SVG, the head, navigation menus, cookie banners, countdowns and (on a page
  with a main landmark) the page's own header, footer, sidebar and buttons never reach the
  text, and entities are unescaped.
- PDF: pypdf's text of every page, the pages separated by a blank line; a line that runs on
  (the next one starts in lower case) is joined to it, so a sentence is not cut where the
  PDF broke the line.

The libraries are imported only when a page needs them.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import io
import logging
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from stemcli.errors import InputError, Location
from stemcli.text.files import MAX_TEXT_BYTES, read_bytes, text_of

if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "FALLBACK_READER",
    "LANDMARK_READER",
    "MAX_PDF_PAGES",
    "Page",
    "page_of",
    "read_page",
    "reading_note",
    "sniff",
]

FALLBACK_READER = "html.parser (whole visible text)"
LANDMARK_READER = " + main landmark"  # added to the main text reader's name when it is merged

MAX_PDF_PAGES = 2000

# trafilatura's main text shorter than this share of the visible text: it missed the page
_MIN_MAIN_SHARE = 0.2

# a page with more visible text is read whole: trafilatura's time grows faster than the page
# (2 s for 1 MB of markup dense with tags, 10 s for 4 MB, a minute for 10 MB), and menus
# are lost in so much text
_MAX_MAIN_CHARS = 500_000

_MAX_TITLE = 300


@dataclass(frozen=True, slots=True)
class Page:
    """A page as stemcli reads it: ``text`` is what extract and redflags see."""

    name: str  # the file name as given, or "<stdin>"
    text: str  # every quote drawn from the page is a substring of it
    kind: str  # "text" | "html" | "pdf"
    reader: str  # "text", "trafilatura 2.3.1", FALLBACK_READER, "pypdf 7.1.1"
    title: str | None


def read_page(path: Path, *, stdin: BinaryIO | None = None) -> Page:
    """The page in the file ``path``; ``-`` reads ``stdin`` (the caller's standard input).

    The size limit is the one of every page (:data:`~stemcli.text.files.MAX_TEXT_BYTES`).
    """
    if str(path) != "-":
        return page_of(str(path), read_bytes(path, MAX_TEXT_BYTES))
    name = "<stdin>"
    if stdin is None:
        raise InputError(f"{name}: standard input is closed", hint="give the page as a FILE")
    try:
        data = stdin.read(MAX_TEXT_BYTES + 1)
    except OSError as e:
        raise InputError(f"{name}: cannot read: {e.strerror or e}") from None
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(f"{name}: more than the {MAX_TEXT_BYTES // (1024 * 1024)} MiB limit")
    return page_of(name, data)


def page_of(name: str, data: bytes) -> Page:
    """The page whose bytes are ``data``; ``name`` is how errors and the page name it.

    Raises :class:`InputError` (one line saying why) for a binary file, another encoding,
    a PDF that cannot be read or has no text layer, a web page without text.
    """
    kind = sniff(name, data)
    if kind == "pdf":
        return _pdf_page(name, data)
    if kind == "html":
        return _html_page(name, data)
    return Page(name, text_of(name, data), "text", "text", None)


def reading_note(page: Page) -> str | None:
    """What a person should know about how the page was read, or None."""
    if page.kind != "html" or page.reader != FALLBACK_READER:
        return None
    whole = f"{page.name}: read as the page's whole visible text, asides included"
    if _trafilatura() is None:
        return f"{whole} (for the main text only: pip install 'stemcli[html]')"
    return whole


# ---------------------------------------------------------------------------
# what the bytes are

_SNIFF_BYTES = 8192
_HTML_EXTENSIONS = (".html", ".htm", ".xhtml", ".shtml")
_DOCUMENT_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s>/]")
_BLOCK_TAG = re.compile(r"</?(?:p|div|h[1-6]|table|tr|td|ul|ol|li|section|article|br|span|a)[\s>/]")


def sniff(name: str, data: bytes) -> str:
    """What ``data`` holds: "pdf", "html" or "text"; the extension of ``name`` breaks ties."""
    head = data[:_SNIFF_BYTES]
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    head = head.lstrip(b" \t\r\n\f")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or b"\x00" in data:
        return "text"  # refused as binary or UTF-16 with the text reader's errors
    start = head.decode("latin-1").lower()  # ASCII markup reads the same in any ASCII superset
    markup_first = start.startswith("<")
    document = _DOCUMENT_TAG.search(start) is not None
    blocks = len(_BLOCK_TAG.findall(start))
    if (markup_first and (document or blocks >= 2)) or (document and blocks >= 3):
        return "html"
    if name.lower().endswith(_HTML_EXTENSIONS) and (markup_first or document or blocks):
        return "html"
    return "text"


@contextlib.contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """A library's log records and warnings kept off the user's terminal.

    The level is raised on the library's top logger, which its modules' loggers inherit.
    """
    saved = [(logging.getLogger(n), logging.getLogger(n).level) for n in loggers]
    for logger, _ in saved:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in saved:
            logger.setLevel(level)


def _short(e: BaseException) -> str:
    words = " ".join(str(e).split())
    reason = words if words else type(e).__name__
    return reason if len(reason) <= 120 else reason[:117] + "..."


def _clean(text: str) -> str:
    """Line ends as newlines, no NUL (it never occurs in a page's text), outer space dropped."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()


# ---------------------------------------------------------------------------
# PDF


def _pdf_page(name: str, data: bytes) -> Page:
    where = Location(name)
    try:
        import pypdf
    except ImportError:
        raise InputError(
            "a PDF, and the PDF reader (pypdf) is not installed",
            hint="pip install 'stemcli[pdf]'",
            location=where,
        ) from None
    try:
        with _quiet("pypdf"):
            texts, title = _pdf_texts(pypdf, name, data)
    except InputError:
        raise
    except Exception as e:  # a hostile or broken file can fail anywhere inside the library
        raise InputError(f"cannot read the PDF: {_short(e)}", location=where) from None
    text = "\n\n".join(t for t in (_reflow(_clean(t)) for t in texts) if t)
    if not text:
        raise InputError(
            "no text layer: a scanned PDF? run OCR first",
            hint="or paste the page's text into a .txt file",
            location=where,
        )
    return Page(name, text, "pdf", f"pypdf {pypdf.__version__}", title)


def _pdf_texts(pypdf: ModuleType, name: str, data: bytes) -> tuple[list[str], str | None]:
    where = Location(name)
    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception as e:  # e.g. AES without the cryptography package
            missing = isinstance(e, pypdf.errors.DependencyError)
            raise InputError(
                f"an encrypted PDF that cannot be opened: {_short(e)}",
                hint="pip install 'pypdf[crypto]'"
                if missing
                else "save an unprotected copy, or paste its text into a .txt file",
                location=where,
            ) from None
        if not opened:
            raise InputError(
                "an encrypted PDF (it needs a password)",
                hint="save an unprotected copy, or paste its text into a .txt file",
                location=where,
            )
    n = len(reader.pages)
    if n > MAX_PDF_PAGES:
        raise InputError(f"a PDF of {n:,} pages, more than {MAX_PDF_PAGES:,}", location=where)
    texts = [reader.pages[i].extract_text() or "" for i in range(n)]
    title: str | None = None
    with contextlib.suppress(Exception):  # a broken information dictionary is no title
        meta = reader.metadata
        title = _title(meta.title if meta is not None else None)
    return texts, title


_RUNS_ON = re.compile(r"[^\W\d_]-$")
_NUMBER_START = frozenset("0123456789$€£")


def _reflow(text: str) -> str:
    """Join a line to the next one when the sentence runs on: the next line starts in lower
    case, or with a number after a word ("less pain at" / "6 months after"), or the line
    ends with a comma ("as well as tennis elbow," / "Achilles tendinopathy").

    A line ending in a sentence end, a colon or a semicolon is never joined; a hyphen at
    the end of a line is kept (``well-known`` stays whole, ``regen-erative`` too).
    """
    lines: list[list[str]] = []  # each output line as its pieces: joining stays linear
    prev = ""  # the last piece
    for raw in text.split("\n"):
        line = raw.strip()
        first = line[:1]
        runs_on = (
            first.islower()
            or (first in _NUMBER_START and prev[-1:].isalpha())
            or (prev[-1:] == "," and first.isalnum())  # a comma ends no paragraph
        )
        if lines and prev and first and runs_on and prev[-1] not in ".!?:;":
            lines[-1].append(line if _RUNS_ON.search(prev) else " " + line)
        else:
            lines.append([raw.rstrip()])
        prev = line
    return "\n".join("".join(pieces) for pieces in lines)


# ---------------------------------------------------------------------------
# HTML: decoding


class _MetaCharset(HTMLParser):
    """The charset a page's ``<meta>`` declares."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.charset: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta" or self.charset is not None:
            return
        a = {k: v or "" for k, v in attrs}
        if a.get("charset"):
            self.charset = a["charset"].strip()
        elif a.get("http-equiv", "").lower() == "content-type":
            _, _, rest = a.get("content", "").lower().partition("charset=")
            self.charset = rest.strip().strip("\"';").strip() or None


_WINDOWS_1252 = {"ascii", "latin_1", "iso8859_1", "cp1252"}  # what browsers decode them as


def _charset(data: bytes) -> str:
    """The codec of a page: its BOM or ``<meta>`` charset; UTF-8 when neither says."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    parser = _MetaCharset()
    with contextlib.suppress(Exception):  # the prescan only looks; the real parse is later
        parser.feed(data[:4096].decode("latin-1"))
    if parser.charset is None:
        return "utf-8"
    try:
        codec = codecs.lookup(parser.charset).name
    except LookupError:
        return "utf-8"
    if codec in _WINDOWS_1252:
        return "cp1252"
    if codec.startswith(("utf_16", "utf_32", "utf-16", "utf-32")):
        return "utf-8"  # no NUL in the bytes: the declaration is wrong, the page is ASCII-based
    return codec


def _decode_html(name: str, data: bytes) -> str:
    codec = _charset(data)
    if codec in ("utf-8", "utf_8"):
        return text_of(name, data)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        from stemcli.text.segments import line_column

        raise InputError(
            f"not {codec} text as its <meta> charset says (byte 0x{data[e.start]:02x})",
            hint="save the page again from the browser",
            location=Location(name, *line_column(data, e.start)),
        ) from None


# ---------------------------------------------------------------------------
# HTML: what is never text

# elements whose content is never the page's text
_NEVER = frozenset(
    [
        "script", "style", "template", "noscript", "svg", "math", "head", "title", "nav",
        "iframe",
        "object", "embed", "canvas", "select", "datalist", "dialog",
    ]
)  # fmt: skip
_CHROME_ROLES = frozenset(
    ["navigation", "menu", "menubar", "dialog", "alertdialog", "search", "banner", "contentinfo",
     "timer", "marquee"]
)  # fmt: skip
_CHROME_WORDS = frozenset(
    [
        "nav", "navbar", "navigation", "menu", "menubar", "breadcrumb", "breadcrumbs",
        "cookie", "cookies", "consent", "gdpr", "cookiebanner", "cookieconsent", "skip",
        "countdown", "timer",
    ]
)  # fmt: skip
_NEVER_CHROME = frozenset(["html", "body", "main", "article"])  # a page's frame, whatever its class
# elements that make what is inside them part of a section, not of the page's frame: a header
# or footer inside one is the section's (a byline, a testimonial's author), outside the page's
_SECTIONING = frozenset(["article", "aside", "main", "nav", "section"])
_SECTIONING_ROLES = frozenset(["main", "article", "region", "complementary"])
# on a page with a main landmark, the page's own header, footer, sidebar and buttons, when
# no section holds them
_FRAME_CHROME = frozenset(["header", "footer", "aside", "button"])
_BUTTON_WORDS = frozenset(["btn", "button", "cta"])  # a link that looks like a button
# inside the main landmark, what is beside the article: shares, related links, ads,
# newsletter forms (what the main text reader left out of them is not put back)
_ASIDE_TAGS = frozenset(["aside", "form", "button"])
_ASIDE_WORDS = frozenset(
    [
        "share", "sharing", "social", "related", "newsletter", "subscribe", "signup", "ad",
        "ads", "advert", "advertisement", "adslot", "sponsor", "sponsored", "comment",
        "comments", "respond", "reply", "disqus", "sidebar", "tags", "kicker", "toc",
    ]
)  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")


def _role(attrs: Mapping[str, str | None]) -> str:
    return (attrs.get("role") or "").strip().lower()


def _is_section(tag: str, attrs: Mapping[str, str | None]) -> bool:
    """An element whose header and footer are its own, not the page's."""
    return tag in _SECTIONING or _role(attrs) in _SECTIONING_ROLES


def _is_chrome(
    tag: str,
    attrs: Mapping[str, str | None],
    classes: bool = True,
    *,
    in_section: bool = True,
    aside: bool = False,
) -> bool:
    """An element that is never the page's text: a script, a menu, a cookie banner, hidden,
    a countdown; outside every section (``in_section`` false), the page's header, footer,
    sidebar and buttons; with ``aside``, also what stands beside an article inside the main
    landmark (share buttons, related links, ads, comments, forms).

    ``in_section`` is true for an element inside a section (:data:`_SECTIONING`), and for
    every element of a page without a main landmark (nothing tells its frame from its body).
    """
    if tag in _NEVER:
        return True
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").strip().lower() == "true":
        return True
    style = (attrs.get("style") or "").lower().replace(" ", "")
    if "display:none" in style or "visibility:hidden" in style:
        return True
    role = _role(attrs)
    if role in _CHROME_ROLES:
        return True
    if aside and (tag in _ASIDE_TAGS or role == "complementary"):
        return True
    if not classes:
        return False
    if not in_section and (tag in _FRAME_CHROME or role == "complementary"):
        return True
    if tag in _NEVER_CHROME:
        return False
    for key in ("id", "class"):
        for word in _WORD.findall((attrs.get(key) or "").lower()):
            if word in _CHROME_WORDS or word.startswith(("cookie", "consent", "countdown")):
                return True
            if aside and word in _ASIDE_WORDS:
                return True
            if not in_section and tag == "a" and word in _BUTTON_WORDS:
                return True
    return False


def _title(raw: object) -> str | None:
    if not isinstance(raw, str):
        return None
    title = " ".join(raw.replace("\x00", "").split())
    if not title:
        return None
    return title if len(title) <= _MAX_TITLE else title[: _MAX_TITLE - 3].rstrip() + "..."


# ---------------------------------------------------------------------------
# HTML: blocks to lines


class _Lines:
    """Text in blocks: a block a line, a table row a line with its cells joined by " | "."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._buf: list[str] = []
        self._cells: list[str] | None = None
        self._cell: list[str] | None = None
        self._rows = 0  # depth of table rows (a table inside a cell is read flat)
        self._cell_depth = 0
        self.size = 0
        self.heading = 0  # depth of open headings: their lines are marked
        self.headings: set[int] = set()  # the indexes of the lines that are headings

    def text(self, s: str) -> None:
        if self._cell is not None:
            self._cell.append(s)
        elif self._rows == 0:
            self._buf.append(s)
        # text between the cells of a row (spaces, stray words) is no cell's

    def block(self) -> None:
        if self._cell is not None:
            self._cell.append(" ")
        elif self._rows == 0:
            self._flush()

    def row_start(self) -> None:
        self._rows += 1
        if self._rows == 1:
            self._flush()
            self._cells, self._cell, self._cell_depth = [], None, 0
        else:
            self.text(" ")

    def cell_start(self) -> None:
        self._cell_depth += 1
        if self._rows == 1 and self._cell_depth == 1:
            self._end_cell()
            self._cell = []
        else:
            self.text(" ")

    def cell_end(self) -> None:
        if self._rows == 1 and self._cell_depth == 1:
            self._end_cell()
        else:
            self.text(" ")
        self._cell_depth = max(0, self._cell_depth - 1)

    def row_end(self) -> None:
        if self._rows == 0:
            return
        self._rows -= 1
        if self._rows > 0:
            self.text(" ")
            return
        self._end_cell()
        cells = [c for c in self._cells or [] if c]
        self._cells, self._cell_depth = None, 0
        if cells:
            self._add(" | ".join(cells))

    def finish(self) -> str:
        while self._rows:
            self.row_end()
        self._flush()
        return "\n".join(self.lines)

    def _end_cell(self) -> None:
        if self._cell is not None and self._cells is not None:
            self._cells.append(_squash("".join(self._cell)))
        self._cell = None

    def _flush(self) -> None:
        line = _squash("".join(self._buf))
        self._buf.clear()
        if line:
            self._add(line)

    def _add(self, line: str) -> None:
        if self.heading:
            self.headings.add(len(self.lines))
        self.lines.append(line)
        self.size += len(line)


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))  # soft hyphen, zero widths


def _squash(s: str) -> str:
    return " ".join(s.translate(_INVISIBLE).split())


# ---------------------------------------------------------------------------
# HTML: the whole visible text, with the standard library's parser

_VOID = frozenset(
    [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "keygen",
    ]
)  # fmt: skip
_BLOCKS = frozenset(
    [
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
        "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
        "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend",
        "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
        "tfoot", "thead", "ul", "br", "option", "label", "button", "textarea",
    ]
)  # fmt: skip
# a start tag that closes the open element of the same kind (and what is open inside it)
_CLOSES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # tag: (the open tags it closes, the tags that stop the search)
    "li": (frozenset(["li"]), frozenset(["ul", "ol", "menu", "table"])),
    "dt": (frozenset(["dt", "dd"]), frozenset(["dl", "table"])),
    "dd": (frozenset(["dt", "dd"]), frozenset(["dl", "table"])),
    "tr": (frozenset(["tr"]), frozenset(["table"])),
    "td": (frozenset(["td", "th"]), frozenset(["tr", "table"])),
    "th": (frozenset(["td", "th"]), frozenset(["tr", "table"])),
    "option": (frozenset(["option"]), frozenset(["select", "datalist"])),
}


_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])

_SCOPE = 64  # how far down the open elements an implied end tag looks

_IN_HEAD = frozenset(
    ["head", "title", "meta", "link", "style", "script", "base", "noscript", "template"]
)


class _Visible(HTMLParser):
    """The visible text of a page, block by block; and its title."""

    def __init__(self, classes: bool, *, framed: bool = False, aside: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.out = _Lines()
        self._classes = classes
        self._framed = framed  # the page has a main landmark: what no section holds is frame
        self._aside = aside
        self._open: list[tuple[str, bool, bool]] = []  # (tag, hidden, a section) open
        self._sections = 0  # how many sections are open
        self._count: dict[str, int] = {}  # how many of each tag are open
        self._title: list[str] | None = None
        self.titles: dict[str, str] = {}
        self._h1: list[str] | None = None
        self.dropped = False
        self._head_at: int | None = None  # where the open head is in self._open

    @property
    def _hidden(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "title" and "title" not in self.titles:
            self._title = []
        elif tag == "meta" and (a.get("property") or a.get("name")) == "og:title":
            self.titles.setdefault("og", a.get("content") or "")
        elif tag == "h1" and "h1" not in self.titles and not self._hidden:
            self._h1 = []
        self._implied_ends(tag)
        chrome = _is_chrome(
            tag,
            a,
            self._classes,
            in_section=self._sections > 0 or not self._framed,
            aside=self._aside,
        )
        if chrome and not self._hidden and tag not in ("head", "script", "style"):
            self.dropped = True
        hidden = self._hidden or chrome
        if not hidden:
            self._event(tag, start=True)
        if tag not in _VOID:
            if tag == "head" and self._head_at is None:
                self._head_at = len(self._open)
            section = _is_section(tag, a)
            self._sections += section
            self._open.append((tag, hidden, section))
            self._count[tag] = self._count.get(tag, 0) + 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None:
            self.titles["title"] = "".join(self._title)
            self._title = None
        if tag == "h1" and self._h1 is not None:
            self.titles["h1"] = "".join(self._h1)
            self._h1 = None
        if not self._count.get(tag):  # no such element is open: a stray end tag
            if tag in ("br", "p") and not self._hidden:
                self.out.block()  # </br> and a stray </p> break the line, as browsers do
            return
        for i in range(len(self._open) - 1, -1, -1):  # pops what it passes: linear in all
            if self._open[i][0] == tag:
                self._pop_to(i)
                return

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)
        if self._hidden:
            return
        if self._h1 is not None:
            self._h1.append(data)
        self.out.text(data)

    def _implied_ends(self, tag: str) -> None:
        if self._head_at is not None and tag not in _IN_HEAD:
            self._pop_to(self._head_at)  # the body starts: the head ends (its end tag is optional)
        if tag in _CLOSES:
            closes, stops = _CLOSES[tag]
            if not any(self._count.get(t) for t in closes):
                return
            # only near the top: a page of elements left open must not make this quadratic
            for i in range(len(self._open) - 1, max(-1, len(self._open) - 1 - _SCOPE), -1):
                open_tag = self._open[i][0]
                if open_tag in stops:
                    return
                if open_tag in closes:
                    self._pop_to(i)
                    return
        elif tag in _BLOCKS and self._open and self._open[-1][0] == "p":
            self._pop_to(len(self._open) - 1)

    def _pop_to(self, i: int) -> None:
        while len(self._open) > i:
            tag, hidden, section = self._open.pop()
            self._sections -= section
            self._count[tag] -= 1
            if not hidden:
                self._event(tag, start=False)
        if self._head_at is not None and self._head_at >= len(self._open):
            self._head_at = None

    def _event(self, tag: str, *, start: bool) -> None:
        out = self.out
        if tag == "tr":
            out.row_start() if start else out.row_end()
        elif tag in ("td", "th"):
            out.cell_start() if start else out.cell_end()
        elif tag in _HEADINGS:
            out.block()
            out.heading = max(0, out.heading + (1 if start else -1))
        elif tag in _BLOCKS:
            out.block()

    def close(self) -> None:
        super().close()
        self._pop_to(0)


_HAS_LANDMARK = re.compile(r"<(?:main|article)[\s>/]|\srole\s*=\s*[\"']?main\b", re.IGNORECASE)


def _visible_page(html: str) -> tuple[str, dict[str, str]]:
    """The whole visible text of ``html`` and the titles it states."""
    framed = _HAS_LANDMARK.search(html) is not None
    parser = _Visible(classes=True, framed=framed)
    parser.feed(html)
    parser.close()
    text = parser.out.finish()
    if not text and parser.dropped:  # a page whose every element looks like a menu
        parser = _Visible(classes=False)
        parser.feed(html)
        parser.close()
        text = parser.out.finish()
    return text, parser.titles


# ---------------------------------------------------------------------------
# HTML: the main text, with trafilatura

_trafilatura_module: list[ModuleType | None] = []


def _trafilatura() -> ModuleType | None:
    """trafilatura, or None when it is not installed (or cannot be imported)."""
    if not _trafilatura_module:
        try:
            with _quiet("trafilatura"):
                import trafilatura
        except Exception:  # missing, or a dependency missing: the fallback reader serves
            _trafilatura_module.append(None)
        else:
            _trafilatura_module.append(trafilatura)
    return _trafilatura_module[0]


# trafilatura's XML elements that are blocks of their own
_MAIN_BLOCKS = frozenset(
    ["head", "p", "list", "item", "quote", "code", "table", "div", "section", "fw", "note",
     "main", "body", "doc", "comments", "graphic"]
)  # fmt: skip


def _render_main(body: Any) -> str:
    """trafilatura's main-text tree as lines (iteratively: a deep tree cannot overflow)."""
    from lxml import etree

    out = _Lines()
    for event, el in etree.iterwalk(body, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag == "row":
                out.row_start()
            elif tag == "cell":
                out.cell_start()
            elif tag == "lb" or tag in _MAIN_BLOCKS:
                out.block()
            if tag and el.text:
                out.text(el.text)
        else:
            if tag == "row":
                out.row_end()
            elif tag == "cell":
                out.cell_end()
            elif tag in _MAIN_BLOCKS:
                out.block()
            if el.tail and el is not body:
                out.text(el.tail)
    return out.finish()


def _main_text(trafilatura: ModuleType, html: str) -> tuple[str, int, dict[str, str], str] | None:
    """trafilatura's main text ("" for a very large page), the length of the visible text,
    the titles, the main landmark's markup ("" when the page has none); None when lxml
    cannot parse the page."""
    import lxml.html

    try:  # as UTF-8 bytes: lxml refuses a str that starts with an XML encoding declaration
        parser = lxml.html.HTMLParser(encoding="utf-8")
        tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    except Exception:  # lxml refuses some documents (an empty one)
        return None
    titles: dict[str, str] = {}
    for el in tree.iter("title"):
        titles["title"] = el.text_content()
        break
    for el in tree.iter("meta"):
        if (el.get("property") or el.get("name")) == "og:title":
            titles["og"] = el.get("content") or ""
            break
    for el in _chrome_of(tree):
        if el.getparent() is not None:
            el.drop_tree()  # its tail (the text after it) stays
    body = tree.find("body")
    visible = len(_squash(body.text_content())) if body is not None else 0
    for el in tree.iter("h1"):
        titles["h1"] = el.text_content()
        break
    if visible > _MAX_MAIN_CHARS:
        return "", visible, titles, ""
    landmark = _landmark(tree)
    # before trafilatura, which changes the tree it reads
    beside = (
        lxml.html.tostring(landmark, encoding="unicode", with_tail=False)
        if landmark is not None
        else ""
    )
    doc = trafilatura.bare_extraction(
        tree,
        include_tables=True,
        include_comments=False,
        favor_recall=True,
        include_formatting=False,
        include_links=False,
        include_images=False,
        with_metadata=False,
        deduplicate=False,
    )
    main = getattr(doc, "body", None)
    text = _render_main(main) if main is not None else ""
    return text, visible, titles, beside


def _chrome_of(tree: Any) -> list[Any]:
    """The elements of an lxml tree that are never text, outer ones first (one walk: the
    sections open above an element are counted, not looked up)."""
    from lxml import etree

    chrome: list[Any] = []
    sections: list[Any] = []  # the open sections, innermost last
    framed = _landmark(tree) is not None
    for event, el in etree.iterwalk(tree, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        if event == "end":
            if sections and sections[-1] is el:
                sections.pop()
            continue
        in_section = bool(sections) or not framed
        if el.tag != "head" and _is_chrome(el.tag, el.attrib, in_section=in_section):
            chrome.append(el)
        if _is_section(el.tag, el.attrib):
            sections.append(el)
    return chrome


def _landmark(tree: Any) -> Any:
    """The page's main landmark: its ``<main>`` (or ``role=main``) element, else its first
    ``<article>``; None when it has neither."""
    for el in tree.iter():
        if isinstance(el.tag, str) and (el.tag == "main" or _role(el.attrib) == "main"):
            return el
    return next(tree.iter("article"), None)


_DIGIT = re.compile(r"\d")
_KEY_SPACE = re.compile(r"\W+")

# the most lines of the landmark looked for inside the main text (not found as a line of
# it): the merge stays near linear in the page; past it nothing more is put back
_MAX_LOOKUPS = 500
# a long block whose start or end the main text has is one the main text has, trimmed; a
# short one (a heading, "From $4,950") must be whole lines of it, not words inside a line
_LONG_BLOCK = 80
_BLOCK_END = 40
_TRIES = 8  # the most places a key is tried at


def _key(line: str) -> str:
    """A line as compared between the two readers: its words, in lower case."""
    return _KEY_SPACE.sub(" ", line.casefold()).strip()


def _found(joined: str, starts: list[int], lines: set[int], key: str) -> int | None:
    """The line of ``joined`` (the main text's keys joined by spaces, line ``i`` starting at
    ``starts[i]``, ``lines`` the set of them) where ``key`` is as whole lines; for a long
    key, as whole words, or its start or its end; None when it is nowhere."""
    words = key.split(" ")
    if len(key) < _LONG_BLOCK:
        parts = [key]
    else:
        parts = [key, " ".join(_first_words(words)), " ".join(_first_words(words[::-1])[::-1])]
    whole_lines = len(parts) == 1
    for part in parts:
        pos = joined.find(part)
        for _ in range(_TRIES):
            if pos < 0:
                break
            end = pos + len(part)
            if whole_lines:
                ok = pos in lines and end + 1 in lines
            else:
                ok = (pos == 0 or joined[pos - 1] == " ") and joined[end : end + 1] in ("", " ")
            if ok:
                return bisect.bisect_right(starts, pos) - 1
            pos = joined.find(part, pos + 1)
    return None


def _first_words(words: list[str]) -> list[str]:
    """The first of ``words`` that make at least :data:`_BLOCK_END` characters."""
    size = 0
    for n, word in enumerate(words):
        size += len(word) + 1
        if size > _BLOCK_END:
            return words[: n + 1]
    return words


def _with_landmark(main: str, landmark: str) -> tuple[str, bool]:
    """The main text with the blocks of the main landmark it left out put back in order:
    the headings (the context of what follows them) and the blocks that hold a number.

    The landmark is read with the whole-visible-text reader, what stands beside an article
    (shares, related links, ads, forms) left out; a block the main text has, as a line or
    inside one, is not repeated. Returns the text and whether anything was put back.
    """
    if not landmark:
        return main, False
    reader = _Visible(classes=True, aside=True)
    reader.feed(landmark)
    reader.close()
    reader.out.finish()
    lines, headings = reader.out.lines, reader.out.headings
    kept = main.split("\n")
    keys = [_key(k) for k in kept]
    at: dict[str, int] = {}
    for j, k in enumerate(keys):
        at.setdefault(k, j)
    joined = " ".join(keys)
    starts = [0]  # where each kept line starts in joined
    for k in keys:
        starts.append(starts[-1] + len(k) + 1)
    bounds = set(starts)
    inserts: dict[int, list[str]] = {}
    last = -1  # the kept line of the last landmark line the main text has
    lookups = 0
    for n, line in enumerate(lines):
        key = _key(line)
        if not key:
            continue
        i = at.get(key)
        if i is None:
            if lookups >= _MAX_LOOKUPS:
                continue
            lookups += 1
            i = _found(joined, starts, bounds, key)
        if i is not None:
            last = max(last, i)
        elif n in headings or _DIGIT.search(line):
            inserts.setdefault(last + 1, []).append(line)
    if not inserts:
        return main, False
    out: list[str] = []
    for j, kept_line in enumerate(kept):
        out.extend(inserts.get(j, ()))
        out.append(kept_line)
    out.extend(inserts.get(len(kept), ()))
    return "\n".join(out), True


def _html_page(name: str, data: bytes) -> Page:
    html = _decode_html(name, data)
    text, reader = "", FALLBACK_READER
    titles: dict[str, str] = {}
    trafilatura = _trafilatura()
    if trafilatura is not None:
        try:
            with _quiet("trafilatura", "htmldate", "courlan", "justext", "readability"):
                found = _main_text(trafilatura, html)
        except Exception:  # a page trafilatura trips on is read whole instead
            found = None
        if found is not None:
            main, visible, titles, landmark = found
            if main and len(main) >= _MIN_MAIN_SHARE * visible:
                text, reader = main, f"trafilatura {trafilatura.__version__}"
                text, merged = _with_landmark(text, landmark)
                if merged:
                    reader += LANDMARK_READER
    if reader == FALLBACK_READER:
        text, own = _visible_page(html)
        titles = titles or own
    text = _clean(text)
    if not text:
        raise InputError("no text found in the page", location=Location(name))
    title = next(
        (t for t in (_title(titles.get(k)) for k in ("title", "og", "h1")) if t is not None),
        None,
    )
    return Page(name, text, "html", reader, title)
