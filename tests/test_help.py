"""--help reads as a mature CLI's does, and the shell completes commands and dataset ids.

Completion is tested as the shells ask for it: ``_STEMCLI_COMPLETE`` and the words typed
so far in the variables each shell's script sets (bash: COMP_WORDS and COMP_CWORD; zsh
and fish: _TYPER_COMPLETE_ARGS), through stemcli's own entry point.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import Result

from stemcli.cli import app
from stemcli.cli.helptext import FINDINGS
from stemcli.errors import ExitCode

Run = Callable[..., Result]

COMMANDS: dict[str, Any] = dict(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
NAMES = sorted(COMMANDS)
NARROW = {"COLUMNS": "80"}


def _help(run: Run, *args: str) -> str:
    result = run(*args, "--help", env=NARROW)
    assert result.exit_code == 0, result.output
    return result.stdout


# ---------------------------------------------------------------------------
# help


@pytest.mark.parametrize("name", ["", *NAMES])
def test_help_uses_placeholder_names_and_fits_80_columns(run: Run, name: str) -> None:
    text = _help(run, *([name] if name else []))
    for raw in ("{", "}", "<str>", "<int", "<float", "<path>", "[table|", "|json"):
        assert raw not in text, f"{name or 'stemcli'}: {raw!r} in its help"
    too_wide = [line for line in text.splitlines() if len(line) > 80]
    assert too_wide == []


def test_placeholders_name_what_they_stand_for(run: Run) -> None:
    lookup = _help(run, "lookup")
    assert "Usage: stemcli lookup [OPTIONS] CONDITION" in lookup
    for option in ("--stage STAGE", "--outcome OUTCOME", "--source SOURCE", "--format FORMAT"):
        assert option in lookup
    assert "--limit N" in _help(run, "search")
    assert "Usage: stemcli show [OPTIONS] CLAIM" in _help(run, "show")
    conflicts = _help(run, "conflicts")
    assert "--explain CLAIM CLAIM" in conflicts
    assert "--source SOURCE" in conflicts
    assert "--sources SOURCE,..." in _help(run, "compare")
    assert "--into DIR" in _help(run, "extract")


def test_the_command_list_shows_every_summary_whole_at_80_columns(run: Run) -> None:
    listing = _help(run).split("Commands:", 1)[1].split("\n\n", 1)[0]
    rows = [line.split(None, 1) for line in listing.splitlines() if line.strip()]
    assert sorted(name for name, _ in rows) == NAMES
    for name, summary in rows:
        assert not summary.endswith("..."), name
        assert summary.endswith("."), name


def examples(name: str) -> list[str]:
    """The command lines of a command's Examples section, as written."""
    doc = COMMANDS[name].help or ""
    assert "Examples:" in doc, name
    section = doc.split("Examples:", 1)[1]
    return [m.group(1) for m in re.finditer(r"^\s*(stemcli .+?)\s*$", section, re.MULTILINE)]


@pytest.mark.parametrize("name", NAMES)
def test_every_command_has_two_or_three_examples_of_itself(run: Run, name: str) -> None:
    found = examples(name)
    assert 2 <= len(found) <= 3, (name, found)
    assert len(set(found)) == len(found)
    for line in found:
        assert shlex.split(line)[:2] == ["stemcli", name] or name in shlex.split(line), line
    flat = " ".join(_help(run, name).split())
    for line in found:
        assert " ".join(line.split()) in flat  # shown as written, one per line


def test_main_help_has_every_exit_code_with_its_meaning(run: Run) -> None:
    text = _help(run)
    section = text.split("Exit codes:", 1)[1]
    listed = {int(m) for m in re.findall(r"^  (\d+) +\S", section, re.MULTILINE)}
    assert listed == {int(code) for code in ExitCode}
    flat = " ".join(section.split())
    for name, when in FINDINGS.items():  # the commands that can exit 1, and their flags
        assert name in flat
        if ", with --" in when:
            assert when.rpartition(", with ")[2] in flat


