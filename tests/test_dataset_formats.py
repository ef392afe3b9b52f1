"""Datasets in one file: JSON Lines and Parquet, read by --data FILE through the same
validator as YAML, written by export and convert, and round-trips without loss."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from stemcli.dataset import load
from stemcli.model import Dataset

Run = Callable[..., Result]

TRICKY = """\
- id: tricky
  title: "A title with # a hash, a colon: and \\u2028 a line separator"
  publisher: "Clinic \\"Quoted\\" & Co"
  kind: clinic
  sells_treatment: true
  url: https://example.org/page?x=1&y=2
  review: [publisher]
"""
TRICKY_CONDITIONS = """\
- id: knee-x
  name: "Knee: the X condition"
  aliases: ["knee x", "X #1"]
  stages: [early, {id: late, aliases: ["K&L 4", "yes"]}]
"""
TRICKY_CLAIMS = """\
- id: tricky-a
  condition: knee-x
  stages: [early, late]
  outcome: pain
  measure: effect
  value: "60-70%"
  timepoint: "12 months"
  basis: clinic-data
  n: 40
  group: "group: one"
  citation: "Smith et al. 2020 # not a comment"
  quote: "Pain fell 60-70% - \\"really\\" -- at 12 months \\u00e9\\U0001F600 = +1"
- id: tricky-b
  condition: knee-x
  outcome: pain
  measure: effect
  value: "20%"
  basis: none
  review: [outcome, measure]
  quote: "=cmd|' /C calc'!A0 20%"
- id: tricky-c
  condition: knee-x
  outcome: pain
  measure: ratio
  value: "3 times"
  basis: none
  derived: {op: ratio, of: [tricky-a, tricky-b]}
  quote: "three times 3"
