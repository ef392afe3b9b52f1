"""Planted content: text from data, pages and file names never becomes structure.

Three ways a page or a dataset plants something a person did not see:

- a line or paragraph separator (or U+0085, a carriage return ...) in a page's FILE NAME
  ends the comment it is echoed in, and what follows becomes YAML: a finished claim in
  the extract drafts;
- a cell starting with ``=``, ``+``, ``-``, ``@``: a spreadsheet runs it as a formula;
- zero-width, tag and other invisible characters: the text reads as something else than
  it is, and ``50<ZWSP>%`` passes as a value.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from stemcli.cli.options import ListingFormat as OutputFormat
from stemcli.model import Quantity
from stemcli.ops.extract import Draft, Extraction
from stemcli.reports import drafts_yaml
from stemcli.text.neutralise import csv_cell, first_escaped, visible

from .conftest import (
    EVIL,
    SOURCE,
    Run,
    assert_one_error,
    claim,
    data_args,
    hostile_dataset,
    is_unsafe,
    stemcli,
    write_dataset,
)
from .test_terminal import DATA_COMMANDS, ERROR_ARGS, TYPED

FORMATS = [f.value for f in OutputFormat]
LOADERS = [yaml.SafeLoader, *([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])]

# ---------------------------------------------------------------------------
# what a reader or a parser might take for a line break, or not see at all

BREAKS = {
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
    "next-line": "\x85",
    "carriage-return": "\r",
    "crlf": "\r\n",
    "line-feed": "\n",
    "vertical-tab": "\x0b",
    "form-feed": "\x0c",
}

INVISIBLE = {
    "zero-width-space": "\u200b",
    "zero-width-non-joiner": "\u200c",
    "zero-width-joiner": "\u200d",
    "word-joiner": "\u2060",
    "invisible-times": "\u2062",
    "invisible-plus": "\u2064",
    "byte-order-mark": "\ufeff",
    "soft-hyphen": "\u00ad",
    "mongolian-vowel-separator": "\u180e",
    "arabic-letter-mark": "\u061c",
    "tag-a": "\U000e0041",
    "cancel-tag": "\U000e007f",
    "hangul-filler": "\u3164",
    "combining-grapheme-joiner": "\u034f",
    "line-separator": "\u2028",
    "paragraph-separator": "\u2029",
    # default-ignorable code points outside category Cf: they render as nothing too
    "tag-block-start": "\U000e0000",
    "tag-block-unassigned": "\U000e0002",
    "ignorable-block-end": "\U000e0fff",
    "ignorable-after-selectors": "\U000e01f0",
    "reserved-in-2060-block": "\u2065",
    "mongolian-variation-selector": "\u180b",
    "mongolian-variation-selector-4": "\u180f",
    "reserved-specials": "\ufff0",
    "variation-selector-1": "\ufe00",
}
# one per word, so that a table may wrap between them and still show each one whole
HIDDEN = " ".join(INVISIBLE.values())


def is_hidden(ch: str) -> bool:
    """Shown as nothing, or acted on: format and separator characters, controls."""
    return (
        unicodedata.category(ch) in ("Cf", "Zl", "Zp", "Cs")
        or is_unsafe(ch)
        or ch in INVISIBLE.values()
    )


def assert_nothing_hidden(text: str, what: str) -> None:
    bad = [i for i, ch in enumerate(text) if is_hidden(ch)]
    if bad:
        i = bad[0]
        raise AssertionError(
            f"{what}: {len(bad)} hidden characters, first: {text[i - 40 : i + 40]!r}"
        )


def test_every_format_character_of_this_python_is_escaped() -> None:
    """The neutraliser's table covers all of Unicode category Cf (and Zl, Zp, surrogates)."""
    missing = [
        f"U+{cp:04X}"
        for cp in range(0x110000)
        if unicodedata.category(chr(cp)) in ("Cf", "Zl", "Zp", "Cs") and not first_escaped(chr(cp))
    ]
    assert missing == []


# ---------------------------------------------------------------------------
# 1. extract drafts: whatever the file name and the text, the YAML is the drafts


def planted_name(sep: str) -> str:
    """A file name that, if echoed raw into a comment, ends it and adds a claim."""
    return (
        f"page{sep}- id: planted-claim{sep}  condition: knee-oa{sep}  outcome: pain"
        f"{sep}  measure: effect{sep}  value: 99%{sep}  basis: none{sep}  quote: x{sep}#.txt"
    )


