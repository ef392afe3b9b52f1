"""Positions: one offset -> line:column rule, and errors that carry where they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemcli.dataset import check
from stemcli.errors import InputError, Location
from stemcli.text.files import read_text
from stemcli.text.segments import LineIndex, line_column

TEXTS = ["", "a", "one\ntwo", "héllo\nwörld ✓ x\n", "\n\n\nlast", "a\r\nb"]


@pytest.mark.parametrize("text", TEXTS)
def test_bytes_and_text_give_the_same_position(text: str) -> None:
    data = text.encode("utf-8")
    index = LineIndex(text)
    for i in range(len(text) + 1):
        at_byte = len(text[:i].encode("utf-8"))
        assert line_column(data, at_byte) == line_column(text, i) == index(i)


def test_an_input_error_keeps_its_location_apart_from_its_reason() -> None:
    e = InputError("not UTF-8 text", location=Location("f.yaml", 3, 7))
    assert e.location == Location("f.yaml", 3, 7)
    assert e.reason == "not UTF-8 text"
    assert e.message.startswith("f.yaml:3:7: ")
    assert InputError("plain").location is None


def test_a_bad_byte_is_located_by_character(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_bytes("ü ok\nvalue é \xff".encode("utf-8", "surrogateescape")[:-2] + b"\xff")
    with pytest.raises(InputError) as info:
        read_text(page)
    assert info.value.location is not None
    assert (info.value.location.line, info.value.location.column) == (2, 9)


def test_a_dataset_problem_names_the_position_once(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    (root / "claims").mkdir(parents=True)
    (root / "sources.yaml").write_bytes(b"- id: a\n  title: T\xff\n")
    _, problems = check([root], bundled=False, use_cache=False)
    assert len(problems) == 1
    p = problems[0]
    assert (p.location.line, p.location.column) == (2, 11)
    assert p.location.path.endswith("sources.yaml")
    assert not p.message.startswith(p.location.path)
