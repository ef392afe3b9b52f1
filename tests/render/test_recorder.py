"""render/recorder.py: a renderable as text, SVG or HTML, without colour or markup."""

from __future__ import annotations

from xml.etree import ElementTree

from stemcli.render import Column, Report, Styled, get_renderer
from stemcli.render.recorder import Recording, as_text

REPORT = Report(
    columns=(Column("Quote"),),
    rows=((Styled("[red]not markup[/red]", style="bold red"),),),
    data=None,
    summary="1 quote",
)


def test_text_has_no_colour_and_keeps_markup_as_text() -> None:
    text = as_text(get_renderer("table")(REPORT))
    assert "\x1b" not in text
    assert "[red]not markup[/red]" in text
    assert "1 quote" in text


def test_text_is_laid_out_at_the_width_given() -> None:
    long = Report(columns=(Column("Quote"),), rows=(("word " * 60,),), data=None)
    rendered = get_renderer("table")(long)
    assert max(len(line) for line in as_text(rendered, width=40).splitlines()) <= 40
    assert max(len(line) for line in as_text(rendered).splitlines()) > 40


def test_a_string_is_kept_as_it_is() -> None:
    assert as_text("direct: 3\n") == "direct: 3\n"


def test_svg_and_html_of_one_recording() -> None:
    recording = Recording(get_renderer("table")(REPORT), width=60)
    svg = recording.svg("stemcli-test")
    ElementTree.fromstring(svg)  # well-formed
    assert "stemcli-test" in svg
    html = recording.html()
    assert "[red]not markup[/red]" in html
    assert recording.text() == as_text(get_renderer("table")(REPORT), width=60)