@pytest.mark.parametrize("name", NAMES)
def test_every_command_help_ends_with_the_codes_it_can_return(run: Run, name: str) -> None:
    text = _help(run, name)
    tail = " ".join(text.split("Exit codes:", 1)[1].split())
    assert text.index("Exit codes:") > text.index("Options:")  # after the options
    codes = {int(m) for m in re.findall(r"(?:^|; )(\d+) ", tail)}
    expected = {int(c) for c in ExitCode} - ({1} if name not in FINDINGS else set())
    assert codes == expected, tail


def test_commands_said_to_find_can_exit_1(run: Run, tmp_path: Path) -> None:
    assert set(FINDINGS) <= set(NAMES)
    page = tmp_path / "page.txt"
    page.write_text("Our stem cell treatment is a cure, with no risk at all.\n", encoding="utf-8")
    assert run("redflags", str(page), "--fail-on-flag").exit_code == 1
    assert run("redflags", str(page)).exit_code == 0


# ---------------------------------------------------------------------------
# completion scripts


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script_of_each_shell(run: Run, shell: str) -> None:
    result = run("completion", shell)
    assert result.exit_code == 0, result.output
    assert f"_STEMCLI_COMPLETE=complete_{shell}" in result.stdout
    assert "stemcli" in result.stdout
    assert result.stderr == ""


def test_completion_of_an_unknown_shell_is_a_usage_error(run: Run) -> None:
    result = run("completion", "tcsh")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "bash, zsh or fish" in result.stderr


