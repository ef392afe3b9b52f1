"""A Frictionless data package: ``datapackage.json`` and one CSV file per table.

The tables are the SQLite export's (:mod:`.sqlite`: sources, conditions, outcomes,
measures, statements, claims, conflicts, red flags), filled by the same code, so the two
never differ. Each resource has a Table Schema (field types, the primary key, foreign
keys), its ``bytes`` and its ``sha256:`` hash; the ``sources`` resource carries the
sha256 of each archived text. Cells are written as stemcli writes every CSV: control and
invisible characters made visible, and a cell a spreadsheet would run as a formula with a
leading ``'`` (a plain number such as ``-13`` stays as it is).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stemcli.exports import Listed
from stemcli.exports.sqlite import (
    DESCRIPTIONS,
    FLAGS,
    LICENSE,
    LICENSE_URL,
    TABLES,
    TITLE,
    conflicts_description,
)
from stemcli.model import Dataset

if TYPE_CHECKING:
    import sqlite3

MARKER = "datapackage.json"  # write_folder replaces only a folder holding it
NAME = "stemcli-claims"
_TYPES = {"TEXT": "string", "INTEGER": "integer", "REAL": "number"}


def build(ds: Dataset, folder: Path) -> Listed:
    """Write the package into ``folder`` (new and empty); how many findings its conflicts
    resource holds, of how many."""
    import contextlib
    import sqlite3

    conn = sqlite3.connect(":memory:")
    with contextlib.closing(conn):
        from stemcli.exports.sqlite import fill

        listed = fill(conn, ds, fts=False)
        resources = [_resource(conn, table, folder) for table in TABLES]
    for resource in resources:
        if resource["name"] == "conflicts":
            resource["description"] = conflicts_description(listed)
    package: dict[str, Any] = {
        "name": NAME,
        "title": TITLE,
        "description": (
            "Numeric claims of stem cell therapy marketing, each with a verbatim quote of "
            "its archived source, and what stemcli finds in them. The sources resource "
            "gives the sha256 of each archived text."
        ),
        "licenses": [{"name": LICENSE, "path": LICENSE_URL, "title": "MIT License"}],
        "sources": [
            {"title": s.publisher + ": " + s.title, **({"path": s.url} if s.url else {})}
            for s in ds.sources.values()
        ],
        "resources": resources,
    }
    from stemcli.render.json_ import dumps

    (folder / MARKER).write_text(dumps(package), encoding="utf-8")
    return listed


def _resource(conn: sqlite3.Connection, table: str, folder: Path) -> dict[str, Any]:
    import csv
    import hashlib
    import io

    from stemcli.text.neutralise import csv_cell

    info = conn.execute(f"PRAGMA table_info({table})").fetchall()
    keys = conn.execute(f"PRAGMA foreign_key_list({table})").fetchall()
    names = [row[1] for row in info]
    fields = []
    for _, name, decl, notnull, _, pk in info:
        kind = "boolean" if name in FLAGS else _TYPES.get(str(decl).upper(), "string")
        field: dict[str, Any] = {"name": name, "type": kind}
        if notnull or pk:
            field["constraints"] = {"required": True}
        fields.append(field)
    schema: dict[str, Any] = {
        "fields": fields,
        "primaryKey": [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]],
        # an empty cell is no value; only the empty string is (never "NA" or "-")
        "missingValues": [""],
    }
    if keys:
        schema["foreignKeys"] = [
            {
                "fields": [k[3]],
                "reference": {"resource": k[2], "fields": [k[4]]},
            }
            for k in keys
        ]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    columns = ", ".join(f'"{n}"' for n in names)  # "group" is a keyword of SQL
    for row in conn.execute(f"SELECT {columns} FROM {table} ORDER BY rowid"):
        writer.writerow(
            [_cell(name, value, csv_cell) for name, value in zip(names, row, strict=True)]
        )
    data = buf.getvalue().encode("utf-8")
    path = f"{table}.csv"
    (folder / path).write_bytes(data)
    return {
        "name": table,
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "description": DESCRIPTIONS[table],
        "bytes": len(data),
        "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
        "schema": schema,
    }


def _cell(name: str, value: object, csv_cell: Callable[[str], str]) -> str:
    if value is None:
        return ""
    if name in FLAGS:
        return "true" if value else "false"
    if isinstance(value, float):
        from stemcli.numbers import plain

        return plain(value)
    if isinstance(value, int):
        return str(value)
    return csv_cell(str(value))
