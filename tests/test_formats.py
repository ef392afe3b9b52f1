"""Output formats: every format for every listing command, --output, streams and hostile text."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from typer.testing import Result

from stemcli.cli.options import ListingFormat as OutputFormat

Run = Callable[..., Result]

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
ESC = "\x1b"

CONTRACT_KEYS = {
    "id", "source", "condition", "stages", "outcome", "measure", "value", "timepoint",
    "comparator", "intervention", "group", "basis", "n", "citation", "derived", "review",
    "quote", "ci", "scale", "n_studies", "statement", "source_kind", "certainty",
}  # fmt: skip
VALUE_KEYS = {"text", "low", "high", "unit", "qualifier"}
TIMEPOINT_KEYS = {"text", "low", "high", "unit"}

# command -> how to count its records in the JSON output
COMMANDS: dict[str, list[str]] = {
    "lookup": ["lookup", "knee-oa"],
    "search": ["search", "pain"],
    "sources": ["sources"],
    "conditions": ["conditions"],
}


def assert_claim_contract(claim: dict[str, Any]) -> None:
    assert set(claim) == CONTRACT_KEYS
    assert set(claim["value"]) == VALUE_KEYS
    assert claim["timepoint"] is None or set(claim["timepoint"]) == TIMEPOINT_KEYS
    assert isinstance(claim["stages"], list)
    assert claim["n"] is None or isinstance(claim["n"], int)


def records(run: Run, command: list[str]) -> list[dict[str, Any]]:
    result = run(*command, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def pipe_cells(line: str) -> list[str]:
    """Cells of a Markdown table row; escaped pipes (``\\|``) stay inside their cell."""
    assert line.startswith("| ")
    assert line.endswith(" |")
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line[1:-1])]


@pytest.mark.parametrize("fmt", list(OutputFormat))
@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_format_for_every_listing_command(
    run_mini: Run, name: str, fmt: OutputFormat
) -> None:
    command = COMMANDS[name]
    expected = records(run_mini, command)
    assert expected, "the fixture gives results"
    result = run_mini(*command, "--format", fmt.value)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.strip()
    assert ESC not in out
    assert result.stderr == ""

    if fmt is OutputFormat.json:
        data = json.loads(out)
        assert data == expected
        if name == "lookup":
            for claim in data:
                assert_claim_contract(claim)
        elif name == "search":
            for hit in data:
                assert set(hit) == {"score", "claim"}
                assert_claim_contract(hit["claim"])
        else:
            assert all("id" in r for r in data)
    elif fmt is OutputFormat.csv:
        rows = list(csv.reader(io.StringIO(out)))
        header, body = rows[0], rows[1:]
        assert len(body) == len(expected)
        assert all(len(r) == len(header) for r in body)
        assert len(set(header)) == len(header)
        id_col = [h.lower() for h in header].index("id")
        if name == "search":
            expected_ids = [r["claim"]["id"] for r in expected]
        else:
            expected_ids = [r["id"] for r in expected]
        assert [r[id_col] for r in body] == expected_ids
    elif fmt is OutputFormat.markdown:
        lines = [line for line in out.splitlines() if line.startswith("|")]
        n_cols = len(pipe_cells(lines[0]))
        rule, table_rows = lines[1], lines[2:]
        assert set(rule.replace("|", "").replace(":", "")) == {"-"}
        assert rule.count("|") == n_cols + 1
        assert len(table_rows) == len(expected)
        assert all(len(pipe_cells(r)) == n_cols for r in table_rows)
    elif fmt is OutputFormat.table:
        first = expected[0]["claim"] if name == "search" else expected[0]
        shown = first.get("quote") or first.get("publisher") or first.get("name")
        assert shown is not None
        assert "".join(str(shown).split())[:20] in "".join(out.split())
    else:  # pragma: no cover - a new format needs a case here
        raise AssertionError(fmt)


def test_lookup_json_on_bundled_data_follows_the_contract(run: Run) -> None:
    claims = records(run, ["lookup", "knee-oa"])
    assert len(claims) > 10
    for claim in claims:
        assert_claim_contract(claim)
    assert any(c["timepoint"] is not None for c in claims)


def test_csv_of_claims_has_one_row_per_claim(run: Run) -> None:
    claims = records(run, ["lookup", "knee-oa"])
    rows = list(csv.DictReader(io.StringIO(run("lookup", "knee-oa", "-f", "csv").stdout)))
    assert [r["id"] for r in rows] == [c["id"] for c in claims]
    assert [r["quote"] for r in rows] == [c["quote"] for c in claims]


def test_format_is_case_insensitive_and_checked(run_mini: Run) -> None:
    assert run_mini("sources", "--format", "JSON").exit_code == 0
    bad = run_mini("sources", "--format", "xml")
    assert bad.exit_code == 2
    assert bad.stdout == ""


# ---------------------------------------------------------------------------
# --output


@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_output_file_is_written_and_never_replaced_without_force(
    run_mini: Run, tmp_path: Path, fmt: OutputFormat
) -> None:
    target = tmp_path / f"out.{fmt.value}"
    result = run_mini("lookup", "knee-oa", "--format", fmt.value, "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "wrote" in result.stderr
    written = target.read_text(encoding="utf-8")
    assert written.strip()
    assert ESC not in written
    if fmt is not OutputFormat.table:
        assert written == run_mini("lookup", "knee-oa", "--format", fmt.value).stdout
    else:
        claims = records(run_mini, ["lookup", "knee-oa"])
        n_sources = len({c["source"] for c in claims})
        assert f"{len(claims)} claims from {n_sources} sources" in written

    target.write_text("precious", encoding="utf-8")
    refused = run_mini("lookup", "knee-oa", "--format", fmt.value, "--output", str(target))
    assert refused.exit_code == 2
    assert "exists" in refused.stderr
    assert "--force" in refused.stderr
    assert refused.stdout == ""
    assert target.read_text(encoding="utf-8") == "precious"

    forced = run_mini(
        "lookup", "knee-oa", "--format", fmt.value, "--output", str(target), "--force"
    )
    assert forced.exit_code == 0
    assert target.read_text(encoding="utf-8") == written
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name], "temporary files left"


@pytest.mark.parametrize(
    "command", [["sources"], ["conditions"], ["search", "pain"], ["show", "beta-cost"]]
)
def test_output_for_other_commands(run_mini: Run, tmp_path: Path, command: list[str]) -> None:
    target = tmp_path / "out.json"
    result = run_mini(*command, "-f", "json", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(
        run_mini(*command, "-f", "json").stdout
    )


def test_output_to_a_folder_or_a_missing_folder(run_mini: Run, tmp_path: Path) -> None:
    assert run_mini("sources", "--output", str(tmp_path)).exit_code == 2
    missing = run_mini("sources", "--output", str(tmp_path / "no" / "such" / "file.txt"))
    assert missing.exit_code == 3
    assert not (tmp_path / "no").exists()


def test_output_refuses_a_symlink_without_force(run_mini: Run, tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("keep")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert run_mini("sources", "--output", str(link)).exit_code == 2
    assert real.read_text() == "keep"


# ---------------------------------------------------------------------------
# streams


def test_results_on_stdout_messages_on_stderr(run: Run) -> None:
    result = run("lookup", "osteoarthritus knee", "--format", "csv")
    assert result.exit_code == 0
    assert "matched" in result.stderr
    assert "matched" not in result.stdout
    assert result.stdout.startswith("id,")
    error = run("lookup", "no-such-condition", "--format", "json")
    assert error.stdout == ""
    assert error.stderr.startswith("error: ")


# ---------------------------------------------------------------------------
# hostile text


@pytest.fixture
def run_hostile(run: Run) -> Run:
    def invoke(*args: str, **kw: Any) -> Result:
        return run("--no-bundled", "--data", str(HOSTILE), *args, **kw)

    return invoke


HOSTILE_COMMANDS = [
    ["lookup", "knee-oa"],
    ["lookup", "knee-oa", "--full"],
    ["search", "pain fell"],
    ["sources"],
    ["conditions"],
    ["show", "evil-markup"],
    ["show", "evil-plain"],
]


@pytest.mark.parametrize("fmt", list(OutputFormat))
@pytest.mark.parametrize("command", HOSTILE_COMMANDS, ids=" ".join)
def test_hostile_text_never_reaches_the_terminal_as_escapes(
    run_hostile: Run, command: list[str], fmt: OutputFormat
) -> None:
    result = run_hostile(*command, "--format", fmt.value)
    assert result.exit_code == 0, result.output
    assert ESC not in result.stdout
    assert ESC not in result.stderr
    assert "\u202e" not in result.stdout
    assert "\x9b" not in result.stdout


@pytest.mark.parametrize("command", HOSTILE_COMMANDS, ids=" ".join)
def test_markup_in_data_prints_as_text(run_hostile: Run, command: list[str]) -> None:
    out = run_hostile(*command).stdout
    assert "[red]" in out or "[bold]" in out or "[link=" in out or "[/]" in out


def last_column(table: str, header: str) -> str:
    """The text of a table's last column (``header``), its wrapped lines joined."""
    lines = table.splitlines()
    head = next(i for i, line in enumerate(lines) if line.rstrip().endswith(header))
    start = lines[head].rindex(header)
    return " ".join(line[start:].strip() for line in lines[head + 2 :])


