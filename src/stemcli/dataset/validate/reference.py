"""The fields of reference sources and claims: citations, DOIs, certainty grades, signed
figures with confidence intervals.

A reference source (kind ``evidence`` or ``survey``) is cited, not archived: it needs a
``doi`` or a ``url``; its claims state their figure in the curator's words
(``statement``) instead of a verbatim ``quote``. A figure relative to a control (a mean
difference) may be below zero, so a reference claim's ``value`` and ``ci`` may carry a
sign (``-13.24 points``, ``-0.19 to 1.16``); the grammar of marketing values reads none.
"""

from __future__ import annotations

import re

from stemcli.dataset.validate.fields import _Builder, _str, _suggest
from stemcli.dataset.yaml_nodes import Node
from stemcli.model import CERTAINTY, Quantity, certainty_grades

# a DOI as Crossref describes modern ones: "10.", a registrant code, "/", a suffix of
# printable ASCII without spaces, quotes or angle brackets
_DOI = re.compile(r"10\.\d{4,9}/[!#-;=?-~]+")
_DOI_PREFIX = re.compile(r"(?i)^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)")
# the years a publication of this field can have
YEARS = (1900, 2100)

_SIGNED = re.compile(
    r"\s*(?P<s1>[-−+]?)\s*(?P<n1>\d[\d,]*(?:\.\d+)?)"
    r"(?:\s*(?:to|–|—)\s*(?P<s2>[-−+]?)\s*(?P<n2>\d[\d,]*(?:\.\d+)?))?"
    r"\s*(?P<unit>[^\d\s+−-].*)?"
)


def is_doi(text: str) -> bool:
    """A bare DOI: ``10.1055/s-0037-1604443`` (no ``doi:`` or resolver in front)."""
    return len(text) <= 300 and _DOI.fullmatch(text) is not None


def check_source_fields(
    b: _Builder, path: str, f: dict[str, Node], node: Node, kind: str | None, url: str | None
) -> tuple[str | None, str | None, int | None, str | None]:
    """A source's ``citation``, ``doi``, ``year`` and ``certainty``, each checked; a
    reference source must be citable (a doi or a url), and only evidence is graded."""
    from stemcli.model import REFERENCE_KINDS

    citation = _str(b, path, f, "citation", node, required=False)
    doi = _str(b, path, f, "doi", node, required=False)
    if doi is not None and not is_doi(doi):
        bare = _DOI_PREFIX.sub("", doi)
        hint = f" (write it bare: {bare!r})" if bare != doi and is_doi(bare) else ""
        b.problem(
            path,
            f["doi"],
            f"doi {doi!r} must be a DOI such as '10.1055/s-0037-1604443'{hint}",
        )
        doi = None
    year: int | None = None
    year_node = f.get("year")
    if year_node is not None and year_node.value is not None:
        raw = year_node.value
        if isinstance(raw, int) and not isinstance(raw, bool) and YEARS[0] <= raw <= YEARS[1]:
            year = raw
        else:
            b.problem(path, year_node, f"year must be a year from {YEARS[0]} to {YEARS[1]}")
    certainty = _str(b, path, f, "certainty", node, required=False)
    if certainty is not None:
        if certainty_grades(certainty) is None:
            word = certainty.split(" to ")[0].strip()
            b.problem(
                path,
                f["certainty"],
                f"certainty {certainty!r} must be a GRADE grade ({', '.join(CERTAINTY)}) "
                f"or a range of two, lowest first ('very-low to low'){_suggest(word, CERTAINTY)}",
            )
            certainty = None
        elif kind is not None and kind != "evidence":
            b.problem(
                path,
                f["certainty"],
                f"certainty grades evidence; a {kind} source has none",
            )
            certainty = None
    if kind in REFERENCE_KINDS and doi is None and url is None and "doi" not in f:
        b.problem(
            path,
            node,
            f"a {kind} source is cited, not archived: give its doi or url",
        )
    return citation, doi, year, certainty


def parse_signed(
    b: _Builder, path: str, node: Node, key: str, claim: str
) -> Quantity | bool | None:
    """A reference claim's ``value`` or ``ci`` written with a sign: a number or a range of
    two (``-13.24 points``, ``-23.28 to -3.20``, ``-0.19 to 1.16``); False when it holds no
    sign (the marketing grammar reads it), None when it cannot be read (a problem)."""
    raw = node.value
    text = str(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else raw
    if isinstance(text, str) and re.search(r"(?:^|\s|to)[-−+]\s*\d", text):
        m = _SIGNED.fullmatch(text)
        if m is not None:
            from stemcli.quantities import QuantityError, parse

            unit_text = (m["unit"] or "").strip()
            try:
                unit = parse(f"1 {unit_text}".strip()).unit if unit_text else None
            except QuantityError:
                unit = "?"
            if unit != "?":
                ends = [_signed(m["s1"], m["n1"])]
                if m["n2"] is not None:
                    ends.append(_signed(m["s2"], m["n2"]))
                return Quantity(text.strip(), min(ends), max(ends), unit)
        b.problem(
            path,
            node,
            f"unparseable {key}: {text!r} (a signed figure is a number or a range "
            "'-23.28 to -3.20', with an optional unit)",
            claim,
        )
        return None
    return False


def _signed(sign: str, digits: str) -> float:
    x = float(digits.replace(",", ""))
    return -x if sign in ("-", "−") else x
