"""Bad input text for extract and redflags: a clear error, or a correct (maybe empty) result.

Binary files, NUL bytes, other encodings and broken UTF-8 are refused naming the line and
column of the first bad byte. Right-to-left text, zero-width and invisible characters, a
10 MB line and regex-hostile text give results that read back, never a wrong number. A
file that goes away while it is read is an error, not a crash.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stemcli.dataset import load
from stemcli.model import Dataset
from stemcli.ops.extract import extract
from stemcli.ops.redflags import scan_text
from stemcli.quantities import parse
from stemcli.text import files

from .conftest import Run, assert_one_error, assert_terminal_safe, child_env, stemcli

COMMANDS = [["extract"], ["redflags"]]
COMMAND_IDS = ["extract", "redflags"]


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load([], bundled=True, use_cache=False)


def write(tmp_path: Path, content: bytes | str, name: str = "page.txt") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def values(ds: Dataset, text: str) -> list[str]:
    return [d.value.text for d in extract(ds, text, source_id="page").drafts]


def json_values(stdout: str) -> list[str]:
    """The value texts of extract's JSON output."""
    return [d["value"]["text"] for d in json.loads(stdout)]


# ---------------------------------------------------------------------------
# what is not UTF-8 text: refused, with where


BINARY = {
    "nul-in-text": (b"Pain fell 50%.\nIt co\x00sts $5.\n", "2:6"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "3:1"),
    "elf": (b"\x7fELF\x02\x01\x01\x00" + bytes(56), "1:8"),
    "gzip": (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "1:4"),
    "utf16-without-bom": ("Pain fell 50%.".encode("utf-16-le"), "1:2"),
    "utf32-be": ("Pain fell 50%.".encode("utf-32-be"), "1:1"),
}


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
@pytest.mark.parametrize(("content", "where"), BINARY.values(), ids=list(BINARY))
def test_binary_files_are_refused_with_where(
    run: Run, tmp_path: Path, command: list[str], content: bytes, where: str
) -> None:
    path = write(tmp_path, content)
    result = run(*command, str(path))
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert_one_error(result.stderr, f"{path}:{where}: a binary file (NUL byte)")


NOT_UTF8 = {
    "latin-1": (b"Caf\xe9: pain fell 50%.\n", "1:4", "0xe9"),
    "cp1252-quotes": (b"They said \x93cured\x94 50%.\n", "1:11", "0x93"),
    "mixed-on-line-3": ("Pain fell 50%.\nÉté: 60%.\n".encode() + b"Co\xfbt: $5.\n", "3:3", "0xfb"),
    "overlong-slash": (b"a \xc0\xaf b\n", "1:3", "0xc0"),
    "encoded-surrogate": (b"x \xed\xa0\x80 y\n", "1:3", "0xed"),
    "truncated-at-end": ("Pain fell 50% é".encode()[:-1], "1:15", "0xc3"),
    "lone-continuation": (b"50% \x80\n", "1:5", "0x80"),
}


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
@pytest.mark.parametrize(("content", "where", "byte"), NOT_UTF8.values(), ids=list(NOT_UTF8))
def test_other_encodings_are_refused_with_where(
    run: Run, tmp_path: Path, command: list[str], content: bytes, where: str, byte: str
) -> None:
    path = write(tmp_path, content)
    result = run(*command, str(path))
    assert result.exit_code == 3, result.output
    assert_one_error(result.stderr, f"{path}:{where}: not UTF-8 text (byte {byte})")
    assert "save the file as UTF-8" in result.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_named(
    run: Run, tmp_path: Path, command: list[str], codec: str
) -> None:
    text = "Pain fell 50%."
    data = text.encode(codec)
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = b"\xfe\xff" + data
    result = run(*command, str(write(tmp_path, data)))
    assert result.exit_code == 3, result.output
    assert_one_error(result.stderr, "UTF-16 text, expected UTF-8")


