"""Claim handles on a cache hit: the length stored with the entry, each handle hashed alone.

The length must be exactly the one :func:`~stemcli.ops.handles.handles` finds from every
id, or a table would show other handles after a cache hit than after a parse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stemcli.dataset import load
from stemcli.model import Dataset
from stemcli.ops import handles as handles_module
from stemcli.ops.handles import MIN_LENGTH, digest, handle, handles

# two ids whose sha256 share their first 10 hex digits: the handles need 11
TWINS = ("src-c-2938433", "src-c-2990570")
SOURCES = "- {id: src, title: T, publisher: P, kind: clinic, sells_treatment: true}\n"
CONDITIONS = "- {id: cond, name: Cond, stages: [early]}\n"
CLAIM = """\
- id: {id}
  condition: cond
  outcome: pain
  measure: effect
  value: "{n}%"
  basis: none
  quote: "Pain fell {n}%."
"""


def write_dataset(root: Path, ids: tuple[str, ...]) -> Path:
    (root / "claims").mkdir(parents=True)
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (root / "conditions.yaml").write_text(CONDITIONS, encoding="utf-8")
    claims = "".join(CLAIM.format(id=cid, n=10 + i) for i, cid in enumerate(ids))
    (root / "claims" / "src.yaml").write_text(claims, encoding="utf-8")
    return root


def parsed_and_hit(root: Path) -> tuple[Dataset, Dataset]:
    parsed = load([root], bundled=False, use_cache=False)
    load([root], bundled=False)  # fills the cache
    hit = load([root], bundled=False)
    assert hit.columns is not None, "not a cache hit"
    return parsed, hit


@pytest.fixture
def twins(tmp_path: Path) -> Path:
    assert digest(TWINS[0])[:10] == digest(TWINS[1])[:10] != digest(TWINS[1])[:11]
    return write_dataset(tmp_path / "data", (*TWINS, *(f"src-c-{i}" for i in range(10))))


def test_a_hit_stores_the_length_handles_finds(twins: Path) -> None:
    parsed, hit = parsed_and_hit(twins)
    assert hit.columns is not None
    assert hit.columns.handle_length == 11
    expected = handles(parsed)
    assert {len(h) for h in expected.values()} == {11}
    assert {cid: handle(hit, cid) for cid in hit.claim_ids()} == expected
    assert handles(hit) == expected


def test_a_hit_has_the_handles_of_the_parsed_generated_dataset(tmp_path: Path) -> None:
    from generate import generate

    out = tmp_path / "data"
    generate(300, out, seed=3, sources=4)
    parsed, hit = parsed_and_hit(out)
    expected = handles(parsed)
    assert hit.columns is not None
    assert hit.columns.handle_length == len(next(iter(expected.values())))
    assert {cid: handle(hit, cid) for cid in parsed.claim_ids()} == expected


def test_an_id_not_in_the_dataset_is_its_own_handle(twins: Path) -> None:
    _, hit = parsed_and_hit(twins)
    assert handle(hit, "src-c-99") == "src-c-99"
    assert handle(hit, digest(TWINS[0])[:11]) == digest(TWINS[0])[:11]


def test_other_claims_have_their_own_length(twins: Path) -> None:
    """with_claims drops the columns, and with them the stored length."""
    _, hit = parsed_and_hit(twins)
    fewer = hit.with_claims(tuple(c for c in hit.claims if c.id != TWINS[1]))
    assert handle(fewer, TWINS[0]) == digest(TWINS[0])[:MIN_LENGTH]
    assert handle(fewer, TWINS[1]) == TWINS[1]
    assert handle(hit, TWINS[0]) == digest(TWINS[0])[:11]


def test_a_cell_of_ids_hashes_only_the_ids_it_shows(
    twins: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stemcli.reports.fields import id_cell, ids_cell

    parsed, hit = parsed_and_hit(twins)
    by_id = {c.id: c for c in parsed.claims}
    lines = [("a", [by_id[TWINS[0]], by_id["src-c-1"]]), ("", [])]
    expected = ids_cell(parsed, lines), id_cell(parsed, parsed.claims[2])

    hashed: list[str] = []
    real = handles_module.digest

    def counting(claim_id: str) -> str:
        hashed.append(claim_id)
        return real(claim_id)

    def every_handle(ds: Any) -> dict[str, str]:
        raise AssertionError("every id was hashed")

    monkeypatch.setattr(handles_module, "digest", counting)
    monkeypatch.setattr(handles_module, "handles", every_handle)
    cells = ids_cell(hit, lines), id_cell(hit, hit.claims[2])
    assert cells == expected
    assert cells[0].short == f"a {digest(TWINS[0])[:11]} +1\n"
    assert hashed == [TWINS[0], parsed.claims[2].id]
