"""CSV output: a header row and one row per record.

Every cell, headers too (compare's are source names), goes through
:func:`stemcli.text.neutralise.csv_cell`: control and invisible characters are made visible, and a
cell a spreadsheet would run as a formula starts with a single quote (unless ``raw``).
"""

from __future__ import annotations

import csv
import io

from stemcli.render.interface import Report
from stemcli.text.neutralise import csv_cell


def render(report: Report, *, raw: bool = False) -> str:
    header, rows = report.csv()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([csv_cell(h, raw=raw) for h in header])
    for row in rows:
        writer.writerow([csv_cell(cell, raw=raw) for cell in row])
    return buf.getvalue()
