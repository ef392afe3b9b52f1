"""Bad datasets (--data DIR --no-bundled): each is one clear error, never a crash.

Every case is checked twice: a command that needs the dataset fails with exit 3, nothing
on stdout and one 'error: ...' line naming the problem; `validate` lists the problem and
exits 1. The cases that attack the machine (huge files, alias bombs, deep nesting,
Python tags) run in a real process under a 1 GiB address-space limit.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stemcli.text import files

from .conftest import (
    CONDITION,
    SOURCE,
    Run,
    assert_one_error,
    claim,
    data_args,
    dump,
    stemcli,
    write_dataset,
)

Build = Callable[[Path], Path]


def claims_text(text: str | bytes) -> Build:
    """A dataset whose only claims file holds ``text`` as it is."""
    return lambda root: write_dataset(root, claims={"src": text})


def claims_list(*claims: dict[str, Any]) -> Build:
    return lambda root: write_dataset(root, claims={"src": list(claims)})


def validate(run: Run, root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run(*data_args(root), "validate", "--format", "json")
    assert "Traceback" not in result.stderr
    return result.exit_code, json.loads(result.stdout)


def check_bad(run: Run, root: Path, message: str) -> None:
    """Exit 3 with one error line for lookup; exit 1 and the problem listed for validate."""
    result = run(*data_args(root), "lookup", "cond")
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert_one_error(result.stderr, message)
    code, problems = validate(run, root)
    assert code == 1
    assert any(message in p["message"] for p in problems), problems


# (case id, dataset, a part of the expected message)
CASES: list[tuple[str, Build, str]] = [
    # malformed YAML
    ("mapping-in-a-value", claims_text("- id: x\n  outcome: pain: bad\n"), "invalid YAML"),
    ("tab-indentation", claims_text("- id: x\n\t outcome: pain\n"), "invalid YAML"),
    ("unclosed-quote", claims_text('- id: "x\n  outcome: pain\n'), "invalid YAML"),
    ("unclosed-bracket", claims_text("- [a, b\n"), "invalid YAML"),
    ("two-documents", claims_text(dump([claim()]) + "---\n" + dump([claim("c-2")])), "document"),
    ("nul-byte", claims_text("- id: c-one\n  quote: Pain\x00 fell\n"), "(U+0000)"),
    ("escape-byte", claims_text("- id: c-one\n  quote: Pain\x1b[2J fell\n"), "(U+001B)"),
    ("undefined-alias", claims_text("- *nowhere\n"), "invalid YAML"),
    # wrong types
    ("value-mapping", claims_list(claim(value={"a": 1})), "value must be text"),
    ("value-list", claims_list(claim(value=["50%"])), "value must be text"),
    ("stages-number", claims_list(claim(stages=5)), "field 'stages' must be a list"),
    ("quote-list", claims_list(claim(quote=["a", "b"])), "field 'quote' must be text, not a list"),
    ("condition-mapping", claims_list(claim(condition={"id": "cond"})), "must be text"),
    ("n-fraction", claims_list(claim(n=2.5)), "n must be a positive whole number"),
    ("n-text", claims_list(claim(n="many")), "n must be a positive whole number"),
    ("n-bool", claims_list(claim(n=True)), "n must be a positive whole number"),
    ("claims-mapping", claims_text(dump({"claims": [claim()]})), "expected a list of claims"),
    ("claims-scalar", claims_text("just text\n"), "expected a list of claims, found text"),
    ("claim-scalar", claims_text("- just text\n"), "must be a mapping"),
    ("key-not-text", claims_text("- {1: x, id: c}\n"), "mapping keys must be plain words"),
    ("key-a-list", claims_text("- {[a, b]: x}\n"), "mapping keys must be plain words"),
    (
        "sells-text",
        lambda root: write_dataset(root, sources=[{**SOURCE, "sells_treatment": "yes, sir"}]),
        "sells_treatment must be true or false",
    ),
    (
        "aliases-mapping",
        lambda root: write_dataset(root, conditions=[{**CONDITION, "aliases": {"a": "b"}}]),
        "field 'aliases' must be a list",
    ),
    (
        "stages-mapping",
        lambda root: write_dataset(root, conditions=[{**CONDITION, "stages": {"a": "b"}}]),
        "stages must be a list",
    ),
    (
        "outcomes-a-list",
        lambda root: write_dataset(root, outcomes=[{"id": "x"}]),
        "outcomes.yaml must be a mapping",
    ),
    # missing fields
    ("no-quote", claims_list(claim(quote=None)), "missing required field 'quote'"),
    ("no-value", claims_list(claim(value=None)), "missing required field 'value'"),
    ("no-id", claims_list({k: v for k, v in claim().items() if k != "id"}), "field 'id'"),
    ("empty-quote", claims_list(claim(quote="   ")), "field 'quote' is empty"),
    (
        "source-without-title",
        lambda root: write_dataset(
            root, sources=[{k: v for k, v in SOURCE.items() if k != "title"}]
        ),
        "missing required field 'title'",
    ),
    (
        "condition-without-name",
        lambda root: write_dataset(root, conditions=[{"id": "cond"}]),
        "missing required field 'name'",
    ),
    # duplicates
    ("duplicate-claim", claims_list(claim(), claim()), "duplicate claim id 'c-one'"),
    (
        "duplicate-claim-across-files",
        lambda root: write_dataset(
            root,
            sources=[SOURCE, {**SOURCE, "id": "other"}],
            claims={"src": [claim()], "other": [claim()]},
        ),
        "duplicate claim id 'c-one' (first defined at",
    ),
    (
        "duplicate-source",
        lambda root: write_dataset(root, sources=[SOURCE, SOURCE]),
        "duplicate source id 'src'",
    ),
    (
        "duplicate-condition",
        lambda root: write_dataset(root, conditions=[CONDITION, CONDITION]),
        "duplicate condition id 'cond'",
    ),
    ("duplicate-key", claims_text(dump([claim()]) + "  value: 60%\n"), "appears twice"),
    (
        "duplicate-stage",
        lambda root: write_dataset(root, conditions=[{**CONDITION, "stages": ["a", "a"]}]),
        "stage 'a' is listed twice",
    ),
    # dangling references
    ("unknown-condition", claims_list(claim(condition="nope")), "unknown condition 'nope'"),
    ("unknown-stage", claims_list(claim(stages=["middle"])), "has no stage 'middle'"),
    ("unknown-outcome", claims_list(claim(outcome="pian")), "unknown outcome 'pian'"),
    ("unknown-measure", claims_list(claim(measure="efect")), "unknown measure 'efect'"),
    (
        "claims-of-an-unknown-source",
        lambda root: write_dataset(root, claims={"src": [claim()], "ghost": [claim("c-2")]}),
        "unknown source 'ghost'",
    ),
    # impossible values
    ("negative-duration", claims_list(claim(value="-3 days", measure="duration")), "-3 days"),
    ("negative-percent", claims_list(claim(value="-20%")), "unparseable value"),
    (
        "responder-rate-over-100",
        claims_list(claim(value="150%", measure="responder-rate", outcome="improvement")),
        "cannot exceed 100%",
    ),
    ("low-above-high", claims_list(claim(value="70-60%")), "low 70 is greater than high 60"),
    ("n-zero", claims_list(claim(n=0)), "n must be a positive whole number"),
    ("n-negative", claims_list(claim(n=-5)), "n must be a positive whole number"),
    ("timepoint-not-time", claims_list(claim(timepoint="5%")), "timepoint must be a time"),
    ("negative-timepoint", claims_list(claim(timepoint="-6 months")), "unparseable timepoint"),
    ("cost-in-weeks", claims_list(claim(value="3 weeks", measure="cost")), "a cost cannot be in"),
    ("infinite-value", claims_list(claim(value=".inf")), "unparseable value"),
    ("value-too-long", claims_list(claim(value="1" * 500 + "%")), "at most 200 characters"),
    ("huge-whole-number", claims_text(dump([claim()]) + "  n: 1" + "0" * 5000 + "\n"), "n"),
    # data that is no text
    ("not-utf8", claims_text(b'- id: x\n  quote: "caf\xe9"\n'), "not UTF-8 text (byte 0xe9)"),
    ("utf16", claims_text(dump([claim()]).encode("utf-16")), "not UTF-8 text"),
    ("binary", claims_text(bytes(range(256)) * 8), "not UTF-8"),
    # tags that would build Python objects, and others
    ("binary-tag", claims_text("- !!binary aGVsbG8=\n"), "unsupported YAML tag"),
    ("set-tag", claims_text("- !!set {a, b}\n"), "unsupported YAML tag"),
    ("local-tag", claims_text("- !shell ls\n"), "unsupported YAML tag"),
    ("merge-key", claims_text("- {<<: {id: c-one}, quote: q}\n"), "unsupported YAML tag"),
]


@pytest.mark.parametrize(("build", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_dataset_is_one_clear_error(
    run: Run, tmp_path: Path, build: Build, message: str
) -> None:
    check_bad(run, build(tmp_path / "ds"), message)


def test_problems_name_file_line_and_column(run: Run, tmp_path: Path) -> None:
    root = claims_text("- id: x\n  outcome: pain: bad\n")(tmp_path / "ds")
    _, [problem] = validate(run, root)
    assert problem["file"] == str(root / "claims" / "src.yaml")
    assert (problem["line"], problem["column"]) == (2, 16)


def test_a_control_character_is_located(run: Run, tmp_path: Path) -> None:
    """The YAML reader's error (a byte offset) becomes line and column, in characters."""
    root = claims_text('- id: é\n  quote: "a\x01b"\n')(tmp_path / "ds")
    _, [problem] = validate(run, root)
    assert (problem["line"], problem["column"]) == (2, 12)
    assert problem["message"] == "invalid YAML: control characters are not allowed (U+0001)"


