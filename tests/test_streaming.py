"""Lazy reports and streamed output: a report builds only the format written, JSON and CSV
are written a record at a time, and the bytes are those of rendering it all at once."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from stemcli.render import Column, Report, Rows, lazy
from stemcli.render import csv_ as csv_render
from stemcli.render import json_ as json_render
from stemcli.text.neutralise import csv_cell

Run = Callable[..., Result]
EXAMPLE = Path(__file__).parent.parent / "docs" / "examples" / "regen-knee.html"

# every command that writes a listing, with arguments that give it rows on the bundled data
LISTINGS = [
    ("lookup", "knee-oa"),
    ("lookup", "knee-oa", "--stage", "middle"),
    ("search", "cost", "--limit", "0"),
    ("show", "bookimed-trial-oa-responders-79pct"),
    ("sources",),
    ("conditions",),
    ("outcomes",),
    ("validate",),
    ("verify",),
    ("compare", "knee-oa"),
    ("conflicts", "--limit", "0"),
    ("conflicts", "--count"),
    (
        "conflicts",
        "--explain",
        "stemmedicare-maintenance-follow-up-years-1-3",
        "stemmedicare-maintenance-follow-up-years-3-5",
    ),
    ("redflags", "--source", "stemmedicare"),
    ("extract", str(EXAMPLE)),
    ("export",),
]


def eager_csv(report: Report, bom: bool = False) -> str:
    """CSV as the renderer wrote it before it streamed: every row, then the text."""
    header, rows = report.csv()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in list(rows):
        writer.writerow([csv_cell(c) for c in row])
    return ("\ufeff" if bom else "") + buf.getvalue()


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> list[Report]:
    """The reports the commands hand to emit."""
    from stemcli.cli import env

    seen: list[Report] = []
    original = env.emit

    def spy(report: Report, *args: object, **kwargs: object) -> None:
        seen.append(report)
        original(report, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(env, "emit", spy)
    for module in ("browse", "checks", "analyse", "pages", "listing"):
        mod = __import__(f"stemcli.cli.{module}", fromlist=["emit"])
        if hasattr(mod, "emit"):
            monkeypatch.setattr(mod, "emit", spy)
    return seen


@pytest.mark.parametrize(
    "args", LISTINGS, ids=lambda a: " ".join(a[:2]).replace(str(EXAMPLE), "page")
)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_streamed_bytes_are_those_of_the_whole(
    run: Run, emitted: list[Report], args: tuple[str, ...], fmt: str
) -> None:
    result = run(*args, "--format", fmt)
    assert result.exit_code in (0, 1), result.stderr
    [report] = emitted[-1:]
    whole = json_render.dumps(report.data) if fmt == "json" else eager_csv(report)
    assert result.stdout == whole


def test_streamed_to_a_file_and_with_a_bom(run: Run, emitted: list[Report], tmp_path: Path) -> None:
    out = tmp_path / "claims.csv"
    result = run("lookup", "knee-oa", "-f", "csv", "--bom", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == eager_csv(emitted[-1], bom=True)
    assert f"wrote {out}" in result.stderr
    out = tmp_path / "claims.json"
    assert run("export", "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == emitted[-1].data
    assert run("export", "-o", str(out)).exit_code == 2  # never replaced unasked


def test_a_report_builds_only_the_format_written(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    from stemcli.reports import claims

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("built a format that is not written")

    with monkeypatch.context() as m:
        m.setattr(claims, "claim_csv_row", refuse)
        m.setattr(claims, "shorten", refuse)  # the table's quote cell
        assert run("lookup", "knee-oa", "-f", "json").exit_code == 0
        assert run("search", "cost", "-f", "json").exit_code == 0
    with monkeypatch.context() as m:
        m.setattr(claims, "claim_json", refuse)
        m.setattr(claims, "shorten", refuse)
        assert run("lookup", "knee-oa", "-f", "csv").exit_code == 0
    with monkeypatch.context() as m:
        m.setattr(claims, "claim_json", refuse)
        m.setattr(claims, "claim_csv_row", refuse)
        result = run("lookup", "knee-oa")
        assert result.exit_code == 0
        assert "claims from" in result.stdout


def test_json_and_csv_come_in_pieces_of_whole_records() -> None:
    made: list[int] = []

    def record(i: int) -> dict[str, object]:
        made.append(i)
        return {"n": i, "text": f"quote {i}\u2028\x1b", "list": [i, {"x": None}]}

    items = list(range(5000))
    report = Report(
        columns=(Column("N"),),
        rows=lazy(items, lambda i: (str(i),)),
        data=lazy(items, record),
        csv_header=("n",),
        csv_rows=lazy(items, lambda i: (str(i),)),
    )
    pieces = json_render.chunks(report)
    first = next(pieces)
    assert len(made) < len(items)  # written before every record is made
    text = first + "".join(pieces)
    assert text == json_render.dumps([record(i) for i in items])
    assert json_render.render(Report(columns=(), rows=(), data=lazy([], record))) == "[]\n"
    assert len(list(csv_render.chunks(report))) > 1
    assert csv_render.render(report) == eager_csv(report)


def test_rows_stay_lazy_when_cut_and_are_made_once_when_read() -> None:
    calls: list[int] = []
    rows = Rows(range(10), lambda i: calls.append(i) or i * 2)
    assert len(rows[:3]) == 3
    assert calls == []
    report = Report(columns=(), rows=(), data=lazy(range(4), lambda i: calls.append(i) or i))
    assert report.data == [0, 1, 2, 3]
    assert report.data == [0, 1, 2, 3]
    assert calls == [0, 1, 2, 3]


def test_every_table_has_a_default_limit_and_says_what_it_left_out(run: Run) -> None:
    import typer

    from stemcli.cli import full_app

    command = typer.main.get_command(full_app())
    for name, sub in command.commands.items():  # type: ignore[attr-defined]
        params = {p.name: p for p in sub.params}
        fmt = params.get("format")
        offers_table = fmt is not None and "table" in str(fmt.help)
        if offers_table and name != "show":
            assert "limit" in params, f"{name} lists a table without --limit"
    for args, what in [
        (("lookup", "knee-oa"), "claims"),
        (("search", "cost"), "matches"),
        (("sources",), "sources"),
        (("conditions",), "conditions"),
        (("outcomes",), "rows"),
        (("compare", "knee-oa"), "rows"),
        (("conflicts",), "findings"),
        (("redflags", "--source", "stemmedicare"), "red flags"),
        (("extract", str(EXAMPLE), "-f", "table"), "drafts"),
    ]:
        result = run(*args, "--limit", "1")
        assert result.exit_code in (0, 1), result.stderr
        assert "left out" in result.stderr, args
        assert what in result.stderr, args
