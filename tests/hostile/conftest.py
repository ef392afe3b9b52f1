"""Helpers of the hostile suite.

Text that tries to act on a terminal, datasets written from Python values (so any
character can go into any field), and stemcli run as a real process under a memory
limit and a timeout, the way a user's shell runs it.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import Result

Run = Callable[..., Result]

# ---------------------------------------------------------------------------
# text that tries to act on a terminal

PAYLOADS = {
    "sgr": "\x1b[31mred\x1b[0m",
    "clear-screen": "\x1b[2J\x1b[H",
    "osc8-link": "\x1b]8;;http://evil.example/\x07click\x1b]8;;\x07",
    "osc-title": "\x1b]0;pwned\x1b\\",
    "c1-csi": "\x9b1m",
    "carriage-return": "shown\rhidden",
    "backspace": "abc\b\b\b",
    "bell": "\x07",
    "nul": "\x00",
    "delete": "\x7f",
    "bidi-override": "\u202eevil",
    "bidi-isolate": "\u2066x\u2069",
    "rich-markup": "[red]red[/] [link=http://evil.example/]link[/link] [bold]b[/bold]",
}
EVIL = " ".join(PAYLOADS.values())
MARKUP = PAYLOADS["rich-markup"]

_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def is_unsafe(ch: str) -> bool:
    """A character a terminal acts on (C0 but tab and newline, DEL, C1) or that reorders text."""
    cp = ord(ch)
    return (cp < 0x20 and ch not in "\t\n") or 0x7F <= cp < 0xA0 or cp in _BIDI


def assert_terminal_safe(text: str, what: str = "output") -> None:
    bad = [i for i, ch in enumerate(text) if is_unsafe(ch)]
    if bad:
        i = bad[0]
        around = text[max(0, i - 60) : i + 60]
        raise AssertionError(f"{what}: {len(bad)} control characters, first at {i}: {around!r}")


def assert_one_error(stderr: str, *needles: str) -> str:
    """stderr holds exactly one 'error: ...' line (and maybe a hint), no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, stderr
    assert all(line.startswith(("error: ", "hint: ")) for line in lines), stderr
    for needle in needles:
        assert needle in errors[0], (needle, stderr)
    return errors[0]


# ---------------------------------------------------------------------------
# stemcli in a real process


MEMORY_LIMIT = 1 << 30  # address space of the child: a runaway allocation fails, not the machine
TIMEOUT = 60.0  # only a guard against hangs; no test asserts how fast anything is


def default_signals() -> None:
    """In the child, before exec: SIGINT and SIGTERM as a user's shell leaves them.

    A test runner started with SIGINT ignored (nohup, some CI runners) would pass the
    ignoring on to every child, and Python keeps an ignored SIGINT ignored.
    """
    import signal

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def _limits() -> None:  # runs in the child, before exec
    import resource

    default_signals()

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):  # a system that does not limit address space (macOS)
        pass


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test's environment (its isolated cache) without colour or debug settings."""
    drop = ("FORCE_COLOR", "NO_COLOR", "TERM", "STEMCLI_DEBUG", "COLUMNS")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra or {})
    return env


def stemcli(
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
    input: str | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m stemcli ARGS`` under a 1 GiB address-space limit."""
    return subprocess.run(
        [sys.executable, "-m", "stemcli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        env=child_env(env),
        timeout=timeout,
        input=input,
        cwd=cwd,
        check=False,
        preexec_fn=_limits,
    )


def popen(*args: str, env: Mapping[str, str] | None = None, **kw: Any) -> subprocess.Popen[bytes]:
    """``python -m stemcli ARGS`` started, not waited for (signals, pipes)."""
    return subprocess.Popen(
        [sys.executable, "-m", "stemcli", *args],
        env=child_env(env),
        preexec_fn=_limits,
        **kw,
    )


# ---------------------------------------------------------------------------
# datasets from Python values

SOURCE: dict[str, Any] = {
    "id": "src",
    "title": "A source",
    "publisher": "Some Clinic",
    "kind": "clinic",
    "sells_treatment": True,
}
CONDITION: dict[str, Any] = {"id": "cond", "name": "A condition", "stages": ["early", "late"]}


def claim(cid: str = "c-one", **fields: Any) -> dict[str, Any]:
    """A valid claim of source 'src'; a field given as None is left out."""
    base: dict[str, Any] = {
        "id": cid,
        "condition": "cond",
        "outcome": "pain",
        "measure": "effect",
        "value": "50%",
        "basis": "none",
        "quote": "Pain fell 50%.",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


class _NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(value: Any) -> str:
    """YAML for ``value``; an object given twice is written twice, never as an alias."""
    return yaml.dump(value, Dumper=_NoAliases, allow_unicode=True, sort_keys=False)


FileContent = str | bytes | list[Any] | dict[str, Any] | None


def _write(path: Path, content: FileContent) -> None:
    if content is None:
        return
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(dump(content), encoding="utf-8")


def write_dataset(
    root: Path,
    *,
    sources: FileContent = None,
    conditions: FileContent = None,
    claims: Mapping[str, FileContent] | None = None,
    outcomes: FileContent = None,
) -> Path:
    """A dataset folder: values are dumped as YAML, str and bytes are written as they are.

    sources, conditions and claims default to one valid source, condition and claim.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "claims").mkdir(exist_ok=True)
    _write(root / "sources.yaml", [SOURCE] if sources is None else sources)
    _write(root / "conditions.yaml", [CONDITION] if conditions is None else conditions)
    _write(root / "outcomes.yaml", outcomes)
    for name, content in (claims if claims is not None else {"src": [claim()]}).items():
        _write(root / "claims" / f"{name}.yaml", content)
    return root


