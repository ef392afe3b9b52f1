"""Files that are not files, and file names that differ only in case.

A FIFO, a socket or a device named like a YAML file, an archived source or a page is
refused at once with one clear error: the program never waits for a writer (each case
runs in a real process under a timeout, so a hang fails the test instead of the suite).
A claims file is a claims file whatever the case of its extension, and two files of one
source in one folder are a problem naming both.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import (
    SOURCE,
    Run,
    assert_one_error,
    claim,
    data_args,
    dump,
    stemcli,
    write_dataset,
)

NOT_REGULAR = "not a regular file"


def _fifo(path: Path) -> None:
    os.mkfifo(path)


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """Makes a listening Unix socket at a path (closed after the test)."""
    opened: list[socket.socket] = []

    def make(path: Path) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(path))
        sock.listen(1)
        opened.append(sock)

    yield make
    for sock in opened:
        sock.close()


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
needs_unix = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets")


@needs_fifo
@pytest.mark.parametrize("where", ["claims/x.yaml", "sources.yaml", "outcomes.yml"])
def test_a_fifo_in_a_dataset_is_one_error_not_a_hang(tmp_path: Path, where: str) -> None:
    root = write_dataset(tmp_path / "ds")
    target = root / where
    target.unlink(missing_ok=True)
    _fifo(target)
    result = stemcli(*data_args(root), "lookup", "cond")
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    assert_one_error(result.stderr, where, NOT_REGULAR)


@needs_fifo
def test_a_fifo_given_as_the_data_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    _fifo(path)
    result = stemcli("--no-cache", "--data", str(path), "sources")
    assert result.returncode == 3, result.stderr
    assert_one_error(result.stderr, NOT_REGULAR)


@needs_unix
def test_a_socket_named_like_a_claims_file(
    tmp_path: Path, unix_socket: Callable[[Path], None]
) -> None:
    root = write_dataset(tmp_path / "ds")
    unix_socket(root / "claims" / "sock.yaml")
    result = stemcli(*data_args(root), "lookup", "cond")
    assert result.returncode == 3, result.stderr
    assert_one_error(result.stderr, "sock.yaml", NOT_REGULAR)


@needs_fifo
def test_a_fifo_as_an_archived_source_is_a_miss_not_a_hang(tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "ds", sources=[{**SOURCE, "archive": "page.txt"}])
    archive = tmp_path / "archive"
    archive.mkdir()
    _fifo(archive / "page.txt")
    result = stemcli(*data_args(root), "verify", "--sources", str(archive), "-f", "json")
    assert result.returncode == 1, result.stderr
    [miss] = json.loads(result.stdout)["misses"]
    assert NOT_REGULAR in miss["message"]


@needs_unix
@pytest.mark.parametrize("command", ["extract", "redflags"])
def test_a_socket_as_a_page(
    tmp_path: Path, unix_socket: Callable[[Path], None], command: str
) -> None:
    path = tmp_path / "page.txt"
    unix_socket(path)
    result = stemcli(command, str(path))
    assert result.returncode == 3, result.stderr
    assert_one_error(result.stderr, NOT_REGULAR)


# ---------------------------------------------------------------------------
# the case of a file name


@pytest.mark.parametrize("name", ["x.YAML", "x.Yml", "x.yMl"])
def test_a_claims_file_with_an_upper_case_extension_is_read(
    run: Run, tmp_path: Path, name: str
) -> None:
    root = write_dataset(
        tmp_path / "ds", sources=[SOURCE, {**SOURCE, "id": "x"}], claims={"src": [claim()]}
    )
    (root / "claims" / name).write_text(dump([claim("x-one", quote="Pain fell 50%.")]))
    result = run(*data_args(root), "lookup", "cond", "--format", "json")
    assert result.exit_code == 0, result.output
    assert {c["id"] for c in json.loads(result.stdout)} == {"c-one", "x-one"}


def test_special_files_with_an_upper_case_extension_are_read(run: Run, tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "ds")
    (root / "sources.yaml").rename(root / "sources.YAML")
    result = run(*data_args(root), "sources", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [s["id"] for s in json.loads(result.stdout)] == ["src"]


def test_a_data_file_with_an_upper_case_extension(run: Run, tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "ds")
    single = tmp_path / "src.YML"
    single.write_text(dump([claim("c-two")]))
    result = run(*data_args(root), "--data", str(single), "lookup", "cond", "-f", "json")
    assert result.exit_code == 0, result.output
    assert {c["id"] for c in json.loads(result.stdout)} == {"c-one", "c-two"}


@pytest.mark.parametrize("second", ["src.yml", "src.YAML"])
def test_two_claims_files_of_one_source_are_a_located_problem(
    run: Run, tmp_path: Path, second: str
) -> None:
    root = write_dataset(tmp_path / "ds")
    (root / "claims" / second).write_text(dump([claim("c-two")]))
    result = run(*data_args(root), "lookup", "cond")
    assert result.exit_code == 3, result.output
    assert_one_error(result.stderr, second, "src.yaml")
    checked = run(*data_args(root), "validate", "--format", "json")
    assert checked.exit_code == 1, checked.output
    [problem] = json.loads(checked.stdout)
    named = {
        Path(problem["file"]).name,
        *(w for w in ("src.yaml", second) if w in problem["message"]),
    }
    assert named == {"src.yaml", second}, problem


# ---------------------------------------------------------------------------
# standard input: '-' is the one way to read a page from a pipe


PAGE = "Our success rate is 85%. Most patients return to work in 2-3 days.\n"


def test_a_page_from_standard_input_is_read_through_a_pipe(tmp_path: Path) -> None:
    result = stemcli("extract", "-", "--format", "json", input=PAGE, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    drafts = json.loads(result.stdout)
    assert [d["value"]["text"] for d in drafts] == ["85%", "2-3 days"]
    assert {d["source"] for d in drafts} == {"stdin"}
    assert list(tmp_path.iterdir()) == []


def test_redflags_reads_standard_input(tmp_path: Path) -> None:
    page = "Our treatment has no side effects and a 100% success rate.\n"
    result = stemcli("redflags", "-", "--format", "json", input=page, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert {f["rule"] for f in json.loads(result.stdout)} >= {"no-risk"}


def test_standard_input_over_the_size_limit_is_one_error(tmp_path: Path) -> None:
    big = ("x" * 1023 + "\n") * (16 * 1024 + 1)
    result = stemcli("extract", "-", input=big, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    assert "<stdin>" in assert_one_error(result.stderr, "limit")


def test_a_pipe_named_as_a_file_is_still_refused(tmp_path: Path) -> None:
    """'/dev/stdin' on a pipe is a special file like any other; '-' is the way to read it."""
    result = stemcli("extract", "/dev/stdin", input=PAGE, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert_one_error(result.stderr, NOT_REGULAR)


# ---------------------------------------------------------------------------
# archives: only files inside the folder verify is given


def _archived(root: Path, archive: str, quotes: list[str]) -> Path:
    import hashlib

    source = {**SOURCE, "archive": archive, "sha256": hashlib.sha256(b"x").hexdigest()}
    claims = [claim(f"c-{i}", quote=q) for i, q in enumerate(quotes)]
    write_dataset(root, sources=[source], claims={SOURCE["id"]: claims})
    (root / "arch").mkdir()
    return root


def test_verify_does_not_follow_a_link_out_of_the_folder(run: Run, tmp_path: Path) -> None:
    """A link inside the archive folder must not make verify an oracle on another file."""
    secret = tmp_path / "secret.txt"
    secret.write_text("password hunter2\n", encoding="utf-8")
    root = _archived(tmp_path / "d", "lnk.txt", ["password hunter2", "password hunter3"])
    (root / "arch" / "lnk.txt").symlink_to(secret)
    result = run(*data_args(root), "verify", "--sources", str(root / "arch"), "-f", "json")
    assert result.exit_code == 1, result.output
    [miss] = json.loads(result.stdout)["misses"]
    assert miss["claim"] is None
    assert "inside" in miss["message"]
    assert hashlib_of(secret) not in result.stdout


def hashlib_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_link_inside_the_folder_to_a_file_inside_is_read(run: Run, tmp_path: Path) -> None:
    root = _archived(tmp_path / "d", "lnk.txt", ["password hunter2"])
    (root / "arch" / "real.txt").write_text("password hunter2\n", encoding="utf-8")
    (root / "arch" / "lnk.txt").symlink_to("real.txt")
    result = run(*data_args(root), "verify", "--sources", str(root / "arch"), "-f", "json")
    misses = json.loads(result.stdout)["misses"]
    assert [m["message"] for m in misses] == [
        m["message"] for m in misses if "sha256" in m["message"]
    ]


@pytest.mark.parametrize("name", ["a\0b.txt", "\0", "lnk.txt\0../../etc/passwd"])
def test_an_archive_name_that_cannot_be_a_file_is_a_located_problem(
    run: Run, tmp_path: Path, name: str
) -> None:
    root = _archived(tmp_path / "d", name, ["Pain fell."])
    result = run(*data_args(root), "validate", "--format", "json")
    assert result.exit_code == 1, result.output
    (problem,) = json.loads(result.stdout)
    assert problem["file"].endswith("sources.yaml"), problem
    assert problem["line"] >= 1, problem
    assert "archive" in problem["message"], problem
    result = run(*data_args(root), "verify", "--sources", str(root / "arch"))
    assert result.exit_code == 3, result.output
    assert_one_error(result.stderr)
