"""Sources, conditions (with stages and aliases) and outcomes (with measures)."""

from __future__ import annotations

from collections.abc import Iterable

from stemcli.dataset.validate.fields import (
    _Builder,
    _check_fields,
    _list_of_mappings,
    _review,
    _str,
    _str_list,
    _suggest,
    _typable,
    _where,
)
from stemcli.dataset.yaml_nodes import Node
from stemcli.ids import RESERVED_STAGES, is_slug, is_url, normalise
from stemcli.model import KINDS, Condition, Measure, Outcome, Source, Stage

_SOURCE_FIELDS = (
    "id",
    "title",
    "publisher",
    "kind",
    "sells_treatment",
    "archive",
    "sha256",
    "reader",
    "review",
    "url",
    "citation",
    "doi",
    "year",
    "certainty",
)


_CONDITION_FIELDS = ("id", "name", "aliases", "stages")


def _entry_id(b: _Builder, path: str, node: Node, fields: tuple[str, ...], kind: str) -> str | None:
    """The id of one entry of sources.yaml or conditions.yaml (its fields checked), or
    None when it has none that can be used (the problem is recorded)."""
    ident = _str(b, path, node.value, "id", node, required=True)
    _check_fields(b, path, node, fields, kind, ident)
    if ident is None:
        return None
    if not is_slug(ident):
        b.problem(path, node.value["id"], f"{kind} id {ident!r} must be a lowercase slug")
        return None
    return ident


def _add_sources(b: _Builder, path: str, root: Node | None, folder: str | None = None) -> None:
    """The sources of one sources.yaml; ``folder`` is where it is (None: bundled)."""
    for node in _list_of_mappings(b, path, root, "sources"):
        f = node.value
        ident = _entry_id(b, path, node, _SOURCE_FIELDS, "source")
        if ident is None:
            continue
        title = _str(b, path, f, "title", node, required=True)
        publisher = _str(b, path, f, "publisher", node, required=True)
        kind = _str(b, path, f, "kind", node, required=True)
        if kind is not None and kind not in KINDS:
            b.problem(
                path,
                f["kind"],
                f"kind must be one of {', '.join(KINDS)}, not {kind!r}{_suggest(kind, KINDS)}",
            )
        sells = f.get("sells_treatment")
        if sells is None or not isinstance(sells.value, bool):
            b.problem(path, sells or node, "sells_treatment must be true or false")
        archive = _str(b, path, f, "archive", node, required=False)
        if archive is not None and "\0" in archive:
            # the one character no file system allows; whether the name stays inside the
            # archive folder is verify's check (it knows the folder)
            b.problem(
                path,
                f["archive"],
                f"archive {archive!r} cannot be a file name (it holds a NUL byte)",
            )
            archive = None
        sha = _str(b, path, f, "sha256", node, required=False)
        if sha is not None and (len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha)):
            b.problem(path, f["sha256"], "sha256 must be 64 lowercase hex digits")
        reader = _str(b, path, f, "reader", node, required=False)
        url = _str(b, path, f, "url", node, required=False)
        if url is not None and not is_url(url):
            b.problem(
                path,
                f["url"],
                f"url {url!r} must be an absolute http:// or https:// address with no spaces",
            )
            url = None
        from stemcli.dataset.validate.reference import check_source_fields

        citation, doi, year, certainty = check_source_fields(b, path, f, node, kind, url)
        review = _review(b, path, f, [k for k in _SOURCE_FIELDS if k != "review"], ident)
        if not b.define("source", ident, path, f["id"]):
            continue
        if title and publisher and kind in KINDS and sells is not None:
            b.sources[ident] = Source(
                ident,
                title,
                publisher,
                kind,
                bool(sells.value),
                archive,
                sha,
                reader,
                review,
                url,
                citation=citation,
                doi=doi,
                year=year,
                certainty=certainty,
                folder=folder,
                where=_where(path, node),
            )


def _add_conditions(b: _Builder, path: str, root: Node | None) -> None:
    for node in _list_of_mappings(b, path, root, "conditions"):
        f = node.value
        ident = _entry_id(b, path, node, _CONDITION_FIELDS, "condition")
        if ident is None:
            continue
        name = _str(b, path, f, "name", node, required=True)
        aliases = _aliases(b, path, f, f"condition {ident!r}")
        stages = _stages(b, path, f, ident)
        if not b.define("condition", ident, path, f["id"]) or not name:
            continue
        names = [(ident, "id", f["id"]), (name, "name", f["name"])]
        _names_free(b, path, ident, [*names, *((a, "alias", n) for a, n in aliases)])
        b.conditions[ident] = Condition(ident, name, tuple(a for a, _ in aliases), stages)


def _aliases(b: _Builder, path: str, f: dict[str, Node], owner: str) -> list[tuple[str, Node]]:
    """The aliases of ``f``; one a person cannot type (nothing visible: empty, only
    punctuation, only invisible characters) is a problem."""
    from stemcli.text.neutralise import without_hidden

    out = []
    for alias, anode in _str_list(b, path, f, "aliases"):
        if normalise(without_hidden(alias)):
            out.append((alias, anode))
        else:
            b.problem(path, anode, f"an alias of {owner} is empty")
    return out


def _names_free(b: _Builder, path: str, ident: str, names: Iterable[tuple[str, str, Node]]) -> None:
    """Record a condition's names; a name that is another condition's id is a problem.

    Names are compared as a person's input is (:func:`stemcli.ids.normalise`). An id
    always wins when resolving, so a name or alias equal to another condition's id
    could never be reached. (A name or alias shared by two conditions is refused as
    ambiguous where it is used.)
    """
    for text, what, node in names:
        key = normalise(text)
        other = b.condition_names.setdefault(key, (ident, what, _where(path, node)))
        if other[0] != ident and "id" in (what, other[1]):
            b.problem(
                path,
                node,
                f"{what} {text!r} of condition {ident!r} also names condition {other[0]!r} "
                f"(its {other[1]}, at {other[2]})",
            )


