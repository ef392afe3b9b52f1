"""SQLite: the dataset and its findings as tables, for Datasette and any SQL client.

Tables (every reference a foreign key, checked with ``PRAGMA foreign_key_check`` before
the file is put in place):

- ``sources``, ``conditions``, ``outcomes``, ``measures``: the dataset's own, by id (a
  source's ``kind`` tells marketing from ``evidence`` and ``survey`` reference sources,
  which carry ``citation``, ``doi``, ``year`` and, for evidence, ``certainty``);
- ``claims``: one row per claim, its value, timepoint and confidence interval (``ci``)
  spread into ``*_text``, ``*_low``, ``*_high``, ``*_unit`` (and ``value_qualifier``)
  columns, with the ``statement_id`` of the statement it belongs to and ``location``
  (file:line:column in the dataset). A marketing claim has a verbatim ``quote``; a
  reference claim has a ``statement`` in the curator's words, a ``scale`` and
  ``n_studies`` instead;
- ``statements``: what a source states once or more (the claims of one value for one
  question, as conflicts groups them), with how often;
- ``conflicts``: every finding (contradictions, arithmetic, tensions), between statements;
- ``redflags``: the red flags of each source's quotes, with the guidance behind each rule;
- ``claims_fts``: a full-text index (FTS5) of the quotes and statements, which Datasette
  offers as search.

:func:`metadata_json` is Datasette's ``metadata.json`` for the file: title, licence,
source, a description of each table and the sha256 of each archived text. It is written
beside the database as ``NAME.metadata.json`` (``claims.db``: ``claims.metadata.json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from stemcli.errors import StemcliError
from stemcli.exports import Listed
from stemcli.model import Claim, Dataset

if TYPE_CHECKING:
    import sqlite3

    from stemcli.ops.conflicts import Statement

TITLE = "stemcli: the numeric claims of stem cell therapy marketing"
LICENSE = "MIT"
LICENSE_URL = "https://opensource.org/licenses/MIT"

SCHEMA = """
CREATE TABLE sources (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT NOT NULL, kind TEXT NOT NULL,
  sells_treatment INTEGER NOT NULL, url TEXT, archive TEXT, sha256 TEXT, reader TEXT,
  review TEXT NOT NULL, citation TEXT, doi TEXT, year INTEGER, certainty TEXT
);
CREATE TABLE conditions (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, aliases TEXT NOT NULL, stages TEXT NOT NULL
);
CREATE TABLE outcomes (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, family TEXT NOT NULL, description TEXT NOT NULL,
  compared INTEGER NOT NULL
);
CREATE TABLE measures (id TEXT PRIMARY KEY, description TEXT NOT NULL);
CREATE TABLE statements (
  id INTEGER PRIMARY KEY, source TEXT NOT NULL REFERENCES sources(id),
  condition TEXT NOT NULL REFERENCES conditions(id),
  outcome TEXT NOT NULL REFERENCES outcomes(id), measure TEXT NOT NULL REFERENCES measures(id),
  value TEXT NOT NULL, times INTEGER NOT NULL
);
CREATE TABLE claims (
  id TEXT PRIMARY KEY, source TEXT NOT NULL REFERENCES sources(id),
  condition TEXT NOT NULL REFERENCES conditions(id), stages TEXT NOT NULL,
  outcome TEXT NOT NULL REFERENCES outcomes(id), measure TEXT NOT NULL REFERENCES measures(id),
  value_text TEXT NOT NULL, value_low REAL, value_high REAL, value_unit TEXT,
  value_qualifier TEXT NOT NULL,
  timepoint_text TEXT, timepoint_low REAL, timepoint_high REAL, timepoint_unit TEXT,
  basis TEXT NOT NULL, n INTEGER, comparator TEXT, intervention TEXT, "group" TEXT,
  citation TEXT, derived TEXT, review TEXT NOT NULL, quote TEXT,
  statement_id INTEGER REFERENCES statements(id), location TEXT NOT NULL,
  ci_text TEXT, ci_low REAL, ci_high REAL, ci_unit TEXT, scale TEXT, n_studies INTEGER,
  statement TEXT
);
CREATE TABLE conflicts (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, subkind TEXT, internal INTEGER NOT NULL,
  a_statement INTEGER NOT NULL REFERENCES statements(id),
  b_statement INTEGER REFERENCES statements(id),
  gap REAL, relative_gap REAL, unit TEXT NOT NULL, why TEXT NOT NULL,
  derivation TEXT, recomputed_low REAL, recomputed_high REAL, recomputed_from TEXT
);
CREATE TABLE redflags (
  id INTEGER PRIMARY KEY, source TEXT NOT NULL REFERENCES sources(id),
  claim TEXT REFERENCES claims(id), claims TEXT NOT NULL, rule TEXT NOT NULL,
  name TEXT NOT NULL, match TEXT NOT NULL, context TEXT NOT NULL, why TEXT NOT NULL,
  citation TEXT NOT NULL, scope TEXT NOT NULL, evidence TEXT NOT NULL, relayed INTEGER NOT NULL
);
CREATE INDEX claims_source ON claims(source);
CREATE INDEX claims_condition ON claims(condition);
CREATE INDEX claims_statement ON claims(statement_id);
CREATE INDEX conflicts_a ON conflicts(a_statement);
CREATE INDEX conflicts_b ON conflicts(b_statement);
CREATE INDEX redflags_source ON redflags(source);
"""
FTS = 'CREATE VIRTUAL TABLE claims_fts USING fts5(quote, statement, content="claims");'
# the tables in the order they are filled (each one's references come before it)
TABLES = (
    "sources",
    "conditions",
    "outcomes",
    "measures",
    "statements",
    "claims",
    "conflicts",
    "redflags",
)
# columns that hold 0 or 1 for no or yes
FLAGS = {"sells_treatment", "compared", "internal", "relayed"}

DESCRIPTIONS = {
    "sources": "Who said it: one row per archived page (sha256 of its archived text).",
    "conditions": "What the claims are about; aliases and stages as JSON lists.",
    "outcomes": "The outcome vocabulary; outcomes of one family are related.",
    "measures": "What kind of number a claim is (effect, responder-rate, duration ...).",
    "statements": "What one source states once or more: claims giving one value for one "
    "question (times: how often).",
    "claims": "One row per claim, with its verbatim quote (a reference claim: its statement "
    "in the curator's words); statement_id: the statement it belongs to (none for numbers "
    "that describe a study); location: file:line:column.",
    "conflicts": "Findings between statements: contradiction, arithmetic (b_statement "
    "empty; recomputed_* what the page's own figures give), tension.",
    "redflags": "Warning signs in each source's quotes, why each matters and the public "
    "guidance behind the rule.",
}


class ExportError(StemcliError):
    """The database cannot be built here (an SQLite without FTS5)."""


def metadata_path(target: Path) -> Path:
    """Where the Datasette metadata of ``target`` goes: ``claims.db`` ->
    ``claims.metadata.json``."""
    stem = target.stem if target.suffix else target.name
    return target.with_name(f"{stem}.metadata.json")


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _statement_ids(ds: Dataset) -> dict[tuple[str, ...], tuple[int, Statement]]:
    """The dataset's statements, numbered from 1 in first-claim-id order."""
    from stemcli.ops.conflicts import Selection
    from stemcli.ops.conflicts.select import prepare

    items = prepare(ds, Selection()).items
    return {
        tuple(c.id for c in it.claims): (k, it.statement) for k, it in enumerate(items, start=1)
    }


