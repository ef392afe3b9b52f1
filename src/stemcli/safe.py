"""The one neutraliser: text from data, pages and file names, made safe for every output.

Text that stemcli did not write itself is data. Before it reaches a terminal or a file,
every character that would not show as itself is replaced by a visible escape such as
``\\x1b``, ``\\u202e`` or ``\\U000e0041``:

- C0 controls (but tab and newline), DEL and C1 controls: a terminal acts on them;
- every format character (Unicode category Cf): zero-width spaces and joiners, the
  bidirectional overrides and isolates that reorder what a reader sees, the soft hyphen,
  the byte order mark, the tag characters U+E0000-U+E007F that can hide a whole text;
- other characters that show as nothing: the combining grapheme joiner, the Hangul
  fillers, the Khmer inherent vowels, the ideographic variation selectors
  U+E0100-U+E01EF;
- the line and paragraph separators U+2028 and U+2029, which YAML and some terminals
  read as line breaks;
- lone surrogates (undecodable bytes of a file name) and the noncharacters U+FFFE and
  U+FFFF.

A zero-width joiner between two symbols is the glue of an emoji sequence (a family, a
profession) and stays as it is there; anywhere else it is made visible. Variation
selectors U+FE00-U+FE0F (text or emoji presentation) stay as they are.

Every output uses one of the functions below: :func:`clean` (tables, Markdown, CSV,
charts), :func:`clean_line` (one-line messages and comments), :func:`json_safe` (JSON
escapes, so the exact text is kept), :func:`yaml_quoted` (YAML escapes, exact too) and
:func:`csv_cell` (clean, and no spreadsheet formula). Rich markup needs no escaping:
stemcli never renders data through rich's markup parser (it builds ``Text`` objects).
"""

from __future__ import annotations

import re

# every code point in Unicode category Cf (format), as of Unicode 15.1
_FORMAT = (
    0x00AD,
    *range(0x0600, 0x0606),
    0x061C,
    0x06DD,
    0x070F,
    0x0890,
    0x0891,
    0x08E2,
    0x180E,
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2060, 0x2065),
    *range(0x2066, 0x2070),
    0xFEFF,
    *range(0xFFF9, 0xFFFC),
    0x110BD,
    0x110CD,
    *range(0x13430, 0x13440),
    *range(0x1BCA0, 0x1BCA4),
    *range(0x1D173, 0x1D17B),
    0xE0001,
    *range(0xE0020, 0xE0080),
)
# not Cf, but shown as nothing
_BLANK = (0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0, *range(0xE0100, 0xE01F0))
_SEPARATORS = (0x2028, 0x2029)
_SURROGATES = range(0xD800, 0xE000)
_NONCHARACTERS = (0xFFFE, 0xFFFF)
_CONTROLS = (*(cp for cp in range(0x20) if cp not in (0x09, 0x0A)), *range(0x7F, 0xA0))

ZWJ = 0x200D

#: every code point :func:`clean` makes visible (a zero-width joiner only outside emoji)
ESCAPED: frozenset[int] = frozenset(
    (*_CONTROLS, *_FORMAT, *_BLANK, *_SEPARATORS, *_SURROGATES, *_NONCHARACTERS)
)


def visible(ch: str) -> str:
    """The visible escape of one character: ``\\x1b``, ``\\u200b``, ``\\U000e0041``."""
    cp = ord(ch)
    if cp < 0x100:
        return f"\\x{cp:02x}"
    return f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


_TABLE: dict[int, str] = {cp: visible(chr(cp)) for cp in ESCAPED if cp != ZWJ}
# inside JSON strings: JSON's own escapes (astral characters as a surrogate pair)
_JSON_TABLE: dict[int, str] = {
    cp: (
        f"\\u{cp:04x}"
        if cp < 0x10000
        else f"\\u{0xD800 + ((cp - 0x10000) >> 10):04x}\\u{0xDC00 + ((cp - 0x10000) & 0x3FF):04x}"
    )
    for cp in ESCAPED
    if cp >= 0x7F  # json.dumps escapes C0 itself
}

