"""report SOURCE: one page per source, in HTML and Markdown; bad inputs; the seams."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import Result

from stemcli.dataset import load
from stemcli.model import Dataset, Source

Run = Callable[..., Result]
PUBLISH = Path(__file__).parent / "fixtures" / "publish"
HOSTILE = "alpha-hostile"


@pytest.fixture
def run_pub(run: Run) -> Run:
    def invoke(*args: str, **kw: object) -> Result:
        return run("--no-bundled", "--data", str(PUBLISH), *args, **kw)

    return invoke


@pytest.fixture(scope="module")
def pub() -> Dataset:
    return load([PUBLISH], bundled=False, use_cache=False)


class _Page(HTMLParser):
    """The elements and the text of an HTML page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not (self._in and self._in[-1] in ("style", "title")):
            self.text.append(data)


def parse(page: str) -> _Page:
    p = _Page()
    p.feed(page)
    return p


def words(text: str) -> str:
    return " ".join(text.split())


def test_html_page_holds_every_quote_and_figure(run_pub: Run, pub: Dataset) -> None:
    from stemcli.reports.claims import shown

    result = run_pub("report", "alpha")
    assert result.exit_code == 0, result.output
    page = parse(result.stdout)
    text = words(" ".join(page.text))
    for c in (c for c in pub.claims if c.source == "alpha"):
        assert words(c.quote) in text, c.id
        assert shown(c.value) in text, c.id
        assert c.id in text
    # sections a reader looks for, as headings
    headings = [t for t, _ in page.tags if re.fullmatch(r"h[1-3]", t)]
    assert headings.count("h1") == 1
    for heading in (
        "What the page claims",
        "Contradictions and tensions within the page",
        "Disagreements with other sources",
        "Arithmetic",
        "Red flags",
        "Evidence context",
        "Range chart",
        "Provenance",
    ):
        assert f">{heading}</h2>" in result.stdout
    # the findings of the fixture: internal, against beta, arithmetic, red flags
    assert "≠ contradiction" in text
    assert "Beta Broker: 1–2 days" in text
    assert "its own figures give 2 times" in text
    assert "Guidance:" in text
    # provenance: the archive was found beside the dataset and matches; quotes located
    assert "matches the recorded sha256" in text
    assert "08ea102a60f5f423878eaf3923896d2a9f9c0058871646639660965c9bbefa9f" in text
    assert "2:1" in text  # alpha-return is on the archive's line 2
    assert "https://alpha.example/knee" in text


def test_html_page_is_self_contained_and_accessible(run_pub: Run) -> None:
    out = run_pub("report", "alpha").stdout
    page = parse(out)
    tags = [t for t, _ in page.tags]
    assert "script" not in tags
    for tag, attrs in page.tags:  # nothing is loaded: no src, no stylesheet links
        assert "src" not in attrs, tag
        if tag == "link":
            pytest.fail(f"a <link> in the page: {attrs}")
        if "href" in attrs:
            assert tag == "a", (tag, attrs)
            assert (attrs["href"] or "").startswith(("#", "https://alpha.example/")), attrs
    assert "@import" not in out
    assert "url(" not in out
    assert "@media print" in out
    # every header cell has a scope; every table a caption
    assert all(a.get("scope") in ("col", "row") for t, a in page.tags if t == "th")
    assert tags.count("table") == tags.count("caption") > 0
    # the chart: an image with a title and a description, and a caption
    svg = [a for t, a in page.tags if t == "svg"]
    assert len(svg) == 1
    assert svg[0]["role"] == "img"
    assert svg[0]["aria-labelledby"] == "stemcli-figure-title stemcli-figure-desc"
    assert "figcaption" in tags
    assert 'lang="en"' in out


def test_text_from_data_is_text(run_pub: Run, pub: Dataset) -> None:
    out = run_pub("report", "alpha").stdout
    page = parse(out)
    # the quote's markup is no element: one style element, closed once; no script, no b
    assert out.count("</style>") == 1
    assert [t for t, _ in page.tags if t in ("script", "b")] == []
    quote = next(c.quote for c in pub.claims if c.id == HOSTILE)
    assert words(quote) in words(" ".join(page.text))
    assert html.escape(quote, quote=False).replace('"', "&quot;") in out


