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

# what --bom puts first: the UTF-8 byte-order mark, which tells spreadsheet programs
# (Excel) that the file is UTF-8 rather than the system's legacy code page
BOM = "\ufeff"


def render(report: Report, *, raw: bool = False, bom: bool = False) -> str:
    header, rows = report.csv()
    buf = io.StringIO()
    if bom:
        buf.write(BOM)
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([csv_cell(h, raw=raw) for h in header])
    for row in rows:
        writer.writerow([csv_cell(cell, raw=raw) for cell in row])
    return buf.getvalue()
