"""ClaimReview: the findings as schema.org ``ClaimReview`` items, in JSON-LD.

One item per reviewed statement of a finding:

- a contradiction within one page: one item, the page's upper statement reviewed, the
  other named in the review's body;
- a contradiction between two sources: one item for each side, each pointing at its own
  source's page;
- an arithmetic finding: one item, the figure that does not follow from the page's own;
- an unusual marketing claim (:func:`stemcli.ops.report.unusual_findings`): one item.

Tensions are not reviewed: they set related, not equal, quantities side by side.

Each item has what fact-check consumers require (``claimReviewed`` under 75 characters and
free of any verdict, ``reviewRating.alternateName``, ``url``) and recommend (``author``,
``datePublished``, ``itemReviewed`` as a ``Claim`` with ``appearance``, ``author`` and
``firstAppearance``). ``appearance`` is the source's ``url``: a reviewed source without
one is an error, naming it, since an item that points nowhere is of no use.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stemcli.errors import InputError, Location
from stemcli.model import Dataset, Source
from stemcli.render import Json

if TYPE_CHECKING:
    from stemcli.exports import Listed
    from stemcli.ops.conflicts import Conflict, Statement

CLAIM_REVIEWED_MAX = 74  # characters: "under 75"
VERDICTS = {
    ("contradiction", True): "Contradicts itself",
    ("contradiction", False): "Contradicted by another source",
    ("arithmetic", True): "Does not add up",
    ("unusual", True): "Unusual among marketing claims",
    ("unusual", False): "Unusual among marketing claims",
}
REVIEWED_KINDS = ("contradiction", "arithmetic", "unusual")


@dataclass(frozen=True)
class Reviewer:
    """The organisation that publishes the reviews, and where it publishes them."""

    name: str
    url: str


def reviewed(ds: Dataset) -> tuple[list[tuple[Conflict, Statement]], Listed]:
    """Every (finding, statement reviewed) pair, in the order findings are listed, and how
    many contradictions and arithmetic findings they review, of how many: a listing of a
    kind holds at most :data:`~stemcli.ops.conflicts.MAX_LISTED`."""
    from stemcli.exports import Listed
    from stemcli.ops.conflicts import MAX_LISTED, Selection, find_conflicts
    from stemcli.ops.report import unusual_findings

    out: list[tuple[Conflict, Statement]] = []
    listed = total = 0
    for kind in ("contradiction", "arithmetic"):
        listing = find_conflicts(ds, Selection(kind=kind), limit=MAX_LISTED)
        listed, total = listed + len(listing.conflicts), total + listing.total
        for x in listing.conflicts:
            out.append((x, x.a))
            if x.b is not None and not x.internal:
                out.append((x, x.b))
    for source in ds.sources.values():
        out += [(x, x.a) for x in unusual_findings(ds, source)]
    return out, Listed(listed, total)


def claim_reviewed(ds: Dataset, st: Statement) -> str:
    """What the statement says, in under 75 characters, with no verdict in it."""
    from stemcli.reports.claims import publisher, shown

    c = st.claim
    outcome = ds.outcomes[c.outcome].name if c.outcome in ds.outcomes else c.outcome
    if outcome[:1].isupper() and outcome[1:2].islower():
        outcome = outcome[0].lower() + outcome[1:]  # "Return to sport" reads "return to sport"
    text = f"{outcome} {shown(c.value)}"
    if c.comparator:
        text += f" vs {c.comparator}"
    if c.timepoint is not None:
        text += f" at {shown(c.timepoint)}"
    if c.stages:
        text += f" ({', '.join(c.stages)} stage)"
    text = f"{publisher(ds, c.source)}: {text}"
    return _cut(" ".join(text.split()), CLAIM_REVIEWED_MAX)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def items(ds: Dataset, reviewer: Reviewer, *, date: str) -> tuple[list[Json], Listed]:
    """The ClaimReview items of the dataset's findings (see the module's docstring), and
    how many findings they review of how many (:func:`reviewed`)."""
    pairs, listed = reviewed(ds)
    sources = {st.source: ds.sources[st.source] for _, st in pairs if st.source in ds.sources}
    lacking = [s for s in sources.values() if not s.url]
    if lacking:
        raise _no_url(lacking)
    return [_item(ds, reviewer, x, st, date) for x, st in pairs], listed


def _no_url(lacking: list[Source]) -> InputError:
    first = lacking[0]
    others = f" (and {len(lacking) - 1} more: {', '.join(s.id for s in lacking[1:])})"
    location = _location(first.where)
    return InputError(
        f"source {first.id!r} has no url; a ClaimReview points at the page it reviews"
        + (others if len(lacking) > 1 else ""),
        hint="add 'url: https://...' (where the page is published) to each source in sources.yaml",
        location=location,
    )


def _location(where: str) -> Location | None:
    if not where:
        return None
    path, _, rest = where.partition(":")
    line, _, column = rest.partition(":")
    if line.isdigit() and column.isdigit():
        return Location(path, int(line), int(column))
    return Location(where)


def _item(ds: Dataset, reviewer: Reviewer, x: Conflict, st: Statement, date: str) -> Json:
    from stemcli.reports.page import finding_other

    src = ds.sources[st.source]
    assert src.url is not None
    c = st.claim
    other = x.b if st is x.a else x.a
    if x.kind == "arithmetic" or other is None:
        against = finding_other(ds, x)
    else:
        from stemcli.reports.claims import publisher, value_text

        against = (
            f"{'the same page' if x.internal else publisher(ds, other.source)} states "
            f"{value_text(other.claim)}: “{other.claim.quote}”"
        )
    verdict = VERDICTS.get((x.kind, x.internal), VERDICTS.get((x.kind, True), x.kind))
    ids: list[Json] = [c.id for c in st.claims]
    others = [] if other is None else [o.id for o in other.claims]
    if x.recomputed is not None:
        others = [p.id for p in x.recomputed.parts]
    key = "\n".join([x.kind, *(c.id for c in st.claims), "", *others])
    anchor = "stemcli-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    page: dict[str, Json] = {"@type": "CreativeWork", "url": src.url, "name": src.title}
    organisation: dict[str, Json] = {"@type": "Organization", "name": src.publisher}
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{reviewer.url.split('#', 1)[0]}#{anchor}",
        "claimReviewed": claim_reviewed(ds, st),
        "reviewRating": {
            "@type": "Rating",
            "alternateName": verdict,
            "ratingExplanation": x.why,
        },
        "reviewBody": f"The page says: “{c.quote}” Against it: {against}"
        + (" " if against.endswith(("”", ".")) else ". ")
        + x.why,
        "author": {"@type": "Organization", "name": reviewer.name, "url": reviewer.url},
        "datePublished": date,
        "itemReviewed": {
            "@type": "Claim",
            "author": organisation,
            "appearance": [page],
            "firstAppearance": page,
        },
        "identifier": ids,
    }


def claimreview_json(ds: Dataset, reviewer: Reviewer, *, date: str) -> tuple[str, Listed]:
    """The items as one JSON-LD document: a list of ClaimReview objects, each with its
    own ``@context`` so that any one can be put on a page as it is; and how many findings
    they review, of how many."""
    from stemcli.render.json_ import dumps

    found, listed = items(ds, reviewer, date=date)
    # "<" only ever stands in a string: escaped, an item can go in a <script> element as it
    # is, whatever a quote holds ("</script>")
    return dumps(found).replace("<", "\\u003c"), listed