# a zero-width joiner with no symbol (emoji) on one side of it
_SYMBOL = r"\u2600-\u27bf\U0001f000-\U0001faff"  # dingbats, emoji
_LONE_ZWJ = re.compile(rf"(?<![{_SYMBOL}\ufe0f])\u200d|\u200d(?![{_SYMBOL}])")


def clean(text: str) -> str:
    """``text`` with every character in :data:`ESCAPED` made visible."""
    text = text.translate(_TABLE)
    if "\u200d" in text:
        text = _LONE_ZWJ.sub(r"\\u200d", text)
    return text


def clean_line(text: str) -> str:
    """Like :func:`clean`, and newlines and tabs become spaces (for one-line messages)."""
    return clean(text).replace("\n", " ").replace("\t", " ")


def first_escaped(text: str) -> str | None:
    """The first character of ``text`` in :data:`ESCAPED` (a joiner anywhere), or None.

    For what a person types (values, ids): there, an invisible character is refused.
    """
    if text.isascii():
        for ch in text:
            if ord(ch) in ESCAPED:
                return ch
        return None
    return next((ch for ch in text if ord(ch) in ESCAPED), None)


def json_safe(json_text: str) -> str:
    """Escape, inside JSON text, the characters json.dumps leaves raw but terminals act on.

    JSON escapes read back as the same characters: JSON keeps the exact text.
    """
    return json_text.translate(_JSON_TABLE)


# ---------------------------------------------------------------------------
# YAML

# YAML's own short escapes; every other character YAML reads as a break, or that is
# not printable in a YAML stream, or is in ESCAPED, becomes \xXX, \uXXXX or \UXXXXXXXX
_YAML_SHORT = {'"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_YAML_TABLE: dict[int, str] = {cp: visible(chr(cp)) for cp in (*ESCAPED, 0x85)}
_YAML_TABLE.update({ord(k): v for k, v in _YAML_SHORT.items()})


def yaml_quoted(text: str) -> str:
    """A YAML double-quoted scalar reading back as exactly ``text``, on one line.

    Nothing in it is a line break to YAML (``\\n``, ``\\r``, U+0085, U+2028, U+2029 are
    escaped) or acts on a terminal.
    """
    return '"' + text.translate(_YAML_TABLE) + '"'


_YAML_PLAIN = re.compile(r"[a-z][a-z0-9_.-]*")
_YAML_WORDS = frozenset(("yes", "no", "on", "off", "y", "n", "true", "false", "null"))


def yaml_word(text: str) -> str:
    """A plain YAML scalar for an id-like word, quoted when YAML would read it otherwise."""
    plain = _YAML_PLAIN.fullmatch(text) is not None and text not in _YAML_WORDS
    return text if plain else yaml_quoted(text)


def yaml_line(line: str) -> str:
    """One line of a YAML document: anything YAML would read as a break made visible.

    Quoted and plain scalars from :func:`yaml_quoted` and :func:`yaml_word` pass through
    unchanged; in a comment, a line or paragraph separator shows as its escape instead of
    ending the comment (and turning the rest of the line into YAML).
    """
    return clean_line(line)


# ---------------------------------------------------------------------------
# CSV

# what makes a spreadsheet read a cell as a formula (OWASP, CSV injection), and the
# full-width forms some spreadsheets read the same way
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def csv_cell(text: str, *, raw: bool = False) -> str:
    """A CSV cell: :func:`clean`, and a leading ``'`` when a spreadsheet would run it.

    A cell that starts as a formula does (``=``, ``+``, ``-``, ``@``, tab, carriage
    return) is prefixed with a single quote, so that spreadsheets show it as text; a cell
    that is exactly a plain number (``-13``, ``+2.5``, ``1e3``) stays as it is. ``raw``
    leaves out the quote (control and invisible characters are still made visible).
    """
    text = clean(text)
    if raw or not text.startswith(_FORMULA_START) or _PLAIN_NUMBER.fullmatch(text):
        return text
    return "'" + text