@pytest.mark.parametrize("sep", BREAKS.values(), ids=BREAKS.keys())
def test_a_file_name_never_adds_yaml_to_the_drafts(run: Run, tmp_path: Path, sep: str) -> None:
    page = tmp_path / planted_name(sep)
    page.write_text("Knee osteoarthritis: 70% of patients improved in 3 months.\n", "utf-8")
    as_json = run("extract", str(page), "--source-id", "evil", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    intended = json.loads(as_json.stdout)
    assert len(intended) == 1
    result = run("extract", str(page), "--source-id", "evil")
    assert result.exit_code == 0, result.output
    assert_nothing_hidden(result.stdout, "stdout")
    assert_nothing_hidden(result.stderr, "stderr")
    for loader in LOADERS:
        loaded = yaml.load(result.stdout, Loader=loader)
        assert [d["id"] for d in loaded] == [d["id"] for d in intended], loader
        assert loaded[0]["value"] == intended[0]["value"]["text"]
        assert loaded[0]["quote"] == intended[0]["quote"]
    assert "planted-claim" in result.stdout  # the name is echoed, in a comment


_ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
# the file name comes from the file system: undecodable bytes become lone surrogates
_PATH = st.text(max_size=60)
_WORD = st.one_of(st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True), _ANY_TEXT)


@st.composite
def drafts(draw: st.DrawFn) -> Draft:
    def quantity(text: str) -> Quantity:
        return Quantity(text=text, low=1.0, high=2.0, unit=None)

    timepoint = draw(st.one_of(st.none(), _ANY_TEXT))
    return Draft(
        id=draw(_WORD),
        value=quantity(draw(_ANY_TEXT)),
        quote=draw(_ANY_TEXT),
        start=0,
        end=1,
        line=draw(st.integers(1, 10**6)),
        column=draw(st.integers(1, 10**4)),
        condition=draw(_WORD),
        stages=tuple(draw(st.lists(_WORD, max_size=3))),
        outcome=draw(_WORD),
        measure=draw(_WORD),
        basis=draw(_WORD),
        timepoint=quantity(timepoint) if timepoint is not None else None,
        comparator=draw(st.one_of(st.none(), _ANY_TEXT)),
        n=draw(st.one_of(st.none(), st.integers(1, 10**9))),
        guessed=tuple(draw(st.lists(st.sampled_from(("condition", "stages", "value", "n"))))),
    )


def intended(d: Draft) -> dict[str, Any]:
    """The claim the YAML must read back as: these keys, these values, nothing else."""
    out: dict[str, Any] = {
        "id": d.id,
        **({"review": list(dict.fromkeys(d.guessed))} if d.guessed else {}),
        "condition": d.condition,
        "stages": list(d.stages),
        "outcome": d.outcome,
        "measure": d.measure,
        "value": d.value.text,
    }
    if d.timepoint is not None:
        out["timepoint"] = d.timepoint.text
    if d.comparator:
        out["comparator"] = d.comparator
    out["basis"] = d.basis
    if d.n is not None:
        out["n"] = d.n
    out["quote"] = " ".join(d.quote.split())
    return out


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(path=_PATH, items=st.lists(drafts(), max_size=3), segments=st.integers(0, 10**6))
def test_drafts_yaml_reads_back_as_exactly_the_drafts(
    path: str, items: list[Draft], segments: int
) -> None:
    ex = Extraction(source_id="evil", path=path, drafts=tuple(items), segments=segments)
    text = drafts_yaml(ex)
    assert_nothing_hidden(text, "drafts")
    want = [intended(d) for d in items] or None
    for loader in LOADERS:
        assert yaml.load(text, Loader=loader) == want, loader
    # every line is a comment, blank, or a field of a draft: nothing else was emitted
    for line in text.splitlines():
        assert line == "" or line.startswith(("#", "- id: ", "  ")), line


# ---------------------------------------------------------------------------
# 2. CSV: no cell is a formula to a spreadsheet

FORMULAS = (
    '=HYPERLINK("http://evil.example/","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
)
LEADS = tuple(f[0] for f in FORMULAS)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def formula_text(label: str) -> str:
    """The field's text behind a formula (aliases stay plain: they are typed to find)."""
    if label in ("alias", "mild"):
        return label
    return f"{FORMULAS[len(label) % len(FORMULAS)]} {label}"


def assert_no_formula(out: str) -> list[str]:
    cells = [cell for row in csv.reader(io.StringIO(out)) for cell in row]
    for cell in cells:
        if cell.startswith((*LEADS, "\t", "\r")):
            assert _NUMBER.fullmatch(cell), cell
    return cells


