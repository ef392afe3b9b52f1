"""JSON output: the report's data, pretty-printed, terminal-safe."""

from __future__ import annotations

import json

from stemcli.render.interface import Json, Report
from stemcli.text.neutralise import json_safe


def dumps(data: Json) -> str:
    return json_safe(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)) + "\n"


def render(report: Report) -> str:
    return dumps(report.data)
