"""What a person types names one thing, and never another by the files' order.

Sources: an id beats any publisher's name; a publisher's name shared by several sources
is refused with their ids. Conditions: an exact id always wins over names, aliases and
fuzzy matches. Stages: ids and aliases of one condition are distinct and well formed,
which validation enforces with a located problem, so ``--stage X`` means one stage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stemcli.errors import UsageError
from stemcli.model import Condition, Dataset, Stage
from stemcli.ops.resolve import resolve_condition, resolve_source, resolve_stage

from .conftest import CONDITION, SOURCE, Run, assert_one_error, claim, data_args, write_dataset

# ---------------------------------------------------------------------------
# sources


def _two_sources(root: Path, publisher_a: str, publisher_b: str) -> Path:
    return write_dataset(
        root,
        sources=[
            {**SOURCE, "id": "alpha", "publisher": publisher_a},
            {**SOURCE, "id": "beta", "publisher": publisher_b},
        ],
        claims={"alpha": [claim("alpha-one")], "beta": [claim("beta-one")]},
    )


def _looked_up(run: Run, root: Path, source: str) -> list[str]:
    result = run(*data_args(root), "lookup", "cond", "--source", source, "--format", "json")
    assert result.exit_code == 0, result.output
    return [c["id"] for c in json.loads(result.stdout)]


@pytest.mark.parametrize("publisher", ["beta", "Beta", "BETA"])
def test_a_source_id_beats_another_sources_publisher(
    run: Run, tmp_path: Path, publisher: str
) -> None:
    """alpha comes first in the file and its publisher is called like beta's id."""
    root = _two_sources(tmp_path / "ds", publisher, "Beta Broker")
    assert _looked_up(run, root, "beta") == ["beta-one"]
    assert _looked_up(run, root, "alpha") == ["alpha-one"]


def test_a_publisher_is_found_exactly_then_case_insensitively(run: Run, tmp_path: Path) -> None:
    root = _two_sources(tmp_path / "ds", "Alpha Clinic", "Beta Broker")
    assert _looked_up(run, root, "Beta Broker") == ["beta-one"]
    assert _looked_up(run, root, "beta broker") == ["beta-one"]


@pytest.mark.parametrize("typed", ["Same Clinic", "same clinic"])
def test_a_publisher_shared_by_two_sources_is_a_usage_error(
    run: Run, tmp_path: Path, typed: str
) -> None:
    root = _two_sources(tmp_path / "ds", "Same Clinic", "Same Clinic")
    result = run(*data_args(root), "lookup", "cond", "--source", typed)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    line = assert_one_error(result.stderr)
    assert "alpha" in line
    assert "beta" in line


def test_an_exact_publisher_beats_a_case_insensitive_one() -> None:
    ds = _dataset(sources={"alpha": "Same clinic", "beta": "Same Clinic"})
    assert resolve_source(ds, "Same Clinic") == "beta"
    assert resolve_source(ds, "Same clinic") == "alpha"
    with pytest.raises(UsageError):
        resolve_source(ds, "same clinic")


# ---------------------------------------------------------------------------
# conditions (resolution; validation keeps such datasets out, see below)


def _dataset(
    conditions: list[Condition] | None = None, sources: dict[str, str] | None = None
) -> Dataset:
    from stemcli.model import Source

    return Dataset(
        sources={
            sid: Source(sid, "T", publisher, "clinic", True)
            for sid, publisher in (sources or {}).items()
        },
        conditions={c.id: c for c in conditions or []},
        outcomes={},
        measures={},
        claims=(),
    )


@pytest.mark.parametrize(
    "other",
    [
        Condition("knee-pain", "Knee pain", aliases=("knee",)),  # an alias equal to the id
        Condition("knee-pain", "Knee", aliases=()),  # a name equal to the id
        Condition("knee-pain", "Kneee", aliases=("the knee",)),  # a close fuzzy match
    ],
    ids=["alias", "name", "fuzzy"],
)
def test_an_exact_condition_id_always_wins(other: Condition) -> None:
    knee = Condition("knee", "Knee joint problems")
    for order in ([other, knee], [knee, other]):
        ds = _dataset(order)
        assert resolve_condition(ds, "knee").condition.id == "knee"
        assert not resolve_condition(ds, "knee").fuzzy


def test_a_name_shared_by_two_conditions_is_still_ambiguous() -> None:
    ds = _dataset([Condition("a", "Left", ("knee",)), Condition("b", "Right", ("knee",))])
    with pytest.raises(UsageError) as info:
        resolve_condition(ds, "Knee")
    assert "a, b" in info.value.message