def test_every_problem_in_one_run(run: Run, tmp_path: Path) -> None:
    """validate does not stop at the first bad file or claim."""
    bad = [c for c in CASES if c[0] in ("unknown-outcome", "low-above-high", "n-zero")]
    claims = [claim("c-good")]
    for k, (_, build, _) in enumerate(bad):
        root = build(tmp_path / f"one-{k}")
        claims += [{**c, "id": f"c-{k}"} for c in _claims_of(root)]
    root = write_dataset(
        tmp_path / "all", claims={"src": claims, "broken": "- id: x\n  outcome: pain: bad\n"}
    )
    code, problems = validate(run, root)
    assert code == 1
    assert len(problems) == 4, problems


def _claims_of(root: Path) -> list[dict[str, Any]]:
    import yaml

    loaded: list[dict[str, Any]] = yaml.safe_load(
        (root / "claims" / "src.yaml").read_text(encoding="utf-8")
    )
    return loaded


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "# only a comment\n",
        "[]\n",
        "~\n",
        "\ufeff" + dump([claim()]),
        "\r\n".join(dump([claim()]).splitlines()),
    ],
    ids=["empty", "blank", "comment", "empty-list", "null", "bom", "crlf"],
)
def test_odd_but_valid_files_load(run: Run, tmp_path: Path, text: str) -> None:
    root = claims_text(text)(tmp_path / "ds")
    code, problems = validate(run, root)
    assert (code, problems) == (0, [])


