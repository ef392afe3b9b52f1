"""The README's tour prints what stemcli prints (at the width the README states)."""

from __future__ import annotations

import pytest

from readme_examples import README, WIDTH, Example, examples, output

EXAMPLES = examples(README.read_text(encoding="utf-8"))


def test_the_tour_has_examples_and_states_their_width() -> None:
    assert len(EXAMPLES) >= 6
    assert f"captured at {WIDTH} columns" in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: " ".join(e.argv)[:60])
def test_an_example_prints_what_the_readme_shows(example: Example) -> None:
    command = " ".join(example.argv)
    assert output(example.argv) == example.shown, (
        f"README.md:{example.line + 1}: 'stemcli {command}' prints something else; "
        "python tests/readme_examples.py --write regenerates the examples"
    )
