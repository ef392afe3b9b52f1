"""Hostile pages for extract and redflags: saved web pages and PDFs that try to give junk.

Scripts, styles, menus and cookie banners full of numbers give no draft; entities never
reach a quote; a PDF without a text layer, an encrypted or truncated one, a binary file
named .html and a page without text are one clear error each (exit 3, no traceback); a
10 MB page is read; a file's content, not its name, says what it is.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from .conftest import Run, assert_one_error, assert_terminal_safe

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"

COMMANDS = [["extract"], ["redflags"]]
COMMAND_IDS = ["extract", "redflags"]

NUMBERS = "99% 88.5% $9,999 12 months 3 weeks 1,000 patients 75% off"

JUNK_HTML = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Knee &amp; Hip | Clinic</title>
<script>var claims = "{NUMBERS}"; if (a < 1 && b > 2) {{ x = "<p>50% off</p>"; }}</script>
<style>.a {{ width: 95%; }} .b:after {{ content: "{NUMBERS}"; }}</style>
<script type="application/ld+json">{{"offer": "{NUMBERS}"}}</script>
</head><body>
<div class="cookie-banner" role="dialog"><p>We use cookies: {NUMBERS}</p></div>
<div id="gdpr-consent"><p>Consent to {NUMBERS}</p></div>
<nav><ul><li><a href="/">{NUMBERS}</a></li></ul></nav>
<template><p>{NUMBERS}</p></template>
<noscript><p>{NUMBERS}</p></noscript>
<svg viewBox="0 0 10 10"><text>{NUMBERS}</text></svg>
<main><h1>Knee pain</h1>
<p>In our clinic pain fell by 50% at 6 months &amp; most patients were &quot;very happy&quot;.</p>
</main>
</body></html>
"""


def write(tmp_path: Path, content: bytes | str, name: str) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def drafts(run: Run, path: Path | str, input: str | None = None) -> list[dict[str, object]]:
    result = run("extract", str(path), "--format", "json", input=input)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr
    out: list[dict[str, object]] = json.loads(result.stdout)
    return out


def values(found: list[dict[str, object]]) -> list[str]:
    return [d["value"]["text"] for d in found]  # type: ignore[index]


def pdf(build: str) -> bytes:
    """A PDF that pypdf writes: 'blank' (no text layer) or 'encrypted' (the brochure)."""
    from pypdf import PdfWriter

    if build == "blank":
        writer = PdfWriter()
        writer.add_blank_page(200, 200)
    else:
        writer = PdfWriter(clone_from=PAGES / "brochure.pdf")
        writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------------------
# web pages


@pytest.mark.parametrize("fallback", [False, True], ids=["trafilatura", "visible-text"])
def test_scripts_menus_and_banners_give_no_draft(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fallback: bool
) -> None:
    if fallback:
        from stemcli.text import readers

        monkeypatch.setattr(readers, "_trafilatura", lambda: None)
    found = drafts(run, write(tmp_path, JUNK_HTML, "page.html"))
    assert values(found) == ["50%"]
    quote = str(found[0]["quote"])
    assert "&" in quote
    assert "&amp;" not in quote
    assert "&quot;" not in quote