# ---------------------------------------------------------------------------
# the file system


def test_a_folder_where_a_claims_file_is_expected(run: Run, tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "ds")
    (root / "claims" / "folder.yaml").mkdir()
    check_bad(run, root, "is a folder, expected a file")


def test_a_folder_where_sources_yaml_is_expected(run: Run, tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "ds")
    (root / "sources.yaml").unlink()
    (root / "sources.yaml").mkdir()
    check_bad(run, root, "is a folder, expected a file")


def test_a_data_file_that_is_a_folder_of_nothing(run: Run, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run("--no-bundled", "--data", str(tmp_path / "empty"), "sources")
    assert result.exit_code == 3
    assert_one_error(result.stderr, "no dataset files here")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads files whatever their mode (see the simulated case below)",
)
def test_an_unreadable_file(run: Run, tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "ds")
    path = root / "claims" / "src.yaml"
    path.chmod(0)
    try:
        check_bad(run, root, "cannot read: Permission denied")
    finally:
        path.chmod(0o644)


def test_an_unreadable_file_simulated(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_dataset(tmp_path / "ds")
    locked = root / "claims" / "src.yaml"
    real_open = files._open

    def guarded_open(path: Path) -> Any:
        if path == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path)

    monkeypatch.setattr(files, "_open", guarded_open)
    check_bad(run, root, "cannot read: Permission denied")


