"""Text: reading files safely, cutting pages into segments, and the one neutraliser.

Cutting a quote to a window around its number (:func:`window`) is here, not in
:mod:`.segments`: listings shorten every quote they show, and need none of the rest.
"""

__all__ = ["window"]


def window(text: str, start: int, end: int, before: int, after: int) -> tuple[int, int]:
    """Bounds of about ``before`` characters ahead of ``text[start:end]`` and ``after``
    behind it, cut at spaces so no word is split (a word longer than the room is cut)."""
    a, b = max(0, start - before), min(len(text), end + after)
    if a > 0:
        space = text.find(" ", a, start)
        a = space + 1 if space >= 0 else a
    if b < len(text):
        space = text.rfind(" ", end, b)
        b = space if space >= 0 else b
    return a, b