def test_hostile_quote_in_a_table(run_hostile: Run) -> None:
    out = run_hostile("lookup", "knee-oa", "--full").stdout
    assert "[red]" in out
    flat = "".join(last_column(out, "Quote").split())
    assert "[red]50%[/]" in flat
    assert "\\x1b[31mred\\x1b[0m" in flat  # visible, not interpreted
    assert "\\x1b]8;;http://x\\x1b\\link" in flat
    assert "[/][dim]." in flat


def test_hostile_markdown_keeps_its_table_shape(run_hostile: Run) -> None:
    out = run_hostile("lookup", "knee-oa", "--format", "markdown").stdout
    lines = [line for line in out.splitlines() if line.startswith("|")]
    n_cols = len(pipe_cells(lines[0]))
    assert len(lines) == 2 + len(records(run_hostile, ["lookup", "knee-oa"]))
    assert all(len(pipe_cells(line)) == n_cols for line in lines[2:])
    assert "text \\| " in out  # the quote's own pipe, escaped


def test_hostile_text_keeps_its_value_in_json(run_hostile: Run) -> None:
    [claim] = [c for c in records(run_hostile, ["lookup", "knee-oa"]) if c["id"] == "evil-markup"]
    assert claim["quote"].startswith("Pain fell [red]50%[/] with \x1b[31mred\x1b[0m")
    assert "\x1b]8;;http://x\x1b\\link" in claim["quote"]


