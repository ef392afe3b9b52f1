"""Reports: typed operation results as :class:`~stemcli.render.Report` objects, one module
per command family (claims, compare, conflicts, drafts, redflags, checks). This package
only gathers their names; commands import the module they need.
"""

from stemcli.numbers import plural
from stemcli.reports.checks import export_report, problems_report, verify_report
from stemcli.reports.claims import (
    claims_report,
    conditions_report,
    search_report,
    show_report,
    sources_report,
)
from stemcli.reports.compare import compare_report
from stemcli.reports.conflicts import conflicts_report
from stemcli.reports.drafts import DraftsWriter, draft_json, drafts_report, drafts_yaml, yaml_quoted
from stemcli.reports.fields import CLAIM_CSV_HEADER, CLAIM_FIELDS, claim_csv_row, claim_json
from stemcli.reports.redflags import redflags_report

__all__ = [
    "CLAIM_CSV_HEADER",
    "CLAIM_FIELDS",
    "DraftsWriter",
    "claim_csv_row",
    "claim_json",
    "claims_report",
    "compare_report",
    "conditions_report",
    "conflicts_report",
    "draft_json",
    "drafts_report",
    "drafts_yaml",
    "export_report",
    "plural",
    "problems_report",
    "redflags_report",
    "search_report",
    "show_report",
    "sources_report",
    "verify_report",
    "yaml_quoted",
]
