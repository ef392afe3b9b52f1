"""No data loss: every write is atomic and never replaces a file without --force.

Whatever goes wrong while writing (a full disk, a failing rename, a file appearing in
the meantime, Ctrl-C or SIGTERM), the file that was there is left as it was and no
temporary file stays behind.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    Run,
    assert_one_error,
    child_env,
    data_args,
    default_signals,
    hostile_dataset,
)

OLD = "the user's precious file\n"

# commands that write what they find with --output ({page}: an input page)
OUTPUT_COMMANDS: list[list[str]] = [
    ["lookup", "knee-oa", "--format", "json"],
    ["show", "evil-a-pain", "--format", "csv"],
    ["search", "pain", "--format", "markdown"],
    ["sources", "--format", "json"],
    ["conditions"],
    ["validate", "--format", "json"],
    ["export", "--format", "csv"],
    ["export", "--format", "yaml"],
    ["compare", "knee-oa", "--format", "json"],
    ["conflicts", "--format", "json"],
    ["redflags", "--source", "evil-a", "--format", "json"],
    ["extract", "{page}"],
    ["extract", "{page}", "--format", "json"],
]
IDS = [" ".join(c) for c in OUTPUT_COMMANDS]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return hostile_dataset(tmp_path / "data")


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    d = tmp_path / "out"
    d.mkdir()
    return d


def argv(command: list[str], out_dir: Path) -> list[str]:
    page = out_dir.parent / "page.txt"
    if not page.exists():
        page.write_text("Knee pain fell 60-70% within 3 months.\n", encoding="utf-8")
    return [a.replace("{page}", str(page)) for a in command]


def leftovers(folder: Path) -> list[str]:
    """Temporary files a write left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("command", OUTPUT_COMMANDS, ids=IDS)
def test_an_existing_file_is_never_replaced_without_force(
    run: Run, data: Path, out_dir: Path, command: list[str]
) -> None:
    target = out_dir / "result.txt"
    target.write_text(OLD, encoding="utf-8")
    result = run(*data_args(data), *argv(command, out_dir), "--output", str(target))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert_one_error(result.stderr, "file exists")
    assert "--force" in result.stderr
    assert target.read_text(encoding="utf-8") == OLD
    assert leftovers(out_dir) == []


@pytest.mark.parametrize("command", OUTPUT_COMMANDS, ids=IDS)
def test_force_replaces_with_exactly_what_stdout_shows(
    run: Run, data: Path, out_dir: Path, command: list[str]
) -> None:
    target = out_dir / "result.txt"
    target.write_text(OLD, encoding="utf-8")
    args = [*data_args(data), *argv(command, out_dir)]
    shown = run(*args)
    written = run(*args, "--output", str(target), "--force")
    assert written.exit_code == shown.exit_code, written.output
    assert written.stdout == ""
    if command[0] != "conditions":  # a table is laid out for the terminal's width
        assert target.read_text(encoding="utf-8") == shown.stdout
    else:
        assert "knee-oa" in target.read_text(encoding="utf-8")
    assert leftovers(out_dir) == []


# ---------------------------------------------------------------------------
# failures while writing, simulated in-process


def _raise(err: int) -> Any:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(err, os.strerror(err))

    return fail


