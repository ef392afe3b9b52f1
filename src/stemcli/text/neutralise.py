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
profession) and stays as it is there; a variation selector U+FE00-U+FE0F after a symbol
(text or emoji presentation: the U+FE0F of a red heart) or U+FE0F before a keycap stays
too. Anywhere else (after a digit, say) both are made visible.

Every output uses one of the functions below: :func:`clean` (tables, Markdown, CSV,
charts), :func:`clean_line` (one-line messages and comments), :func:`json_safe` (JSON
escapes, so the exact text is kept), :func:`yaml_quoted` (YAML escapes, exact too) and
:func:`csv_cell` (clean, and no spreadsheet formula). Rich markup needs no escaping:
stemcli never renders data through rich's markup parser (it builds ``Text`` objects).
"""

from __future__ import annotations

import functools
import re

# (first, last) code points made visible, in order
RANGES: tuple[tuple[int, int], ...] = (
    # C0 controls but tab and newline; DEL and C1
    (0x00, 0x08),
    (0x0B, 0x1F),
    (0x7F, 0x9F),
    # every code point of Unicode category Cf (format) and of Default_Ignorable_Code_Point
    # (what renders as nothing), as of Unicode 15.1: the Hangul fillers, the combining
    # grapheme joiner, the Khmer inherent vowels, the Mongolian and all other variation
    # selectors, the whole tag and ignorable block U+E0000-U+E0FFF; also the line and
    # paragraph separators, lone surrogates and the noncharacters U+FFFE and U+FFFF
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xD800, 0xDFFF),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0xFFFE, 0xFFFF),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def _class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


# compiled on first use: most runs print only ASCII text, which needs no pattern
@functools.cache
def _escaped() -> re.Pattern[str]:
    return re.compile(f"[{_class(RANGES)}]")


@functools.cache
def _yaml_escaped() -> re.Pattern[str]:
    """What YAML reads as a break or cannot hold, and its quoting characters."""
    return re.compile(f'[{_class(RANGES)}\\t\\n"\\\\]')


@functools.cache
def _symbol() -> re.Pattern[str]:
    """Emoji and other symbols: a zero-width joiner between two is part of a sequence."""
    return re.compile("[\u2600-\u27bf\U0001f000-\U0001faff\ufe0f]")


def visible(ch: str) -> str:
    """The visible escape of one character: ``\\x1b``, ``\\u200b``, ``\\U000e0041``."""
    cp = ord(ch)
    if cp < 0x100:
        return f"\\x{cp:02x}"
    return f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


def _in_emoji(m: re.Match[str]) -> bool:
    i, s = m.start(), m.string
    ch = s[i]
    if ch == "\u200d":
        return (
            0 < i < len(s) - 1
            and _symbol().match(s, i - 1) is not None
            and _symbol().match(s, i + 1) is not None
        )
    if "\ufe00" <= ch <= "\ufe0f" and i > 0:
        if _symbol().match(s, i - 1) is not None:
            return True
        # a keycap: 1 U+FE0F U+20E3
        return ch == "\ufe0f" and s[i - 1] in "0123456789#*" and s[i + 1 : i + 2] == "\u20e3"
    return False


def _visible(m: re.Match[str]) -> str:
    return m.group() if _in_emoji(m) else visible(m.group())


def clean(text: str) -> str:
    """``text`` with every character of :data:`RANGES` made visible."""
    if text.isascii() and text.isprintable():
        return text
    return _escaped().sub(_visible, text)


def clean_line(text: str) -> str:
    """Like :func:`clean`, and newlines and tabs become spaces (for one-line messages)."""
    return clean(text).replace("\n", " ").replace("\t", " ")


def first_escaped(text: str) -> str | None:
    """The first character of ``text`` that :func:`clean` escapes (a joiner anywhere).

    For what a person types (values, ids): there, an invisible character is refused.
    """
    if text.isascii() and text.isprintable():
        return None
    m = _escaped().search(text)
    return m.group() if m else None


def escape_hidden(text: str) -> str:
    """Every character :func:`clean` escapes, as its escape (inside a double-quoted YAML
    or JSON-like string, the escape reads back as the character)."""
    if text.isascii() and text.isprintable():
        return text
    return _escaped().sub(_visible, text)


def without_hidden(text: str) -> str:
    """``text`` without the characters :func:`clean` would escape: a value as it shows."""
    return _escaped().sub("", text)


def first_foreign_digit(text: str) -> str | None:
    """The first decimal digit of ``text`` that is not 0-9 (Arabic-Indic, full-width ...).

    Python reads ``"5\u0660"`` as 50 while a reader sees "5." or "5": a value typed
    by people holds ASCII digits only.
    """
    if text.isascii():
        return None
    return next((ch for ch in text if ch.isdecimal() and not ch.isascii()), None)


def _json_escape(m: re.Match[str]) -> str:
    cp = ord(m.group())
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    cp -= 0x10000  # JSON writes an astral character as a surrogate pair
    return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"


def json_safe(json_text: str) -> str:
    """Escape, inside JSON text, the characters json.dumps leaves raw but terminals act on.

    JSON escapes read back as the same characters: JSON keeps the exact text.
    """
    if json_text.isascii() and "\x7f" not in json_text:
        return json_text  # json.dumps escaped every C0 control already
    return _escaped().sub(_json_escape, json_text)


# ---------------------------------------------------------------------------
# YAML

_YAML_SHORT = {'"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _yaml_escape(m: re.Match[str]) -> str:
    ch = m.group()
    return _YAML_SHORT.get(ch) or visible(ch)


def yaml_quoted(text: str) -> str:
    """A YAML double-quoted scalar reading back as exactly ``text``, on one line.

    Nothing in it is a line break to YAML (``\\n``, ``\\r``, U+0085, U+2028, U+2029 are
    escaped) or acts on a terminal.
    """
    return '"' + _yaml_escaped().sub(_yaml_escape, text) + '"'


_YAML_PLAIN = r"[a-z][a-z0-9_.-]*"
_YAML_WORDS = frozenset(("yes", "no", "on", "off", "y", "n", "true", "false", "null"))


def yaml_word(text: str) -> str:
    """A plain YAML scalar for an id-like word, quoted when YAML would read it otherwise."""
    plain = re.fullmatch(_YAML_PLAIN, text) is not None and text not in _YAML_WORDS
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
_PLAIN_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"


def csv_cell(text: str, *, raw: bool = False) -> str:
    """A CSV cell: :func:`clean`, and a leading ``'`` when a spreadsheet would run it.

    A cell that starts as a formula does (``=``, ``+``, ``-``, ``@``, tab, carriage
    return) is prefixed with a single quote, so that spreadsheets show it as text; a cell
    that is exactly a plain number (``-13``, ``+2.5``, ``1e3``) stays as it is. ``raw``
    leaves out the quote (control and invisible characters are still made visible).
    """
    text = clean(text)
    if raw or not text.startswith(_FORMULA_START) or re.fullmatch(_PLAIN_NUMBER, text):
        return text
    return "'" + text
