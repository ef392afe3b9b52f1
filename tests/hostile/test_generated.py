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
``HYPOTHESIS_PROFILE=ci`` runs ten times as many. ``-m "not generated"`` skips them.
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

pytestmark = pytest.mark.generated

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
def dataset_and_command(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    values = draw(gen.dataset_values(odd=draw(st.sampled_from([0, 0, 0, 2, 16]))))
    return values, draw(gen.command_line(values))


@scaled(3)
@given(
    case=dataset_and_command(),
    cache=st.booleans(),
    to_file=st.booleans(),
    env=gen.environment,
)
def test_every_command_on_a_generated_dataset(
    case: tuple[dict[str, Any], list[str]], cache: bool, to_file: bool, env: dict[str, str]
) -> None:
    values, command = case
    with scratch() as tmp:
        root = gen.write_files(tmp / "ds", gen.text_of(values))
        run_checked([*data_options(root, cache), *command], env, to_file=to_file)