def conflicts_description(listed: Listed | None) -> str:
    """The conflicts table's description, and what it leaves out (when it does)."""
    held = listed.holding() if listed is not None else ""
    return f"{DESCRIPTIONS['conflicts']} {held}" if held else DESCRIPTIONS["conflicts"]


def build(ds: Dataset, path: Path) -> Listed:
    """Write the database into ``path`` (an empty file that is replaced); how many
    findings its conflicts table holds, of how many."""
    import contextlib
    import sqlite3

    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    try:
        with contextlib.closing(conn):
            return fill(conn, ds)
    except sqlite3.OperationalError as e:
        if "fts5" in str(e).lower():
            raise ExportError(
                "this Python's SQLite has no FTS5 full-text index; the database needs one",
                hint="use a Python built with a current SQLite (3.9 or newer, with FTS5)",
            ) from None
        raise


def fill(conn: sqlite3.Connection, ds: Dataset, *, fts: bool = True) -> Listed:
    """Create the tables in ``conn`` and fill them from ``ds`` (and the full-text index of
    the quotes, with ``fts``); how many findings the conflicts table holds, of how many."""
    from stemcli.ops.conflicts import MAX_LISTED, Selection, find_conflicts
    from stemcli.ops.redflags import scan_quotes
    from stemcli.ops.report import redflag_kind

    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript(SCHEMA + (FTS if fts else ""))
    conn.executemany(
        "INSERT INTO sources VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                s.id,
                s.title,
                s.publisher,
                s.kind,
                int(s.sells_treatment),
                s.url,
                s.archive,
                s.sha256,
                s.reader,
                _json(list(s.review)),
                s.citation,
                s.doi,
                s.year,
                s.certainty,
            )
            for s in ds.sources.values()
        ],
    )
    conn.executemany(
        "INSERT INTO conditions VALUES (?,?,?,?)",
        [
            (
                c.id,
                c.name,
                _json(list(c.aliases)),
                _json([{"id": s.id, "aliases": list(s.aliases)} for s in c.stages]),
            )
            for c in ds.conditions.values()
        ],
    )
    conn.executemany(
        "INSERT INTO outcomes VALUES (?,?,?,?,?)",
        [(o.id, o.name, o.family, o.description, int(o.compared)) for o in ds.outcomes.values()],
    )
    conn.executemany(
        "INSERT INTO measures VALUES (?,?)", [(m.id, m.description) for m in ds.measures.values()]
    )
    statements = _statement_ids(ds)

    def statement_id(st: Statement) -> int:
        key = tuple(c.id for c in st.claims)
        found = statements.get(key)
        if found is None:  # a statement only a finding names (a derived figure's)
            found = statements[key] = (len(statements) + 1, st)
        return found[0]

    listing = find_conflicts(ds, Selection(), limit=MAX_LISTED)
    findings = listing.conflicts
    conflict_rows = [
        (
            x.kind,
            x.subkind,
            int(x.internal),
            statement_id(x.a),
            None if x.b is None else statement_id(x.b),
            _finite(x.gap),
            _finite(x.relative_gap),
            x.unit,
            x.why,
            None if x.recomputed is None else x.recomputed.text,
            None if x.recomputed is None else _finite(x.recomputed.interval[0]),
            None if x.recomputed is None else _finite(x.recomputed.interval[1]),
            None if x.recomputed is None else ";".join(c.id for c in x.recomputed.parts),
        )
        for x in findings
    ]
    conn.executemany(
        "INSERT INTO statements VALUES (?,?,?,?,?,?,?)",
        [
            (
                k,
                st.source,
                st.claim.condition,
                st.claim.outcome,
                st.claim.measure,
                st.claim.value.text,
                st.times,
            )
            for k, st in sorted(statements.values(), key=lambda kv: kv[0])
        ],
    )
    member = {c.id: k for k, st in statements.values() for c in st.claims}
    conn.executemany(
        "INSERT INTO claims VALUES (" + ",".join("?" * 33) + ")",
        [_claim_row(c, member.get(c.id)) for c in ds.claims],
    )
    conn.executemany(
        "INSERT INTO conflicts (kind, subkind, internal, a_statement, b_statement, gap, "
        "relative_gap, unit, why, derivation, recomputed_low, recomputed_high, "
        "recomputed_from) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        conflict_rows,
    )
    by_source: dict[str, list[Claim]] = {}
    for c in ds.claims:
        by_source.setdefault(c.source, []).append(c)
    flag_rows = []
    for s in ds.sources.values():
        result = scan_quotes(by_source.get(s.id, []), source=s.id, kind=redflag_kind(s))
        for f in result.findings:
            flag_rows.append(
                (
                    s.id,
                    f.claim,
                    ";".join(f.claims),
                    f.rule,
                    f.name,
                    f.match,
                    f.context,
                    f.why,
                    f.citation,
                    f.scope,
                    _json(list(f.evidence)),
                    int(f.relayed),
                )
            )
    conn.executemany(
        "INSERT INTO redflags (source, claim, claims, rule, name, match, context, why, "
        "citation, scope, evidence, relayed) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        flag_rows,
    )
    if fts:
        conn.execute(
            "INSERT INTO claims_fts (rowid, quote, statement) "
            "SELECT rowid, quote, statement FROM claims"
        )
    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
    assert not broken, f"the export's own references do not hold: {broken[:5]}"
    conn.commit()
    return Listed(len(findings), listing.total)