@pytest.mark.parametrize(
    "where", ["claims-file", "two-link-loop", "sources-file", "claims-folder", "data-path"]
)
def test_symlink_loops(run: Run, tmp_path: Path, where: str) -> None:
    root = write_dataset(tmp_path / "ds")
    data = root
    if where == "claims-file":
        (root / "claims" / "loop.yaml").symlink_to("loop.yaml")
    elif where == "two-link-loop":
        (root / "claims" / "a.yaml").symlink_to("b.yaml")
        (root / "claims" / "b.yaml").symlink_to("a.yaml")
    elif where == "sources-file":
        (root / "sources.yaml").unlink()
        (root / "sources.yaml").symlink_to("sources.yaml")
    elif where == "claims-folder":
        for p in (root / "claims").iterdir():
            p.unlink()
        (root / "claims").rmdir()
        (root / "claims").symlink_to("claims")
    else:
        data = tmp_path / "loop"
        data.symlink_to("loop")
    result = run("--no-bundled", "--data", str(data), "lookup", "cond")
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    line = assert_one_error(result.stderr)
    assert "symbolic link" in line, line


def test_a_symlink_to_a_device_of_endless_zeros(run: Run, tmp_path: Path) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    root = write_dataset(tmp_path / "ds")
    (root / "claims" / "zero.yaml").symlink_to("/dev/zero")
    check_bad(run, root, "not a regular file")


# ---------------------------------------------------------------------------
# attacks on the machine, in a real process under a memory limit


def process_check(root: Path, *messages: str) -> str:
    result = stemcli(*data_args(root), "lookup", "cond")
    assert result.returncode == 3, (result.returncode, result.stderr[-2000:])
    assert result.stdout == ""
    return assert_one_error(result.stderr, *messages)


def test_a_50_mb_file(tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "ds")
    with (root / "claims" / "big.yaml").open("wb") as f:
        f.write(dump([claim("c-big")]).encode())
        f.truncate(50 * 1024 * 1024)  # a sparse file: 50 MB of NUL bytes after the claim
    process_check(root, "file is larger than the 16 MiB limit")


@pytest.mark.slow
def test_a_16_mib_file_of_tiny_items(tmp_path: Path) -> None:
    """Within the size limit, 4 million one-letter items: refused before memory runs out."""
    limit = 16 * 1024 * 1024
    text = ("- x\n" * (limit // 4))[: limit - 1]
    root = write_dataset(tmp_path / "ds", claims={"src": text})
    process_check(root, "too many YAML nodes in one file")


def test_billion_laughs(tmp_path: Path) -> None:
    lines = ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    for k in range(1, 10):
        prev, name = chr(ord("a") + k - 1), chr(ord("a") + k)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    root = write_dataset(tmp_path / "ds", claims={"src": "\n".join(lines) + "\n"})
    process_check(root, "YAML anchors and aliases are not supported")


def test_aliases_inside_a_claim_list(tmp_path: Path) -> None:
    text = "- &c " + json.dumps(claim()) + "\n" + "- *c\n" * 100_000
    root = write_dataset(tmp_path / "ds", claims={"src": text})
    process_check(root, "YAML anchors and aliases are not supported")


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000 + "\n",
        "{a: " * 100_000 + "1" + "}" * 100_000 + "\n",
        "- " * 1_000_000 + "x\n",
        "".join("  " * k + "a:\n" for k in range(3000)) + "  " * 3000 + "b\n",
    ],
    ids=["flow-lists", "flow-mappings", "compact-block-lists", "indented-mappings"],
)
def test_deep_nesting_does_not_crash_the_interpreter(tmp_path: Path, text: str) -> None:
    # whichever notices first (stemcli's depth limit or libyaml's own), the behaviour is the
    # same: one error located in the file, exit 3, no crash
    root = write_dataset(tmp_path / "ds", claims={"src": text})
    line = process_check(root)
    assert re.search(r"claims[/\\]src\.yaml:\d+:\d+: ", line), line