CSV_COMMANDS = [
    *DATA_COMMANDS,
    (["export"], {0}, True),
    (["verify", "--sources", "{root}/archive"], {1}, False),
]
CSV_IDS = [" ".join(c[0]) for c in CSV_COMMANDS]


@pytest.fixture
def formulas(tmp_path: Path) -> Path:
    return hostile_dataset(tmp_path / "formulas", text=formula_text)


def csv_run(run: Run, root: Path, command: list[str], *extra: str) -> Any:
    argv = [a.replace("{root}", str(root)) for a in command]
    return run(*data_args(root), *argv, "--format", "csv", *extra)


@pytest.mark.parametrize(("command", "codes", "shown"), CSV_COMMANDS, ids=CSV_IDS)
def test_csv_cells_are_never_formulas(
    run: Run, formulas: Path, command: list[str], codes: set[int], shown: bool
) -> None:
    result = csv_run(run, formulas, command)
    assert result.exit_code in codes, result.output
    cells = assert_no_formula(result.stdout)
    if shown:  # the text is there, as text
        assert any(c.startswith(tuple(f"'{lead}" for lead in LEADS)) for c in cells), cells


@pytest.mark.parametrize(("command", "codes", "shown"), CSV_COMMANDS, ids=CSV_IDS)
def test_raw_csv_keeps_the_cells_as_they_are(
    run: Run, formulas: Path, command: list[str], codes: set[int], shown: bool
) -> None:
    result = csv_run(run, formulas, command, "--raw")
    assert result.exit_code in codes, result.output
    cells = [cell for row in csv.reader(io.StringIO(result.stdout)) for cell in row]
    assert not any(c.startswith(tuple(f"'{lead}" for lead in LEADS)) for c in cells)
    if shown:
        assert any(c.startswith(FORMULAS) for c in cells), cells


@pytest.mark.parametrize("raw", [False, True])
def test_extract_csv_from_a_page_with_formulas(run: Run, tmp_path: Path, raw: bool) -> None:
    """A sentence that starts as a formula becomes a quote, its cell a formula if left raw."""
    page = tmp_path / "page.txt"
    page.write_text(
        "\n".join(f"{f} {n}% of patients improved in 3 months." for n, f in enumerate(FORMULAS)),
        encoding="utf-8",
    )
    result = run("extract", str(page), "--format", "csv", "--full", *(["--raw"] if raw else []))
    assert result.exit_code == 0, result.output
    cells = [cell for row in csv.reader(io.StringIO(result.stdout)) for cell in row]
    if raw:
        assert any(c.startswith(FORMULAS[1]) for c in cells), cells
    else:
        assert_no_formula(result.stdout)
        assert any(c.startswith("'" + FORMULAS[1]) for c in cells), cells


def test_plain_numbers_stay_numbers(run_mini: Run) -> None:
    result = run_mini("export", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    for row in rows:
        for key in ("low", "high"):
            assert _NUMBER.fullmatch(row[key]), row[key]


@given(st.text(max_size=30))
def test_csv_cell_neutralises_every_formula(text: str) -> None:
    cell = csv_cell(text)
    if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert _NUMBER.fullmatch(cell)
        assert cell == text
    raw = csv_cell(text, raw=True)
    assert cell in (raw, "'" + raw)


@pytest.mark.parametrize("text", ["-13", "+2.5", "1e3", "-0.5", ".5", "42"])
def test_a_plain_number_is_left_as_it_is(text: str) -> None:
    assert csv_cell(text) == text


@pytest.mark.parametrize("text", ["-", "-13 days", "-1+2", "=1", "@x", "\t=1", "+", "=-13"])
def test_anything_else_leading_like_a_formula_is_quoted(text: str) -> None:
    assert csv_cell(text).startswith("'")


# ---------------------------------------------------------------------------
# 3. invisible characters: shown in every output, refused in values and ids


def hidden_text(label: str) -> str:
    if label in ("alias", "mild"):
        return label
    return f"{HIDDEN} {label} {HIDDEN}"


@pytest.fixture
def invisible(tmp_path: Path) -> Path:
    return hostile_dataset(tmp_path / "invisible", text=hidden_text)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("command", "codes", "shown"), DATA_COMMANDS, ids=[" ".join(c[0]) for c in DATA_COMMANDS]
)
def test_invisible_characters_are_shown_in_every_output(
    run: Run, invisible: Path, command: list[str], codes: set[int], shown: bool, fmt: str
) -> None:
    result = run(*data_args(invisible), *command, "--format", fmt)
    assert result.exit_code in codes, result.output
    assert_nothing_hidden(result.stdout, "stdout")
    assert_nothing_hidden(result.stderr, "stderr")
    if shown:
        assert "u200b" in result.stdout
        assert "U000e0041" in result.stdout or "udb40\\udc41" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "csv", "yaml"])
