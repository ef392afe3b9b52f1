"""Command-line conventions: global options anywhere, '-' for stdout, a missing folder's
hint, --bom, and one snake_case CSV schema per result type."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.testing import Result

from stemcli.cli import COMMANDS, full_app, hoist_global_options

Run = Callable[..., Result]
MINI = Path(__file__).parent / "fixtures" / "mini"
SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def _commands() -> dict[str, object]:
    return dict(typer.main.get_command(full_app()).commands)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# global options before or after the command


@pytest.fixture
def extra(tmp_path: Path) -> Path:
    """A second dataset folder (one source, one claim) to combine with the mini one."""
    folder = tmp_path / "extra"
    (folder / "claims").mkdir(parents=True)
    (folder / "sources.yaml").write_text(
        "- id: delta\n  title: Delta page\n  publisher: Delta Clinic\n  kind: clinic\n"
        "  sells_treatment: true\n",
        encoding="utf-8",
    )
    (folder / "claims" / "delta.yaml").write_text(
        "- id: delta-pain\n  condition: knee-oa\n  stages: [middle]\n  outcome: pain\n"
        '  measure: effect\n  value: 45%\n  basis: none\n  quote: "45% less pain."\n',
        encoding="utf-8",
    )
    return folder


def _ids(result: Result) -> set[str]:
    return {c["id"] for c in json.loads(ok(result).stdout)}


def test_global_options_after_the_command_mean_the_same(run: Run) -> None:
    before = ok(run("--no-bundled", "--data", str(MINI), "lookup", "knee-oa", "-f", "json"))
    after = ok(run("lookup", "knee-oa", "-f", "json", "--no-bundled", "--data", str(MINI)))
    assert after.stdout == before.stdout
    assert _ids(after) != _ids(run("lookup", "knee-oa", "-f", "json"))  # not the bundled data


def test_data_may_be_given_several_times_anywhere(run: Run, extra: Path) -> None:
    both = _ids(run("--no-bundled", "--data", str(MINI), "--data", str(extra), "export"))
    assert "delta-pain" in both
    assert "alpha-pain-middle" in both
    spread = run("--no-bundled", "--data", str(MINI), "export", f"--data={extra}")
    assert _ids(spread) == both
    after = run("export", "--data", str(MINI), "-f", "json", "--no-bundled", "--data", str(extra))
    assert _ids(after) == both


def test_flags_after_the_command_take_effect(run: Run) -> None:
    alone = run("lookup", "knee-oa", "--no-bundled")  # --no-bundled without a dataset
    assert alone.exit_code == 2
    assert "--no-bundled" in alone.stderr
    assert ok(run("sources", "--no-cache", "--debug")).stdout == ok(run("sources")).stdout
    assert ok(run("sources", "--version")).stdout.startswith("stemcli ")


def test_a_global_option_missing_its_value_at_the_end(run: Run) -> None:
    result = run("lookup", "knee-oa", "--data")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: --data needs a value")
    assert result.stdout == ""


def test_an_unknown_option_after_the_command_is_still_refused(run: Run) -> None:
    result = run("lookup", "knee-oa", "--dta", str(MINI))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")


def test_hoisting_leaves_values_and_what_follows_double_dash_alone() -> None:
    commands = _commands()
    hoist = lambda *argv: hoist_global_options(list(argv), commands)  # noqa: E731
    assert hoist("lookup", "knee-oa", "--data", "d", "--debug") == [
        "--data",
        "d",
        "--debug",
        "lookup",
        "knee-oa",
    ]
    # a value of the command's own option stays its value, whatever it looks like
    assert hoist("lookup", "knee-oa", "--source", "--debug") == [
        "lookup",
        "knee-oa",
        "--source",
        "--debug",
    ]
    assert hoist("search", "--", "--data", "x") == ["search", "--", "--data", "x"]
    # before the command: untouched, and a root --data value that looks like a command
    assert hoist("--data", "lookup", "sources", "--no-cache") == [
        "--data",
        "lookup",
        "--no-cache",
        "sources",
    ]
    assert hoist("--", "lookup", "--debug") == ["--", "lookup", "--debug"]
    assert hoist("nosuch", "--debug") == ["nosuch", "--debug"]


def test_a_commands_own_option_of_the_same_name_is_left_to_it() -> None:
    own = typer.Typer()

    @own.command()
    def clash(data: str = typer.Option("", "--data")) -> None:
        """A command with its own --data."""

    command = typer.main.get_command(own)
    argv = ["clash", "--data", "x", "--debug"]
    assert hoist_global_options(argv, {"clash": command}) == ["--debug", "clash", "--data", "x"]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_commands_help_says_global_options_may_follow(run: Run, name: str) -> None:
    text = " ".join(ok(run(name, "--help")).stdout.split())
    assert "Global options (--data PATH, --no-bundled, --no-cache, --debug) may also" in text
    # every command with a --format that offers csv takes --bom (completion prints a script;
    # report writes HTML or Markdown; convert writes a dataset)
    assert ("--bom" in text) == (name not in ("completion", "report", "convert"))


# ---------------------------------------------------------------------------
# '-' is standard output; a missing folder is not created


def test_dash_output_is_standard_output(
    run_mini: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    plain = ok(run_mini("lookup", "knee-oa", "-f", "csv")).stdout
    assert ok(run_mini("lookup", "knee-oa", "-f", "csv", "-o", "-")).stdout == plain
    assert ok(run_mini("sources", "--output", "-")).stdout.strip()
    assert list(tmp_path.iterdir()) == []
    named = ok(run_mini("lookup", "knee-oa", "-f", "csv", "-o", "./-"))  # a file named '-'
    assert named.stdout == ""
    assert (tmp_path / "-").read_text(encoding="utf-8") == plain


@pytest.mark.parametrize(("flag", "mark"), [("--svg", "<svg"), ("--html", "<html")])
def test_compare_figure_to_standard_output(
    run_mini: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: str, mark: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = ok(run_mini("compare", "knee-oa", flag, "-"))
    assert mark in result.stdout.lower()
    assert "wrote" not in result.stderr
    assert list(tmp_path.iterdir()) == []
    both = run_mini("compare", "knee-oa", "-o", "-", flag, "-")
    assert both.exit_code == 2, both.output
    table = ok(run_mini("compare", "knee-oa", flag, "fig", "-o", "-"))
    assert mark not in table.stdout.lower()  # the table, and the figure in its file
    assert mark in (tmp_path / "fig").read_text(encoding="utf-8").lower()


def test_a_missing_output_folder_says_how_to_create_it(run_mini: Run, tmp_path: Path) -> None:
    target = tmp_path / "my results" / "sources.csv"
    result = run_mini("sources", "-f", "csv", "-o", str(target))
    assert result.exit_code == 3, result.output
    error, hint = result.stderr.splitlines()
    assert error.startswith("error: ")
    assert "no such folder" in error
    assert hint == f"hint: create it first: mkdir -p '{tmp_path / 'my results'}'"
    assert not target.parent.exists()
    svg = run_mini("compare", "knee-oa", "--svg", str(tmp_path / "none" / "c.svg"))
    assert svg.exit_code == 3
    assert "mkdir -p" in svg.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# --bom


def test_bom_starts_csv_with_a_byte_order_mark(run_mini: Run, tmp_path: Path) -> None:
    plain = ok(run_mini("conditions", "-f", "csv")).stdout
    marked = ok(run_mini("conditions", "-f", "csv", "--bom")).stdout
    assert marked == "\ufeff" + plain
    target = tmp_path / "c.csv"
    ok(run_mini("export", "--bom", "-f", "csv", "-o", str(target)))
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].decode("utf-8") == ok(run_mini("export", "-f", "csv")).stdout


@pytest.mark.parametrize("fmt", [[], ["-f", "json"], ["-f", "markdown"]])
def test_bom_with_another_format_is_a_usage_error(run_mini: Run, fmt: list[str]) -> None:
    result = run_mini("lookup", "knee-oa", *fmt, "--bom")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert "--bom" in result.stderr


# ---------------------------------------------------------------------------
# one CSV schema per result type, snake_case headers

CSV_RUNS = [
    ["lookup", "knee-oa"],
    ["show", "alpha-pain-middle"],
    ["search", "pain"],
    ["sources"],
    ["conditions"],
    ["outcomes"],
    ["validate"],
    ["verify"],
    ["export"],
    ["compare", "knee-oa"],
    ["conflicts"],
    ["conflicts", "--count"],
    ["conflicts", "--explain", "alpha-pain-middle", "beta-pain-middle"],
    ["redflags", "--source", "alpha"],
]


def _csv(result: Result) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(result.stdout)))


def _header(result: Result) -> list[str]:
    return next(csv.reader(io.StringIO(result.stdout)))


@pytest.mark.parametrize("args", CSV_RUNS, ids=" ".join)
def test_every_csv_header_is_snake_case(run_mini: Run, args: list[str]) -> None:
    result = run_mini(*args, "-f", "csv")
    assert result.exit_code in (0, 1), result.output  # validate and verify may find problems
    header = _header(result)
    if args[0] == "compare":  # one column per source, named by its id
        header = [h for h in header if h not in {"alpha", "beta", "gamma"}]
    assert header
    assert all(SNAKE.fullmatch(h) for h in header), header


def test_extract_csv_header_is_snake_case(run: Run, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("85% of patients improve within 2 weeks.\n", encoding="utf-8")
    header = _header(ok(run("extract", str(page), "-f", "csv")))
    assert all(SNAKE.fullmatch(h) for h in header), header


def test_show_writes_the_claim_row_lookup_writes(run_mini: Run) -> None:
    shown = _csv(ok(run_mini("show", "alpha-pain-middle", "-f", "csv")))
    listed = _csv(ok(run_mini("lookup", "knee-oa", "-f", "csv")))
    assert shown == [r for r in listed if r["id"] == "alpha-pain-middle"]
    assert _header(ok(run_mini("show", "alpha-pain-middle", "-f", "csv"))) == _header(
        ok(run_mini("export", "-f", "csv"))
    )


def test_conditions_csv_is_data(run_mini: Run) -> None:
    rows = {r["id"]: r for r in _csv(ok(run_mini("conditions", "-f", "csv")))}
    knee = rows["knee-oa"]
    data = {c["id"]: c for c in json.loads(ok(run_mini("conditions", "-f", "json")).stdout)}[
        "knee-oa"
    ]
    assert knee["stages"].split(";") == [s["id"] for s in data["stages"]]
    assert int(knee["claims"]) == data["claims"]
    per_stage = dict(part.split(":") for part in knee["claims_per_stage"].split(";"))
    assert {k: int(v) for k, v in per_stage.items()} == data["claims_per_stage"]
    assert int(knee["claims_any_stage"]) == data["claims_any_stage"]
    assert knee["aliases"].split(";") == data["aliases"]


def test_the_documented_claim_schema_is_the_one_written(run_mini: Run) -> None:
    docs = (Path(__file__).parent.parent / "docs" / "DATA.md").read_text(encoding="utf-8")
    row = next(line for line in docs.splitlines() if line.startswith("| claim |"))
    documented = row.split("|")[3].strip().strip("`").split(", ")
    assert documented == _header(ok(run_mini("export", "-f", "csv")))
