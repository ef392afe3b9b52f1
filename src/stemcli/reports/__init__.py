"""Reports: typed operation results as :class:`~stemcli.render.Report` objects, one module
per command family:

- :mod:`~stemcli.reports.claims`: lookup, show, search, sources, conditions
- :mod:`~stemcli.reports.compare`: compare (a table or range charts)
- :mod:`~stemcli.reports.conflicts`: conflicts, their counts, --explain
- :mod:`~stemcli.reports.drafts`: extract (a claims file to edit, or a table)
- :mod:`~stemcli.reports.redflags`: redflags
- :mod:`~stemcli.reports.checks`: validate, verify, export
- :mod:`~stemcli.reports.fields`: the claim's fields, once, for CSV and JSON

Commands import the module they need. The names below are gathered here for readers of
the whole package; each is imported from its module when first asked for, so that a
command pays only for its own reports.
"""

from __future__ import annotations

import importlib

_MODULE_OF = {
    "CLAIM_CSV_HEADER": "fields",
    "CLAIM_FIELDS": "fields",
    "claim_csv_row": "fields",
    "claim_json": "fields",
    "claims_report": "claims",
    "conditions_report": "claims",
    "search_report": "claims",
    "show_report": "claims",
    "sources_report": "claims",
    "compare_report": "compare",
    "conflicts_report": "conflicts",
    "DraftsWriter": "drafts",
    "draft_json": "drafts",
    "drafts_report": "drafts",
    "drafts_yaml": "drafts",
    "yaml_quoted": "drafts",
    "redflags_report": "redflags",
    "export_report": "checks",
    "problems_report": "checks",
    "verify_report": "checks",
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