def _stages(b: _Builder, path: str, f: dict[str, Node], cond: str) -> tuple[Stage, ...]:
    """The stages of condition ``cond``; every invalid one is a problem.

    A stage id is a slug other than a reserved word of the output (``any``); its
    aliases are text a person can type. No two stages of a condition may share an id
    or an alias, compared as input is (case, spaces and punctuation aside): ``--stage``
    would otherwise mean whichever stage comes first.
    """
    stage_node = f.get("stages")
    items = stage_node.value if stage_node is not None else None
    if items is None:
        return ()
    if not isinstance(items, list):
        b.problem(path, stage_node, "stages must be a list")
        return ()
    stages: list[Stage] = []
    taken: dict[str, tuple[str, str, str]] = {}  # normalised name -> (stage, what, where)

    def claim_name(text: str, what: str, node: Node, stage: str) -> None:
        key = normalise(text)
        mine = f"stage {text!r}" if what == "stage" else f"alias {text!r} of stage {stage!r}"
        if key in RESERVED_STAGES:
            b.problem(path, node, f"{mine}: {text!r} is reserved (the output's 'any stage')")
            return
        other = taken.get(key)
        if other is None:
            taken[key] = (stage, what, _where(path, node))
        elif other[0] != stage:
            theirs = f"stage {other[0]!r}"
            if other[1] != "stage":
                theirs = f"an alias of {theirs}"
            b.problem(path, node, f"{mine} of condition {cond!r} is also {theirs} (at {other[2]})")
        elif what == "stage":
            b.problem(path, node, f"stage {text!r} is listed twice (first at {other[2]})")
        # else: an alias repeating its own stage's id or another alias of it: harmless

    for item in items:
        if isinstance(item.value, str):
            sid: str | None = item.value.strip()
            id_node, aliases = item, []
        elif isinstance(item.value, dict):
            sid = _str(b, path, item.value, "id", item, required=True)
            _check_fields(b, path, item, ("id", "aliases"), "stage", sid)
            id_node = item.value.get("id", item)
            aliases = _aliases(b, path, item.value, f"stage {sid!r}") if sid else []
        else:
            b.problem(path, item, "a stage must be an id or a mapping with id and aliases")
            continue
        if not sid:
            if isinstance(item.value, str):  # a mapping's empty id is reported by _str
                b.problem(path, item, f"a stage id of condition {cond!r} is empty")
            continue
        if not is_slug(sid):
            b.problem(path, id_node, f"stage id {sid!r} must be a lowercase slug")
            continue
        claim_name(sid, "stage", id_node, sid)
        for alias, anode in aliases:
            claim_name(alias, "alias", anode, sid)
        stages.append(Stage(sid, tuple(a for a, _ in aliases)))
    return tuple(stages)


def _add_outcomes(b: _Builder, path: str, root: Node | None) -> None:
    from stemcli.quantities import DIMENSIONS

    if root is None or root.value is None:
        return
    if not isinstance(root.value, dict):
        b.problem(path, root, "outcomes.yaml must be a mapping with 'measures' and 'outcomes'")
        return
    for key in root.value:
        if key not in ("measures", "outcomes"):
            b.problem(path, root, f"unknown section {key!r} (expected measures, outcomes)")
    for node in _list_of_mappings(b, path, root.value.get("measures"), "measures"):
        f = node.value
        ident = _str(b, path, f, "id", node, required=True)
        _check_fields(
            b, path, node, ("id", "description", "max_percent", "dimensions"), "measure", ident
        )
        if ident is None or not _typable(b, path, f["id"], "measure", ident):
            continue
        if not b.define("measure", ident, path, f["id"]):
            continue
        mp = f.get("max_percent")
        max_percent = None
        if mp is not None and mp.value is not None:
            if isinstance(mp.value, (int, float)) and not isinstance(mp.value, bool):
                max_percent = float(mp.value)
            else:
                b.problem(path, mp, "max_percent must be a number")
        dims = tuple(d for d, _ in _str_list(b, path, f, "dimensions"))
        for d, dn in _str_list(b, path, f, "dimensions"):
            if d not in DIMENSIONS:
                b.problem(path, dn, f"unknown dimension {d!r}{_suggest(d, DIMENSIONS)}")
        desc = _str(b, path, f, "description", node, required=False) or ""
        b.measures[ident] = Measure(ident, desc, max_percent, dims)
    for node in _list_of_mappings(b, path, root.value.get("outcomes"), "outcomes"):
        f = node.value
        ident = _str(b, path, f, "id", node, required=True)
        _check_fields(
            b, path, node, ("id", "name", "family", "description", "compared"), "outcome", ident
        )
        if ident is None or not _typable(b, path, f["id"], "outcome", ident):
            continue
        if not b.define("outcome", ident, path, f["id"]):
            continue
        name = _str(b, path, f, "name", node, required=False) or ident
        family = _str(b, path, f, "family", node, required=False) or ident
        desc = _str(b, path, f, "description", node, required=False) or ""
        compared_node = f.get("compared")
        compared = True
        if compared_node is not None and compared_node.value is not None:
            if isinstance(compared_node.value, bool):
                compared = compared_node.value
            else:
                b.problem(path, compared_node, "compared must be true or false", ident)
        b.outcomes[ident] = Outcome(ident, name, family, desc, compared)
