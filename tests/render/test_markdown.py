"""Markdown output (render/markdown.py): data is literal text in a GitHub table."""

from __future__ import annotations


def test_markdown_neutralises_markdown_in_the_data() -> None:
    """A quote with a link, an image, emphasis or code renders as the text it is."""
    from stemcli.render import Column, Report
    from stemcli.render.markdown import render

    quote = "[x](javascript:alert(1)) ![i](http://e.vil/x.png) **b** `c` a|b <b>&"
    out = render(Report(columns=(Column("Quote"),), rows=((quote,),), data=None))
    row = out.splitlines()[2]
    assert row == (
        r"| \[x\](javascript:alert(1)) \!\[i\](http://e.vil/x.png) \*\*b\*\* \`c\` a\|b "
        "&lt;b>&amp; |"
    )
