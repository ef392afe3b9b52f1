"""export --format claimreview: schema.org ClaimReview items for the findings, in JSON-LD."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

Run = Callable[..., Result]
PUBLISH = Path(__file__).parent / "fixtures" / "publish"
REVIEWER = ("--reviewer", "Desk <Checks>", "--reviewer-url", "https://desk.example/checks")
# words that give a verdict: none may be in what claimReviewed says the claim is
VERDICT_WORDS = re.compile(
    r"\b(false|true|wrong|misleading|contradict\w*|inconsistent|unusual|does not add up|"
    r"disputed|incorrect)\b",
    re.IGNORECASE,
)


@pytest.fixture
def run_pub(run: Run) -> Run:
    def invoke(*args: str, **kw: Any) -> Result:
        return run("--no-bundled", "--data", str(PUBLISH), *args, **kw)

    return invoke


def items(run_pub: Run, *extra: str, **kw: Any) -> list[dict[str, Any]]:
    result = run_pub("export", "--format", "claimreview", *extra, **kw)
    assert result.exit_code == 0, result.output
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def test_items_have_the_required_and_recommended_fields(run_pub: Run) -> None:
    found = items(run_pub, *REVIEWER, env={"SOURCE_DATE_EPOCH": "1700000000"})
    # the fixture: a contradiction within alpha (one item), one between alpha and beta
    # (one item per side), an arithmetic finding in alpha; the tension is not reviewed
    assert len(found) == 4
    verdicts = sorted(i["reviewRating"]["alternateName"] for i in found)
    assert verdicts == [
        "Contradicted by another source",
        "Contradicted by another source",
        "Contradicts itself",
        "Does not add up",
    ]
    urls = set()
    for item in found:
        assert item["@context"] == "https://schema.org"
        assert item["@type"] == "ClaimReview"
        # required
        reviewed = item["claimReviewed"]
        assert 0 < len(reviewed) < 75
        assert not VERDICT_WORDS.search(reviewed), reviewed
        assert item["reviewRating"]["@type"] == "Rating"
        assert item["reviewRating"]["alternateName"] not in reviewed
        assert item["url"].startswith("https://desk.example/checks#stemcli-")
        urls.add(item["url"])
        # recommended
        assert item["author"] == {
            "@type": "Organization",
            "name": "Desk <Checks>",
            "url": "https://desk.example/checks",
        }
        assert item["datePublished"] == "2023-11-14"
        claim = item["itemReviewed"]
        assert claim["@type"] == "Claim"
        assert claim["author"]["@type"] == "Organization"
        assert claim["author"]["name"] in ("Alpha Clinic", "Beta Broker")
        page = claim["firstAppearance"]
        assert page["@type"] == "CreativeWork"
        assert page["url"] in (
            "https://alpha.example/knee",
            "https://beta.example/guide?page=1&lang=en",
        )
        assert claim["appearance"] == [page]
        assert item["reviewBody"]
    assert len(urls) == len(found)  # each review has an address of its own
    sides = {
        i["itemReviewed"]["author"]["name"]
        for i in found
        if "another" in i["reviewRating"]["alternateName"]
    }
    assert sides == {"Alpha Clinic", "Beta Broker"}


def test_markup_from_data_cannot_leave_a_script_element(run_pub: Run) -> None:
    result = run_pub("export", "-f", "claimreview", *REVIEWER)
    assert "<" not in result.stdout  # escaped as \u003c: the JSON reads back the same
    assert json.loads(result.stdout)[0]["author"]["name"] == "Desk <Checks>"


def test_reviewer_from_the_environment(run_pub: Run, tmp_path: Path) -> None:
    env = {"STEMCLI_REVIEWER": "Env Desk", "STEMCLI_REVIEWER_URL": "https://env.example/"}
    out = tmp_path / "reviews.jsonld"
    result = run_pub("export", "-f", "claimreview", "-o", str(out), env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {i["author"]["name"] for i in data} == {"Env Desk"}
    # the option wins over the environment
    assert {i["author"]["name"] for i in items(run_pub, *REVIEWER, env=env)} == {"Desk <Checks>"}


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("--reviewer-url", "https://d.example/"), 2, "--reviewer NAME"),
        (("--reviewer", "Desk"), 2, "--reviewer-url URL"),
        (("--reviewer", "Desk", "--reviewer-url", "ftp://d.example/"), 2, "http"),
    ],
)
def test_a_missing_reviewer_is_an_error(
    run_pub: Run, args: tuple[str, ...], code: int, says: str
) -> None:
    result = run_pub("export", "-f", "claimreview", *args)
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("error: ")
    assert says in result.stderr
    assert result.stdout == ""


def test_reviewer_options_go_with_claimreview(run_pub: Run) -> None:
    result = run_pub("export", "-f", "json", "--reviewer", "Desk")
    assert result.exit_code == 2
    assert "--format claimreview" in result.stderr


def test_a_source_without_url_is_an_error(run: Run, mini: Path) -> None:
    """The mini dataset's sources have no url: the first is named, where it is defined."""
    result = run("--no-bundled", "--data", str(mini), "export", "-f", "claimreview", *REVIEWER)
    assert result.exit_code == 3, result.output
    first, *rest = result.stderr.splitlines()
    assert re.match(r"error: .*sources\.yaml:\d+:\d+: source '\w+' has no url", first), first
    assert all(line.startswith("hint: ") for line in rest)
    assert result.stdout == ""
