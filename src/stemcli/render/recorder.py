"""A rich renderable as text, SVG or HTML: what files keep of a table or a chart.

The one place a renderable becomes text outside a terminal: without colour, data never
read as markup, laid out at a given width.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import RenderableType

FILE_WIDTH = 120  # a table written to a file is laid out this wide


class Recording:
    """``renderable`` laid out once at ``width``; then as text, SVG or HTML."""

    def __init__(self, renderable: RenderableType, *, width: int = FILE_WIDTH) -> None:
        from rich.console import Console

        self._buffer = io.StringIO()
        self._console = Console(
            file=self._buffer,
            width=width,
            record=True,
            color_system=None,
            force_terminal=False,
            markup=False,
            emoji=False,
            highlight=False,
        )
        self._console.print(renderable)

    def text(self) -> str:
        return self._buffer.getvalue()

    def svg(self, title: str) -> str:
        return self._console.export_svg(title=title, clear=False)

    def html(self) -> str:
        return self._console.export_html(clear=False)


def as_text(rendered: RenderableType, *, width: int = FILE_WIDTH) -> str:
    """What a file keeps of ``rendered``: text as it is, a renderable laid out without colour."""
    if isinstance(rendered, str):
        return rendered
    return Recording(rendered, width=width).text()
