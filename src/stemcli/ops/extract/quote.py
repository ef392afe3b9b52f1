"""A draft's quote: its sentence, or the words around its number."""

from __future__ import annotations

from stemcli.text import window

MAX_QUOTE = 600  # characters of a draft's quote: a sentence, or the words around its number


def quote_window(text: str, start: int, end: int, limit: int = MAX_QUOTE) -> str:
    """``text`` when it is short, else about ``limit`` characters around ``text[start:end]``
    cut at spaces: a page of numbers with no sentence ends must not give every draft the
    whole run of text (the drafts would grow with the square of the page)."""
    if len(text) <= limit:
        return text
    room = max(0, limit - (end - start)) // 2
    a, b = window(text, start, end, room, room)
    return text[a:b].strip()
