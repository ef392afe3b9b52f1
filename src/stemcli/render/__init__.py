"""Renderers: one module per output format behind one small interface.

Commands build a :class:`Report` (plain strings, no markup) and hand it to the renderer
of the chosen :class:`OutputFormat`. JSON, CSV, Markdown and YAML renderers return
``str``; the table renderer returns a rich renderable (:mod:`stemcli.render.recorder`
turns one into text, SVG or HTML).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from stemcli.render.interface import (
    Cell,
    Column,
    Json,
    OutputFormat,
    Report,
    Rows,
    Styled,
    assert_never,
    lazy,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = [
    "Cell",
    "Column",
    "Json",
    "OutputFormat",
    "Renderer",
    "Report",
    "Rows",
    "Styled",
    "assert_never",
    "get_renderer",
    "lazy",
]


Renderer = Callable[[Report], "RenderableType"]


def get_renderer(fmt: OutputFormat | str, *, raw: bool = False) -> Renderer:
    """The renderer for ``fmt`` (a format or its name): a function from Report to str,
    or to a rich renderable for the table.

    ``raw``: CSV cells without the quote that stops spreadsheets running formulas.
    """
    fmt = OutputFormat(fmt)
    render: Renderer
    if fmt is OutputFormat.table:
        from stemcli.render.table import render
    elif fmt is OutputFormat.json:
        from stemcli.render.json_ import render
    elif fmt is OutputFormat.csv:
        from functools import partial

        from stemcli.render.csv_ import render as csv_render

        return partial(csv_render, raw=raw)
    elif fmt is OutputFormat.markdown:
        from stemcli.render.markdown import render
    elif fmt is OutputFormat.yaml:
        from stemcli.render.yaml_ import render
    else:
        assert_never(fmt)
    return render
