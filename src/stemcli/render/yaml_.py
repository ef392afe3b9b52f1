"""YAML output: the report's data (as in JSON), or the report's own YAML document.

Strings are neutralised first (:func:`stemcli.text.neutralise.clean`): no control
character, and none YAML reads as a line break, reaches the output as itself.
"""

from __future__ import annotations

from stemcli.render.interface import Json, Report


def _cleaned(value: Json) -> Json:
    from stemcli.text.neutralise import clean

    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def dumps(data: Json) -> str:
    import yaml

    return str(yaml.safe_dump(_cleaned(data), sort_keys=False, allow_unicode=True, width=100))


def render(report: Report) -> str:
    return report.yaml if report.yaml is not None else dumps(report.data)