def test_export_shows_invisible_characters(run: Run, invisible: Path, fmt: str) -> None:
    result = run(*data_args(invisible), "export", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert_nothing_hidden(result.stdout, "stdout")
    assert "u200b" in result.stdout


def test_json_keeps_invisible_characters_exactly(run: Run, invisible: Path) -> None:
    result = run(*data_args(invisible), "show", "evil-a-odd", "--format", "json")
    assert result.exit_code == 0, result.output
    assert HIDDEN in json.dumps(json.loads(result.stdout), ensure_ascii=False)


@pytest.mark.parametrize("fmt", ["yaml", *FORMATS])
def test_extract_shows_invisible_characters(run: Run, tmp_path: Path, fmt: str) -> None:
    page = tmp_path / f"page{HIDDEN}.txt"
    page.write_text(f"Knee osteoarthritis: {HIDDEN} 70% of patients improved.\n", "utf-8")
    result = run("extract", str(page), "--source-id", "evil", "--format", fmt, "--full")
    assert result.exit_code == 0, result.output
    assert_nothing_hidden(result.stdout, "stdout")
    assert_nothing_hidden(result.stderr, "stderr")
    assert "u200b" in result.stdout
    assert "u200b" in result.stderr  # the file name, in the note


def test_emoji_keep_their_joiners(run: Run, tmp_path: Path) -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    root = write_dataset(tmp_path / "d", sources=[{**SOURCE, "title": f"{family} clinic"}])
    result = run(*data_args(root), "sources")
    assert result.exit_code == 0, result.output
    assert family in result.stdout


Field = Callable[[str], dict[str, Any]]
VALUE_FIELDS: dict[str, Field] = {
    "value": lambda ch: claim(value=f"50{ch}%"),
    "value-start": lambda ch: claim(value=f"{ch}50%"),
    "timepoint": lambda ch: claim(timepoint=f"12{ch} months"),
}


@pytest.mark.parametrize("ch", INVISIBLE.values(), ids=INVISIBLE.keys())
@pytest.mark.parametrize("field", VALUE_FIELDS.values(), ids=VALUE_FIELDS.keys())
def test_a_value_with_an_invisible_character_is_refused(
    run: Run, tmp_path: Path, field: Field, ch: str
) -> None:
    root = write_dataset(tmp_path / "d", claims={"src": [field(ch)]})
    result = run(*data_args(root), "validate", "--format", "json")
    assert result.exit_code == 1, result.output
    (problem,) = json.loads(result.stdout)
    assert problem["file"].endswith("src.yaml"), problem
    assert problem["line"] >= 1, problem
    assert problem["column"] >= 1, problem
    assert_nothing_hidden(result.stdout + result.stderr, "output")
    # every other command: one located error, the data exit code
    result = run(*data_args(root), "sources")
    assert result.exit_code == 3, result.output
    assert re.search(r"src\.yaml:\d+:\d+", assert_one_error(result.stderr)), result.stderr


@pytest.mark.parametrize(
    "digit",
    ["\u0660", "\uff10", "\u0665", "\U0001d7ce", "\u0966"],
    ids=[
        "arabic-indic-zero",
        "full-width-zero",
        "arabic-indic-five",
        "math-bold-zero",
        "devanagari-zero",
    ],
)
@pytest.mark.parametrize("field", VALUE_FIELDS.values(), ids=VALUE_FIELDS.keys())
def test_a_value_with_a_digit_other_than_0_to_9_is_refused(
    run: Run, tmp_path: Path, field: Field, digit: str
) -> None:
    """ "5\u0660%" is read as 50 % by Python while a reader sees "5.%" or "5%"."""
    root = write_dataset(tmp_path / "d", claims={"src": [field(digit)]})
    result = run(*data_args(root), "validate", "--format", "json")
    assert result.exit_code == 1, result.output
    (problem,) = json.loads(result.stdout)
    assert problem["file"].endswith("src.yaml"), problem
    assert problem["line"] >= 1, problem
    assert "0-9" in problem["message"], problem


IDS: dict[str, Callable[[str], dict[str, Any]]] = {
    "claim": lambda ch: {"claims": {"src": [claim(f"c-{ch}one")]}},
    "source": lambda ch: {"sources": [{**SOURCE, "id": f"s{ch}rc"}]},
    "condition": lambda ch: {"conditions": [{"id": f"co{ch}nd", "name": "C"}]},
    "outcome": lambda ch: {"outcomes": {"outcomes": [{"id": f"pa{ch}in", "name": "P"}]}},
    "measure": lambda ch: {"outcomes": {"measures": [{"id": f"eff{ch}ect"}]}},
}


@pytest.mark.parametrize("ch", ["\u200b", "\u00ad", "\U000e0041", "\u2060"])
@pytest.mark.parametrize("kind", IDS.values(), ids=IDS.keys())
def test_an_id_with_an_invisible_character_is_refused(
    run: Run, tmp_path: Path, kind: Callable[[str], dict[str, Any]], ch: str
) -> None:
    root = write_dataset(tmp_path / "d", **kind(ch))
    result = run(*data_args(root), "validate", "--format", "json")
    assert result.exit_code == 1, result.output
    problems = json.loads(result.stdout)
    # located, and naming the id with its invisible character made visible
    shown = visible(ch)
    assert any(p["line"] and shown in f"{p['message']} {p['claim']!r}" for p in problems), problems
    assert_nothing_hidden(result.stdout + result.stderr, "output")


TYPED_HIDDEN = "zz" + "".join(INVISIBLE.values()) + "qq"


@pytest.mark.parametrize(("args", "code"), ERROR_ARGS, ids=lambda v: str(v)[:24])
def test_error_messages_show_invisible_characters(
    hostile: Path, tmp_path: Path, args: list[str], code: int
) -> None:
    """Through the entry point, so that the parser's own errors are covered too."""
    page = tmp_path / "page.txt"
    page.write_text("Pain fell 70%.\n", encoding="utf-8")
    argv = [a.replace(TYPED, TYPED_HIDDEN).replace("{page}", str(page)) for a in args]
    result = stemcli(*data_args(hostile), *argv)
    assert result.returncode == code, result.stderr
    assert_nothing_hidden(result.stderr, "stderr")
    assert "zz" in result.stderr
    assert "u200b" in result.stderr


def test_compare_chart_and_its_recordings_show_invisible_characters(
    run: Run, invisible: Path, tmp_path: Path
) -> None:
    svg, html = tmp_path / "c.svg", tmp_path / "c.html"
    result = run(
        *data_args(invisible),
        "compare",
        "knee-oa",
        "--chart",
        "--svg",
        str(svg),
        "--html",
        str(html),
    )
    assert result.exit_code == 0, result.output
    assert_nothing_hidden(result.stdout, "stdout")
    assert_nothing_hidden(result.stderr, "stderr")
    assert "u200b" in result.stdout
    for path in (svg, html):
        assert_nothing_hidden(path.read_text(encoding="utf-8"), path.name)


def test_a_file_name_with_line_breaks_stays_on_its_row(run: Run, tmp_path: Path) -> None:
    """A claims file named 'x\\n0 problems.yaml' must not print a line of its own."""
    root = write_dataset(tmp_path / "d", claims={"src": [claim(value="not a value")]})
    forged = root / "claims" / "zz\n\n0 problems\nok.yaml"
    (root / "claims" / "src.yaml").rename(forged)
    result = run(*data_args(root), "validate", env={"COLUMNS": "1000"})  # nothing wraps
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    # header, rule, the one problem's row, the count: the name forged no line of its own
    assert len(lines) == 4, lines
    assert lines[-1] == "1 problem", lines


def test_yaml_export_reads_back_as_exactly_the_json(run: Run, tmp_path: Path) -> None:
    """YAML, like JSON, keeps the exact text: every hidden character as a YAML escape."""
    root = hostile_dataset(tmp_path / "d", text=lambda plain: f"=1+1 {plain} {HIDDEN} {EVIL}")
    as_yaml = run(*data_args(root), "export", "--format", "yaml")
    as_json = run(*data_args(root), "export", "--format", "json")
    assert as_yaml.exit_code == as_json.exit_code == 0, as_yaml.output
    for loader in LOADERS:
        assert yaml.load(as_yaml.stdout, Loader=loader) == json.loads(as_json.stdout), loader
    assert_nothing_hidden(as_yaml.stdout, "yaml")