def data_args(root: Path) -> list[str]:
    return ["--no-bundled", "--no-cache", "--data", str(root)]


# ---------------------------------------------------------------------------
# a valid dataset whose every free-text field is hostile


def _evil(label: str) -> str:
    return f"{label} {EVIL}"


def hostile_dataset(root: Path, text: Callable[[str], str] = _evil) -> Path:
    """Two sources whose numbers disagree, a condition, an outcome: every text is EVIL.

    ``text`` turns each field's plain text into what the field holds (by default, the
    text followed by EVIL).

    evil-a says 10% and $1,000 where evil-b says 90% and $9,000, so compare marks them and
    conflicts lists them. Archived copies for verify: evil-a's archive name is hostile and
    missing; evil-b's copy holds none of its quotes and has the wrong sha256.
    """
    sources = [
        {
            "id": "evil-a",
            "title": text("Title A"),
            "publisher": text("Pub A"),
            "kind": "clinic",
            "sells_treatment": True,
            "archive": "a-\x1b[31m\u202e.txt",
            "sha256": "0" * 64,
        },
        {
            "id": "evil-b",
            "title": text("Title B"),
            "publisher": text("Pub B"),
            "kind": "broker",
            "sells_treatment": False,
            "archive": "b.txt",
            "sha256": "1" * 64,
        },
    ]
    conditions = [
        {
            "id": "knee-oa",
            "name": text("Knee"),
            "aliases": [text("alias")],
            "stages": [{"id": "early", "aliases": [text("mild")]}, "late"],
        }
    ]
    outcomes = {
        "measures": [{"id": "evil-measure", "description": text("Measure")}],
        "outcomes": [
            {"id": "evil-outcome", "name": text("Outcome"), "family": "benefit"},
        ],
    }

    def c(cid: str, value: str, **fields: Any) -> dict[str, Any]:
        return claim(
            cid,
            condition="knee-oa",
            value=value,
            quote=text(f"Patients said {value}"),
            citation=text("Study"),
            **fields,
        )

    claims_a = [
        c("evil-a-pain", "10%", stages=["early"], basis="cited-study", n=10),
        c("evil-a-cost", "$1,000", outcome="cost", measure="cost"),
        c(
            "evil-a-odd",
            "20%",
            outcome="evil-outcome",
            comparator=text("placebo"),
            intervention=text("prp"),
        ),
    ]
    claims_b = [
        c("evil-b-pain", "90%", stages=["early"], basis="cited-study", n=90),
        c("evil-b-cost", "$9,000", outcome="cost", measure="cost"),
    ]
    write_dataset(
        root,
        sources=sources,
        conditions=conditions,
        outcomes=outcomes,
        claims={"evil-a": claims_a, "evil-b": claims_b},
    )
    archive = root / "archive"
    archive.mkdir()
    (archive / "b.txt").write_text(text("Nothing here"), encoding="utf-8")
    return root


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    return hostile_dataset(tmp_path / "hostile")


# ---------------------------------------------------------------------------
# stemcli in this process, the way the console script runs it


@dataclass(frozen=True)
class Ran:
    """What one in-process run of stemcli did."""

    argv: tuple[str, ...]
    code: int
    stdout: str  # decoded from the UTF-8 bytes written to standard output
    stderr: str
    escaped: BaseException | None  # an exception that got past the error boundary