"""


@pytest.fixture
def tricky(tmp_path: Path) -> Path:
    folder = tmp_path / "tricky"
    (folder / "claims").mkdir(parents=True)
    (folder / "sources.yaml").write_text(TRICKY, encoding="utf-8")
    (folder / "conditions.yaml").write_text(TRICKY_CONDITIONS, encoding="utf-8")
    (folder / "claims" / "tricky.yaml").write_text(TRICKY_CLAIMS, encoding="utf-8")
    return folder


def same(a: Dataset, b: Dataset) -> None:
    assert a.claims == b.claims
    assert list(a.sources.values()) == list(b.sources.values())
    assert list(a.conditions.values()) == list(b.conditions.values())


def alone(path: Path) -> Dataset:
    return load([path], bundled=False, use_cache=False)


def test_export_jsonl_and_parquet_read_back_as_the_bundled_dataset(
    run: Run, tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (the scale extra)")
    bundled = load(use_cache=False)
    result = run("export", "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert json.loads(lines[0]) == {"stemcli": "dataset", "format": 1}
    assert len(lines) == 1 + len(bundled.sources) + len(bundled.conditions) + len(bundled.claims)
    (tmp_path / "b.jsonl").write_text(result.stdout, encoding="utf-8")
    same(bundled, alone(tmp_path / "b.jsonl"))
    result = run("export", "--format", "parquet", "-o", str(tmp_path / "b.parquet"))
    assert result.exit_code == 0, result.stderr
    same(bundled, alone(tmp_path / "b.parquet"))
    # and the commands read them like any dataset
    result = run("--no-bundled", "--data", str(tmp_path / "b.parquet"), "conflicts", "--count")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == run("conflicts", "--count").stdout


def test_convert_round_trips_every_field_and_tricky_text(
    run: Run, tricky: Path, tmp_path: Path
) -> None:
    pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (the scale extra)")
    original = alone(tricky)
    assert len(original.claims) == 3
    steps = [
        (tricky, tmp_path / "t.jsonl"),
        (tmp_path / "t.jsonl", tmp_path / "t.parquet"),
        (tmp_path / "t.parquet", tmp_path / "t-yaml"),
        (tmp_path / "t-yaml", tmp_path / "t2.jsonl"),
    ]
    for src, out in steps:
        result = run("convert", str(src), str(out))
        assert result.exit_code == 0, result.stderr
        same(original, alone(out))
    assert (tmp_path / "t.jsonl").read_bytes() == (tmp_path / "t2.jsonl").read_bytes()
    # the YAML folder is laid out like data/, every string quoted
    text = (tmp_path / "t-yaml" / "claims" / "tricky.yaml").read_text(encoding="utf-8")
    assert '  citation: "Smith et al. 2020 # not a comment"' in text
    assert "\u2028" not in (tmp_path / "t-yaml" / "sources.yaml").read_text(encoding="utf-8")


def test_ten_thousand_synthetic_claims_round_trip(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (the scale extra)")
    from generate import generate
    from stemcli.exports import jsonl, parquet, yaml_folder

    original = alone(generate(10_000, tmp_path / "synth", seed=3, sources=20))
    assert len(original.claims) == 10_000
    (tmp_path / "s.jsonl").write_text("".join(jsonl.lines(original)), encoding="utf-8")
    parquet.write(original, tmp_path / "s.parquet")
    (tmp_path / "s-yaml").mkdir()
    yaml_folder.write(original, tmp_path / "s-yaml")
    for name in ("s.jsonl", "s.parquet", "s-yaml"):
        same(original, alone(tmp_path / name))


def test_content_decides_the_format(run: Run, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (the scale extra)")
    parquet_file = tmp_path / "really-parquet.jsonl"
    assert run("export", "-f", "parquet", "-o", str(parquet_file)).exit_code == 0
    result = run("--no-bundled", "--data", str(parquet_file), "sources", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == len(load(use_cache=False).sources)


HEADER = '{"stemcli": "dataset", "format": 1}\n'


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"", "x.jsonl"),
        (b'{"source": {"id": "a"}}\n', "x.jsonl:1:1"),
        (b'{"stemcli": "dataset", "format": 9}\n', "x.jsonl:1:1"),
        (HEADER.encode() + b'{"claim": "' + b"x" * (2 << 20) + b'"}\n', "x.jsonl:2:1"),
        (HEADER.encode() + b'{"source": {"id": "a\xff"}}\n', "x.jsonl:2:21"),
        (HEADER.encode() + b'{"claim": {"id": "a", "n": NaN}}\n', "x.jsonl:2:"),
        (HEADER.encode() + b'{"claim": {"id": "a", "n": Infinity}}\n', "x.jsonl:2:"),
        (HEADER.encode() + b'{"source": {"id": "a", "id": "b"}}\n', "x.jsonl:2:"),
        (HEADER.encode() + b'{"claim": {"id": "a"}\n', "x.jsonl:2:"),
        (HEADER.encode() + b'{"claim": [1]}\n', "x.jsonl:2:"),
        (HEADER.encode() + b'{"claim": {"id": "a"}}\n', "x.jsonl:2:"),  # no source
        (
            HEADER.encode() + b'{"claim": {"derived": ' + b"[" * 5000 + b"]" * 5000 + b"}}\n",
            "x.jsonl:2:1",
        ),
    ],
    ids=[
        "empty",
        "no-header",
        "format",
        "huge-line",
        "bad-utf8",
        "nan",
        "infinity",
        "duplicate-key",
        "truncated-line",
        "not-an-object",
        "no-source",
        "deep",
    ],
)
def test_hostile_jsonl_is_one_located_error(
    run: Run, tmp_path: Path, content: bytes, where: str
) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    result = run("--no-bundled", "--data", str(path), "sources")
    assert result.exit_code == 3, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert f"error: {tmp_path / where}" in errors[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_bad_value_in_jsonl_names_line_column_and_claim(run: Run, tmp_path: Path) -> None:
    exported = run(
        "--no-bundled",
        "--data",
        str(Path(__file__).parent / "fixtures" / "mini"),
        "export",
        "-f",
        "jsonl",
    ).stdout
    lines = exported.splitlines()
    n, line = next((i, t) for i, t in enumerate(lines) if t.startswith('{"claim"'))
    claim = json.loads(line)["claim"]
    lines[n] = line.replace(json.dumps(claim["value"]), '"60 furlongs"')
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("--no-bundled", "--data", str(path), "validate", "-f", "json")
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)
    assert (problem["file"], problem["line"], problem["claim"]) == (str(path), n + 1, claim["id"])
    assert problem["column"] == lines[n].index('"60 furlongs"') + 1
    assert "furlongs" in problem["message"]


def _parquet(tmp_path: Path, run: Run) -> Path:
    path = tmp_path / "b.parquet"
    assert run("export", "-f", "parquet", "-o", str(path)).exit_code == 0
    return path


def test_a_bad_value_in_parquet_names_row_id_and_field(run: Run, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (the scale extra)")
    import pyarrow.parquet as pq

    table = pq.read_table(_parquet(tmp_path, run))
    values = table.column("value_text").to_pylist()
    values[2] = "60 furlongs"
    table = table.set_column(
        table.schema.get_field_index("value_text"), "value_text", pa.array(values)
    )
    bad = tmp_path / "bad.parquet"
    pq.write_table(table, bad)
    result = run("--no-bundled", "--data", str(bad), "sources")
    assert result.exit_code == 3
    cid = table.column("id")[2].as_py()
    assert f"error: {bad}: claim row 3 (id {cid}), field value: unparseable value" in result.stderr


@pytest.mark.parametrize(
    "damage", ["truncated", "empty", "no-metadata", "bad-metadata", "wrong-type", "unknown-column"]
)
def test_hostile_parquet_is_one_clear_error(run: Run, tmp_path: Path, damage: str) -> None:
    pa = pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (the scale extra)")
    import pyarrow.parquet as pq

    good = _parquet(tmp_path, run)
    bad = tmp_path / "bad.parquet"
    table = pq.read_table(good)
    if damage == "truncated":
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif damage == "empty":
        bad.write_bytes(b"")
    elif damage == "no-metadata":
        pq.write_table(table.replace_schema_metadata({}), bad)
    elif damage == "bad-metadata":
        pq.write_table(table.replace_schema_metadata({b"stemcli": b"{not json"}), bad)
    elif damage == "wrong-type":
        n = table.schema.get_field_index("n")
        pq.write_table(table.set_column(n, "n", pa.array(["x"] * len(table))), bad)
    else:
        meta = table.schema.metadata
        pq.write_table(
            table.append_column("colour", pa.array(["red"] * len(table))).replace_schema_metadata(
                meta
            ),
            bad,
        )
    result = run("--no-bundled", "--data", str(bad), "sources")
    assert result.exit_code == 3, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {bad}: ")
    assert "Traceback" not in result.stderr


def test_parquet_without_pyarrow_names_the_extra(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1" + b"\0" * 16 + b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    result = run("--no-bundled", "--data", str(path), "sources")
    assert result.exit_code == 3
    assert "pyarrow" in result.stderr
    result = run("export", "-f", "parquet", "-o", str(tmp_path / "y.parquet"))
    assert result.exit_code == 3
    assert "stemcli[scale]" in result.stderr
    assert not (tmp_path / "y.parquet").exists()


def test_parquet_export_needs_a_file_and_never_overwrites(run: Run, tmp_path: Path) -> None:
    assert run("export", "-f", "parquet").exit_code == 2
    out = tmp_path / "keep.parquet"
    out.write_text("mine")
    assert run("export", "-f", "parquet", "-o", str(out)).exit_code == 2
    assert out.read_text() == "mine"


def test_convert_refuses_what_it_cannot_write(run: Run, tmp_path: Path, tricky: Path) -> None:
    assert run("convert", str(tricky), str(tmp_path / "one.yaml")).exit_code == 2
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    assert run("convert", str(tricky), str(mine), "--force").exit_code == 2
    assert (mine / "notes.txt").read_text() == "keep"
    assert run("convert", str(tricky), str(tmp_path / "x.jsonl"), "--to", "parquet").exit_code == 2
    # a folder convert wrote is replaced with --force
    out = tmp_path / "out"
    assert run("convert", str(tricky), str(out)).exit_code == 0
    assert run("convert", str(tricky), str(out)).exit_code == 2
    assert run("convert", str(tricky), str(out), "--force").exit_code == 0


def test_a_parquet_file_that_unpacks_to_too_much_is_refused_before_reading(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (the scale extra)")
    from stemcli.dataset.formats import parquet

    path = _parquet(tmp_path, run)
    monkeypatch.setattr(parquet, "MAX_ROWS", 10)
    result = run("--no-bundled", "--no-cache", "--data", str(path), "sources")
    assert result.exit_code == 3
    assert f"error: {path}: " in result.stderr
    assert "rows" in result.stderr


def test_the_formats_benchmark_runs_on_a_small_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (the scale extra)")
    import formats

    assert formats.main(["--claims", "40", "--repeat", "1", "--out", str(tmp_path)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert [row.split("|")[2].strip() for row in table[2:]] == ["yaml", "jsonl", "parquet"]
