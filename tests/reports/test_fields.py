"""reports/fields.py: the claim's fields, once, for CSV and JSON."""

from __future__ import annotations

from stemcli.dataset import load
from stemcli.reports.fields import CLAIM_CSV_HEADER, CLAIM_FIELDS, claim_csv_row, claim_json


def test_json_is_the_claim_contract() -> None:
    ds = load([], bundled=True, use_cache=False)
    assert ds.claims
    for c in ds.claims:
        assert claim_json(c) == c.to_json()
        assert list(claim_json(c)) == list(c.to_json())  # in the contract's order


def test_csv_has_one_cell_per_column_in_the_documented_order() -> None:
    assert CLAIM_CSV_HEADER == (
        "id",
        "source",
        "publisher",
        "condition",
        "stages",
        "outcome",
        "measure",
        "value",
        "low",
        "high",
        "unit",
        "qualifier",
        "timepoint",
        "timepoint_low",
        "timepoint_high",
        "timepoint_unit",
        "comparator",
        "intervention",
        "group",
        "basis",
        "n",
        "citation",
        "derived",
        "review",
        "quote",
        "ci",
        "ci_low",
        "ci_high",
        "scale",
        "n_studies",
        "statement",
        "source_kind",
        "certainty",
    )
    ds = load([], bundled=True, use_cache=False)
    for c in ds.claims:
        assert len(claim_csv_row(ds, c)) == len(CLAIM_CSV_HEADER)


def test_every_field_names_its_columns() -> None:
    names = [f.name for f in CLAIM_FIELDS]
    assert len(set(names)) == len(names)
    assert all(f.columns for f in CLAIM_FIELDS)