def _entry(argv: list[str]) -> int:
    """Run the console script's entry point on ``argv``; its exit code."""
    from stemcli.__main__ import main

    sys.argv = ["stemcli", *argv]
    try:
        main()
    except SystemExit as e:
        code = e.code
        if code is None:
            return 0
        return code if isinstance(code, int) else 1
    return 0


def in_process(
    argv: list[str], env: Mapping[str, str] | None = None, *, encoding: str = "utf-8"
) -> Ran:
    """``stemcli ARGV`` in this process, with ``env`` added to the environment.

    Standard output and error are text streams over bytes, in ``encoding`` (strict, as a
    real terminal's are), so what stemcli writes is what a user's stream would receive.
    A process runs stemcli once; here the interpreter-wide effects of a run (environment,
    argv, streams, the SIGTERM handler, a frozen garbage collector) are undone after it.
    """
    import gc
    import io
    import signal

    out, err = io.BytesIO(), io.BytesIO()
    streams = (sys.stdout, sys.stderr, sys.argv)
    saved_env = dict(os.environ)
    sigterm = signal.getsignal(signal.SIGTERM)
    escaped: BaseException | None = None
    code = -1
    wrappers = (
        io.TextIOWrapper(out, encoding=encoding, errors="strict"),
        io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace"),
    )
    sys.stdout, sys.stderr = wrappers
    try:
        os.environ.update(env or {})
        code = _entry(list(argv))
    except BaseException as e:  # what a process would die of, with a traceback
        escaped = e
    finally:
        for stream in wrappers:
            with contextlib.suppress(Exception):
                stream.flush()
            with contextlib.suppress(Exception):
                stream.detach()  # the bytes stay readable
        sys.stdout, sys.stderr, sys.argv = streams
        os.environ.clear()
        os.environ.update(saved_env)
        signal.signal(signal.SIGTERM, sigterm)
        gc.unfreeze()
    return Ran(
        tuple(argv),
        code,
        out.getvalue().decode(encoding, errors="backslashreplace"),
        err.getvalue().decode("utf-8", errors="backslashreplace"),
        escaped,
    )


EXIT_CODES = {0, 1, 2, 3}  # documented for these commands; 70 is a bug, 130 an interrupt


def is_escape(ch: str) -> bool:
    """ESC, a C1 control or another C0 control but tab and newline."""
    cp = ord(ch)
    return (cp < 0x20 and ch not in "\t\n") or 0x7F <= cp < 0xA0


def assert_well_behaved(ran: Ran, *, allowed: set[int] = EXIT_CODES) -> None:
    """No traceback, a documented exit code, no escape byte on standard output."""
    what = f"stemcli {' '.join(map(repr, ran.argv))}"
    if ran.escaped is not None:
        raise AssertionError(f"{what}: {type(ran.escaped).__name__} escaped") from ran.escaped
    assert "Traceback" not in ran.stderr, f"{what}\n{ran.stderr}"
    assert ran.code in allowed, f"{what}: exit {ran.code}\n{ran.stderr}"
    bad = [i for i, ch in enumerate(ran.stdout) if is_escape(ch)]
    if bad:
        i = bad[0]
        raise AssertionError(f"{what}: escape on stdout at {i}: {ran.stdout[i - 40 : i + 40]!r}")


@contextlib.contextmanager
def sandbox() -> Iterator[Path]:
    """A fresh empty folder as the working directory, removed afterwards."""
    import shutil
    import tempfile

    before = Path.cwd()
    folder = Path(tempfile.mkdtemp(prefix="stemcli-run-"))
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(before)
        shutil.rmtree(folder, ignore_errors=True)


def files_in(folder: Path) -> set[str]:
    """Every file and folder below ``folder``, relative, hidden ones included."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


CACHE_ENTRY = re.compile(r"dataset-[0-9a-f]{40}\.bin|stemcli-cache\.key")


def assert_only_cache_entries(folder: Path) -> None:
    stray = {name for name in files_in(folder) if not CACHE_ENTRY.fullmatch(name)}
    assert not stray, f"the cache folder holds {sorted(stray)}"


# ---------------------------------------------------------------------------
# how many examples a property gets


def scaled(factor: float) -> Any:
    """Settings giving a test ``factor`` times the loaded profile's number of examples."""
    from hypothesis import settings

    return settings(max_examples=max(1, round(settings.default.max_examples * factor)))
