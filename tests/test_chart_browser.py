"""The compare figure (--svg, --html) laid out by a real browser: headless Chromium.

What is checked is the layout, not pixels: a copy of the page gets a small script that
writes the bounding box (getBBox) of every text and every marker into the DOM, Chromium
prints the DOM (--dump-dom), and the boxes must not overlap. A screenshot of each figure
is kept for a person to look at (its path is printed; a copy goes to tests/artifacts/,
which git ignores).

Skipped when no Chromium is installed (Debian: apt-get install chromium).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from stemcli.render import figure as fig
from stemcli.render.chart import Mark, RangeChart

Run = Callable[..., Result]
ARTIFACTS = Path(__file__).parent / "artifacts"
ARTIFACT_MAX = 400_000  # bytes: a bigger screenshot stays in the test's tmp folder only
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--disable-dev-shm-usage",  # containers often have a small /dev/shm
)
PROBE = """<pre id="stemcli-boxes"></pre><script>
const boxes = [];
for (const el of document.querySelectorAll("svg text, svg .marker")) {
  const b = el.getBBox();
  boxes.push({tag: el.tagName, role: el.getAttribute("class"), text: el.textContent,
              x: b.x, y: b.y, w: b.width, h: b.height});
}
const svg = document.querySelector("svg");
document.getElementById("stemcli-boxes").textContent = encodeURIComponent(JSON.stringify(
  {boxes: boxes, width: svg.viewBox.baseVal.width, height: svg.viewBox.baseVal.height}));
</script>"""


def _chromium() -> str | None:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium to lay the figure out (Debian: apt-get install -y chromium)",
)


def browse(tmp_path: Path, *args: str) -> str:
    assert CHROMIUM is not None
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    profile.mkdir()
    try:
        done = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired as e:  # a hung browser is a failure, with its output
        pytest.fail(f"{CHROMIUM} did not finish: {e.stderr!r}")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def layout(tmp_path: Path, page: str, name: str) -> dict[str, Any]:
    """The boxes of ``page`` (an HTML document holding the figure) as Chromium lays it out."""
    probe = tmp_path / f"{name}-probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>", 1), encoding="utf-8")
    dom = browse(tmp_path, "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="stemcli-boxes">([^<]+)</pre>', dom)
    assert found, dom[-2000:]
    result: dict[str, Any] = json.loads(urllib.parse.unquote(found.group(1)))
    return result


def screenshot(tmp_path: Path, document: Path, width: float, height: float) -> Path:
    shot = tmp_path / f"{document.stem}.png"
    size = f"--window-size={int(width) + 40},{int(height) + 40}"
    browse(tmp_path, f"--screenshot={shot}", size, document.as_uri())
    assert shot.stat().st_size > 0
    print(f"screenshot: {shot}")
    if shot.stat().st_size <= ARTIFACT_MAX:
        try:
            ARTIFACTS.mkdir(exist_ok=True)
            ignore = ARTIFACTS / ".gitignore"  # the folder keeps nothing in git
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
            shutil.copyfile(shot, ARTIFACTS / shot.name)
            print(f"screenshot kept: {ARTIFACTS / shot.name}")
        except OSError as e:  # a read-only checkout: the tmp copy is enough
            print(f"screenshot not kept in {ARTIFACTS}: {e}")
    return shot


def overlap(a: dict[str, Any], b: dict[str, Any], slack: float = 0.5) -> bool:
    return (
        a["x"] + slack < b["x"] + b["w"]
        and b["x"] + slack < a["x"] + a["w"]
        and a["y"] + slack < b["y"] + b["h"]
        and b["y"] + slack < a["y"] + a["h"]
    )


def check_layout(found: dict[str, Any]) -> list[dict[str, Any]]:
    boxes = found["boxes"]
    words = [b for b in boxes if b["tag"] == "text"]
    markers = [b for b in boxes if b["tag"] != "text"]
    assert words
    assert markers
    clashes = [
        (a["text"], b["text"] or b["role"])
        for i, a in enumerate(words)
        for b in words[i + 1 :] + markers
        if overlap(a, b)
    ]
    assert clashes == []
    outside = [
        b["text"] or b["role"]
        for b in boxes
        if b["x"] < -0.5
        or b["y"] < -0.5
        or b["x"] + b["w"] > found["width"] + 0.5
        or b["y"] + b["h"] > found["height"] + 0.5
    ]
    assert outside == []  # nothing is cut off at the figure's edges
    assert all(b["w"] > 0 and b["h"] > 0 for b in words)  # every text was drawn
    return words


def role(words: list[dict[str, Any]], name: str) -> str:
    return " ".join(w["text"] for w in words if w["role"] == name)


def test_bundled_svg_in_a_browser(run: Run, tmp_path: Path) -> None:
    svg = tmp_path / "compare-knee-oa.svg"
    result = run("compare", "knee-oa", "--svg", str(svg))
    assert result.exit_code == 0, result.output
    text = svg.read_text(encoding="utf-8")
    page = f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{text}</body></html>'
    found = layout(tmp_path, page, "svg")
    words = check_layout(found)
    assert role(words, "title") == "Knee osteoarthritis: all outcomes"
    caption = role(words, "caption")
    for name in ("StemMedicare", "NexGenEsis Healthcare", "Bookimed"):
        assert name in caption
    assert re.search(r"Data as of \d{4}-\d\d-\d\d", caption)
    screenshot(tmp_path, svg, found["width"], found["height"])


def test_html_with_hard_labels_in_a_browser(tmp_path: Path) -> None:
    long = "Klinik für regenerative Medizin und Orthopädie Wolfsburg-Mitte GmbH & Co. KG"
    marks = (
        Mark(long, "WWWWW MMMMM 100 % at 12 months (any stage) (×2)", 100, 100, highlight=True),
        Mark("漢字のクリニック", "0–100 %", 0, 100, tension=True),
        Mark("<b>Not bold</b>", "≥ 0 %", 0, 0, open_high=True, ceiling=100),
        Mark("", "up to 100 %", 100, 100, open_low=True),
    )
    figure = fig.Figure(
        title="Knee osteoarthritis, middle stage: pain — a title long enough to wrap onto "
        "a second line of the figure, as headlines sometimes do",
        charts=(
            RangeChart("Middle stage · Pain · effect", "percent", marks, flag="≠ disagree"),
            RangeChart("Any stage · Cost", "usd", (Mark("x", "$1–$2,000,000", 1, 2e6),)),
        ),
        sources=(fig.Attribution(long, "A page " * 30), fig.Attribution("漢字のクリニック", "")),
        date="2001-02-03",
        subtitle="4 values from 3 sources",
    )
    page = tmp_path / "hard.html"
    page.write_text(fig.html(figure), encoding="utf-8")
    found = layout(tmp_path, fig.html(figure), "html")
    words = check_layout(found)
    assert role(words, "title").startswith("Knee osteoarthritis, middle stage: pain")
    assert len([w for w in words if w["role"] == "title"]) == 2  # wrapped, not cut
    assert long in role(words, "caption")
    assert "<b>Not bold</b>" in role(words, "name")
    screenshot(tmp_path, page, found["width"] + 32, found["height"] + 32)
