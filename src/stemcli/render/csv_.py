"""CSV output: a header row and one row per record; text is terminal-safe."""

from __future__ import annotations

import csv
import io

from stemcli.render import Report
from stemcli.safe import clean


def render(report: Report) -> str:
    header, rows = report.csv()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([clean(h) for h in header])  # headers can be data (compare's sources)
    for row in rows:
        writer.writerow([clean(cell) for cell in row])
    return buf.getvalue()