class _FullDisk:
    """A file object whose writes fail as on a full disk, after writing half."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def write(self, data: bytes) -> int:
        self.real.write(data[: len(data) // 2])
        self.real.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()


FAILURES = {
    "write-enospc": ("fdopen", None),
    "fsync-enospc": ("fsync", errno.ENOSPC),
    "fsync-eio": ("fsync", errno.EIO),
    "replace-eio": ("replace", errno.EIO),
    "link-eio-then-replace-eio": ("link+replace", errno.EIO),
    "mkstemp-eacces": ("mkstemp", errno.EACCES),
    "chmod-eperm": ("chmod", errno.EPERM),
}


@pytest.fixture(params=list(FAILURES))
def failing_writes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    what, err = FAILURES[request.param]
    if what == "fdopen":
        real_fdopen = os.fdopen
        monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FullDisk(real_fdopen(fd, *a, **k)))
    elif what == "mkstemp":
        monkeypatch.setattr(tempfile, "mkstemp", _raise(errno.EACCES))
    elif what == "link+replace":
        monkeypatch.setattr(os, "link", _raise(errno.EIO))
        monkeypatch.setattr(os, "replace", _raise(errno.EIO))
    else:
        assert err is not None
        monkeypatch.setattr(os, what, _raise(err))
    return str(request.param)


@pytest.mark.parametrize("force", [True, False], ids=["replace", "new-file"])
@pytest.mark.parametrize(
    "command", [OUTPUT_COMMANDS[0], OUTPUT_COMMANDS[-1]], ids=IDS[:1] + IDS[-1:]
)
def test_a_failing_write_loses_nothing(
    run: Run, data: Path, out_dir: Path, failing_writes: str, force: bool, command: list[str]
) -> None:
    target = out_dir / "result.txt"
    if force:
        target.write_text(OLD, encoding="utf-8")
    args = [*data_args(data), *argv(command, out_dir), "--output", str(target)]
    result = run(*args, *(["--force"] if force else []))
    if failing_writes == "replace-eio" and not force:
        # a new file is linked into place, never renamed: nothing to fail
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 3, result.output
        assert_one_error(result.stderr, "cannot write")
        if force:
            assert target.read_text(encoding="utf-8") == OLD
        else:
            assert not target.exists()
    assert leftovers(out_dir) == []


def test_the_full_disk_message_says_so(
    run: Run, data: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "fsync", _raise(errno.ENOSPC))
    result = run(*data_args(data), "sources", "--output", str(out_dir / "x.txt"))
    assert result.exit_code == 3
    assert_one_error(result.stderr, "No space left on device")


def test_a_file_that_appears_while_writing_is_kept(
    run: Run, data: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program creates the file between the check and the final link: it wins."""
    target = out_dir / "result.txt"
    real_link = os.link

    def racing_link(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        Path(dst).write_text(OLD, encoding="utf-8")
        real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", racing_link)
    result = run(*data_args(data), "sources", "--output", str(target))
    assert result.exit_code == 2, result.output
    assert_one_error(result.stderr, "file exists")
    assert target.read_text(encoding="utf-8") == OLD
    assert leftovers(out_dir) == []


def test_a_file_system_without_hard_links(
    run: Run, data: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "link", _raise(errno.EPERM))
    target = out_dir / "result.txt"
    result = run(*data_args(data), "sources", "--format", "json", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text(encoding="utf-8"))
    assert leftovers(out_dir) == []


def test_ctrl_c_while_writing_in_process(
    run: Run, data: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    target = out_dir / "result.txt"
    target.write_text(OLD, encoding="utf-8")
    result = run(*data_args(data), "export", "--output", str(target), "--force")
    assert result.exit_code == 130
    assert_one_error(result.stderr, "interrupted")
    assert target.read_text(encoding="utf-8") == OLD
    assert leftovers(out_dir) == []


def test_compare_refuses_every_file_before_writing_any(run: Run, data: Path, out_dir: Path) -> None:
    svg, html, out = out_dir / "c.svg", out_dir / "c.html", out_dir / "c.txt"
    html.write_text(OLD, encoding="utf-8")
    result = run(
        *data_args(data), "compare", "knee-oa", "--output", str(out),
        "--svg", str(svg), "--html", str(html),
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert_one_error(result.stderr, "file exists")
    assert not out.exists()
    assert not svg.exists()
    assert html.read_text(encoding="utf-8") == OLD


def test_output_into_a_missing_folder(run: Run, data: Path, out_dir: Path) -> None:
    result = run(*data_args(data), "sources", "--output", str(out_dir / "no" / "such" / "x"))
    assert result.exit_code == 3
    assert_one_error(result.stderr, "cannot write")


# ---------------------------------------------------------------------------
# a real process interrupted while it writes

# the fsync of the written temporary file is made slow, so a signal lands mid-write
SLOW_FSYNC = """
import os, sys, time
real_fsync = os.fsync
def slow_fsync(fd):
    sys.stderr.write("writing\\n")
    sys.stderr.flush()
    time.sleep(60)
    real_fsync(fd)
os.fsync = slow_fsync
from stemcli.__main__ import main
main()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("force", [True, False], ids=["replace", "new-file"])
def test_a_signal_while_writing_loses_nothing(
    data: Path, out_dir: Path, signum: int, force: bool
) -> None:
    target = out_dir / "claims.json"
    if force:
        target.write_text(OLD, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_FSYNC, *data_args(data), "export", "--output", str(target),
         *(["--force"] if force else [])],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env(), text=True,
        preexec_fn=default_signals,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        assert proc.stderr.readline() == "writing\n"
        assert len(leftovers(out_dir)) == 1  # the temporary file, being written
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert_one_error(err, "interrupted")
    assert out == ""
    if force:
        assert target.read_text(encoding="utf-8") == OLD
    else:
        assert not target.exists()
    assert leftovers(out_dir) == []


@pytest.mark.parametrize(
    "args",
    [
        ["sources", "-o", "a" * 300 + ".txt"],
        ["export", "-o", "a" * 300 + ".json"],
        ["compare", "--svg", "a" * 300 + ".svg"],
        ["verify", "--sources", "a" * 300],
    ],
    ids=["sources", "export", "compare-svg", "verify"],
)
def test_a_name_too_long_is_an_input_error_not_a_bug(run: Run, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 3, result.output
    assert "File name too long" in result.stderr
    assert "bug" not in result.stderr


# ---------------------------------------------------------------------------
# what a replaced file was: its mode, a link, a folder's name


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
@pytest.mark.parametrize(
    "command", [OUTPUT_COMMANDS[0], OUTPUT_COMMANDS[-1]], ids=[IDS[0], IDS[-1]]
)
def test_force_keeps_the_mode_of_the_file_it_replaces(
    run: Run, data: Path, out_dir: Path, command: list[str], mode: int
) -> None:
    target = out_dir / "result.txt"
    target.write_text(OLD, encoding="utf-8")
    target.chmod(mode)
    result = run(*data_args(data), *argv(command, out_dir), "-o", str(target), "--force")
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") != OLD
    assert stat.S_IMODE(target.stat().st_mode) == mode


@pytest.mark.parametrize("mode", [0o4755, 0o2750, 0o1777, 0o6711], ids=oct)
def test_force_gives_new_text_no_special_permission_bits(
    run: Run, data: Path, out_dir: Path, mode: int
) -> None:
    target = out_dir / "result.txt"
    target.write_text(OLD, encoding="utf-8")
    target.chmod(mode)
    result = run(*data_args(data), "sources", "-o", str(target), "--force")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == mode & 0o777


@pytest.mark.parametrize("force", [True, False], ids=["force", "no-force"])
@pytest.mark.parametrize("dangling", [False, True], ids=["link", "dangling-link"])
@pytest.mark.parametrize("option", ["--output", "--svg", "--html"])
def test_a_symbolic_link_is_never_replaced(
    run: Run, data: Path, out_dir: Path, force: bool, dangling: bool, option: str
) -> None:
    real = out_dir / "real.txt"
    if not dangling:
        real.write_text(OLD, encoding="utf-8")
    link = out_dir / "link.txt"
    link.symlink_to(real)
    result = run(
        *data_args(data), "compare", "knee-oa", option, str(link), *(["--force"] if force else [])
    )
    assert result.exit_code == 2, result.output
    assert_one_error(result.stderr, "symbolic link")
    assert "hint: " in result.stderr
    assert str(real.resolve()) in result.stderr  # the file to name if that is what is meant
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8") == OLD if not dangling else not real.exists()
    assert leftovers(out_dir) == []


@pytest.mark.parametrize("name", ["newdir/", "newdir/.", "newdir//", "./", "", "{out}/"])
@pytest.mark.parametrize("option", ["--output", "--svg", "--html"])
def test_a_name_that_means_a_folder_is_refused(
    run: Run, data: Path, out_dir: Path, name: str, option: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(out_dir)
    result = run(
        *data_args(data), "compare", "knee-oa", option, name.replace("{out}", str(out_dir))
    )
    assert result.exit_code == 2, result.output
    assert_one_error(result.stderr, "folder")
    assert sorted(p.name for p in out_dir.iterdir()) == []


@pytest.mark.parametrize("command", OUTPUT_COMMANDS, ids=IDS)
def test_every_command_refuses_a_folder_name(
    run: Run, data: Path, out_dir: Path, command: list[str]
) -> None:
    result = run(*data_args(data), *argv(command, out_dir), "-o", f"{out_dir}/newdir/")
    assert result.exit_code == 2, result.output
    assert_one_error(result.stderr, "folder")
    assert list(out_dir.iterdir()) == []


# ---------------------------------------------------------------------------
# several files (compare --output --svg --html): all or nothing


def _compare(run: Run, data: Path, out: Path, svg: Path, html: Path, *more: str) -> Any:
    return run(
        *data_args(data), "compare", "knee-oa",
        "--output", str(out), "--svg", str(svg), "--html", str(html), *more,
    )  # fmt: skip


def test_compare_writes_nothing_when_one_file_cannot_be_written(
    run: Run, data: Path, out_dir: Path
) -> None:
    out, svg, html = out_dir / "c.txt", out_dir / "c.svg", out_dir / "no" / "such" / "c.html"
    result = _compare(run, data, out, svg, html)
    assert result.exit_code == 3, result.output
    assert_one_error(result.stderr, "cannot write")
    assert sorted(p.name for p in out_dir.iterdir()) == []


@pytest.mark.parametrize("force", [True, False], ids=["replace", "new-files"])
@pytest.mark.parametrize("failing", ["c.txt", "c.svg", "c.html"])
@pytest.mark.parametrize("how", ["eio", "ctrl-c", "appears"])
def test_compare_puts_back_every_file_when_placing_one_fails(
    run: Run,
    data: Path,
    out_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    force: bool,
    failing: str,
    how: str,
) -> None:
    """The last step (link or rename into place) fails for one file: the others, already
    in place, are taken back, and the files that were there are as they were."""
    out, svg, html = out_dir / "c.txt", out_dir / "c.svg", out_dir / "c.html"
    if force:
        for p in (out, svg, html):
            p.write_text(OLD + p.name, encoding="utf-8")
            p.chmod(0o600)
    real_link, real_replace = os.link, os.replace

    def failing_step(real: Any) -> Any:
        def step(src: Any, dst: Any, *args: Any, **kwargs: Any) -> Any:
            if Path(dst).name == failing and str(src).endswith(".tmp"):
                if how == "eio":
                    raise OSError(errno.EIO, os.strerror(errno.EIO))
                if how == "ctrl-c":
                    raise KeyboardInterrupt
                if not force:  # another program creates the file first
                    Path(dst).write_text("theirs", encoding="utf-8")
            return real(src, dst, *args, **kwargs)

        return step

    monkeypatch.setattr(os, "link", failing_step(real_link))
    monkeypatch.setattr(os, "replace", failing_step(real_replace))
    result = _compare(run, data, out, svg, html, *(["--force"] if force else []))
    if how == "appears" and force:  # nothing fails: a rename replaces what is there
        assert result.exit_code == 0, result.output
        return
    expected = {"eio": 3, "ctrl-c": 130, "appears": 2}[how]
    assert result.exit_code == expected, result.output
    assert_one_error(result.stderr)
    assert "wrote" not in result.stderr
    for p in (out, svg, html):
        if force:
            assert p.read_text(encoding="utf-8") == OLD + p.name
            assert stat.S_IMODE(p.stat().st_mode) == 0o600
        elif how == "appears" and p.name == failing:
            assert p.read_text(encoding="utf-8") == "theirs"
        else:
            assert not p.exists(), p
    assert sorted(p.name for p in out_dir.iterdir() if p.name.startswith(".")) == []


def test_compare_writes_every_file_and_says_so(run: Run, data: Path, out_dir: Path) -> None:
    out, svg, html = out_dir / "c.txt", out_dir / "c.svg", out_dir / "c.html"
    result = _compare(run, data, out, svg, html)
    assert result.exit_code == 0, result.output
    for p in (out, svg, html):
        assert p.stat().st_size > 0
        assert f"wrote {p}" in result.stderr
    assert sorted(p.name for p in out_dir.iterdir()) == ["c.html", "c.svg", "c.txt"]