def test_a_utf8_byte_order_mark_is_fine(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeffKnee pain fell 50% within 3 months.\n")
    result = run("extract", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    [draft] = json.loads(result.stdout)
    assert draft["value"]["text"] == "50%"
    assert (draft["line"], draft["column"]) == (1, 16)  # columns count after the mark


# ---------------------------------------------------------------------------
# what is not a readable file


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
def test_missing_folder_huge_and_endless_inputs(
    run: Run, tmp_path: Path, command: list[str]
) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.write(b"Pain fell 50%. ")
        f.truncate(17 * 1024 * 1024)
    for path, message in [
        (tmp_path / "missing.txt", "cannot read: No such file or directory"),
        (tmp_path, "is a folder, expected a file"),
        (big, "larger than the 16 MiB limit"),
        *([(Path("/dev/zero"), "not a regular file")] if Path("/dev/zero").exists() else []),
    ]:
        result = run(*command, str(path))
        assert result.exit_code == 3, (path, result.output)
        assert_one_error(result.stderr, message)


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
@pytest.mark.parametrize("text", ["", "\n\n\n", "   \t  ", "no numbers at all here"])
def test_empty_and_numberless_pages_give_an_empty_result(
    run: Run, tmp_path: Path, command: list[str], text: str
) -> None:
    result = run(*command, str(write(tmp_path, text)), "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() in ("[]", "[\n]")


def test_a_file_that_vanishes_before_it_is_opened(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "Pain fell 50%.\n")
    real_open = files._open

    def vanishing(file: Path) -> Any:
        if file == path:
            path.unlink()
        return real_open(file)

    monkeypatch.setattr(files, "_open", vanishing)
    for command in COMMANDS:
        path.write_text("Pain fell 50%.\n", encoding="utf-8")
        result = run(*command, str(path))
        assert result.exit_code == 3, result.output
        assert_one_error(result.stderr, "No such file or directory")


class _FailingRead:
    """A file whose read fails half-way, as on a disk error or a dropped network share."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def read(self, *args: Any) -> bytes:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    def fileno(self) -> int:
        return int(self.real.fileno())

    def __enter__(self) -> _FailingRead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()


def test_a_read_error_in_the_middle(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "Pain fell 50%.\n")
    real_open = files._open

    def failing(file: Path) -> Any:
        handle = real_open(file)
        return _FailingRead(handle) if file == path else handle

    monkeypatch.setattr(files, "_open", failing)
    for command in COMMANDS:
        result = run(*command, str(path))
        assert result.exit_code == 3, result.output
        assert_one_error(result.stderr, "cannot read: Input/output error")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
@pytest.mark.parametrize("writer", [False, True], ids=["no-writer", "a-writer"])
def test_a_named_pipe_is_refused_without_waiting(
    tmp_path: Path, command: list[str], writer: bool
) -> None:
    """Not a page: refused before reading, whether or not something writes to it."""
    path = tmp_path / "page.txt"
    os.mkfifo(path)
    fd = os.open(path, os.O_RDWR) if writer else None  # holds the pipe open: a writer
    try:
        result = stemcli(*command, str(path))
    finally:
        if fd is not None:
            os.close(fd)
    assert result.returncode == 3, result.stderr
    assert result.stdout == ""
    assert_one_error(result.stderr, "not a regular file")


def test_stdin_through_dev_stdin(tmp_path: Path) -> None:
    if not Path("/dev/stdin").exists():
        pytest.skip("no /dev/stdin")
    page = write(tmp_path, "Knee pain fell 50% within 3 months.\n")
    with page.open("rb") as stdin:  # a redirection from a file; a pipe is no regular file
        result = subprocess.run(
            [sys.executable, "-m", "stemcli", "extract", "/dev/stdin", "--source-id", "piped",
             "--format", "json"],
            stdin=stdin, capture_output=True, text=True, env=child_env(), timeout=60,
            check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert '"id": "piped-001"' in result.stdout


# ---------------------------------------------------------------------------
# text that is valid but odd: correct results


def test_invisible_characters_never_make_a_wrong_number(ds: Dataset) -> None:
    # inside the number: shows as 50%, must not be read as 0% (or 5)
    for ch in ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"):
        assert values(ds, f"Knee pain fell 5{ch}0% after the injection.") == []
        assert values(ds, f"It costs $1,{ch}000 per knee.") == []
        assert values(ds, f"It costs $1{ch},000 per knee.") == []
        assert values(ds, f"It costs $2{ch}.5 per cell.") == []
    # beside it: the number as shown
    assert values(ds, "Knee pain fell \u200b50%\u200d after the injection.") == ["50%"]
    # between the number and its unit: the value as it shows (a value holding the
    # invisible character would be refused by validate)
    assert values(ds, "Knee pain fell 50\u200b% after the injection.") == ["50%"]
    # digits other than 0-9 read as other numbers than they show: not drafted
    assert values(ds, "Knee pain fell 5\u0660% after the injection.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("הכאב בברך ירד ב-50% לאחר הזריקה.", ["50%"]),
        ("انخفض الألم بنسبة 50% بعد الحقن.", ["50%"]),
        ("Knee pain fell \u202e%05\u202c after the injection.", []),  # shows as 50%
        ("Knee pain fell \u2067\u200f50%\u2069 after the injection.", ["50%"]),
    ],
    ids=["hebrew", "arabic", "override-reversed", "isolated"],
)
def test_right_to_left_text(ds: Dataset, text: str, expected: list[str]) -> None:
    assert values(ds, text) == expected


RTL_PAGE = (
    "הכאב בברך ירד ב-50% תוך 3 חודשים.\n"
    "Knee pain fell \u202e%05\u202c within 3 months \u200b\u2066isolated\u2069.\n"
    "It is a guaranteed cure \u202eeruc deetnaraug\u202c.\n"
)


@pytest.mark.parametrize("fmt", ["yaml", "json", "table", "csv", "markdown"])
def test_rtl_and_invisible_text_prints_safely(run: Run, tmp_path: Path, fmt: str) -> None:
    path = write(tmp_path, RTL_PAGE)
    for command in (["extract", str(path)], ["redflags", str(path)]):
        if fmt == "yaml" and command[0] == "redflags":
            continue
        result = run(*command, "--format", fmt)
        assert result.exit_code == 0, result.output
        assert_terminal_safe(result.stdout)
        assert_terminal_safe(result.stderr)


def check_drafts(ds: Dataset, text: str) -> int:
    """Every draft quotes the text, and its value reads back with the dataset grammar."""
    result = extract(ds, text, source_id="page")
    for d in result.drafts:
        assert d.quote in " ".join(text.split()) or d.quote in text
        assert parse(d.value.text) == d.value
        assert 0 <= d.start < d.end <= len(text)
    return len(result.drafts)


REGEX_HOSTILE = {
    "dash-chain": "1-" * 2000 + "1%",
    "dollars": "$" * 5000 + "5",
    "betweens": "between " * 1000 + "5 and 6%",
    "or-more": "50% or more " * 500,
    "percent-signs": "%" * 5000,
    "comma-digits": "1," * 2000 + "000",
    "dots": "." * 5000,
    "pipes": "|" * 5000,
    "pipe-rows": "|1|2|\n" * 500,
    "questions": "?" * 5000,
    "abbreviations": "e.g. " * 1000,
    "qualifiers": "over about up to nearly " * 1000 + "5%",
    "arabic-indic-digits": "٥" * 5000 + "٪",
    "fullwidth-digits": "Pain fell ５０％ in ３ months.",
    "emoji": "😀" * 5000 + " 50%",
    "combining-marks": "5" + "\u0301" * 5000 + "0%",
    "ages": "55-year-old " * 1000,
    "timepoints": "week 1 " * 1000,
    "proportions": "1 of 2 of 3 of " * 500,
    "huge-number": "Pain fell " + "9" * 5000 + "% in trials.",
    "tiny-number": "Pain fell 0." + "0" * 5000 + "1% in trials.",
    "carriage-returns": "Pain fell 50%.\r" * 500,
}


@pytest.mark.parametrize("text", REGEX_HOSTILE.values(), ids=list(REGEX_HOSTILE))
def test_regex_hostile_text_gives_a_result(ds: Dataset, text: str) -> None:
    check_drafts(ds, text)
    for finding in scan_text(text, path="page").findings:
        assert 0 <= finding.start < finding.end <= len(text)


@pytest.mark.slow
def test_a_10_mb_line(ds: Dataset, tmp_path: Path, run: Run) -> None:
    text = (
        "It is a guaranteed cure: knee pain fell 50% within 3 months. "
        + "x" * 10_000_000
        + " Treatment costs $5,000 per knee."
    )
    path = write(tmp_path, text)
    result = run("extract", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json_values(result.stdout) == ["50%", "$5,000"]
    flags = run("redflags", str(path), "--format", "json")
    assert flags.exit_code == 0, flags.output
    assert '"match": "guaranteed"' in flags.stdout
    assert "x" * 1000 not in flags.stdout  # quotes are cut, not 10 MB long


def test_a_page_of_numbers_without_sentence_ends_gives_short_quotes(
    run: Run, tmp_path: Path
) -> None:
    """Each draft quotes the words around its number, never the whole run of text: the
    drafts of a page grow with the page, not with its square."""
    from stemcli.ops.extract import MAX_QUOTE

    text = "Knee pain fell 60-70%. " + "5% of patients " * 3000
    page = tmp_path / "page.txt"
    page.write_text(text, encoding="utf-8")
    result = run("extract", str(page), "--format", "json")
    assert result.exit_code == 0, result.output
    drafts = json.loads(result.stdout)
    assert len(drafts) == 3001
    assert all(len(d["quote"]) <= MAX_QUOTE for d in drafts)
    assert all(d["quote"] in text and d["value"]["text"] in d["quote"] for d in drafts)
    assert drafts[0]["quote"] == "Knee pain fell 60-70%."
