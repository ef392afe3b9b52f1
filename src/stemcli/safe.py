"""Neutralise text from data and input files before it reaches a terminal or a file.

Control characters (C0 except tab and newline, DEL, C1), and the Unicode bidirectional
overrides and isolates that can reorder what a reader sees, are replaced by visible
escapes such as ``\\x1b`` or ``\\u202e``. Rich markup needs no escaping here: stemcli
never renders data through rich's markup parser (it builds ``Text`` objects).
"""

from __future__ import annotations

_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]


def _visible(cp: int) -> str:
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


_TABLE: dict[int, str] = {cp: _visible(cp) for cp in range(0x20) if cp not in (0x09, 0x0A)}
_TABLE.update({cp: _visible(cp) for cp in range(0x7F, 0xA0)})
_TABLE.update({cp: _visible(cp) for cp in _BIDI})

# characters JSON leaves as they are but a terminal may act on
_JSON_TABLE = {cp: f"\\u{cp:04x}" for cp in (*range(0x7F, 0xA0), *_BIDI)}


def clean(text: str) -> str:
    """``text`` with every terminal-control character made visible."""
    return text.translate(_TABLE)


def clean_line(text: str) -> str:
    """Like :func:`clean`, and newlines and tabs become spaces (for one-line messages)."""
    return clean(text).replace("\n", " ").replace("\t", " ")


def json_safe(json_text: str) -> str:
    """Escape, inside JSON text, the characters json.dumps leaves raw but terminals act on."""
    return json_text.translate(_JSON_TABLE)
