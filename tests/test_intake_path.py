"""The whole intake path, as the README tells it, on a saved web page and on a PDF.

Save a page, ``extract --into DIR``, review (remove the marks), ``validate --strict``,
``verify``, then ``lookup``, ``compare`` and ``conflicts`` with ``--data DIR``. Each step
runs through the CLI; the pages are the evaluation set's (tests/extract_eval/dev).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import Result

Run = Callable[..., Result]
DEV = Path(__file__).parent / "extract_eval" / "dev"

PAGES = [
    # (page, source id, its condition, the reader it needs)
    ("clinic-knee.html", "knee-clinic", "knee-oa", "trafilatura"),
    ("brochure-shoulder.pdf", "shoulder-brochure", "rotator-cuff", "pypdf"),
]


def _review(folder: Path) -> int:
    """What a person does once every guess is checked: the marks go. Returns how many."""
    n = 0
    for path in [folder / "sources.yaml", *(folder / "claims").glob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        text, k = re.subn(r"(?m)^ *review: \[.*\]\n", "", text)
        n += k
        path.write_text(re.sub(r"  # guess.*$", "", text, flags=re.M), encoding="utf-8")
    return n


@pytest.mark.parametrize(("name", "sid", "condition", "module"), PAGES)
def test_a_page_becomes_a_reviewed_source_of_a_users_dataset(
    run: Run, tmp_path: Path, name: str, sid: str, condition: str, module: str
) -> None:
    pytest.importorskip(module, reason=f"{module} is not installed (the test extra brings it)")
    saved = tmp_path / name  # "save a page": the user's copy, which must stay as it is
    saved.write_bytes((DEV / name).read_bytes())
    before = saved.read_bytes()
    mydata = tmp_path / "mydata"

    drafted = run("extract", str(saved), "--into", str(mydata), "--source-id", sid)
    assert drafted.exit_code == 0, drafted.output
    assert saved.read_bytes() == before
    [source] = yaml.safe_load((mydata / "sources.yaml").read_text(encoding="utf-8"))
    assert source["id"] == sid
    assert source["archive"] == f"{sid}.txt"
    assert module in source["reader"]
    claims = yaml.safe_load((mydata / "claims" / f"{sid}.yaml").read_text(encoding="utf-8"))
    assert len(claims) >= 10
    archive = (mydata / "archive" / f"{sid}.txt").read_text(encoding="utf-8")
    assert "<" not in archive  # the text, not the markup
    assert "%PDF" not in archive
    for c in claims:
        assert " ".join(c["quote"].split()) in " ".join(archive.split())

    unreviewed = run("--data", str(mydata), "validate", "--strict")
    assert unreviewed.exit_code == 1
    assert _review(mydata) == len(claims) + 1  # every draft and the source were marked
    reviewed = run("--data", str(mydata), "validate", "--strict")
    assert reviewed.exit_code == 0, reviewed.output

    verified = run("--data", str(mydata), "verify", "--format", "json")
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.stdout)
    assert report["misses"] == []
    assert report["quotes_checked"] == len(claims)

    looked = run("--data", str(mydata), "lookup", condition, "--source", sid, "--format", "json")
    assert looked.exit_code == 0, looked.output
    assert {c["id"] for c in json.loads(looked.stdout)} <= {c["id"] for c in claims}
    assert json.loads(looked.stdout)

    compared = run("--data", str(mydata), "compare", condition, "--format", "json")
    assert compared.exit_code == 0, compared.output
    assert sid in compared.stdout

    conflicts = run("--data", str(mydata), "conflicts", "--source", sid, "--format", "json")
    assert conflicts.exit_code == 0, conflicts.output
    findings = json.loads(conflicts.stdout)
    assert isinstance(findings, list)
    # the reviewed claims carry no unreviewed mark any more
    assert '"unreviewed": true' not in conflicts.stdout
    assert '"unreviewed": true' not in compared.stdout