def test_redflags_do_not_read_the_page_chrome(run: Run, tmp_path: Path) -> None:
    page = JUNK_HTML.replace(
        "<nav>", "<nav><p>Guaranteed cure, no side effects, only 3 places left!</p>"
    ).replace("pain fell by 50%", "we guarantee a cure: pain fell by 50%")
    result = run("redflags", str(write(tmp_path, page, "page.html")), "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    rules = {f["rule"] for f in found}
    assert "guarantee-cure" in rules  # the body's "we guarantee a cure"
    assert "no-risk" not in rules  # the menu's "no side effects"
    assert all("guaranteed" not in f["match"].lower() for f in found)  # the menu's


def test_a_web_page_on_standard_input(run: Run) -> None:
    assert values(drafts(run, "-", input=JUNK_HTML)) == ["50%"]


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
@pytest.mark.parametrize(
    "content",
    [
        b"<html>\x00\x01\x02\x03\xff\xfe binary",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
    ids=["nul-after-markup", "png"],
)
def test_a_binary_file_named_html_is_an_error(
    run: Run, tmp_path: Path, command: list[str], content: bytes
) -> None:
    path = write(tmp_path, content, "page.html")
    result = run(*command, str(path))
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert_one_error(result.stderr, str(path), "binary")


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
@pytest.mark.parametrize(
    "html",
    [
        "<!DOCTYPE html><html><head><title>Only a title</title></head><body></body></html>",
        "<html><body><script>var x = '50% off';</script><nav>Home 10%</nav></body></html>",
        "<html><body>   &nbsp; <div> </div></body></html>",
    ],
    ids=["title-only", "scripts-and-menus", "whitespace"],
)
def test_a_web_page_without_text_is_an_error(
    run: Run, tmp_path: Path, command: list[str], html: str
) -> None:
    path = write(tmp_path, html, "page.html")
    result = run(*command, str(path))
    assert result.exit_code == 3, result.output
    assert_one_error(result.stderr, f"{path}: no text found in the page")


def test_a_10_mb_page_is_read_without_junk(run: Run, tmp_path: Path) -> None:
    script = "<script>var a = [" + ",".join(f"{i % 100}.5" for i in range(20000)) + "];</script>\n"
    style = (
        "<style>" + "".join(f".c{i} {{ width: {i % 100}%; }}" for i in range(5000)) + "</style>\n"
    )
    chunk = script + style
    heavy = "<!DOCTYPE html><html><head><title>Heavy</title>" + chunk * (
        10_000_000 // len(chunk) + 1
    )
    heavy += "</head><body><nav>Menu 99%</nav><p>Pain fell by 50% at 6 months.</p></body></html>"
    path = write(tmp_path, heavy, "heavy.html")
    assert path.stat().st_size > 10_000_000
    assert values(drafts(run, path)) == ["50%"]


def test_a_deeply_nested_page_is_read(run: Run, tmp_path: Path) -> None:
    depth = 50_000
    html = "<html><body>" + "<div>" * depth + "Pain fell 50%." + "</div>" * depth + "</body>"
    assert values(drafts(run, write(tmp_path, html, "deep.html"))) == ["50%"]


def test_control_characters_in_a_web_page_stay_data(run: Run, tmp_path: Path) -> None:
    html = (
        "<html><head><title>\x1b]0;pwned\x07 Clinic</title></head><body>"
        "<p>Pain fell 50% \x1b[31mred&#x1b;[0m &#8238;evil.</p></body></html>"
    )
    path = write(tmp_path, html, "page.html")
    for fmt in ("table", "json"):
        result = run("extract", str(path), "--format", fmt)
        assert result.exit_code == 0, result.output
        assert_terminal_safe(result.stdout, fmt)


# ---------------------------------------------------------------------------
# PDFs


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
def test_a_pdf_without_a_text_layer_is_an_error(
    run: Run, tmp_path: Path, command: list[str]
) -> None:
    path = write(tmp_path, pdf("blank"), "scan.pdf")
    result = run(*command, str(path))
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert_one_error(result.stderr, f"{path}: no text layer")


def test_an_encrypted_pdf_is_an_error(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, pdf("encrypted"), "locked.pdf")
    result = run("extract", str(path))
    assert result.exit_code == 3, result.output
    assert_one_error(result.stderr, str(path), "encrypted")


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
@pytest.mark.parametrize("keep", [8, 200, 0.5, 0.9])
def test_a_truncated_or_broken_pdf_is_an_error(
    run: Run, tmp_path: Path, command: list[str], keep: float
) -> None:
    data = (PAGES / "brochure.pdf").read_bytes()
    cut = int(keep * len(data)) if isinstance(keep, float) else keep
    path = write(tmp_path, data[:cut], "cut.pdf")
    result = run(*command, str(path))
    assert result.exit_code in (0, 3), result.output  # pypdf may still find the first page
    if result.exit_code == 3:
        assert_one_error(result.stderr, str(path))
    else:
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n" + bytes(range(1, 256)) * 40,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF",
        b"%PDF-",
    ],
    ids=["noise", "pages-that-contain-themselves", "header-only"],
)
def test_a_hostile_pdf_is_one_error(run: Run, tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data, "evil.pdf")
    result = run("extract", str(path))
    assert result.exit_code == 3, result.output
    assert_one_error(result.stderr, str(path))


def test_a_pdf_named_txt_is_read_as_a_pdf(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, (PAGES / "brochure.pdf").read_bytes(), "brochure.txt")
    found = values(drafts(run, path))
    assert "79%" in found
    assert "$4,900" in found


N = 20_000
LEFT_OPEN = {
    # elements left open under list items, cells and paragraphs that close them implicitly
    "items-under-divs": ("<html><body><li>a<ul>" + "<div>" * N + "<li>x" * N, "x"),
    "stray-end-tags": ("<html><body>" + "<div>" * N + "</p>" * N + "</span>" * N + "y", "y"),
    "cells-under-spans": ("<table><tr><td>" + "<span>" * N + "<td>z" * N, "z"),
}


@pytest.mark.parametrize(("html", "word"), LEFT_OPEN.values(), ids=list(LEFT_OPEN))
def test_the_visible_text_reader_copes_with_elements_left_open(
    monkeypatch: pytest.MonkeyPatch, html: str, word: str
) -> None:
    from stemcli.text import readers

    monkeypatch.setattr(readers, "_trafilatura", lambda: None)
    text = readers.page_of("open.html", html.encode()).text
    assert set(text.replace("|", " ").split()) <= {"a", word}
    assert word in text
