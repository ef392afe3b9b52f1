"""Terminal safety: text from data or input files never acts on the terminal.

Every command that prints data, in every format, on a dataset (and input files) whose
every free-text field holds ANSI CSI/OSC escapes, C1 controls, carriage returns,
backspaces, bidi overrides and rich markup: no such character reaches stdout or stderr,
the text is still there (made visible), and markup prints as the brackets it is.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stemcli.cli.options import ListingFormat as OutputFormat

from .conftest import (
    EVIL,
    MARKUP,
    PAYLOADS,
    Run,
    assert_one_error,
    assert_terminal_safe,
    claim,
    data_args,
    stemcli,
    write_dataset,
)

FORMATS = [f.value for f in OutputFormat]
# what is left of the first payload once neutralised: made visible (\x1b[31mred in tables
# and CSV, escaped further in Markdown) or escaped by JSON (\u001b[31mred); it proves the
# hostile text reached the output (that no control character did is checked apart)
VISIBLE = ("31mred",)

TEXT_EVIL = EVIL.replace("\x00", "")  # a NUL byte makes a binary file (see test_bad_text)
PAGE = (
    "Knee osteoarthritis: 70% of patients improved within 3 months. "
    + TEXT_EVIL
    + "\nIt is a guaranteed cure, and costs $5,000 per knee "
    + TEXT_EVIL
    + ".\n"
)


def page_file(tmp_path: Path) -> Path:
    """An input page full of hostile text, under a hostile file name."""
    path = tmp_path / "page-\x1b[31m\u202e.txt"
    path.write_text(PAGE, encoding="utf-8")
    return path


def assert_safe_and_shown(stdout: str, stderr: str, shown: bool = True) -> None:
    assert_terminal_safe(stdout, "stdout")
    assert_terminal_safe(stderr, "stderr")
    assert "Traceback" not in stderr
    if shown:
        assert any(v in stdout for v in VISIBLE), stdout[:2000]


# (arguments after the dataset options, accepted exit codes, whether data text is shown)
DATA_COMMANDS: list[tuple[list[str], set[int], bool]] = [
    (["lookup", "knee-oa"], {0}, True),
    (["lookup", "knee-oa", "--full"], {0}, True),
    (["show", "evil-a-pain"], {0}, True),
    (["show", "evil-a-odd"], {0}, True),
    (["search", "patients said"], {0}, True),
    (["sources"], {0}, True),
    (["conditions"], {0}, True),
    (["compare", "knee-oa"], {0}, True),
    (["compare"], {0}, True),
    (["conflicts", "knee-oa", "--full"], {0}, True),
    (["conflicts"], {0}, True),
    (["conflicts", "--explain", "evil-a-pain", "evil-b-pain", "--full"], {0}, True),
    (["conflicts", "--count"], {0}, False),
    (["redflags", "--source", "evil-a"], {0, 1}, False),
    (["validate"], {0}, False),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("command", "codes", "shown"), DATA_COMMANDS, ids=[" ".join(c[0]) for c in DATA_COMMANDS]
)
def test_data_commands_never_pass_control_characters(
    run: Run, hostile: Path, command: list[str], codes: set[int], shown: bool, fmt: str
) -> None:
    result = run(*data_args(hostile), *command, "--format", fmt)
    assert result.exit_code in codes, result.output
    assert_safe_and_shown(result.stdout, result.stderr, shown)


def test_the_hostile_dataset_is_valid_and_its_conflicts_are_found(run: Run, hostile: Path) -> None:
    """The fixture itself: valid, and its numbers disagree (so conflicts has rows to print)."""
    assert run(*data_args(hostile), "validate").exit_code == 0
    result = run(*data_args(hostile), "conflicts", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "evil-a-pain" in result.stdout
    assert "evil-b-pain" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "csv", "yaml"])
def test_export_never_passes_control_characters(run: Run, hostile: Path, fmt: str) -> None:
    result = run(*data_args(hostile), "export", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert_terminal_safe(result.stdout, "stdout")
    assert_terminal_safe(result.stderr, "stderr")
    assert "[red]red[/]" in result.stdout


def test_json_keeps_the_exact_text(run: Run, hostile: Path) -> None:
    """Neutralised for the terminal, but JSON still carries the data as it is."""
    result = run(*data_args(hostile), "show", "evil-a-odd", "--format", "json")
    assert result.exit_code == 0, result.output
    text = json.dumps(json.loads(result.stdout), ensure_ascii=False)
    for payload in ("\x1b[2J\x1b[H", "\x9b1m", "\u202eevil", MARKUP):
        assert json.dumps(payload, ensure_ascii=False)[1:-1] in text


def test_verify_echoes_hostile_archive_names_and_quotes_safely(run: Run, hostile: Path) -> None:
    for fmt in FORMATS:
        result = run(
            *data_args(hostile), "verify", "--sources", str(hostile / "archive"), "--format", fmt
        )
        assert result.exit_code == 1, result.output  # a missing archive, a wrong sha256, misses
        assert_safe_and_shown(result.stdout, result.stderr, shown=False)
        assert "x1b" in result.stdout or "u001b" in result.stdout  # the archive's name


def test_compare_chart_and_its_svg_and_html(run: Run, hostile: Path, tmp_path: Path) -> None:
    svg, html = tmp_path / "c.svg", tmp_path / "c.html"
    result = run(
        *data_args(hostile), "compare", "knee-oa", "--chart", "--svg", str(svg), "--html", str(html)
    )
    assert result.exit_code == 0, result.output
    assert_safe_and_shown(result.stdout, result.stderr, shown=False)
    for path in (svg, html):
        saved = path.read_text(encoding="utf-8")
        assert "\x1b" not in saved
        assert "\u202e" not in saved


@pytest.mark.parametrize("fmt", ["yaml", *FORMATS])
def test_extract_from_a_hostile_page(run: Run, tmp_path: Path, fmt: str) -> None:
    page = page_file(tmp_path)
    result = run("extract", str(page), "--source-id", "evil", "--format", fmt, "--full")
    assert result.exit_code == 0, result.output
    assert_terminal_safe(result.stdout, "stdout")
    assert_terminal_safe(result.stderr, "stderr")
    assert "70%" in result.stdout
    assert any(v in result.stdout for v in VISIBLE)  # the quotes, made visible or escaped
    assert "\\x1b[31m" in result.stderr  # the file name, made visible in the note


@pytest.mark.parametrize("fmt", FORMATS)
def test_redflags_on_a_hostile_page(run: Run, tmp_path: Path, fmt: str) -> None:
    result = run("redflags", str(page_file(tmp_path)), "--format", fmt, "--fail-on-flag")
    assert result.exit_code == 1, result.output  # "guaranteed cure" is a red flag
    assert_safe_and_shown(result.stdout, result.stderr, shown=False)
    assert "guarantee" in result.stdout.lower()


# ---------------------------------------------------------------------------
# validate: problems echo ids, values, keys and file names


def invalid_hostile_dataset(root: Path) -> Path:
    bad_claims = [
        claim("c-\x1b[31mred\x1b[0m"),  # an id that is no slug
        claim("c-value", value="\x1b[2J50%"),  # an unparseable value
        claim("c-cond", condition="cond\x1b]0;pwned\x07"),  # an unknown condition
        claim("c-stage", stages=["\u202eearly"]),  # an unknown stage
        claim("c-outcome", outcome="pain\x9b1m"),  # an unknown outcome
        {**claim("c-key"), "\x1b[31mkey": "x"},  # an unknown field
        claim("c-basis", basis="none\rstudy"),  # a basis out of the vocabulary
    ]
    return write_dataset(
        root,
        sources=[{**claim("s"), "id": "src", "kind": "clinic\x1b[5m", "sells_treatment": True}],
        claims={"src": bad_claims, "evil-\x1b[31m": [claim("c-other")]},
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_validate_echoes_hostile_ids_and_values_safely(run: Run, tmp_path: Path, fmt: str) -> None:
    root = invalid_hostile_dataset(tmp_path / "bad")
    result = run(*data_args(root), "validate", "--format", fmt)
    assert result.exit_code == 1, result.output
    assert_safe_and_shown(result.stdout, result.stderr)


def test_validate_lists_every_hostile_problem(run: Run, tmp_path: Path) -> None:
    root = invalid_hostile_dataset(tmp_path / "bad")
    result = run(*data_args(root), "validate", "--format", "json")
    problems = json.loads(result.stdout)
    text = json.dumps(problems)
    for needle in ("c-\\u001b[31m", "[2J50%", "pwned", "early", "pain", "key", "none"):
        assert needle in text, needle
    assert len(problems) >= 8


def test_commands_on_an_invalid_hostile_dataset_fail_with_one_safe_line(
    run: Run, tmp_path: Path
) -> None:
    root = invalid_hostile_dataset(tmp_path / "bad")
    result = run(*data_args(root), "lookup", "cond")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert_terminal_safe(result.stderr)
    assert_one_error(result.stderr, "(and ")


# ---------------------------------------------------------------------------
# error messages echo what the user typed


# what a user might paste: escapes, C1, carriage return, backspace, a bidi override
# (argv cannot hold a NUL byte); unlike EVIL it resembles no name in the dataset
TYPED = "\x1b[31mzz\x1b]0;pwned\x07\x9b1m\rqq\b\u202evv"
ERROR_ARGS: list[tuple[list[str], int]] = [
    (["lookup", TYPED], 2),
    (["lookup", "knee-oa", "--stage", TYPED], 2),
    (["lookup", "knee-oa", "--outcome", TYPED], 2),
    (["lookup", "knee-oa", "--source", TYPED], 2),
    (["show", TYPED], 2),
    (["search", "x", "--limit", TYPED], 2),
    (["compare", "--sources", TYPED], 2),
    (["conflicts", "--kind", TYPED], 2),
    (["conflicts", "--explain", TYPED, "evil-b-pain"], 2),
    (["redflags", "--source", TYPED], 2),
    (["export", "--format", TYPED], 2),
    (["extract", "missing-" + TYPED + ".txt"], 3),
    (["extract", "{page}", "--source-id", TYPED], 2),
    (["extract", "{page}", "--format", TYPED], 2),
    (["lookup", "knee-oa", "--format", TYPED], 2),
    (["--data", "nowhere-" + TYPED, "sources"], 3),
]


@pytest.mark.parametrize(("args", "code"), ERROR_ARGS, ids=lambda v: str(v)[:24])
def test_error_messages_never_pass_control_characters(
    run: Run, hostile: Path, tmp_path: Path, args: list[str], code: int
) -> None:
    page = page_file(tmp_path)
    argv = [a.replace("{page}", str(page)) for a in args]
    result = run(*data_args(hostile), *argv)
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert_terminal_safe(result.stderr, "stderr")
    assert "Traceback" not in result.stderr
    assert "zz" in result.stderr  # what was typed is echoed, made visible


# The parser reports these itself, before any stemcli code runs: it escapes C0 and C1
# controls, not the bidi ones. Only what the user typed is echoed, never data.
CLICK_ERRORS = [[TYPED], ["lookup", "knee-oa", "--" + TYPED], ["lookup", "knee-oa", TYPED]]
CLICK_IDS = ["command", "option", "extra-argument"]


@pytest.mark.parametrize("args", CLICK_ERRORS, ids=CLICK_IDS)
def test_usage_errors_of_the_parser_escape_controls(run: Run, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "zz" in result.stderr
    without_bidi = "".join(ch for ch in result.stderr if ch != "\u202e")
    assert_terminal_safe(without_bidi)


@pytest.mark.parametrize("args", CLICK_ERRORS, ids=CLICK_IDS)
def test_the_entry_point_reports_parser_errors_in_one_safe_line(args: list[str]) -> None:
    """Through the console entry point, the parser's errors are stemcli errors: one
    'error:' line and a hint, every control character, bidi ones too, made visible."""
    result = subprocess.run(
        [sys.executable, "-m", "stemcli", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ")
    assert "zz" in lines[0]
    assert [line for line in lines[1:] if not line.startswith("hint: ")] == []
    assert "\u202e" not in result.stderr
    assert_terminal_safe(result.stderr)


def test_a_hostile_data_path_in_an_error(run: Run, tmp_path: Path) -> None:
    result = run("--data", str(tmp_path / ("nowhere-" + EVIL.replace("\x00", ""))), "sources")
    assert result.exit_code == 3
    assert_terminal_safe(result.stderr)
    assert_one_error(result.stderr, "no such file or folder")


# ---------------------------------------------------------------------------
# a real terminal-like process: colour forced on


RAW = [p for name, p in PAYLOADS.items() if name not in ("rich-markup", "bell", "nul")]


@pytest.mark.parametrize(
    "command",
    [["lookup", "knee-oa", "--full"], ["compare", "knee-oa"], ["conflicts", "--full"]],
    ids=" ".join,
)
def test_forced_colour_styles_but_never_passes_data_escapes(
    hostile: Path, command: list[str]
) -> None:
    result = stemcli(
        *data_args(hostile), *command, env={"FORCE_COLOR": "1", "TERM": "xterm-256color"}
    )
    assert result.returncode == 0, result.stderr
    for raw in RAW:
        assert raw not in result.stdout, raw
        assert raw not in result.stderr, raw
    for ch in "\r\b\x07\x00\x9b\u202e\u2066":
        assert ch not in result.stdout
    assert "\x1b]8;" not in result.stdout  # no hyperlink, whatever the markup says
    assert "[red]red[/]" in result.stdout
