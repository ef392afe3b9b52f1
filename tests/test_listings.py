"""Listings a person reads: claim handles to copy, prefixes, --limit, narrow layouts.

Every table names each claim by its handle (the first characters of the sha256 of its
id, as few as keep the dataset's handles unique, at least 6), whole (never wrapped or
cut); Markdown, JSON and CSV keep the full id; ``show`` and ``conflicts --explain`` take
an id, a handle, or any unambiguous prefix of either;
every listing command takes ``--limit N`` (tables and Markdown show 50 rows unless
told, data formats everything) and says on stderr how many rows it left out; narrow
layouts keep a quote's number and the words around it, say "any stage" as every
other command does, and never repeat an empty cell.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import Result

from stemcli.cli.options import TABLE_LIMIT
from stemcli.dataset import load
from stemcli.reports.claims import shorten

Run = Callable[..., Result]
WIDTHS = ["80", "120", "200"]
AT = {w: {"COLUMNS": w, "NO_COLOR": "1"} for w in WIDTHS}
MINI = Path(__file__).parent / "fixtures" / "mini"
LEGEND = "Id: a short handle; `stemcli show ID` prints the claim"


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def json_of(result: Result) -> Any:
    return json.loads(ok(result).stdout)


def squash(text: str) -> str:
    return " ".join(text.split())


def write_dataset(root: Path, claims: list[dict[str, Any]], **source: Any) -> Path:
    """One source 'src' (its archive, when given, in archive/), one condition, claims."""
    (root / "claims").mkdir(parents=True)
    src = {"id": "src", "title": "A page", "publisher": "Some Clinic", "kind": "clinic"}
    src["sells_treatment"] = True
    archive = source.pop("archive_text", None)
    if archive is not None:
        (root / "archive").mkdir()
        (root / "archive" / "src.txt").write_text(archive, encoding="utf-8")
        src["archive"] = "src.txt"
    (root / "sources.yaml").write_text(yaml.safe_dump([src]), encoding="utf-8")
    condition = {"id": "cond", "name": "A condition", "stages": ["early", "late"]}
    (root / "conditions.yaml").write_text(yaml.safe_dump([condition]), encoding="utf-8")
    (root / "claims" / "src.yaml").write_text(yaml.safe_dump(claims), encoding="utf-8")
    return root


def claim(cid: str, value: str = "50%", **fields: Any) -> dict[str, Any]:
    base = {
        "id": cid,
        "condition": "cond",
        "outcome": "pain",
        "measure": "effect",
        "value": value,
        "basis": "none",
        "quote": f"Pain fell {value} in this group.",
    }
    return {**base, **fields}


def data(root: Path) -> list[str]:
    return ["--no-bundled", "--no-cache", "--data", str(root)]


def handles_of(ids: list[str]) -> dict[str, str]:
    """The rule, written out: the shortest sha256 prefix (6 or more) unique to each id."""
    digests = {cid: hashlib.sha256(cid.encode()).hexdigest() for cid in ids}
    n = 6
    while len({d[:n] for d in digests.values()}) < len(digests):
        n += 1
    return {cid: d[:n] for cid, d in digests.items()}


@pytest.fixture(scope="module")
def mini_handles() -> dict[str, str]:
    return handles_of([c.id for c in load([MINI], bundled=False, use_cache=False).claims])


@pytest.fixture(scope="module")
def bundled_handles() -> dict[str, str]:
    return handles_of([c.id for c in load(use_cache=False).claims])


# ---------------------------------------------------------------------------
# claim ids in every listing


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "args",
    [["lookup", "knee-oa"], ["lookup", "knee-oa", "--stage", "middle"], ["search", "pain"]],
    ids=" ".join,
)
def test_claim_tables_show_every_handle_whole_and_markdown_the_id(
    run_mini: Run, mini_handles: dict[str, str], args: list[str], width: str
) -> None:
    listed = json_of(run_mini(*args, "-f", "json"))
    ids = [x["claim"]["id"] if "claim" in x else x["id"] for x in listed]
    assert ids
    table = ok(run_mini(*args, env=AT[width])).stdout
    markdown = ok(run_mini(*args, "-f", "markdown")).stdout
    words = table.split()
    for cid in ids:
        # whole on one line: a wrapped or cut handle would not be found
        assert any(mini_handles[cid] in line.split() for line in table.splitlines()), table
        assert cid not in words
        assert f"| {cid} |" in markdown
    # said once, in the table only
    assert table.count(LEGEND) == 1
    assert "handle" not in markdown


def test_claim_csv_keeps_the_full_id(run_mini: Run, mini_handles: dict[str, str]) -> None:
    csv_text = ok(run_mini("lookup", "knee-oa", "-f", "csv")).stdout
    listed = [x["id"] for x in json_of(run_mini("lookup", "knee-oa", "-f", "json"))]
    assert listed
    for cid in listed:
        assert f"\n{cid}," in csv_text
        assert mini_handles[cid] not in csv_text


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_names_the_claims_of_each_value(
    run_mini: Run, mini_handles: dict[str, str], width: str
) -> None:
    rows = json_of(run_mini("compare", "knee-oa", "-f", "json"))["rows"]
    table = ok(run_mini("compare", "knee-oa", env=AT[width])).stdout
    markdown = ok(run_mini("compare", "knee-oa", "-f", "markdown")).stdout
    tokens = set(table.split())
    for row in rows:
        for entries in row["cells"].values():
            if entries:
                assert mini_handles[entries[0]["id"]] in tokens
                assert entries[0]["id"] not in tokens
                assert entries[0]["id"] in markdown
    assert "| Claims |" in markdown
    assert "short handles" in table
    assert "short handles" not in markdown


@pytest.mark.parametrize("width", WIDTHS)
def test_conflicts_show_the_handles_of_both_sides(
    run: Run, bundled_handles: dict[str, str], width: str
) -> None:
    findings = json_of(run("conflicts", "knee-oa", "-f", "json"))
    assert findings
    table = ok(run("conflicts", "knee-oa", env=AT[width])).stdout
    markdown = ok(run("conflicts", "knee-oa", "-f", "markdown")).stdout
    lines = [line.split() for line in table.splitlines()]
    for x in findings:
        for side in (x["a"], x["b"]):
            if side is None:  # arithmetic: its own figures
                continue
            first, more = side["claims"][0]["id"], len(side["claims"]) - 1
            short = bundled_handles[first]
            line = next(words for words in lines if short in words)
            if more:
                assert line[line.index(short) + 1] == f"+{more}"
            assert first in markdown


def test_tables_fit_at_120_columns_with_handles(run: Run) -> None:
    """The bundled knee listings are tables at 120 columns, not one field per line."""
    for args in (["lookup", "knee-oa"], ["compare", "knee-oa"], ["conflicts", "knee-oa"]):
        table = ok(run(*args, env=AT["120"])).stdout
        assert "─" * 40 in table, args  # a table's rule under its header
        assert not re.search(r"^(Id|Claims): (A )?[0-9a-f]{6,}", table, re.MULTILINE), args


def test_conflicts_of_an_arithmetic_finding_name_the_parts(run: Run) -> None:
    [finding] = json_of(run("conflicts", "skin-scar", "-f", "json"))
    assert finding["b"] is None
    markdown = ok(run("conflicts", "skin-scar", "-f", "markdown")).stdout
    parts = finding["recomputed"]["parts"]
    first = parts[0]["id"]
    assert f"{first} +{len(parts) - 1}" in markdown


def test_identical_looking_rows_differ_by_id(run: Run) -> None:
    """Bookimed states 4-6 weeks for sports three times: three rows, three ids."""
    args = ("lookup", "knee-oa", "--source", "bookimed", "--outcome", "return-to-sport")
    rows = [
        line
        for line in ok(run(*args, "-f", "markdown")).stdout.splitlines()
        if line.startswith("| ") and "---" not in line
    ][1:]
    assert len(rows) >= 3
    assert len(set(rows)) == len(rows)
    without_quotes = [row.rsplit(" | ", 1)[0] for row in rows]
    ids = [row.split(" | ")[0] for row in without_quotes]
    assert len(set(ids)) == len(ids)


def test_redflags_and_validate_rows_name_their_claim(run: Run, tmp_path: Path) -> None:
    flagged = ok(run("redflags", "--source", "stemmedicare", env=AT["80"]))
    findings = json_of(run("redflags", "--source", "stemmedicare", "-f", "json"))["findings"]
    assert findings
    tokens = set(flagged.stdout.split())
    assert all(f["claims"][0] in tokens for f in findings)
    long_id = "c-" + "-".join(["word"] * 12)  # longer than any column would be
    root = write_dataset(tmp_path / "ds", [claim(long_id, outcome="no-such-outcome")])
    checked = run(*data(root), "validate", env=AT["80"])
    assert checked.exit_code == 1
    assert long_id in checked.stdout.split()


# ---------------------------------------------------------------------------
# id prefixes


def test_show_takes_a_unique_prefix(run_mini: Run) -> None:
    whole = json_of(run_mini("show", "alpha-pain-middle", "-f", "json"))
    assert json_of(run_mini("show", "alpha-pain-m", "-f", "json")) == whole
    assert json_of(run_mini("show", "  alpha-pain-mi", "-f", "json")) == whole


def test_an_ambiguous_prefix_is_a_usage_error_naming_candidates(run_mini: Run) -> None:
    result = run_mini("show", "alpha-pain")
    assert result.exit_code == 2
    assert result.stdout == ""
    [error, *_] = result.stderr.splitlines()
    assert error.startswith("error: ")
    assert "alpha-pain-early" in error
    assert "alpha-pain-middle" in error
    assert "Traceback" not in result.stderr


def test_an_unknown_id_suggests_the_closest(run_mini: Run) -> None:
    result = run_mini("show", "alpah-pain-middle")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "alpha-pain-middle" in result.stderr
    nothing_like = run_mini("show", "zzzz")
    assert nothing_like.exit_code == 2
    assert nothing_like.stderr.startswith("error: ")


def test_an_exact_id_wins_over_the_longer_ids_it_begins(run: Run, tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "ds", [claim("a-cost"), claim("a-cost-2", "60%")])
    shown = json_of(run(*data(root), "show", "a-cost", "-f", "json"))
    assert shown["claim"]["id"] == "a-cost"
    assert json_of(run(*data(root), "show", "a-cost-", "-f", "json"))["claim"]["id"] == "a-cost-2"


def test_show_takes_a_handle_or_its_prefix_and_prints_both(
    run_mini: Run, mini_handles: dict[str, str]
) -> None:
    cid = "alpha-pain-middle"
    short = mini_handles[cid]
    whole = json_of(run_mini("show", cid, "-f", "json"))
    assert json_of(run_mini("show", short, "-f", "json")) == whole
    assert json_of(run_mini("show", short[:-1], "-f", "json")) == whole  # still unique
    shown = ok(run_mini("show", short, env=AT["120"])).stdout
    assert cid in shown.split()
    assert short in shown.split()
    assert "handle" not in json.dumps(whole)  # the claim JSON contract is unchanged


def test_an_exact_id_wins_over_a_handle_and_a_handle_over_prefixes(
    run: Run, tmp_path: Path
) -> None:
    spelt = handles_of(["x1"])["x1"]  # x1's handle, spelt as an id of its own
    ids = ["x1", spelt, f"{spelt}-more"]
    assert handles_of(ids)["x1"] == spelt
    root = write_dataset(tmp_path / "a", [claim(cid, f"{10 + k}%") for k, cid in enumerate(ids)])
    assert json_of(run(*data(root), "show", spelt, "-f", "json"))["claim"]["id"] == spelt
    # without that id: x1's handle, although it begins another id
    ids = ["x1", f"{spelt}-more"]
    assert handles_of(ids)["x1"] == spelt
    root = write_dataset(tmp_path / "b", [claim(cid, f"{10 + k}%") for k, cid in enumerate(ids)])
    assert json_of(run(*data(root), "show", spelt, "-f", "json"))["claim"]["id"] == "x1"
    # a prefix of both x1's handle and the other id: ambiguous
    assert run(*data(root), "show", spelt[:3]).exit_code == 2


def test_an_ambiguous_handle_prefix_names_candidates_with_their_ids(
    run_mini: Run, mini_handles: dict[str, str]
) -> None:
    by_first: dict[str, list[str]] = {}
    for cid, short in mini_handles.items():
        by_first.setdefault(short[0], []).append(cid)
    first, sharing = next((k, v) for k, v in sorted(by_first.items()) if len(v) > 1)
    result = run_mini("show", first)
    assert result.exit_code == 2
    assert result.stdout == ""
    [error, *_] = result.stderr.splitlines()
    assert error.startswith("error: ")
    for cid in sharing:
        assert mini_handles[cid] in error
        assert cid in error


def test_an_unknown_handle_is_a_usage_error(run_mini: Run, mini_handles: dict[str, str]) -> None:
    unused = next(
        h
        for h in (f"{k:06x}" for k in range(16**6))
        if not any(v.startswith(h) for v in mini_handles.values())
    )
    result = run_mini("show", unused)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr


def test_explain_takes_handles(run_mini: Run, mini_handles: dict[str, str]) -> None:
    whole = json_of(
        run_mini("conflicts", "--explain", "alpha-pain-middle", "beta-pain-middle", "-f", "json")
    )
    a, b = mini_handles["alpha-pain-middle"], mini_handles["beta-pain-middle"]
    assert json_of(run_mini("conflicts", "--explain", a, b, "-f", "json")) == whole
    assert json_of(run_mini("conflicts", "--explain", a[:-1], b, "-f", "json")) == whole


def test_explain_takes_prefixes(run_mini: Run) -> None:
    whole = json_of(
        run_mini("conflicts", "--explain", "alpha-pain-middle", "beta-pain-middle", "-f", "json")
    )
    short = json_of(run_mini("conflicts", "--explain", "alpha-pain-m", "beta-pain", "-f", "json"))
    assert short == whole
    ambiguous = run_mini("conflicts", "--explain", "alpha-pain", "beta-pain-middle")
    assert ambiguous.exit_code == 2
    assert "alpha-pain-early" in ambiguous.stderr
    same = run_mini("conflicts", "--explain", "alpha-pain-m", "alpha-pain-middle")
    assert same.exit_code == 2
    assert same.stdout == ""


# ---------------------------------------------------------------------------
# --limit on every listing


def _left_out(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if "left out" in line]
    assert len(lines) == 1, stderr
    assert "--limit 0" in lines[0]
    return lines[0]


def _rows(value: Any, key: str | None) -> list[Any]:
    rows = value[key] if key is not None else value
    # a lookup lists the reference claims (evidence, surveys) whole, after its listing
    return [r for r in rows if not (isinstance(r, dict) and _reference(r))]


def _reference(row: dict[str, Any]) -> bool:
    return row.get("source_kind") in ("evidence", "survey")


def _page(tmp_path: Path) -> Path:
    page = tmp_path / "page.txt"
    page.write_text(
        "Pain fell 60% in 6 months. 70% of patients improved. It costs $5,000.\n"
        "A guaranteed cure: 90% felt better within 2 weeks.\n",
        encoding="utf-8",
    )
    return page


# (arguments, where the rows are in the JSON: None for a list, else the key)
LISTINGS: list[tuple[list[str], str | None]] = [
    (["lookup", "knee-oa"], None),
    (["search", "pain"], None),
    (["compare", "knee-oa"], "rows"),
    (["conflicts"], None),
    (["sources"], None),
    (["conditions"], None),
    (["outcomes"], "measures"),
    (["redflags", "--source", "stemmedicare"], "findings"),
]


@pytest.mark.parametrize(("args", "key"), LISTINGS, ids=[" ".join(a) for a, _ in LISTINGS])
def test_limit_on_every_listing_says_what_it_left_out(
    run: Run, args: list[str], key: str | None
) -> None:
    everything = _rows(json_of(run(*args, "-f", "json", "--limit", "0")), key)
    assert len(everything) > 1
    limited = run(*args, "-f", "json", "--limit", "1")
    assert _rows(json_of(limited), key) == everything[:1]
    assert "showing" in _left_out(limited.stderr)
    table = ok(run(*args, "--limit", "1"))
    assert _left_out(table.stderr)
    assert "left out" not in table.stdout  # data stays data
    whole = ok(run(*args, "--limit", "0"))
    assert "left out" not in whole.stderr


def test_tables_show_fifty_rows_unless_told_and_data_formats_everything(run: Run) -> None:
    claims = _rows(json_of(run("lookup", "knee-oa", "-f", "json")), None)
    assert len(claims) > TABLE_LIMIT
    assert "left out" not in run("lookup", "knee-oa", "-f", "json").stderr
    csv_rows = ok(run("lookup", "knee-oa", "-f", "csv")).stdout.count("\nstemmedicare-")
    markdown = ok(run("lookup", "knee-oa", "-f", "markdown"))
    # the claims' table; the evidence and surveys follow in a table of their own
    listing, _, reference = markdown.stdout.partition("### Evidence and surveys")
    rows = [line for line in listing.splitlines() if line.startswith("| ")]
    assert len(rows) == 1 + TABLE_LIMIT  # the header, then 50 rows
    assert "| iijima-2018-pain-smd |" in reference
    line = _left_out(markdown.stderr)
    assert f"{TABLE_LIMIT} of {len(claims)}" in line
    assert f"{len(claims) - TABLE_LIMIT} left out" in line
    every = ok(run("lookup", "knee-oa", "-f", "markdown", "--limit", "0")).stdout
    listing = every.partition("### Evidence and surveys")[0]
    assert sum(1 for line in listing.splitlines() if line.startswith("| ")) == 1 + len(claims)
    assert csv_rows == sum(1 for c in claims if c["id"].startswith("stemmedicare-"))


def test_search_and_conflicts_keep_their_best_twenty(run: Run) -> None:
    assert len(json_of(run("search", "pain", "-f", "json"))) == 20
    more = json_of(run("search", "pain", "-f", "json", "--limit", "0"))
    assert len(more) > 20
    listed = run("conflicts", "-f", "json", "--limit", "2")
    assert len(json_of(listed)) == 2
    assert "the 2 most severe" in _left_out(listed.stderr)


def test_limit_on_validate_and_verify(run: Run, tmp_path: Path) -> None:
    bad = [claim(f"c-{i}", outcome="no-such-outcome") for i in range(3)]
    root = write_dataset(tmp_path / "bad", bad)
    every = run(*data(root), "validate", "-f", "json", "--limit", "0")
    assert every.exit_code == 1
    problems = json.loads(every.stdout)
    assert len(problems) >= 3
    one = run(*data(root), "validate", "-f", "json", "--limit", "1")
    assert one.exit_code == 1  # what is found, not what is shown, decides
    assert json.loads(one.stdout) == problems[:1]
    assert _left_out(one.stderr)
    unquoted = [claim(f"m-{i}", quote=f"Not in the page {i}.") for i in range(3)]
    root = write_dataset(tmp_path / "miss", unquoted, archive_text="Nothing here.\n")
    misses = run(*data(root), "verify", "-f", "json", "--limit", "2")
    assert misses.exit_code == 1
    assert len(json.loads(misses.stdout)["misses"]) == 2
    assert "1 left out" in _left_out(misses.stderr)


def test_limit_on_extract_table_never_on_the_claims_file(run: Run, tmp_path: Path) -> None:
    page = _page(tmp_path)
    drafts = json_of(run("extract", str(page), "-f", "json"))
    assert len(drafts) > 1
    one = run("extract", str(page), "-f", "json", "--limit", "1")
    assert json_of(one) == drafts[:1]
    assert _left_out(one.stderr)
    table = ok(run("extract", str(page), "-f", "table", "--limit", "1"))
    assert _left_out(table.stderr)
    refused = run("extract", str(page), "--limit", "1")  # the YAML claims file
    assert refused.exit_code == 2
    assert refused.stdout == ""


def test_a_negative_limit_is_a_usage_error(run: Run) -> None:
    for args in (["lookup", "knee-oa"], ["sources"], ["conflicts"]):
        result = run(*args, "--limit", "-1")
        assert result.exit_code == 2
        assert result.stdout == ""


# ---------------------------------------------------------------------------
# narrow layouts


@pytest.mark.parametrize("width", WIDTHS)
def test_the_bookimed_quote_keeps_its_number_and_key_words(run: Run, width: str) -> None:
    args = ("lookup", "knee-oa", "--source", "bookimed", "--outcome", "improvement")
    table = squash(ok(run(*args, env=AT[width])).stdout)
    assert "79.3% of patients with knee osteoarthritis" in table


def test_a_quote_is_shortened_around_its_value() -> None:
    head = "A very long introduction that says nothing at all about results, " * 3
    quote = head + "then 79.3% of patients with knee osteoarthritis improved, it says, " + head
    short = shorten(quote, 90, False, around="79.3%")
    assert len(short) <= 90
    assert short.startswith("…")
    assert short.endswith("…")
    assert "79.3% of patients with knee osteoarthritis" in short
    # a value not written as stated: its first number is found instead
    assert "79.3%" in shorten(quote, 90, False, around="79.3 %")
    # the start kept when the value is near it: one ellipsis, at the end
    early = shorten("Only 5% " + head, 60, False, around="5%")
    assert early.startswith("Only 5%")
    assert early.endswith("…")
    assert shorten(quote, 90, True, around="79.3%") == quote


def _stage_cells(markdown: str, header: str = "Stage") -> list[str]:
    rows = [line.strip("| ").split(" | ") for line in markdown.splitlines() if line[:2] == "| "]
    at = rows[0].index(header)
    return [row[at] for row in rows[2:] if len(row) == len(rows[0])] if rows else []


def test_stage_wording_is_the_same_in_lookup_search_and_compare(run_mini: Run) -> None:
    gamma = "gamma-pain-any"  # a claim that is not stage-specific
    wording: set[str] = set()
    for args in (
        ["lookup", "knee-oa"],
        ["lookup", "knee-oa", "--stage", "middle"],
        ["search", "about 50"],
    ):
        markdown = ok(run_mini(*args, "-f", "markdown")).stdout
        [row] = [line for line in markdown.splitlines() if f" {gamma} |" in line]
        header = next(line for line in markdown.splitlines() if line.startswith("| "))
        stage_at = header.split(" | ").index("Stage")
        wording.add(row.split(" | ")[stage_at])
        for width in WIDTHS:
            table = ok(run_mini(*args, env=AT[width])).stdout
            assert "any stage" in table
            assert " — " not in table
    compare = ok(run_mini("compare", "knee-oa", "-f", "markdown")).stdout
    wording.update(cell for cell in _stage_cells(compare) if "any" in cell)
    assert "(any stage)" in compare  # a stage's row, a value for any stage
    assert wording == {"any stage"}


def test_compare_at_80_columns_repeats_no_empty_cell(run: Run) -> None:
    table = ok(run("compare", "knee-oa", env=AT["80"])).stdout
    lines = table.splitlines()
    assert not [line for line in lines if re.fullmatch(r"[^:]+: —", line)]
    # each stage (the section) is said once, as a heading
    headings = [line for line in lines if line.startswith("Stage: ")]
    assert headings
    assert len(headings) == len(set(headings))
    # every source with a value still says it
    rows = json_of(run("compare", "knee-oa", "-f", "json"))
    stated = {s for r in rows["rows"] for s, entries in r["cells"].items() if entries}
    publishers = {s["id"]: s["publisher"] for s in rows["sources"]}
    assert all(f"{publishers[s]}: " in table for s in stated)


def test_a_narrow_layout_never_cuts_a_handle(run: Run, tmp_path: Path) -> None:
    long_id = "c-" + "-".join(["word"] * 10)
    short = handles_of([long_id])[long_id]
    root = write_dataset(tmp_path / "ds", [claim(long_id)])
    at_80 = ok(run(*data(root), "lookup", "cond", env={"COLUMNS": "80"})).stdout
    assert f"Id: {short}" in at_80.splitlines()
    at_30 = ok(run(*data(root), "lookup", "cond", env={"COLUMNS": "30"})).stdout
    lines = at_30.splitlines()
    assert all(len(line) <= 30 for line in lines)
    assert f"Id: {short}" in lines
    assert long_id not in at_30


def test_handles_are_as_long_as_the_dataset_needs() -> None:
    from stemcli.ops.handles import handle_length

    assert handle_length(["abcdef" + "0" * 58, "abcde1" + "0" * 58]) == 6
    assert handle_length(["abcdef0" + "0" * 57, "abcdef1" + "0" * 57, "1" * 64]) == 7
    assert handle_length(["abcdef01" + "0" * 56, "abcdef02" + "0" * 56]) == 8
    assert handle_length([]) == 6
