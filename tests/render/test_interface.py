"""One interface for every format: get_renderer covers every OutputFormat member, and
every format an option offers has a renderer."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from stemcli.cli import options
from stemcli.render import Column, OutputFormat, Report, Styled, get_renderer
from stemcli.render.recorder import as_text
from stemcli.text.neutralise import clean

REPORT = Report(
    columns=(Column("Name"), Column("Count", justify="right")),
    rows=(("alpha", "1"), (Styled("beta", style="bold"), "2")),
    data=[{"name": "alpha", "count": 1}, {"name": "beta", "count": 2}],
    title="Counts",
    summary="2 names",
)


UNSAFE = {
    *(chr(c) for c in range(0x20) if c not in (0x09, 0x0A)),
    *(chr(c) for c in range(0x7F, 0xA0)),
    *"\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
}


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_renderers_leave_no_control_character(text: str) -> None:
    assert not UNSAFE & set(clean(text))
    report = Report(columns=(Column("Quote"),), rows=((text,),), data={"quote": text})
    for fmt in (OutputFormat.json, OutputFormat.csv, OutputFormat.markdown):
        out = get_renderer(fmt)(report)
        assert not UNSAFE & set(out), fmt
    assert json.loads(get_renderer(OutputFormat.json)(report)) == {"quote": text}


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_every_format_has_a_renderer(fmt: OutputFormat) -> None:
    rendered = get_renderer(fmt)(REPORT)
    assert type(get_renderer(fmt.value)(REPORT)) is type(rendered)  # by name, the same
    text = as_text(rendered)
    if fmt is OutputFormat.table:
        assert not isinstance(rendered, str)  # a rich renderable
    else:
        assert isinstance(rendered, str)
    if fmt in (OutputFormat.json, OutputFormat.yaml):
        assert (json.loads(text) if fmt is OutputFormat.json else yaml.safe_load(text)) == (
            REPORT.data
        )
    else:
        assert "alpha" in text
        assert "beta" in text


def test_a_report_can_bring_its_own_yaml_document() -> None:
    own = "# a comment\n- id: x\n"
    report = Report(columns=(), rows=(), data=[{"id": "y"}], yaml=own)
    assert get_renderer(OutputFormat.yaml)(report) == own
    assert json.loads(str(get_renderer(OutputFormat.json)(report))) == [{"id": "y"}]


def test_lines_layout_is_plain_name_value_lines() -> None:
    report = Report(columns=(), rows=(("direct", "3"), ("cross-measure", "0")), data={}, lines=True)
    assert get_renderer(OutputFormat.table)(report) == "direct: 3\ncross-measure: 0\n"


@pytest.mark.parametrize(
    "choices", [options.ListingFormat, options.ExportFormat, options.ExtractFormat]
)
def test_every_format_an_option_offers_has_a_renderer(choices: type[options.Choice]) -> None:
    for member in choices:
        if choices is options.ExportFormat and member.value not in options.RENDERED_EXPORTS:
            continue  # a file of its own shape (a dataset, a database), not a report
        assert OutputFormat(member.value).value == str(member)


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="xml"):
        get_renderer("xml")
