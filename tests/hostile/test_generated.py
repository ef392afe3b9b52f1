"""Generated inputs, run through the command line the way a user's shell runs it.

Datasets (valid-ish with hostile text in every field, broken YAML, random bytes), quantity
texts, page files (numbers, hostile characters, other encodings, noise, long lines) and
every command over generated datasets in every format. Whatever the input, a run:

- ends with a documented exit code (0, 1, 2 or 3; 70 is a bug) and no traceback;
- writes no escape byte to standard output (ESC, C1 controls, C0 controls but tab and
  newline);
- writes nothing but its --output file into the working directory, and nothing but
  cache entries into the cache folder.

Each example runs stemcli in this process (``in_process``), in a fresh empty working
directory. The number of examples comes from the hypothesis profile (tests/conftest.py):
``HYPOTHESIS_PROFILE=ci`` runs more (see tests/conftest.py). ``-m "not generated"`` skips them.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from stemcli.quantities import QUALIFIERS, UNITS, QuantityError, parse, scan

from . import strategies as gen
from .conftest import (
    Ran,
    assert_only_cache_entries,
    assert_well_behaved,
    files_in,
    in_process,
    is_escape,
    sandbox,
    scaled,
)

pytestmark = [pytest.mark.generated, pytest.mark.slow]

COMMANDS = {*gen.COMMANDS, "extract", "redflags"}
EXTENSIONS = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md", "yaml": "yaml"}


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A temporary folder for an example's input files (never the working directory)."""
    folder = Path(tempfile.mkdtemp(prefix="stemcli-input-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _format_of(argv: list[str]) -> str:
    if "--format" in argv:
        return argv[argv.index("--format") + 1]
    return "yaml" if argv and argv[0] == "extract" else "table"


def run_checked(
    argv: list[str], env: Mapping[str, str] | None = None, *, to_file: bool = False
) -> Ran:
    """Run ``argv`` in a fresh working directory and check what every run must do.

    With ``to_file``, the result goes to ``-o out.EXT`` in that directory: afterwards the
    directory holds that file or nothing; without, it holds nothing.
    """
    name = f"out.{EXTENSIONS.get(_format_of(argv), 'txt')}"
    full = [*argv, "-o", name] if to_file else list(argv)
    with sandbox() as cwd:
        ran = in_process(full, env)
        with contextlib.suppress(InvalidArgument):  # outside a property: no statistics
            event(f"{next((a for a in argv if a in COMMANDS), '?')}: exit {ran.code}")
        assert_well_behaved(ran)
        left = files_in(cwd)
        allowed = {name} if to_file else set()
        assert left <= allowed, f"{full!r} left {sorted(left)} in its folder"
        if left:
            text = (cwd / name).read_text(encoding="utf-8")
            bad = [ch for ch in text if is_escape(ch)]
            assert not bad, f"{full!r}: {len(bad)} escapes in {name}, first {bad[0]!r}"
    cache = os.environ.get("STEMCLI_CACHE_DIR")
    if cache and Path(cache).exists():
        assert_only_cache_entries(Path(cache))
    return ran


def data_options(root: Path, cache: bool) -> list[str]:
    return ["--no-bundled", "--data", str(root), *([] if cache else ["--no-cache"])]


# ---------------------------------------------------------------------------
# (a) the dataset loader


@scaled(1)
@given(
    files=gen.dataset_files(breakage=False),
    fmt=gen.fmt,
    cache=st.booleans(),
    to_file=st.booleans(),
)
def test_validate_a_generated_dataset(
    files: dict[str, str | bytes], fmt: str, cache: bool, to_file: bool
) -> None:
    with scratch() as tmp:
        root = gen.write_files(tmp / "ds", files)
        run_checked([*data_options(root, cache), "validate", "--format", fmt], to_file=to_file)


@scaled(1)
@given(
    files=gen.dataset_files(breakage=True),
    command=st.sampled_from([["validate"], ["sources"], ["lookup", "knee-oa"], ["export"]]),
    cache=st.booleans(),
)
def test_a_broken_dataset_is_refused_cleanly(
    files: dict[str, str | bytes], command: list[str], cache: bool
) -> None:
    with scratch() as tmp:
        root = gen.write_files(tmp / "ds", files)
        ran = run_checked([*data_options(root, cache), *command])
        if command != ["validate"]:
            assert ran.code in (0, 2, 3), ran.stderr


@scaled(0.5)
@given(
    name=st.sampled_from(["sources.yaml", "conditions.yaml", "outcomes.yaml", "claims/x.yaml"]),
    data=st.binary(max_size=300),
)
@example(name="claims/x.yaml", data=b"\xff\xfe- id: x\n")
@example(name="sources.yaml", data=b"- id: a\n  title: \x00\n")
def test_random_bytes_as_a_data_file(name: str, data: bytes) -> None:
    with scratch() as tmp:
        root = tmp / "ds"
        (root / "claims").mkdir(parents=True)
        (root / name).write_bytes(data)
        run_checked([*data_options(root, cache=True), "validate"])


# ---------------------------------------------------------------------------
# (b) the quantity parser


def _well_formed(q: Any) -> None:
    assert math.isfinite(q.low)
    assert math.isfinite(q.high)
    assert q.low <= q.high
    assert q.unit is None or q.unit in UNITS
    assert q.qualifier in QUALIFIERS


@scaled(2)
@given(gen.quantity_text)
@example("1e400%")
@example("9" * 400 + " days")
def test_the_quantity_parser_reads_or_refuses(text: str) -> None:
    reason = None
    try:
        q = parse(text)
    except QuantityError as e:
        reason = str(e)
    else:
        _well_formed(q)
    assert reason is None or reason.strip()  # refused, with a reason
    for found in scan(text):
        assert 0 <= found.start < found.end <= len(text)
        _well_formed(found.quantity)


# ---------------------------------------------------------------------------
# (c) the page readers


@contextlib.contextmanager
def page_file(name: str, data: bytes) -> Iterator[Path]:
    with scratch() as tmp:
        path = tmp / name
        path.write_bytes(data)
        yield path


@scaled(1)
@given(
    name=gen.page_name,
    data=gen.page_bytes(),
    fmt=st.sampled_from(["yaml", "json", "table", "csv", "markdown"]),
    source_id=gen.mostly(
        st.one_of(st.none(), st.just("my-clinic")),
        gen.hostile_text.map(lambda t: t.replace("\x00", "")),
    ),
    full=st.booleans(),
    to_file=st.booleans(),
    env=gen.environment,
)
def test_extract_on_a_generated_page(
    name: str,
    data: bytes,
    fmt: str,
    source_id: str | None,
    full: bool,
    to_file: bool,
    env: dict[str, str],
) -> None:
    with page_file(name, data) as path:
        argv = ["extract", str(path), "--format", fmt]
        argv += ["--source-id", source_id] if source_id is not None else []
        argv += ["--full"] if full else []
        run_checked(argv, env, to_file=to_file)


@scaled(1)
@given(
    name=gen.page_name,
    data=gen.page_bytes(),
    fmt=gen.fmt,
    fail_on_flag=st.booleans(),
    to_file=st.booleans(),
    env=gen.environment,
)
def test_redflags_on_a_generated_page(
    name: str, data: bytes, fmt: str, fail_on_flag: bool, to_file: bool, env: dict[str, str]
) -> None:
    with page_file(name, data) as path:
        argv = ["redflags", str(path), "--format", fmt]
        argv += ["--fail-on-flag"] if fail_on_flag else []
        run_checked(argv, env, to_file=to_file)


# ---------------------------------------------------------------------------
# (d) every command and renderer over generated datasets


@st.composite
def dataset_and_command(draw: st.DrawFn, commands: list[str]) -> tuple[dict[str, Any], list[str]]:
    values = draw(gen.dataset_values(odd=draw(st.sampled_from([0, 0, 0, 0, 2, 16]))))
    return values, draw(gen.command_line(values, commands))


def _run_on_dataset(
    case: tuple[dict[str, Any], list[str]], cache: bool, to_file: bool, env: dict[str, str]
) -> None:
    values, command = case
    with scratch() as tmp:
        root = gen.write_files(tmp / "ds", gen.text_of(values))
        run_checked([*data_options(root, cache), *command], env, to_file=to_file)


@scaled(1)
@given(
    case=dataset_and_command(["lookup", "show", "search"]),
    cache=st.booleans(),
    to_file=st.booleans(),
    env=gen.environment,
)
def test_lookup_show_and_search_on_a_generated_dataset(
    case: tuple[dict[str, Any], list[str]], cache: bool, to_file: bool, env: dict[str, str]
) -> None:
    _run_on_dataset(case, cache, to_file, env)


@scaled(1)
@given(
    case=dataset_and_command(["compare", "conflicts"]),
    cache=st.booleans(),
    to_file=st.booleans(),
    env=gen.environment,
)
def test_compare_and_conflicts_on_a_generated_dataset(
    case: tuple[dict[str, Any], list[str]], cache: bool, to_file: bool, env: dict[str, str]
) -> None:
    _run_on_dataset(case, cache, to_file, env)


@scaled(1)
@given(
    case=dataset_and_command(["sources", "conditions", "export", "validate"]),
    cache=st.booleans(),
    to_file=st.booleans(),
    env=gen.environment,
)
def test_listings_and_export_of_a_generated_dataset(
    case: tuple[dict[str, Any], list[str]], cache: bool, to_file: bool, env: dict[str, str]
) -> None:
    _run_on_dataset(case, cache, to_file, env)


# ---------------------------------------------------------------------------
# the checks themselves


def test_the_checks_catch_what_they_should(tmp_path: Path) -> None:
    """The oracles of this module fail on each thing they guard against."""
    good = Ran(("sources",), 0, "ok\ttab\n", "", None)
    assert_well_behaved(good)
    bad = [
        Ran(("x",), 70, "", "error: unexpected", None),
        Ran(("x",), 130, "", "", None),
        Ran(("x",), 0, "", "Traceback (most recent call last):", None),
        Ran(("x",), -1, "", "", ValueError("escaped")),
        *(Ran(("x",), 0, f"a{ch}b", "", None) for ch in ["\x1b", "\x9b", "\x85", "\r", "\x00"]),
    ]
    for ran in bad:
        with pytest.raises(AssertionError):
            assert_well_behaved(ran)
    with pytest.raises(AssertionError, match="left"):
        run_checked(["sources", "-o", "stray.txt"])  # a file nobody asked for
    (tmp_path / ".tmp-x.bin").write_bytes(b"")
    with pytest.raises(AssertionError, match="cache folder"):
        assert_only_cache_entries(tmp_path)


# ---------------------------------------------------------------------------
# defect classes known today: each case fails now and passes once its class is fixed
# (strict: the mark then has to go)


def _one_source_dataset(root: Path, title: str, quote: str = "Pain fell 50%.") -> Path:
    from .conftest import SOURCE, claim, write_dataset

    return write_dataset(
        root, sources=[{**SOURCE, "title": title}], claims={"src": [claim(quote=quote)]}
    )


def test_a_stdout_in_another_encoding_is_a_documented_exit(tmp_path: Path) -> None:
    root = _one_source_dataset(tmp_path / "ds", "Café ✓")
    ran = in_process([*data_options(root, cache=False), "sources"], encoding="ascii")
    assert_well_behaved(ran)


def test_columns_0_still_prints_the_table(tmp_path: Path) -> None:
    root = _one_source_dataset(tmp_path / "ds", "A title")
    ran = in_process([*data_options(root, cache=False), "sources"], {"COLUMNS": "0"})
    assert_well_behaved(ran)
    assert "src" in ran.stdout


def test_invisible_characters_never_reach_the_output(tmp_path: Path) -> None:
    root = _one_source_dataset(tmp_path / "ds", "a\u200bb\U000e0041c")
    ran = in_process([*data_options(root, cache=False), "sources"])
    assert_well_behaved(ran)
    assert "\u200b" not in ran.stdout
    assert "\U000e0041" not in ran.stdout


def test_a_csv_cell_never_starts_a_formula(tmp_path: Path) -> None:
    import csv
    import io

    root = _one_source_dataset(tmp_path / "ds", "A title", quote='=HYPERLINK("http://x")')
    ran = in_process([*data_options(root, cache=False), "export", "--format", "csv"])
    assert_well_behaved(ran)
    cells = [cell for row in csv.reader(io.StringIO(ran.stdout)) for cell in row]
    quotes = [cell for cell in cells if "HYPERLINK" in cell]
    assert quotes
    assert not [cell for cell in quotes if cell.startswith("=")]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_a_line_separator_in_a_page_name_keeps_the_draft_yaml_valid(
    tmp_path: Path, separator: str
) -> None:
    import yaml

    page = tmp_path / f"a{separator}b.txt"
    page.write_text("Knee pain fell 60-70% in 3 months.\n", encoding="utf-8")
    ran = in_process(["extract", str(page)])
    assert_well_behaved(ran)
    try:
        drafts = yaml.safe_load(ran.stdout)
    except yaml.YAMLError as e:
        raise AssertionError(f"the draft claims are not YAML: {e}") from None
    assert drafts


# a name the file system gives that is not UTF-8 arrives as text with lone surrogates
NOT_UTF8 = os.fsdecode(b"d\xff")


@pytest.mark.parametrize("cache", [True, False])
def test_a_data_folder_whose_name_is_not_utf8(tmp_path: Path, cache: bool) -> None:
    root = _one_source_dataset(tmp_path / NOT_UTF8, "A title")
    assert_well_behaved(in_process([*data_options(root, cache), "sources"]))


@pytest.mark.parametrize("command", [["extract"], ["redflags"]])
def test_a_page_whose_name_is_not_utf8(tmp_path: Path, command: list[str]) -> None:
    page = tmp_path / f"{NOT_UTF8}.txt"
    page.write_text("Knee pain fell 60-70% in 3 months.\n", encoding="utf-8")
    assert_well_behaved(in_process([*command, str(page)]))