def test_markdown_report(run_pub: Run, pub: Dataset) -> None:
    result = run_pub("report", "Alpha Clinic", "--format", "markdown")
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert md.startswith("# Alpha Clinic: Alpha Clinic knee page\n")
    assert "## Provenance" in md
    assert "<script" not in md
    assert "</style" not in md
    assert "<b>" not in md
    assert "&lt;script" in md
    assert "Range chart." in md  # the figure's text alternative
    for c in (c for c in pub.claims if c.source == "alpha"):
        assert c.id.replace("-", "-") in md  # ids are not escaped: - is not Markdown


def test_report_writes_a_file_atomically(run_pub: Run, tmp_path: Path) -> None:
    out = tmp_path / "alpha.html"
    result = run_pub("report", "alpha", "--html", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    again = run_pub("report", "alpha", "--html", str(out))
    assert again.exit_code == 2
    assert again.stderr.startswith("error: ")
    assert "--force" in again.stderr
    assert run_pub("report", "alpha", "--html", str(out), "--force").exit_code == 0
    md = tmp_path / "alpha.md"
    assert run_pub("report", "alpha", "-f", "markdown", "-o", str(md)).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("report", "alpah"), 2, "alpha"),  # unknown: the closest ids are suggested
        (("report", "alpha", "--html", "{missing}/x.html"), 3, "mkdir -p"),
        (("report", "alpha", "--html", "a.html", "--format", "markdown"), 2, "--html"),
        (("report", "alpha", "--html", "a.html", "-o", "b.html"), 2, "--html"),
        (("report", "alpha", "--format", "pdf"), 2, "html or markdown"),
        (("report", "alpha", "--sources", "{missing}"), 3, "not a folder"),
    ],
)
def test_bad_input_is_one_error_line(
    run_pub: Run, tmp_path: Path, args: tuple[str, ...], code: int, says: str
) -> None:
    args = tuple(a.replace("{missing}", str(tmp_path / "missing")) for a in args)
    result = run_pub(*args)
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ")
    assert all(line.startswith(("error: ", "hint: ")) for line in lines)
    assert says in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "a.html").exists()


def test_bundled_source_report(run: Run) -> None:
    from stemcli.reports.claims import shown

    ds = load([], bundled=True, use_cache=False)
    result = run("report", "bookimed", "--format", "markdown")
    assert result.exit_code == 0, result.output
    md = result.stdout
    for c in (c for c in ds.claims if c.source == "bookimed"):
        assert shown(c.value).replace("$", "$") in md, c.id
    assert "not checked: the archived text was not found" in md


def test_the_seams_plug_in(
    run_pub: Run, pub: Dataset, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Evidence context and unusual findings reach the page (and ClaimReview) from the one
    function each in stemcli.ops.report."""
    from stemcli.ops import report
    from stemcli.ops.conflicts import Conflict, Statement

    claim = next(c for c in pub.claims if c.id == "alpha-return")

    def context(ds: Dataset, source: Source) -> tuple[report.ContextItem, ...]:
        return (report.ContextItem("Return to activity", "beside trials: FAST", (claim,)),)

    def unusual(ds: Dataset, source: Source) -> tuple[Conflict, ...]:
        if source.id != "alpha":
            return ()
        st = Statement((claim,))
        return (Conflict(st, None, "unusual", None, True, 0.0, 0.0, "days", "UNUSUAL-WHY"),)  # type: ignore[arg-type]

    monkeypatch.setattr(report, "evidence_context", context)
    monkeypatch.setattr(report, "unusual_findings", unusual)
    out = run_pub("report", "alpha").stdout
    assert "beside trials: FAST (alpha-return)" in out
    assert ">Unusual marketing claims</h2>" in out
    assert "UNUSUAL-WHY" in out
    result = run_pub(
        "export", "-f", "claimreview", "--reviewer", "Desk", "--reviewer-url", "https://d.example/"
    )
    assert result.exit_code == 0, result.output
    assert "Unusual among marketing claims" in result.stdout


def test_a_published_page_shows_no_path_of_the_machine(run_pub: Run) -> None:
    """--data given as an absolute path: the page names the dataset folder and the files
    under it, never where the folder is on the machine that made the page."""
    for args in (("report", "alpha"), ("report", "alpha", "--format", "markdown")):
        out = run_pub(*args).stdout
        assert str(PUBLISH.parent) not in out
        assert f"{PUBLISH.name}/claims/alpha.yaml:" in out
