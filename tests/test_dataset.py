"""Dataset validation: every problem, with its exact file:line:column, in one run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from stemcli.dataset import check, load
from stemcli.errors import DataError

Run = Callable[..., Result]

SOURCES = """\
- id: src
  title: A source
  publisher: Some Clinic
  kind: clinic
  sells_treatment: true
"""
CONDITIONS = """\
- id: cond
  name: A condition
  aliases: [the thing]
  stages: [early, late]
"""
GOOD = {
    "condition": "cond",
    "outcome": "pain",
    "measure": "effect",
    "value": '"50%"',
    "basis": "none",
    "quote": '"Pain fell 50%."',
}


def claim_yaml(cid: str, **fields: str | None) -> str:
    """One claim as YAML; a field given as None is left out, values are raw YAML."""
    merged: dict[str, str | None] = {**GOOD, **fields}
    lines = [f"- id: {cid}"]
    lines += [f"  {k}: {v}" for k, v in merged.items() if v is not None]
    return "\n".join(lines) + "\n"


def make_dataset(
    root: Path,
    claims: str,
    *,
    sources: str = SOURCES,
    conditions: str = CONDITIONS,
    claims_name: str = "src.yaml",
) -> Path:
    (root / "claims").mkdir(parents=True, exist_ok=True)
    (root / "sources.yaml").write_text(sources, encoding="utf-8")
    (root / "conditions.yaml").write_text(conditions, encoding="utf-8")
    (root / "claims" / claims_name).write_text(claims, encoding="utf-8")
    return root


def locate(text: str, claim_id: str, key: str | None = None) -> tuple[int, int]:
    """(line, column), 1-based, of ``key``'s value in the claim's block; of the block without key.

    ``key[0]`` is the first item of a flow list (``stages: [middle]``).
    """
    item = key is not None and key.endswith("[0]")
    if key is not None:
        key = key.removesuffix("[0]")
    lines = text.splitlines()
    start = lines.index(f"- id: {claim_id}")
    if key is None:
        return start + 1, 3
    for i in range(start + 1, len(lines)):
        if lines[i].startswith("- id:"):
            break
        prefix = f"  {key}: "
        if lines[i].startswith(prefix):
            return i + 1, len(prefix) + 1 + item
    raise AssertionError(f"{key} not in {claim_id}")


def validate_json(run: Run, root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run("--no-bundled", "--data", str(root), "validate", "--format", "json")
    return result.exit_code, json.loads(result.stdout)


# (claim id, fields, where: key of the value node or None for the claim itself, message)
CASES: list[tuple[str, dict[str, str | None], str | None, str]] = [
    ("c-condition", {"condition": "nope"}, "condition", "unknown condition 'nope'"),
    (
        "c-outcome",
        {"outcome": "pian"},
        "outcome",
        "unknown outcome 'pian' (did you mean 'pain'?)",
    ),
    (
        "c-measure",
        {"measure": "efect"},
        "measure",
        "unknown measure 'efect' (did you mean 'effect'?)",
    ),
    ("c-lots", {"value": "lots"}, "value", "unparseable value: cannot read 'lots'"),
    ("c-backwards", {"value": '"70-60%"'}, "value", "low 70 is greater than high 60"),
    (
        "c-stage",
        {"stages": "[middle]"},
        "stages[0]",
        "condition 'cond' has no stage 'middle' (valid: early, late)",
    ),
    ("c-empty-quote", {"quote": '""'}, "quote", "field 'quote' is empty"),
    ("c-no-measure", {"measure": None}, None, "missing required field 'measure'"),
    ("c-no-value", {"value": None}, None, "missing required field 'value'"),
    ("c-no-quote", {"quote": None}, None, "missing required field 'quote'"),
    ("c-list", {"condition": "[cond]"}, "condition", "field 'condition' must be text, not a list"),
    ("c-n", {"n": "many"}, "n", "n must be a positive whole number"),
    ("c-n-zero", {"n": "0"}, "n", "n must be a positive whole number"),
    (
        "c-typo",
        {"qoute": '"x"'},
        None,
        "unknown claim field 'qoute' (did you mean 'quote'?)",
    ),
    (
        "c-over-100",
        {"outcome": "improvement", "measure": "responder-rate", "value": '"120%"'},
        "value",
        "a responder-rate cannot exceed 100%",
    ),
    (
        "c-timepoint",
        {"timepoint": '"5%"'},
        "timepoint",
        "timepoint must be a time such as '12 months'",
    ),
    (
        "c-unit",
        {"measure": "cost", "outcome": "cost", "value": '"3 weeks"'},
        "value",
        "a cost cannot be in weeks (expected money, eur, gbp)",
    ),
    ("c-basis", {"basis": "study"}, "basis", "basis must be one of"),
]


@pytest.mark.parametrize(("cid", "fields", "key", "message"), CASES, ids=[c[0] for c in CASES])
def test_each_problem_is_located_exactly(
    run: Run,
    tmp_path: Path,
    cid: str,
    fields: dict[str, str | None],
    key: str | None,
    message: str,
) -> None:
    text = claim_yaml("c-good") + claim_yaml(cid, **fields)
    root = make_dataset(tmp_path, text)
    code, problems = validate_json(run, root)
    assert code == 1
    assert len(problems) == 1, problems
    line, col = locate(text, cid, key)
    p = problems[0]
    assert (p["file"], p["line"], p["column"]) == (str(root / "claims" / "src.yaml"), line, col)
    assert p["claim"] == cid
    assert message in p["message"]


def test_validate_reports_every_problem_in_one_run(run: Run, tmp_path: Path) -> None:
    text = claim_yaml("c-good") + "".join(claim_yaml(cid, **f) for cid, f, _, _ in CASES)
    root = make_dataset(tmp_path, text)
    code, problems = validate_json(run, root)
    assert code == 1
    assert sorted(p["claim"] for p in problems) == sorted(c[0] for c in CASES)
    # the table names file:line:col of each
    table = run("--no-bundled", "--data", str(root), "validate")
    assert table.exit_code == 1
    for cid, _, key, _ in CASES:
        line, col = locate(text, cid, key)
        assert f"src.yaml:{line}:{col}" in table.stdout
    assert f"{len(CASES)} problems found" in table.stderr


def test_duplicate_claim_id_names_both_places(run: Run, tmp_path: Path) -> None:
    text = claim_yaml("c-twice") + claim_yaml("c-other") + claim_yaml("c-twice")
    root = make_dataset(tmp_path, text)
    code, problems = validate_json(run, root)
    assert code == 1
    assert len(problems) == 1
    path = str(root / "claims" / "src.yaml")
    lines = text.splitlines()
    first, second = [i + 1 for i, s in enumerate(lines) if s == "- id: c-twice"]
    p = problems[0]
    assert (p["file"], p["line"], p["column"]) == (path, second, 7)
    assert f"duplicate claim id 'c-twice' (first defined at {path}:{first}:7)" in p["message"]


def test_duplicate_claim_id_across_files(run: Run, tmp_path: Path) -> None:
    root = make_dataset(tmp_path, claim_yaml("c-one"))
    (root / "claims" / "more.yaml").write_text(claim_yaml("c-one"), encoding="utf-8")
    (root / "sources.yaml").write_text(
        SOURCES + SOURCES.replace("id: src", "id: more"), encoding="utf-8"
    )
    code, problems = validate_json(run, root)
    assert code == 1
    assert [p["file"] for p in problems] == [str(root / "claims" / "src.yaml")]
    assert str(root / "claims" / "more.yaml") + ":1:7" in problems[0]["message"]


def test_claims_of_an_unknown_source(run: Run, tmp_path: Path) -> None:
    root = make_dataset(tmp_path, claim_yaml("c-one"), claims_name="stranger.yaml")
    code, problems = validate_json(run, root)
    assert code == 1
    [p] = problems
    assert p["file"] == str(root / "claims" / "stranger.yaml")
    assert "unknown source 'stranger'" in p["message"]


def test_source_and_condition_problems(run: Run, tmp_path: Path) -> None:
    sources = SOURCES + (
        "- id: bad\n"
        "  title: T\n"
        "  publisher: P\n"
        "  kind: hospital\n"
        "  sha256: abc\n"
        "  sells_treatmnt: true\n"
    )
    conditions = CONDITIONS + "- id: Bad Id\n  name: X\n- id: cond\n  name: Again\n"
    root = make_dataset(tmp_path, claim_yaml("c-one"), sources=sources, conditions=conditions)
    code, problems = validate_json(run, root)
    assert code == 1
    found = {(Path(p["file"]).name, p["line"], p["column"], p["message"]) for p in problems}
    assert (
        "sources.yaml",
        9,
        9,
        "kind must be one of clinic, broker, information, evidence, survey, not 'hospital'",
    ) in found
    assert ("sources.yaml", 10, 11, "sha256 must be 64 lowercase hex digits") in found
    assert ("sources.yaml", 6, 3, "sells_treatment must be true or false") in found
    assert any(
        f == "sources.yaml"
        and "unknown source field 'sells_treatmnt'" in m
        and "sells_treatment" in m
        for f, _, _, m in found
    )
    assert ("conditions.yaml", 5, 7, "condition id 'Bad Id' must be a lowercase slug") in found
    assert any(
        f == "conditions.yaml" and line == 7 and "duplicate condition id 'cond'" in m
        for f, line, _, m in found
    )


# ---------------------------------------------------------------------------
# files that are not good YAML


def _only_problem(run: Run, root: Path) -> dict[str, Any]:
    code, problems = validate_json(run, root)
    assert code == 1, problems
    assert len(problems) == 1, problems
    return problems[0]


def test_malformed_yaml_names_line_and_column(run: Run, tmp_path: Path) -> None:
    root = make_dataset(tmp_path, "- id: x\n  outcome: pain: bad\n")
    p = _only_problem(run, root)
    assert (p["line"], p["column"]) == (2, 16)
    assert p["message"].startswith("invalid YAML: mapping values are not allowed")


def test_non_utf8_names_line_and_column(run: Run, tmp_path: Path) -> None:
    root = make_dataset(tmp_path, "")
    (root / "claims" / "src.yaml").write_bytes(b'- id: x\n  quote: "caf\xe9"\n')
    p = _only_problem(run, root)
    assert (p["file"], p["line"], p["column"]) == (str(root / "claims" / "src.yaml"), 2, 14)
    assert p["message"] == "not UTF-8 text (byte 0xe9)"


def test_yaml_mapping_alias_is_refused(run: Run, tmp_path: Path) -> None:
    text = (
        "- &a {id: z1, condition: cond, outcome: pain, measure: effect, value: 5%,"
        " basis: none, quote: q}\n"
        "- *a\n"
    )
    root = make_dataset(tmp_path, text)
    p = _only_problem(run, root)
    assert (p["line"], p["column"]) == (1, 3)
    assert p["message"] == "YAML anchors and aliases are not supported"


def test_yaml_scalar_alias_is_refused(run: Run, tmp_path: Path) -> None:
    text = claim_yaml("c-one", quote='&q "Pain fell 50%."') + claim_yaml("c-two", quote="*q")
    root = make_dataset(tmp_path, text)
    p = _only_problem(run, root)
    assert p["message"] == "YAML anchors and aliases are not supported"
    assert (p["line"], p["column"]) == locate(text, "c-one", "quote")


@pytest.mark.parametrize(
    ("node", "tag"),
    [
        ("!!python/object/apply:os.system ['touch {marker}']", "python/object/apply:os.system"),
        ("!!python/object:os.system {{cmd: 'touch {marker}'}}", "python/object:os.system"),
        ("{{id: x, quote: !!python/name:os.system ''}}", "python/name:os.system"),
    ],
)
def test_python_tags_are_refused(run: Run, tmp_path: Path, node: str, tag: str) -> None:
    marker = tmp_path / "pwned"
    text = "- " + node.format(marker=marker) + "\n"
    root = make_dataset(tmp_path, text)
    p = _only_problem(run, root)
    assert p["line"] == 1
    assert f"unsupported YAML tag 'tag:yaml.org,2002:{tag}'" in p["message"]
    assert not marker.exists()


def test_a_plain_date_stays_text(run: Run, tmp_path: Path) -> None:
    """YAML 1.1 would make 2020-01-01 a date; nothing in a dataset is a date, so it is text."""
    root = make_dataset(tmp_path, claim_yaml("c-one", citation="2020-01-01"))
    result = run("--no-bundled", "--data", str(root), "show", "c-one", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["claim"]["citation"] == "2020-01-01"


def test_duplicate_key_in_a_mapping(run: Run, tmp_path: Path) -> None:
    root = make_dataset(tmp_path, claim_yaml("c-one") + "  value: 60%\n")
    p = _only_problem(run, root)
    assert p["message"] == "key 'value' appears twice"
    assert p["line"] == claim_yaml("c-one").count("\n") + 1


def test_a_folder_where_a_file_is_expected(run: Run, tmp_path: Path) -> None:
    root = make_dataset(tmp_path, claim_yaml("c-one"))
    (root / "claims" / "folder.yaml").mkdir()
    (root / "claims" / "src.yaml").write_text(claim_yaml("c-one", value="lots"), encoding="utf-8")
    result = run("--no-bundled", "--data", str(root), "validate", "--format", "json")
    # every problem in one run: the folder and the bad value
    assert result.exit_code == 1, result.output
    problems = json.loads(result.stdout)
    messages = [p["message"] for p in problems]
    assert "is a folder, expected a file" in messages
    assert any("unparseable value" in m for m in messages)


def test_a_folder_given_as_sources_yaml(run: Run, tmp_path: Path) -> None:
    root = make_dataset(tmp_path, claim_yaml("c-one"))
    (root / "sources.yaml").unlink()
    (root / "sources.yaml").mkdir()
    result = run("--no-bundled", "--data", str(root), "lookup", "cond")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "sources.yaml" in result.stderr
    assert "is a folder, expected a file" in result.stderr


def test_not_a_list_at_the_top(run: Run, tmp_path: Path) -> None:
    root = make_dataset(tmp_path, "id: x\n")
    p = _only_problem(run, root)
    assert p["message"] == "expected a list of claims, found a mapping"


# ---------------------------------------------------------------------------
# exit codes


def test_valid_dataset_exits_0(run: Run, tmp_path: Path) -> None:
    root = make_dataset(tmp_path, claim_yaml("c-one") + claim_yaml("c-two", stages="[early]"))
    result = run("--no-bundled", "--data", str(root), "validate")
    assert result.exit_code == 0, result.output
    assert "ok: 2 claims, 1 source, 1 condition" in result.stderr
    code, problems = validate_json(run, root)
    assert (code, problems) == (0, [])


def test_bundled_dataset_is_valid(run: Run) -> None:
    result = run("--no-cache", "validate", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize(
    "command",
    [
        ["lookup", "cond"],
        ["show", "c-good"],
        ["search", "pain"],
        ["sources"],
        ["conditions"],
        ["export"],
        ["export", "--format", "csv"],
        ["sources", "--format", "json"],
        ["lookup", "cond", "--format", "csv"],
    ],
)
def test_other_commands_refuse_a_bad_dataset_before_any_output(
    run: Run, tmp_path: Path, command: list[str]
) -> None:
    text = claim_yaml("c-good") + "".join(claim_yaml(cid, **f) for cid, f, _, _ in CASES[:4])
    root = make_dataset(tmp_path, text)
    _, problems = validate_json(run, root)
    first = problems[0]
    result = run("--no-bundled", "--data", str(root), *command)
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert f"{first['file']}:{first['line']}:{first['column']}" in result.stderr
    assert first["message"] in result.stderr
    assert f"(and {len(problems) - 1} more problems)" in result.stderr


def test_load_raises_data_error_with_every_problem(tmp_path: Path) -> None:
    text = claim_yaml("c-good") + "".join(claim_yaml(cid, **f) for cid, f, _, _ in CASES)
    root = make_dataset(tmp_path, text)
    with pytest.raises(DataError) as info:
        load([root], bundled=False, use_cache=False)
    assert {p.claim_id for p in info.value.problems} == {c[0] for c in CASES}
    ds, problems = check([root], bundled=False, use_cache=False)
    assert len(problems) == len(info.value.problems)
    assert "c-good" in {c.id for c in ds.claims}
    assert "c-lots" not in {c.id for c in ds.claims}


def test_a_users_outcome_may_be_marked_not_compared(run: Run, tmp_path: Path) -> None:
    root = make_dataset(tmp_path, claim_yaml("c-one"))
    (root / "outcomes.yaml").write_text(
        "outcomes:\n"
        "  - {id: ages, name: Ages, family: ages, compared: false}\n"
        "  - {id: sizes, name: Sizes, family: sizes, compared: maybe}\n",
        encoding="utf-8",
    )
    p = _only_problem(run, root)
    assert p["message"] == "compared must be true or false"
    assert (Path(p["file"]).name, p["line"]) == ("outcomes.yaml", 3)


@pytest.mark.parametrize(
    "url",
    [
        "www.example.org/page",  # no scheme
        "javascript:alert(1)",
        "https://example.org/a page",
        'https://example.org/"><script>',
        "https://example.org/\x1b[31m",
    ],
)
def test_a_source_url_must_be_a_plain_web_address(run: Run, tmp_path: Path, url: str) -> None:
    sources = SOURCES + f"  url: {json.dumps(url)}\n"
    root = make_dataset(tmp_path, claim_yaml("c-one"), sources=sources)
    p = _only_problem(run, root)
    assert Path(p["file"]).name == "sources.yaml"
    assert (p["line"], p["column"]) == (sources.count("\n"), 8)
    assert "must be an absolute http:// or https:// address" in p["message"]


def test_a_source_url_is_kept(tmp_path: Path) -> None:
    sources = SOURCES + "  url: https://example.org/clinic/knee?x=1#top\n"
    root = make_dataset(tmp_path, claim_yaml("c-one"), sources=sources)
    for use_cache in (False, True, True):  # parsed, stored, read back from the cache
        ds = load([root], bundled=False, use_cache=use_cache)
        assert ds.sources["src"].url == "https://example.org/clinic/knee?x=1#top"
        assert ds.sources["src"].to_json()["url"] == "https://example.org/clinic/knee?x=1#top"
