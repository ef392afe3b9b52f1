"""The README tour's examples: each ``$ stemcli ...`` line of a console block and the output
printed under it, checked by tests/test_readme_examples.py and rewritten by

    python tests/readme_examples.py --write

Examples run on the bundled dataset, in-process, at WIDTH columns with NO_COLOR (the README
says so); what a command prints on stdout comes first, then its messages on stderr. A block
that works on files of its own (page.txt, mydata) is an illustration, not checked.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
WIDTH = 120
ENV = {"COLUMNS": str(WIDTH), "LINES": "50", "NO_COLOR": "1", "TERM": "dumb"}


@dataclass(frozen=True)
class Example:
    line: int  # the 0-based line of the "$ stemcli" command in README.md
    end: int  # the line after its output
    argv: tuple[str, ...]
    shown: str  # the output the README shows


def _illustration(block: list[str]) -> bool:
    return any(
        ln.startswith("$ ") and (not ln.startswith("$ stemcli ") or "mydata" in ln or "page" in ln)
        for ln in block
    )


def examples(text: str) -> list[Example]:
    lines = text.split("\n")
    out: list[Example] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        block = lines[i + 1 : j]
        if not _illustration(block):
            starts = [k for k in range(i + 1, j) if lines[k].startswith("$ stemcli ")]
            for n, k in enumerate(starts):
                end = starts[n + 1] if n + 1 < len(starts) else j
                command = lines[k][2:].split("  #")[0]
                argv = tuple(shlex.split(command)[1:])
                out.append(Example(k, end, argv, "\n".join(lines[k + 1 : end])))
        i = j + 1
    return out


def output(argv: tuple[str, ...]) -> str:
    """What ``stemcli ARGV`` prints, stdout then stderr, as the README shows it."""
    from typer.testing import CliRunner

    from stemcli.cli import run

    runner = CliRunner()
    with runner.isolation(env=ENV) as (out, err, _both):
        run(list(argv))
        text = out.getvalue().decode() + err.getvalue().decode()
    return "\n".join(ln.rstrip() for ln in text.rstrip("\n").split("\n"))


def write() -> int:
    text = README.read_text(encoding="utf-8")
    lines = text.split("\n")
    for ex in reversed(examples(text)):
        lines[ex.line + 1 : ex.end] = output(ex.argv).split("\n")
    README.write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        print(__doc__)
        sys.exit(2)
    sys.exit(write())
