"""The project as a whole: version, help of every command, README and CI agree, the wheel."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import Result

import stemcli
from stemcli.cli import app

Run = Callable[..., Result]

REPO = Path(__file__).resolve().parent.parent


def commands() -> dict[str, Any]:
    """The registered commands by name (typer's click-like command objects)."""
    group: Any = typer.main.get_command(app)
    return dict(group.commands)


COMMAND_NAMES = sorted(commands())


# ---------------------------------------------------------------------------
# version


def test_version_option(run: Run) -> None:
    for flag in ("--version", "-V"):
        result = run(flag)
        assert result.exit_code == 0
        assert result.stdout.strip() == f"stemcli {stemcli.__version__}"


def test_version_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stemcli", "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"stemcli {stemcli.__version__}"
    assert result.stderr == ""


def test_version_is_a_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-]?\w+)?", stemcli.__version__)


# ---------------------------------------------------------------------------
# help


def test_there_are_commands() -> None:
    assert {
        "lookup",
        "show",
        "search",
        "sources",
        "conditions",
        "validate",
        "verify",
        "export",
    } <= set(COMMAND_NAMES)


@pytest.mark.parametrize("name", COMMAND_NAMES)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_has_help_with_a_summary_and_an_example(
    run: Run, name: str, flag: str
) -> None:
    result = run(name, flag)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Usage: stemcli {name}")
    doc = commands()[name].help or ""
    summary = doc.strip().split("\n\n")[0]
    assert "\n" not in summary, f"{name}: the summary is one line: {summary!r}"
    assert summary.endswith("."), f"{name}: the summary is a sentence: {summary!r}"
    assert len(summary) <= 100, f"{name}: the summary is short: {summary!r}"
    flat = " ".join(result.stdout.split())
    assert summary in flat
    assert "Examples: stemcli " in flat
    for example in _examples(name):
        assert name in example, f"{name}: its example runs another command"


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_summary_in_the_command_list_is_one_line(run: Run, name: str) -> None:
    listing = run("--help").stdout
    [line] = [ln for ln in listing.splitlines() if ln.strip().startswith(name + " ")]
    assert line.strip()[len(name) :].strip()


def _examples(name: str) -> list[list[str]]:
    """The arguments of every example in a command's help (what follows 'stemcli'), up to
    a shell redirection ('> FILE'), which is the shell's and not stemcli's."""
    help_text = commands()[name].help or ""
    assert "Examples:" in help_text, name
    section = help_text.split("Examples:", 1)[1]
    found = []
    for match in re.finditer(r"^\s*(stemcli .+)$", section, re.MULTILINE):
        words = shlex.split(match.group(1))[1:]
        found.append(words[: words.index(">")] if ">" in words else words)
    assert found, name
    return found


@pytest.mark.parametrize("name", COMMAND_NAMES)
def test_every_example_is_a_valid_invocation(
    run: Run, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An example may name a file the reader does not have (exit 3), but it must not be a
    usage error: an unknown option, claim, condition or stage (exit 2), nor a crash."""
    for i, example in enumerate(_examples(name)):
        where = tmp_path / str(i)  # each in a folder of its own: none finds another's files
        where.mkdir()
        monkeypatch.chdir(where)
        args = [os.path.expanduser(a) if a.startswith("~") else a for a in example]
        result = run(*args)
        assert result.exit_code in (0, 1, 3), (args, result.output)


def test_main_help_lists_the_commands(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in COMMAND_NAMES:
        assert f"  {name} " in result.stdout
    no_args = run()
    assert "Usage: stemcli" in no_args.stdout + no_args.stderr


# ---------------------------------------------------------------------------
# README and CI


CI_TEST_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -q -c constraints.txt -e '.[test]'"
    " && .venv/bin/python -m pytest -q"
)


def ci_test_command() -> str:
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    found = [ln.strip() for ln in lines if ln.strip().startswith("python3 -m venv")]
    assert len(found) == 1, "one test command in .ci/run"
    return found[0]


def readme_setup_block() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set-up", 1)[1]
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", section, re.DOTALL)
    assert block, "a fenced block with the set-up commands"
    return [ln for ln in block.group(1).splitlines() if ln.strip()]


def test_ci_runs_the_test_command() -> None:
    assert ci_test_command() == CI_TEST_COMMAND


def test_readme_test_command_is_the_one_ci_runs() -> None:
    block = readme_setup_block()
    assert len(block) == 2, "two set-up commands"
    assert block[1] == ci_test_command()


def test_readme_install_command_installs_and_runs_stemcli() -> None:
    install = readme_setup_block()[0]
    assert install.startswith("python3 -m venv .venv && .venv/bin/pip install")
    assert ".venv/bin/stemcli " in install


def test_ci_checks_lint_types_and_data() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for step in ("ruff check", "ruff format --check", "mypy --strict src", "stemcli validate"):
        assert step in ci, step


def test_readme_documents_every_command(run: Run) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in COMMAND_NAMES:
        assert f"`{name}" in readme, name


def test_readme_exit_codes_match_the_code() -> None:
    from stemcli.errors import ExitCode

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(m) for m in re.findall(r"^\| (\d+) \|", table, re.MULTILINE)}
    assert documented == {int(c) for c in ExitCode}


def test_no_machine_paths_in_tracked_files() -> None:
    """No tracked file names a path on the machine it was written on."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    files = [REPO / name for name in listed.split("\0") if name]
    assert files
    # the folder this checkout sits in, and the usual homes of user files, never appear
    parent = str(REPO.resolve().parent).encode()
    pattern = re.compile(rb"(?<![\w.])/(?:home|Users|root)/")
    offenders = [
        str(p.relative_to(REPO))
        for p in files
        if p.is_file()
        and (
            (len(parent) > 1 and parent + b"/" in p.read_bytes()) or pattern.search(p.read_bytes())
        )
    ]
    assert offenders == []


# ---------------------------------------------------------------------------
# packaging


@pytest.mark.slow
def test_wheel_contains_the_package_and_the_bundled_data(tmp_path: Path) -> None:
    if importlib.util.find_spec("hatchling") is None:
        pytest.skip("hatchling is not installed here (needed to build without the network)")
    out = tmp_path / "wheel"
    build = subprocess.run(
        [
            sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
            "--disable-pip-version-check", "-q", "-w", str(out), str(REPO),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    [wheel] = list(out.glob("stemcli-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    data = REPO / "data"
    expected = {f"stemcli/data/{p.relative_to(data).as_posix()}" for p in data.rglob("*.yaml")}
    assert expected
    assert expected <= names
    assert "stemcli/py.typed" in names
    assert "stemcli/__main__.py" in names
    assert not any(n.startswith("tests/") for n in names)

    # installed from the wheel, stemcli finds its bundled data
    target = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
            "--disable-pip-version-check", "-q", "--target", str(target), str(wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    env = {**os.environ, "PYTHONPATH": str(target), "STEMCLI_NO_CACHE": "1"}
    probe = subprocess.run(
        [
            sys.executable, "-c",
            "import stemcli, stemcli.dataset.find as f;"
            " print(stemcli.__file__); print(f.bundled_dir())",
        ],
        capture_output=True, text=True, check=False, env=env, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    where, bundled = probe.stdout.splitlines()
    assert Path(where).is_relative_to(target)
    assert Path(bundled).is_relative_to(target)
    validate = subprocess.run(
        [sys.executable, "-m", "stemcli", "validate"],
        capture_output=True, text=True, check=False, env=env, cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert validate.returncode == 0, validate.stderr
    assert "ok:" in validate.stderr