def test_hostile_export(run_hostile: Run) -> None:
    for fmt in ("json", "csv", "yaml"):
        result = run_hostile("export", "--format", fmt)
        assert result.exit_code == 0
        assert ESC not in result.stdout
        assert "[red]" in result.stdout


def test_hostile_text_in_error_messages(run: Run, tmp_path: Path) -> None:
    (tmp_path / "conditions.yaml").write_text("- {id: c, name: C}\n")
    result = run("--no-bundled", "--data", str(tmp_path), "lookup", "\x1b[31m[red]x")
    assert result.exit_code == 2
    assert ESC not in result.stderr
    assert "[red]" in result.stderr


# ---------------------------------------------------------------------------
# a real process: colours, widths, pipes


def stemcli(
    *args: str, env: dict[str, str] | None = None, **kw: Any
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "TERM")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "stemcli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=full_env,
        timeout=60,
        check=False,
        **kw,
    )


def test_no_colour_when_not_a_terminal() -> None:
    ok = stemcli("lookup", "osteoarthritus knee")
    assert ok.returncode == 0
    assert ESC not in ok.stdout
    assert ESC not in ok.stderr
    err = stemcli("lookup", "xyzzy")
    assert err.returncode == 2
    assert ESC not in err.stderr


def test_no_color_is_honoured() -> None:
    coloured = stemcli("lookup", "xyzzy", env={"FORCE_COLOR": "1"})
    assert "\x1b[1;31m" in coloured.stderr or "\x1b[31m" in coloured.stderr, "no colour to remove"
    plain = stemcli("lookup", "xyzzy", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert plain.returncode == 2
    for sgr in ("31m", "32m", "33m", ";31m", ";32m", ";33m", "38;"):
        assert f"\x1b[{sgr}" not in plain.stderr
        assert f"\x1b[{sgr}" not in plain.stdout
    assert "error:" in plain.stderr


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_data_formats_have_no_escapes_even_when_colour_is_forced(fmt: str) -> None:
    result = stemcli(
        "--no-bundled", "--data", str(HOSTILE), "lookup", "knee-oa", "--format", fmt,
        env={"FORCE_COLOR": "1", "TERM": "xterm-256color"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert ESC not in result.stdout


def test_forced_colour_table_does_not_pass_data_escapes() -> None:
    result = stemcli(
        "--no-bundled", "--data", str(HOSTILE), "lookup", "knee-oa", "--full",
        env={"FORCE_COLOR": "1", "TERM": "xterm-256color"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "\x1b[31mred" not in result.stdout
    assert "\x1b]8;;http://x" not in result.stdout
    assert "[red]" in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["lookup", "knee-oa"],
        ["search", "cost"],
        ["sources"],
        ["conditions"],
        ["show", "bookimed-table-cost"],
    ],
)
def test_narrow_terminal(command: list[str]) -> None:
    result = stemcli(*command, env={"COLUMNS": "40"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) > 3
    assert max(cell_len(line) for line in lines) <= 40


def _read_then_close(args: list[str]) -> tuple[int, str, bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "stemcli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k != "FORCE_COLOR"},
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    head = proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    return proc.wait(timeout=60), err, head


def test_lookup_into_head_ends_quietly() -> None:
    code, err, head = _read_then_close(["lookup", "knee-oa", "--format", "json"])
    assert head.startswith(b"[")
    assert code == 0
    assert "Traceback" not in err
    assert "BrokenPipe" not in err
    assert err == ""


@pytest.fixture
def big_dataset(tmp_path: Path) -> Path:
    """More output than a pipe holds, so the reader's close surely breaks the pipe."""
    root = tmp_path / "big"
    (root / "claims").mkdir(parents=True)
    (root / "sources.yaml").write_text(
        "- {id: big, title: Big, publisher: Big Clinic, kind: clinic, sells_treatment: true}\n"
    )
    (root / "conditions.yaml").write_text("- {id: knee-oa, name: Knee}\n")
    quote = "Pain fell 50% in patients who had a very long description of their treatment. " * 3
    claims = "".join(
        f"- {{id: big-{i}, condition: knee-oa, outcome: pain, measure: effect, value: 50%,"
        f" basis: none, quote: {json.dumps(quote)}}}\n"
        for i in range(400)
    )
    (root / "claims" / "big.yaml").write_text(claims)
    return root


@pytest.mark.parametrize("fmt", ["json", "table", "csv", "markdown"])
def test_broken_pipe_with_more_than_a_pipe_buffer(big_dataset: Path, fmt: str) -> None:
    code, err, head = _read_then_close(
        ["--no-bundled", "--data", str(big_dataset), "lookup", "knee-oa", "--format", fmt]
    )
    assert len(head) == 100
    assert code == 0, err
    assert "Traceback" not in err
    assert "BrokenPipe" not in err
    assert "Exception ignored" not in err
