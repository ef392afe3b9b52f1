"""CSV output: a header row and one row per record.

Every cell, headers too (compare's are source names), goes through
:func:`stemcli.text.neutralise.csv_cell`: control and invisible characters are made visible, and a
cell a spreadsheet would run as a formula starts with a single quote (unless ``raw``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from stemcli.render.interface import Report
from stemcli.text.neutralise import csv_cell

# what --bom puts first: the UTF-8 byte-order mark, which tells spreadsheet programs
# (Excel) that the file is UTF-8 rather than the system's legacy code page
BOM = "\ufeff"


def render(report: Report, *, raw: bool = False, bom: bool = False) -> str:
    return "".join(chunks(report, raw=raw, bom=bom))


def chunks(
    report: Report, *, raw: bool = False, bom: bool = False, rows_per_chunk: int = 500
) -> Iterator[str]:
    """The CSV text in pieces of ``rows_per_chunk`` rows, each row made as it is written."""
    header, rows = report.csv()
    buf = io.StringIO()
    if bom:
        buf.write(BOM)
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([csv_cell(h, raw=raw) for h in header])
    for i, row in enumerate(rows, 1):
        writer.writerow([csv_cell(cell, raw=raw) for cell in row])
        if i % rows_per_chunk == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()
