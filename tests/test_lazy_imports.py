"""What a command does not import: start-up time is paid per module (see
docs/PERFORMANCE.md), so a command imports only the code its answer needs."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("argv", "absent"),
    [
        # compare marks values by the rules of stemcli.ops.facts, not the conflicts engine
        (["compare", "knee-oa", "--format", "json"], "stemcli.ops.conflicts"),
        (["lookup", "knee-oa", "--stage", "middle"], "stemcli.ops.conflicts"),
        (["search", "pain", "--format", "json"], "stemcli.ops.conflicts"),
    ],
)
def test_a_command_leaves_out_what_it_does_not_use(argv: list[str], absent: str) -> None:
    probe = (
        "import sys; from stemcli.cli import run; "
        f"code = run({argv!r}); "
        f"print(int(code), {absent!r} in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == ["0", "False"], out.stdout[-300:]
