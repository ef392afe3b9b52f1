"""The layout holds: imports go down the layers, never in a cycle; only cli/ meets the terminal.

The import graph is read from the source with :mod:`ast`: every ``import`` and ``from ...
import`` anywhere in a module (inside functions and under ``TYPE_CHECKING`` too), resolved
to the module it names (``from stemcli.ops import conflicts`` is the module
``stemcli.ops.conflicts``). Importing ``a.b`` is an edge to ``a.b`` only: the parent
package's ``__init__`` runs first, but a package that imports its own submodules is not a
cycle.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "stemcli"

# lowest first; an import may go down or stay within its own layer, never up
LAYERS: tuple[tuple[str, ...], ...] = (
    # text.neutralise imports nothing: the characters every layer's refusals and every
    # renderer share, so the value parser below text may refuse what the renderers escape
    (
        "stemcli",
        "stemcli.errors",
        "stemcli.model",
        "stemcli.ids",
        "stemcli.numbers",
        "stemcli.text.neutralise",
    ),
    ("stemcli.quantities", "stemcli.arithmetic"),
    ("stemcli.text",),
    ("stemcli.dataset",),
    ("stemcli.ops",),
    ("stemcli.render",),
    ("stemcli.reports", "stemcli.exports"),
    ("stemcli.cli", "stemcli.__main__"),
)

# upward imports on the output side that the restructure still has to remove; each names
# (importer, imported) exactly, so that a new one fails and a fixed one must be deleted here
KNOWN_UPWARD: set[tuple[str, str]] = set()

# imports that close a cycle, still to be removed (same rules): none
KNOWN_CYCLE_EDGES: set[tuple[str, str]] = set()

# where the terminal may be met: printing, exiting, the standard streams
TERMINAL_OK = ("stemcli.cli", "stemcli.__main__")


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imports(name: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """The stemcli modules ``name`` imports, with the line of each import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if _is_package(path) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "stemcli":
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != "stemcli":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                yield (sub if sub in modules else target), node.lineno


def _graph() -> dict[str, dict[str, int]]:
    modules = _modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        edges = graph.setdefault(name, {})
        for target, line in _imports(name, path, modules):
            assert target in modules, f"{name}:{line} imports {target}, which does not exist"
            if target != name:
                edges.setdefault(target, line)
    return graph


def _layer(module: str) -> int:
    best, found = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and len(prefix) > best:
                best, found = len(prefix), i
    assert found >= 0, f"{module} is in no layer: add it to LAYERS"
    return found


def test_the_graph_is_read() -> None:
    graph = _graph()
    assert "stemcli.cli" in graph
    assert "stemcli.dataset" in graph["stemcli.cli.env"] or any(
        t.startswith("stemcli.dataset") for t in graph["stemcli.cli.env"]
    )
    assert "stemcli.ops.conflicts" in graph["stemcli.cli.analyse"]


def test_no_import_cycle() -> None:
    graph = _graph()
    stale = {(s, d) for s, d in KNOWN_CYCLE_EDGES if d not in graph.get(s, {})}
    assert not stale, f"no longer imported, remove from KNOWN_CYCLE_EDGES: {sorted(stale)}"
    for s, d in KNOWN_CYCLE_EDGES:
        del graph[s][d]
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_imports_only_go_down_the_layers() -> None:
    upward = {
        (src, dst): line
        for src, edges in _graph().items()
        for dst, line in edges.items()
        if _layer(dst) > _layer(src)
    }
    new = {k: v for k, v in upward.items() if k not in KNOWN_UPWARD}
    assert not new, "upward imports:\n" + "\n".join(
        f"{s}:{line} imports {d}" for (s, d), line in sorted(new.items())
    )
    stale = KNOWN_UPWARD - set(upward)
    assert not stale, f"no longer imported, remove from KNOWN_UPWARD: {sorted(stale)}"


def test_atomic_writes_are_the_command_lines() -> None:
    """Writing a user's output files (and refusing to replace them) is the CLI's own job."""
    users = {s for s, edges in _graph().items() if "stemcli.cli.atomic" in edges}
    assert users, "nothing imports stemcli.cli.atomic"
    assert all(u.startswith("stemcli.cli") for u in users), sorted(users)


def _terminal_uses(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in ("print", "input", "exit", "quit"):
                yield node.lineno, f"{node.func.id}()"
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "sys" and node.attr in ("exit", "stdout", "stdin", "stderr"):
                yield node.lineno, f"sys.{node.attr}"
            elif node.value.id == "typer" and node.attr in ("Exit", "Abort", "echo"):
                yield node.lineno, f"typer.{node.attr}"
            elif node.value.id == "os" and node.attr == "_exit":
                yield node.lineno, "os._exit"
        elif isinstance(node, ast.ImportFrom) and node.module in ("sys", "typer"):
            for alias in node.names:
                if alias.name in ("exit", "stdout", "stdin", "stderr", "Exit", "Abort", "echo"):
                    yield node.lineno, f"from {node.module} import {alias.name}"


def test_only_the_command_line_meets_the_terminal() -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}: {what}"
        for name, path in _modules().items()
        if not any(name == p or name.startswith(p + ".") for p in TERMINAL_OK)
        for line, what in _terminal_uses(path)
    ]
    assert not found, "outside cli/:\n" + "\n".join(found)


# string literals below cli/ that still name a flag: atomic.py (used by cli only) words its
# refusals with --output and --force; verify's miss message is pinned by test_cli_data
KNOWN_FLAG_TEXT: set[tuple[str, str]] = set()
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _flag_texts(path: Path) -> Iterator[tuple[int, str]]:
    """Flags named in a module's string literals (docstrings and comments aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and id(node) not in docstrings:
            for flag in FLAG.findall(node.value):
                yield node.lineno, flag


def test_nothing_below_the_command_line_names_a_flag() -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}: {flag}"
        for name, path in _modules().items()
        if not any(name == p or name.startswith(p + ".") for p in TERMINAL_OK)
        for line, flag in _flag_texts(path)
        if (name, flag) not in KNOWN_FLAG_TEXT
    ]
    assert not found, "flags named outside cli/:\n" + "\n".join(found)


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sys\nfrom typer import Exit\n"
        "def f():\n    print('x')\n    sys.stdout.write('y')\n    sys.exit(2)\n",
        encoding="utf-8",
    )
    sample.write_text(sample.read_text() + "X = f'use --force or {1} --limit-x'\n")
    assert {flag for _, flag in _flag_texts(sample)} == {"--force", "--limit-x"}
    kinds = {what for _, what in _terminal_uses(sample)}
    assert kinds == {"print()", "sys.stdout", "sys.exit", "from typer import Exit"}
    assert _layer("stemcli.ops.conflicts.sweep") > _layer("stemcli.dataset.find")
    assert _layer("stemcli.reports") > _layer("stemcli.render.table")