def test_nesting_just_over_the_limit_is_located(run: Run, tmp_path: Path) -> None:
    root = claims_text("- " + "[" * 17 + "]" * 17 + "\n")(tmp_path / "ds")
    _, [problem] = validate(run, root)
    assert problem["message"].endswith("nested more than 16 levels deep")
    assert problem["line"] == 1
    assert problem["column"] > 1


def test_nesting_within_the_limit_is_only_a_schema_problem(run: Run, tmp_path: Path) -> None:
    root = claims_text("- " + "[" * 10 + "]" * 10 + "\n")(tmp_path / "ds")
    _, [problem] = validate(run, root)
    assert "must be a mapping" in problem["message"]


PYTHON_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/apply:subprocess.check_call [['touch', '{marker}']]",
    "!!python/object/new:subprocess.run [['touch', '{marker}']]",
    "!!python/object/apply:builtins.open ['{marker}', 'w']",
    "{{id: c-one, quote: !!python/object/apply:os.system ['touch {marker}']}}",
    "!!python/name:os.system",
    "!!python/module:os",
]
LIVE = PYTHON_TAGS[:5]  # these create the marker file when a loader runs them


def tag_payload(node: str, marker: Path) -> str:
    return "- " + node.format(marker=marker) + "\n"


@pytest.mark.parametrize("node", LIVE)
def test_the_payloads_are_live(tmp_path: Path, node: str) -> None:
    """Proof that the marker check below can fail: an unsafe loader runs each payload."""
    import yaml

    marker = tmp_path / "pwned"
    for built in yaml.unsafe_load(tag_payload(node, marker)):
        if hasattr(built, "close"):
            built.close()  # the open() payload
    assert marker.exists()


def write_tagged(root: Path, file: str, payload: str) -> None:
    if file == "claims":
        (root / "claims" / "src.yaml").write_text(payload, encoding="utf-8")
    elif file == "outcomes":
        (root / "outcomes.yaml").write_text("outcomes:\n" + payload, encoding="utf-8")
    else:
        (root / f"{file}.yaml").write_text(payload, encoding="utf-8")


@pytest.mark.parametrize("node", PYTHON_TAGS)
@pytest.mark.parametrize("file", ["claims", "sources", "conditions", "outcomes"])
def test_python_tags_are_never_executed(run: Run, tmp_path: Path, node: str, file: str) -> None:
    marker = tmp_path / "pwned"
    root = write_dataset(tmp_path / "ds")
    write_tagged(root, file, tag_payload(node, marker))
    code, problems = validate(run, root)
    assert not marker.exists(), "a YAML tag ran code"
    assert code == 1
    assert any("unsupported YAML tag 'tag:yaml.org,2002:python/" in p["message"] for p in problems)


def test_python_tags_are_never_executed_by_a_real_process(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    root = write_dataset(tmp_path / "ds")
    text = "".join(tag_payload(node, marker) for node in LIVE)
    write_tagged(root, "claims", text)
    for command in (["validate"], ["lookup", "cond"], ["export"]):
        result = stemcli(*data_args(root), *command)
        assert result.returncode in (1, 3), result.stderr
        assert "unsupported YAML tag" in result.stdout + result.stderr
    assert not marker.exists(), "a YAML tag ran code"
