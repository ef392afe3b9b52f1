"""The report page in a real browser: headless Chromium, as tests/test_chart_browser.py
drives it (its flags and helpers).

Chromium opens the page with a probe script added that reads ``document.body.innerText``
(the page's policy, which forbids scripts, lets that one in by its hash) and its console
logged: nothing may be written there (a script the page tried to run, a resource it tried
to load, a policy violation), and every quote and every figure of the source must be text
the browser shows. A screenshot of the top of a bundled source's page is kept in
tests/artifacts/ (git ignores it). docs/report.png, in the README, is the whole of that
page: ``stemcli report nexgenesis --sources ARCHIVES --html report.html``, then
``chromium --headless --screenshot=docs/report.png --window-size=1000,3980 report.html``.

Skipped when no Chromium is installed (Debian: apt-get install chromium).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

from stemcli.dataset import load
from stemcli.reports.claims import shown
from test_chart_browser import CHROMIUM, FLAGS, screenshot

Run = Callable[..., Result]
PUBLISH = Path(__file__).parent / "fixtures" / "publish"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium to open the report page (Debian: apt-get install -y chromium)",
)
SCRIPT = """
const text = document.body.innerText;
document.getElementById("stemcli-text").textContent = encodeURIComponent(JSON.stringify(
  {text: text, height: document.documentElement.scrollHeight}));
"""
SHOT_HEIGHT = 1800
PROBE = f'<pre id="stemcli-text"></pre><script>{SCRIPT}</script>'
_POLICY = re.compile(r"""<meta http-equiv="Content-Security-Policy" content="default-src 'none';""")


def opened(tmp_path: Path, page: str, name: str) -> tuple[list[str], str, float]:
    """Open ``page`` with the probe: what it writes to the console, the text the browser
    shows of it, and its height."""
    assert CHROMIUM is not None
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode()
    allow = f"script-src 'sha256-{digest}';"
    page = _POLICY.sub(lambda m: f"{m.group()} {allow}", page, count=1)
    probe = tmp_path / f"{name}-probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>", 1), encoding="utf-8")
    profile = tmp_path / f"profile-{name}"
    profile.mkdir()
    logging = ("--enable-logging=stderr", "--v=0")
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *logging, "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    logged = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    found = re.search(r'<pre id="stemcli-text">([^<]+)</pre>', done.stdout)
    assert found, done.stdout[-2000:]  # the probe ran
    data = json.loads(urllib.parse.unquote(found.group(1)))
    return logged, " ".join(str(data["text"]).split()), float(data["height"])


def test_the_console_check_sees_errors(tmp_path: Path) -> None:
    """The check below can fail: what a page tries to run or load is logged."""
    bad = (
        "<!DOCTYPE html><html><head>"
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\"></head><body><p>x</p>"
        '<script>console.error("boom")</script><img src="https://example.com/x.png">'
        "</body></html>"
    )
    logged, text, _ = opened(tmp_path, bad, "bad")
    assert len(logged) == 2, logged  # its own script refused, and the remote image
    assert text.startswith("x")


@pytest.mark.parametrize(
    ("data", "source"),
    [((str(PUBLISH),), "alpha"), ((), "nexgenesis")],
    ids=["hostile-quotes", "bundled"],
)
def test_report_page_in_a_browser(
    run: Run, tmp_path: Path, data: tuple[str, ...], source: str
) -> None:
    args = ("--no-bundled", "--data", data[0]) if data else ()
    page = tmp_path / f"report-{source}.html"
    result = run(*args, "report", source, "--html", str(page))
    assert result.exit_code == 0, result.output
    logged, text, height = opened(tmp_path, page.read_text(encoding="utf-8"), source)
    assert logged == []
    ds = load([Path(d) for d in data], bundled=not data, use_cache=False)
    claims = [c for c in ds.claims if c.source == source]
    assert claims
    for c in claims:
        assert " ".join(c.quote.split()) in text, c.id
        assert shown(c.value) in text, c.id
    assert "Provenance" in text
    if not data:  # the top of the page (a whole one is bigger than an artifact may be)
        shot = screenshot(tmp_path, page, 1000 - 40, min(height, SHOT_HEIGHT) - 40)
        assert shot.stat().st_size > 10_000
