"""Pages as text: which kind a page is, what of a web page or a PDF becomes the text."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from stemcli.errors import InputError
from stemcli.text import readers
from stemcli.text.readers import FALLBACK_READER, Page, page_of, read_page, reading_note

PAGES = Path(__file__).parent / "fixtures" / "pages"
BROCHURE = PAGES / "brochure.pdf"

CLINIC = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Knee Stem Cell Therapy | Example Clinic</title>
<meta property="og:title" content="Knee Therapy (og)">
<style>body { color: red } .promo:after { content: "55% off styles" }</style>
<script>var offer = "80% script success"; if (a < b && c > d) { run(); }</script>
</head><body>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies 100% of the time.</p></div>
<nav class="main-nav"><ul><li><a href="/">Home</a></li>
<li><a href="/k">Knee 2024 menu</a></li></ul></nav>
<header><div class="menu">Call 555-0100 menu now</div></header>
<main><article>
<h1>Stem Cell Therapy for Knee Osteoarthritis</h1>
<p>Clinical trials show that 79.3&nbsp;% of patients with knee osteoarthritis improved &amp;
walked better. Our clinic has treated over 1,200 patients with &ldquo;remarkable&rdquo; results.</p>
<h2>Results at a glance</h2>
<table><thead><tr><th>Condition</th><th>Improved</th><th>Follow-up</th></tr></thead>
<tbody><tr><td>Knee OA</td><td>79%</td><td>12 months</td></tr>
<tr><td>Hip OA</td><td>65%</td><td>6 months</td></tr></tbody></table>
<h2>Why choose us</h2>
<ul><li>No side effects reported in 98% of cases</li><li>Treatment takes only 2 hours</li></ul>
<h2>Frequently asked questions</h2>
<details><summary>How long does recovery take?</summary><p>Most patients return to work
within 3 days.</p></details>
<h2>What our patients say</h2>
<blockquote><p>"After two injections my pain dropped by 80%. I can walk again!" &mdash; Mary</p>
</blockquote>
<template><p>Template 42% text</p></template>
<noscript><p>Enable scripts for 33% more noscript</p></noscript>
<svg><text>SVG 77% text</text></svg>
</article></main>
<footer><p>&copy; 2024 Example Clinic</p></footer>
</body></html>
"""

KEPT = [
    "Stem Cell Therapy for Knee Osteoarthritis",  # a heading, on a line of its own
    "Results at a glance",
    "Condition | Improved | Follow-up",  # table rows: cells joined by " | "
    "Knee OA | 79% | 12 months",
    "Hip OA | 65% | 6 months",
    "No side effects reported in 98% of cases",  # a list item, a line
    "Treatment takes only 2 hours",
    "How long does recovery take?",  # a FAQ's question and answer
    "Most patients return to work within 3 days.",
    '"After two injections my pain dropped by 80%. I can walk again!" — Mary',  # testimonial
]

NEVER = [
    "script success",
    "&&",
    "color: red",
    "styles",
    "cookies",
    "menu",
    "Home",
    "Template",
    "noscript",
    "SVG",
    "&amp;",
    "&nbsp;",
    "&ldquo;",
    "Example Clinic</title>",
]