def _finite(x: float) -> float | None:
    import math

    return x if math.isfinite(x) else None


def _claim_row(c: Claim, statement: int | None) -> tuple[object, ...]:
    v, tp, ci = c.value, c.timepoint, c.ci
    return (
        c.id, c.source, c.condition, _json(list(c.stages)), c.outcome, c.measure,
        v.text, _finite(v.low), _finite(v.high), v.unit, v.qualifier,
        None if tp is None else tp.text,
        None if tp is None else _finite(tp.low),
        None if tp is None else _finite(tp.high),
        None if tp is None else tp.unit,
        c.basis, c.n, c.comparator, c.intervention, c.group, c.citation,
        None if c.derived is None else _json(c.derived.to_json()),
        _json(list(c.review)), c.quote or None, statement, c.where,
        None if ci is None else ci.text,
        None if ci is None else _finite(ci.low),
        None if ci is None else _finite(ci.high),
        None if ci is None else ci.unit,
        c.scale, c.n_studies, c.statement,
    )  # fmt: skip


def metadata(ds: Dataset, database: str, listed: Listed | None = None) -> dict[str, Any]:
    """Datasette's metadata for the database file named ``database`` (whose conflicts
    table holds ``listed``)."""
    name = Path(database).stem if Path(database).suffix else database
    archives = [
        f"{s.id}: {s.archive or 'no archive'} sha256 {s.sha256 or 'not recorded'}"
        for s in ds.sources.values()
    ]
    publishers = ", ".join(dict.fromkeys(s.publisher for s in ds.sources.values())) or "none"
    return {
        "title": TITLE,
        "description": (
            "Numeric claims of stem cell therapy marketing, each with a verbatim quote of its "
            "archived source, and what stemcli finds in them. Archived texts (sha256): "
            + "; ".join(archives)
        ),
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "source": f"The pages of: {publishers} (see the sources table, with each page's url)",
        "databases": {
            name: {
                "title": TITLE,
                "archives": {
                    s.id: {"archive": s.archive, "sha256": s.sha256, "url": s.url}
                    for s in ds.sources.values()
                },
                "tables": {table: {"description": text} for table, text in DESCRIPTIONS.items()}
                | ({"conflicts": {"description": conflicts_description(listed)}})
                | {"claims_fts": {"hidden": True}},
            }
        },
    }


def metadata_json(ds: Dataset, database: str, listed: Listed | None = None) -> str:
    from stemcli.render.json_ import dumps

    return dumps(metadata(ds, database, listed))