def test_a_stage_id_wins_and_an_ambiguous_alias_is_refused() -> None:
    cond = Condition(
        "c", "C", stages=(Stage("middle", ("late", "shared")), Stage("late", ("shared",)))
    )
    assert resolve_stage(cond, "late") == "late"
    assert resolve_stage(cond, "LATE") == "late"
    with pytest.raises(UsageError):
        resolve_stage(cond, "shared")


# ---------------------------------------------------------------------------
# validation of stages and condition names


def _with_stages(stages: list[Any]) -> dict[str, Any]:
    return {**CONDITION, "stages": stages}


# (case id, conditions.yaml content, a stage or name the located problem names)
BAD_CONDITIONS: list[tuple[str, list[dict[str, Any]], str]] = [
    ("empty-stage", [_with_stages(["", "late"])], "empty"),
    ("blank-stage-mapping", [_with_stages([{"id": "  "}, "late"])], "empty"),
    ("reserved-any", [_with_stages(["early", "any"])], "'any'"),
    ("reserved-any-alias", [_with_stages([{"id": "early", "aliases": ["Any"]}])], "'Any'"),
    ("upper-case-stage", [_with_stages(["late", "Late"])], "'Late'"),
    ("stage-not-a-slug", [_with_stages(["late stage"])], "'late stage'"),
    ("ids-equal-as-typed", [_with_stages(["full-thickness", "full.thickness"])], "full"),
    (
        "alias-is-another-stage",
        [_with_stages([{"id": "middle", "aliases": ["late"]}, "late"])],
        "'late'",
    ),
    (
        "another-stage-is-an-alias",
        [_with_stages(["late", {"id": "middle", "aliases": ["Late"]}])],
        "'Late'",
    ),
    (
        "alias-of-two-stages",
        [
            _with_stages(
                [{"id": "early", "aliases": ["mild"]}, {"id": "middle", "aliases": ["MILD"]}]
            )
        ],
        "'MILD'",
    ),
    ("empty-alias", [_with_stages([{"id": "early", "aliases": ["--"]}])], "empty"),
    (
        "condition-alias-is-another-id",
        [CONDITION, {"id": "other", "name": "Other", "aliases": ["Cond"]}],
        "'Cond'",
    ),
    (
        "condition-ids-equal-as-typed",
        [{"id": "a-b", "name": "One"}, {"id": "a.b", "name": "Two"}, CONDITION],
        "'a.b'",
    ),
    ("empty-condition-alias", [{**CONDITION, "aliases": [" "]}], "empty"),
    ("invisible-stage-alias", [_with_stages([{"id": "early", "aliases": ["\u200b"]}])], "empty"),
    ("invisible-condition-alias", [{**CONDITION, "aliases": ["\u2060\u00ad"]}], "empty"),
]


@pytest.mark.parametrize(
    ("conditions", "needle"),
    [c[1:] for c in BAD_CONDITIONS],
    ids=[c[0] for c in BAD_CONDITIONS],
)
def test_ambiguous_or_malformed_stages_and_names_are_located_problems(
    run: Run, tmp_path: Path, conditions: list[dict[str, Any]], needle: str
) -> None:
    root = write_dataset(tmp_path / "ds", conditions=conditions)
    result = run(*data_args(root), "lookup", "cond")
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert_one_error(result.stderr, "conditions.yaml:")
    checked = run(*data_args(root), "validate", "--format", "json")
    assert checked.exit_code == 1, checked.output
    problems = json.loads(checked.stdout)
    located = [p for p in problems if p["line"] > 0 and p["column"] > 0]
    assert any(needle in p["message"] for p in located), problems
    assert all(p["file"].endswith("conditions.yaml") for p in problems), problems


def test_an_alias_repeating_its_own_stage_is_fine(run: Run, tmp_path: Path) -> None:
    stages = [{"id": "early", "aliases": ["Early", "mild", "Mild"]}, "late"]
    conditions = [{**CONDITION, "aliases": ["cond", "A Condition"], "stages": stages}]
    root = write_dataset(tmp_path / "ds", conditions=conditions)
    result = run(*data_args(root), "validate")
    assert result.exit_code == 0, result.output


def test_compare_finds_its_sources_as_every_command_does(run: Run) -> None:
    """--sources takes what --source takes (ids, publishers), in the order given."""
    by_publisher = run(
        "compare", "knee-oa", "--sources", "NexGenEsis Healthcare,bookimed", "-f", "json"
    )
    by_id = run("compare", "knee-oa", "--sources", "nexgenesis,bookimed", "-f", "json")
    assert by_publisher.exit_code == 0, by_publisher.output
    assert by_publisher.stdout == by_id.stdout
    unknown = run("compare", "knee-oa", "--sources", "Gamma Clinic")
    assert unknown.exit_code == 2
    assert "Gamma Clinic" in unknown.stderr
