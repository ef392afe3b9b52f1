"""YAML output: the report's data (as in JSON), or the report's own YAML document.

Like JSON, YAML keeps the exact text: a string holding a character that would not show
as itself (a control, an invisible or format character, a line separator) is written
double-quoted with that character as a YAML escape (``"\\u200b"``, ``"\\e"``), so that the
output reads back as exactly the data and no such character reaches a terminal.
"""

from __future__ import annotations

import functools
from typing import Any

from stemcli.render.interface import Json, Report


@functools.cache
def _dumper() -> Any:
    import yaml

    from stemcli.text.neutralise import first_escaped

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        # double quotes: the one YAML style in which every character has an escape
        style = '"' if first_escaped(value) is not None else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper


def dumps(data: Json) -> str:
    import yaml

    from stemcli.text.neutralise import escape_hidden

    dumped = yaml.dump(data, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=100)
    # PyYAML writes some of these characters as they are even in double quotes (U+200B);
    # each one left stands inside a double-quoted scalar, where its escape is valid
    return escape_hidden(str(dumped))


def render(report: Report) -> str:
    return report.yaml if report.yaml is not None else dumps(report.data)