def test_an_ordinary_run_imports_no_completion_code() -> None:
    probe = (
        "import sys; from stemcli.cli import run; "
        "code = run(['conditions', '--format', 'json']); "
        "print(int(code), 'stemcli.cli.completion' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == ["0", "False"]


# ---------------------------------------------------------------------------
# completion of values, as each shell asks


def _environment(shell: str, line: str) -> dict[str, str]:
    if shell == "bash":
        words = shlex.split(line)
        cword = len(words) if line.endswith(" ") else len(words) - 1
        return {"_STEMCLI_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}
    env = {"_STEMCLI_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_ARGS": line}
    if shell == "fish":
        env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    return env


def _offered(shell: str, stdout: str) -> list[str]:
    if shell == "bash":
        return [line for line in stdout.splitlines() if line]
    if shell == "fish":
        return [line.split("\t")[0] for line in stdout.splitlines() if line]
    if stdout.strip() == "_files":
        return []
    # _arguments '*: :(("value":"description" ...))'
    assert stdout.startswith("_arguments '*: :(("), stdout
    body = stdout.split("((", 1)[1].rsplit("))", 1)[0]
    return [m.group(1).replace('""', '"') for m in re.finditer(r'^"((?:[^"]|"")*)"', body, re.M)]


def complete(run: Run, shell: str, line: str) -> list[str]:
    result = run(env={**_environment(shell, line), "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return _offered(shell, result.stdout)


SHELLS = ["bash", "zsh", "fish"]


@pytest.mark.parametrize("shell", SHELLS)
def test_completes_commands_and_options(run: Run, shell: str) -> None:
    assert "lookup" in complete(run, shell, "stemcli lo")
    assert "--stage" in complete(run, shell, "stemcli lookup knee-oa --")
    assert complete(run, shell, "stemcli completion ") == ["bash", "zsh", "fish"]


@pytest.mark.parametrize("shell", SHELLS)
def test_completes_condition_ids(run: Run, shell: str) -> None:
    offered = complete(run, shell, "stemcli lookup ")
    assert {"knee-oa", "rotator-cuff", "neuropathy"} <= set(offered)
    assert complete(run, shell, "stemcli compare rot") == ["rotator-cuff"]


@pytest.mark.parametrize("shell", SHELLS)
def test_completes_the_stages_of_the_condition_given(run: Run, shell: str) -> None:
    knee = complete(run, shell, "stemcli lookup knee-oa --stage ")
    assert knee == ["early", "middle", "late"]
    by_name = complete(run, shell, "stemcli compare 'knee arthritis' -s ")
    assert by_name == ["early", "middle", "late"]
    every = complete(run, shell, "stemcli conflicts --stage ")  # no condition: all stages
    assert {"middle", "partial", "full-thickness"} <= set(every)


@pytest.mark.parametrize("shell", SHELLS)
def test_completes_source_outcome_and_claim_ids(run: Run, shell: str) -> None:
    assert {"stemmedicare", "bookimed"} <= set(complete(run, shell, "stemcli conflicts --source "))
    assert "stemmedicare" in complete(run, shell, "stemcli redflags --source stem")
    assert {"pain", "cost"} <= set(complete(run, shell, "stemcli lookup knee-oa --outcome "))
    claims = complete(run, shell, "stemcli show bookimed-trial")
    assert "bookimed-trial-oa-responders-79pct" in claims
    assert all(c.startswith("bookimed-trial") for c in claims)
    explained = complete(run, shell, "stemcli conflicts --explain stemmedicare-oa-middle-p")
    assert "stemmedicare-oa-middle-pain" in explained


@pytest.mark.parametrize("shell", SHELLS)
def test_completes_the_next_source_of_a_list(run: Run, shell: str) -> None:
    offered = complete(run, shell, "stemcli compare knee-oa --sources stemmedicare,")
    assert "stemmedicare,bookimed" in offered
    assert "stemmedicare,stemmedicare" not in offered


@pytest.mark.parametrize("shell", SHELLS)
def test_completes_from_the_dataset_the_command_line_names(
    run: Run, shell: str, mini: Path
) -> None:
    line = f"stemcli --no-bundled --data {mini} lookup knee-oa --source "
    assert complete(run, shell, line) == ["alpha", "beta", "gamma"]
    assert "stemmedicare" not in complete(run, shell, f"stemcli --no-bundled --data {mini} show ")


@pytest.mark.parametrize("shell", SHELLS)
def test_completes_format_choices(run: Run, shell: str) -> None:
    formats = ["table", "json", "csv", "markdown"]
    assert complete(run, shell, "stemcli lookup knee-oa -f ") == formats
    assert complete(run, shell, "stemcli export --format y") == ["yaml"]


def test_a_dataset_that_cannot_be_loaded_completes_nothing_quietly(
    run: Run, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("- id: [unclosed\n", encoding="utf-8")
    assert complete(run, "bash", f"stemcli --data {broken} lookup ") == []


def test_fish_is_told_when_to_offer_files(run: Run) -> None:
    ask = {"_STEMCLI_COMPLETE": "complete_fish", "_TYPER_COMPLETE_FISH_ACTION": "is-args"}
    ids = run(env={**ask, "_TYPER_COMPLETE_ARGS": "stemcli lookup knee-oa --outcome "})
    assert ids.exit_code == 0  # values to offer
    files = run(env={**ask, "_TYPER_COMPLETE_ARGS": "stemcli extract "})
    assert files.exit_code == 1  # none: fish offers files


def test_descriptions_are_plain_text(run: Run, tmp_path: Path, mini: Path) -> None:
    """A name in the data is shown as written, never read as markup or run by zsh."""
    data = tmp_path / "data"
    data.mkdir()
    for f in ("conditions.yaml", "sources.yaml"):
        (data / f).write_text((mini / f).read_text(encoding="utf-8"), encoding="utf-8")
    (data / "claims").mkdir()
    sources = data / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    publisher = re.search(r"publisher: (.+)", text)
    assert publisher
    sources.write_text(
        text.replace(publisher.group(0), 'publisher: "[bold]Alpha[/bold] $(rm x) `y`"', 1),
        encoding="utf-8",
    )
    line = f"stemcli --no-bundled --data {data} redflags --source al"
    fish = run(env={**_environment("fish", line)})
    assert fish.exit_code == 0, fish.output
    assert fish.stdout.strip() == "alpha\t[bold]Alpha[/bold] $(rm x) `y`"
    zsh = run(env={**_environment("zsh", line)})
    assert zsh.exit_code == 0, zsh.output
    assert "\\$(rm x) \\`y\\`" in zsh.stdout
    assert "[bold]Alpha[/bold]" in zsh.stdout
