"""Shared fixtures: a small dataset, a CLI runner with separate stderr, an isolated cache.

Also the one place where hypothesis is configured. Two profiles:

- ``dev`` (the default): about a hundred examples per property, quick enough for every run;
- ``ci``: two and a half times as many, the same ones on every run, chosen when ``CI`` is
  set or by ``HYPOTHESIS_PROFILE=ci`` (what CI's 15 minutes allow beside the readers,
  browser, page, export and benchmark tests; for a deeper search, run
  ``HYPOTHESIS_PROFILE=deep``: twenty times as many, new ones each run).

Tests say how many examples they need only relative to the profile (``scaled`` in
tests/hostile/conftest.py), never as a count of their own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner, Result

from stemcli.cli import run as run_cli

settings.register_profile(
    "dev",
    max_examples=100,
    deadline=None,  # a loaded machine is not a failure; nothing here asserts speed
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# CI draws the same examples on every run (derandomize): a run passes or fails by the code
# alone, never by the luck of the draw; dev and deep draw new ones each time, to explore
settings.register_profile(
    "ci", settings.get_profile("dev"), max_examples=250, derandomize=True, database=None
)
settings.register_profile("deep", settings.get_profile("dev"), max_examples=2000)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets its own cache folder and no user dataset from the environment."""
    monkeypatch.setenv("STEMCLI_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("STEMCLI_DATA", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def mini() -> Path:
    """The small fixture dataset (3 sources, 10 claims)."""
    return MINI


@pytest.fixture
def run() -> Callable[..., Result]:
    """Invoke the CLI: run("lookup", "knee-oa") -> Result with .stdout, .stderr, .exit_code.

    Through stemcli's own boundary, ``stemcli.cli.run``, as the console script does;
    typer's runner only captures the streams and sets the environment.
    """
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        with runner.isolation(input=input, env=env) as (out, err, both):
            code = run_cli(list(args))
            return Result(
                runner=runner,
                stdout_bytes=out.getvalue(),
                stderr_bytes=err.getvalue(),
                output_bytes=both.getvalue(),
                return_value=None,
                exit_code=int(code),
                exception=None,
            )

    return invoke


@pytest.fixture
def run_mini(run: Callable[..., Result]) -> Callable[..., Result]:
    """Invoke the CLI on the mini fixture dataset only (--no-bundled --data MINI)."""

    def invoke(*args: str, **kw: object) -> Result:
        return run("--no-bundled", "--data", str(MINI), *args, **kw)

    return invoke