def no_trafilatura(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if trafilatura were not installed: importing it fails."""
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    monkeypatch.setattr(readers, "_trafilatura_module", [])


@pytest.fixture(params=["trafilatura", "fallback"])
def html_reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "fallback":
        no_trafilatura(monkeypatch)
    return str(request.param)


# ---------------------------------------------------------------------------
# the kind, from the content


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("page.txt", b"Pain fell 50% at 6 months.", "text"),
        ("page.html", b"Pain fell 50% at 6 months.\nNo markup here.", "text"),
        ("page.txt", CLINIC.encode(), "html"),
        ("page", b"  \n<html><body><p>Pain fell 50%.</p></body></html>", "html"),
        ("page.txt", b"\xef\xbb\xbf<!doctype html><p>x</p>", "html"),
        ("fragment", b"<div><p>Pain fell 50%.</p><p>Cost $5,000.</p></div>", "html"),
        ("page.html", b"<b>Pain</b> fell 50%.", "html"),  # the extension breaks the tie
        ("page.txt", b"<b>Pain</b> fell 50%.", "text"),
        ("notes.txt", b"We saved it as <html> once. Pain fell 50%.", "text"),
        ("brochure.txt", b"%PDF-1.7\n%binary", "pdf"),
        ("brochure", b"\n\t %PDF-1.4\n", "pdf"),
        ("page.pdf", b"Pain fell 50%.", "text"),
    ],
)
def test_the_kind_is_decided_by_content(name: str, data: bytes, kind: str) -> None:
    assert readers.sniff(name, data) == kind


def test_a_text_page_is_read_as_it_is() -> None:
    page = page_of("page.html", b"Pain fell 50%.\r\nCost $5,000.")
    assert page == Page("page.html", "Pain fell 50%.\r\nCost $5,000.", "text", "text", None)


def test_a_binary_file_named_html_is_refused_not_read() -> None:
    with pytest.raises(InputError, match=r"page\.html:1:5: a binary file \(NUL byte\)"):
        page_of("page.html", b"<htm\x00l><p>x</p>")


# ---------------------------------------------------------------------------
# HTML


def test_html_keeps_tables_lists_faq_and_testimonials(html_reader: str) -> None:
    page = page_of("clinic.html", CLINIC.encode())
    lines = page.text.splitlines()
    for line in KEPT:
        assert line in lines, (line, page.text)
    assert page.kind == "html"


def test_html_unescapes_entities_and_joins_a_paragraph(html_reader: str) -> None:
    text = page_of("clinic.html", CLINIC.encode()).text
    assert (
        "Clinical trials show that 79.3 % of patients with knee osteoarthritis improved & "
        "walked better."
    ) in text
    assert "“remarkable”" in text


def test_html_drops_scripts_styles_menus_cookie_banners(html_reader: str) -> None:
    text = page_of("clinic.html", CLINIC.encode()).text
    for junk in NEVER:
        assert junk not in text, (junk, text)


def test_trafilatura_reads_the_main_text_only() -> None:
    page = page_of("clinic.html", CLINIC.encode())
    assert page.reader.startswith("trafilatura ")
    assert page.reader.split()[1][0].isdigit()
    assert "2024 Example Clinic" not in page.text  # the footer is not main text
    assert reading_note(page) is None


def test_without_trafilatura_the_whole_visible_text_is_read_and_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_trafilatura(monkeypatch)
    page = page_of("clinic.html", CLINIC.encode())
    assert page.reader == FALLBACK_READER
    assert "Knee OA | 79% | 12 months" in page.text.splitlines()
    note = reading_note(page)
    assert note is not None
    assert "clinic.html" in note
    assert "pip install 'stemcli[html]'" in note


def test_when_trafilatura_finds_nothing_the_whole_visible_text_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    trafilatura = pytest.importorskip("trafilatura")
    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *a, **k: None)
    page = page_of("clinic.html", CLINIC.encode())
    assert page.reader == FALLBACK_READER
    assert "Knee OA | 79% | 12 months" in page.text.splitlines()
    note = reading_note(page)
    assert note is not None
    assert "pip install" not in note


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ("<title> Knee  Clinic </title><meta property='og:title' content='OG'>", "Knee Clinic"),
        ("<meta property='og:title' content='Knee &amp; Hip'>", "Knee & Hip"),
        ("", "The Heading"),
    ],
)
def test_the_title_of_a_web_page(html_reader: str, head: str, title: str) -> None:
    html = f"<html><head>{head}</head><body><h1>The Heading</h1><p>Pain fell 50%.</p></body>"
    assert page_of("p.html", html.encode()).title == title


def test_a_web_page_without_a_title(html_reader: str) -> None:
    page = page_of("p.html", b"<html><body><p>Pain fell 50% in our patients.</p></body></html>")
    assert page.title is None
    assert page.text == "Pain fell 50% in our patients."


def test_a_table_row_of_the_fallback_survives_missing_end_tags(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_trafilatura(monkeypatch)
    html = (
        "<html><body><table><tr><td>Knee<td>79%<td>6 months<tr><th>Hip<td>65%<td>"
        "<table><tr><td>in</td><td>ner</td></tr></table></table>"
        "<ul><li>One 10%<li>Two 20%</ul><p>A<br>B<p>C</body></html>"
    )
    assert page_of("p.html", html.encode()).text.splitlines() == [
        "Knee | 79% | 6 months",
        "Hip | 65% | in ner",
        "One 10%",
        "Two 20%",
        "A",
        "B",
        "C",
    ]


def test_hidden_elements_are_not_visible_text(monkeypatch: pytest.MonkeyPatch) -> None:
    no_trafilatura(monkeypatch)
    html = (
        "<html><body><p>Shown 1%</p><div hidden>Hidden 2%</div>"
        "<div aria-hidden='true'>Aria 3%</div><div style='display: none'>Styled 4%</div>"
        "<div role='navigation'>Role 5%</div><p>Also 6%</p></body></html>"
    )
    assert page_of("p.html", html.encode()).text == "Shown 1%\nAlso 6%"


def test_a_page_whose_frame_is_named_like_a_menu_is_still_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_trafilatura(monkeypatch)
    html = "<html><body><div class='page menu-open'><p>Pain fell 50%.</p></div></body></html>"
    assert page_of("p.html", html.encode()).text == "Pain fell 50%."


# ---------------------------------------------------------------------------
# the main landmark: what the main text reader left out of it

HERO = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Hip Cell Injections | Example Hip Centre</title></head>
<body>
<header class="site-top"><a class="logo" href="/">Example Hip Centre</a>
<nav><ul><li><a href="/">Home</a></li><li><a href="/hips">Hips</a></li></ul></nav></header>
<main><article>
<div class="intro">
<h1>Cell Injections for Hip Arthritis</h1>
<p class="tagline">A family practice by the river</p>
<p class="badge">Our hip programme helps <strong>91% of patients</strong>.</p>
</div>
<div class="share-bar"><a href="#">Share</a> <a href="#">Print</a> <span>12 shares</span></div>
<div class="post-body">
<p>Hip arthritis wears the cartilage of the joint away over the years. We draw cells from the
patient's own fat, concentrate them in our laboratory and inject them into the hip under
ultrasound guidance, in a visit that takes about 3 hours.</p>
<p>In a review of our own records, pain scores fell from 6.8 to 3.1 on average after
6 months, and most patients walked without a stick again within 2 weeks of the injection.</p>
<h2>Recovery</h2>
<p>Patients rest the hip for 48 hours, then walk a little more every day. Running and
jumping should wait for 8 weeks, and a follow-up visit checks the joint at 3 months.</p>
<p>Each injection costs $4,200, and a second one, when needed, costs $2,900.</p>
</div>
<aside class="related"><h3>Read next</h3>
<ul><li><a href="/x">7 myths about hips</a></li></ul></aside>
</article></main>
<footer><p>Example Hip Centre, 12 River Road. Call 555-0199.</p></footer>
</body></html>
"""


def test_a_headline_claim_above_the_article_body_is_put_back_in_order() -> None:
    pytest.importorskip("trafilatura")
    page = page_of("hip.html", HERO.encode())
    assert page.reader.startswith("trafilatura ")
    assert page.reader.endswith(readers.LANDMARK_READER)
    lines = page.text.splitlines()
    # the headline and its claim, each on its line, before the body, once
    heading = lines.index("Cell Injections for Hip Arthritis")
    claim = lines.index("Our hip programme helps 91% of patients.")
    body = next(i for i, line in enumerate(lines) if line.startswith("Hip arthritis wears"))
    assert heading < claim < body
    assert "Recovery" in lines  # a heading of the body stays on its line
    assert len(lines) == len(set(lines))  # what the main text had is not repeated
    for junk in ("12 shares", "Share", "7 myths", "Read next", "555-0199", "Home"):
        assert junk not in page.text, junk  # shares, related links, footer, menu


def test_a_page_whose_main_text_is_whole_is_not_merged() -> None:
    pytest.importorskip("trafilatura")
    html = "<html><body><main><h1>Knee cells</h1>" + "<p>Pain fell 40% at 6 months.</p>" * 3
    page = page_of("p.html", (html + "</main></body></html>").encode())
    assert not page.reader.endswith(readers.LANDMARK_READER)


def test_what_never_is_text_is_not_put_back_from_the_landmark() -> None:
    pytest.importorskip("trafilatura")
    hidden = (
        "<div hidden>Hidden 81%</div><p style='display:none'>Styled 82%</p>"
        "<script>var a = '83%';</script><template><p>Template 84%</p></template>"
        "<nav><a href='/'>Menu 85%</a></nav><div class='cookie-bar'>Cookies 86%</div>"
        "<form><label>Age 87</label><button>Send 88%</button></form>"
    )
    page = page_of("hip.html", HERO.replace("</article>", hidden + "</article>").encode())
    assert page.reader.endswith(readers.LANDMARK_READER)  # the merge ran
    for n in range(81, 89):
        assert str(n) not in page.text, n


@pytest.mark.parametrize(
    ("landmark", "put_back"),
    [
        ("<h2>Prices</h2><p>Prices are in US dollars.</p>", ["Prices"]),  # a heading, whole
        ("<p>From $4,950</p><p>Prices are in US dollars.</p>", ["From $4,950"]),
        ("<p>A family practice by the river.</p><p>Prices are in US dollars.</p>", []),
        # a block the main text has, trimmed at its end, is not repeated
        (
            "<p>Prices are in US dollars. The first visit of 30 minutes costs nothing, and"
            " the scan is included.</p>",
            [],
        ),
    ],
)
def test_what_of_the_landmark_is_put_back(landmark: str, put_back: list[str]) -> None:
    main = "Prices are in US dollars. The first visit of 30 minutes costs nothing"
    text, merged = readers._with_landmark(main, f"<main>{landmark}</main>")
    assert text.splitlines() == [*put_back, main]
    assert merged == bool(put_back)


# ---------------------------------------------------------------------------
# the page's frame: its header, footer, sidebar, banners, buttons and countdowns

FRAMED = """<!DOCTYPE html>
<html><head><title>Shoulder Cells</title></head><body>
<header><a href="/">Logo</a> <a class="btn-offer" href="/o">Free scan - 40% off</a></header>
<div role="banner">Rated 4.8 by 900 patients</div>
<a class="cta-button" href="/book">Book: 2 slots left</a>
<main><article>
<header><h1>Shoulder Cell Therapy</h1><p>Published 2 May 2024</p></header>
<p>Pain fell by 55% at 6 months in our patients with a partial rotator cuff tear.</p>
<p class="sale-timer">Ends in 05h 10m</p>
<blockquote><p>"Back to tennis in 10 weeks."</p><footer>Ann, 61</footer></blockquote>
</article></main>
<div class="promo-countdown">Offer ends in 3d 04h 12m</div>
<aside class="sidebar"><p>Over 3,000 treated</p></aside>
<div role="complementary"><p>Trusted by 1,500 doctors</p></div>
<button>Chat with us 24/7</button>
<footer><p>Call 555-0123, open 7 days</p></footer>
</body></html>
"""


def test_the_page_frame_and_countdowns_never_reach_the_text(html_reader: str) -> None:
    text = page_of("shoulder.html", FRAMED.encode()).text
    for kept in ("Pain fell by 55%", "Shoulder Cell Therapy", "2 May 2024", "Ann, 61"):
        assert kept in text, (kept, text)  # a section's own header and footer are its text
    for junk in (
        "40% off",
        "4.8",
        "2 slots",
        "05h",
        "3d 04h",
        "3,000",
        "1,500",
        "24/7",
        "555-0123",
    ):
        assert junk not in text, (junk, text)


def test_a_page_without_a_main_landmark_keeps_its_header(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_trafilatura(monkeypatch)  # nothing tells the frame from the body: all is read
    html = (
        "<html><body><header><h1>Knee cells</h1><p>80% improved.</p></header>"
        "<div><p>Walking again within 5 days.</p></div><footer>Since 2009</footer></body></html>"
    )
    text = page_of("p.html", html.encode()).text
    assert text.splitlines() == [
        "Knee cells",
        "80% improved.",
        "Walking again within 5 days.",
        "Since 2009",
    ]


def test_the_declared_charset_is_used() -> None:
    html = "<html><head><meta charset='windows-1252'></head><body><p>Café “cured” 50%</p>"
    page = page_of("p.html", html.encode("cp1252"))
    assert "Café “cured” 50%" in page.text


def test_a_page_without_a_charset_must_be_utf8() -> None:
    with pytest.raises(InputError, match=r"p\.html:1:19: not UTF-8 text \(byte 0xe9\)"):
        page_of("p.html", b"<html><body><p>Caf\xe9 50%</p></body></html>")


def test_a_web_page_without_text_is_an_error(html_reader: str) -> None:
    html = b"<!DOCTYPE html><html><head><title>T</title><script>x=1</script></head><body></body>"
    with pytest.raises(InputError, match=r"p\.html: no text found in the page"):
        page_of("p.html", html)


# ---------------------------------------------------------------------------
# PDF


def test_a_pdf_is_read_page_by_page() -> None:
    page = page_of("brochure.pdf", BROCHURE.read_bytes())
    assert page.kind == "pdf"
    assert page.reader.startswith("pypdf ")
    assert page.title == "Knee Regeneration Brochure"
    first, second = page.text.split("\n\n")
    # the line the PDF broke after "at" is joined again: the sentence holds its timepoint
    assert (
        "In our clinic 79% of patients with knee osteoarthritis reported less pain at 6 months "
        "after a single injection of their own bone marrow cells."
    ) in first.splitlines()
    assert second.splitlines() == [
        "Treatment costs from $4,900 per knee.",
        "Most patients return to work within 3 days.",
    ]


@pytest.mark.parametrize(
    ("text", "reflowed"),
    [
        ("less pain\nat 6 months", "less pain at 6 months"),
        ("less pain at\n6 months", "less pain at 6 months"),
        ("a well-\nknown clinic", "a well-known clinic"),
        ("tennis elbow,\nAchilles tendons", "tennis elbow, Achilles tendons"),
        ("costs from\n$4,900", "costs from $4,900"),
        ("Knee 79%\n65% hip", "Knee 79%\n65% hip"),
        ("It works.\nat last", "It works.\nat last"),
        ("Results\nNine of ten improved", "Results\nNine of ten improved"),
        ("Prices:\n$4,900 a knee", "Prices:\n$4,900 a knee"),
        ("Item 1\n\nnext", "Item 1\n\nnext"),
    ],
)
def test_pdf_lines_that_run_on_are_joined(text: str, reflowed: str) -> None:
    assert readers._reflow(text) == reflowed


def test_without_pypdf_a_pdf_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pypdf", None)
    with pytest.raises(InputError) as e:
        page_of("brochure.txt", BROCHURE.read_bytes())
    assert e.value.hint == "pip install 'stemcli[pdf]'"
    assert str(e.value).startswith("brochure.txt: a PDF")


# ---------------------------------------------------------------------------
# files and standard input


def test_read_page_reads_a_file_and_standard_input(tmp_path: Path) -> None:
    path = tmp_path / "clinic.htm"
    path.write_text(CLINIC, encoding="utf-8")
    from_file = read_page(path)
    assert from_file.name == str(path)
    from_stdin = read_page(Path("-"), stdin=io.BytesIO(CLINIC.encode()))
    assert from_stdin.name == "<stdin>"
    assert from_stdin.text == from_file.text
    assert from_stdin.kind == "html"


def test_closed_standard_input_is_an_error() -> None:
    with pytest.raises(InputError, match="standard input is closed"):
        read_page(Path("-"), stdin=None)


def test_standard_input_has_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_TEXT_BYTES", 1024)
    with pytest.raises(InputError, match="<stdin>: more than"):
        read_page(Path("-"), stdin=io.BytesIO(b"x" * 2048))


# ---------------------------------------------------------------------------
# the command line


def test_extract_says_when_the_whole_visible_text_was_read(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_trafilatura(monkeypatch)
    path = tmp_path / "clinic.html"
    path.write_text(CLINIC, encoding="utf-8")
    result = run("extract", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    assert "whole visible text" in result.stderr
    assert "stemcli[html]" in result.stderr
    assert "79%" in {d["value"]["text"] for d in json.loads(result.stdout)}


def test_the_readers_are_not_imported_at_start_up() -> None:
    code = (
        "import sys, stemcli.cli\n"
        "print(sorted(m for m in ('trafilatura', 'pypdf', 'lxml', 'stemcli.text.readers')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_a_head_without_its_end_tag_ends_where_the_body_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_trafilatura(monkeypatch)
    for html in (
        "<html><head><title>T</title><meta charset='utf-8'><body><p>Pain fell 50%.</p>",
        "<html><head><title>T</title><p>Pain fell 50%.</p>",
    ):
        page = page_of("p.html", html.encode())
        assert (page.text, page.title) == ("Pain fell 50%.", "T")
