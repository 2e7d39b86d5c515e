"""The layers stay acyclic: no two of our modules import each other, directly or round a loop.

Every import counts, also the late ones inside functions: a late import hides a circle from
Python but not from the reader, who still has to hold both modules in mind at once.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("powerlist", "tasks", "workers", "schedules", "benchmarks")


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name → file, for every .py file of our packages under `root`."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _imported(name: str, path: Path, node: ast.AST, modules: dict[str, Path]) -> set[str]:
    """The modules of ours that one import statement in module `name` refers to."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    if not isinstance(node, ast.ImportFrom):
        return set()
    if node.level:
        base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    targets: set[str] = set()
    for alias in node.names:
        if f"{source}.{alias.name}" in modules:
            targets.add(f"{source}.{alias.name}")
        elif source in modules:
            targets.add(source)
    return targets


def import_graph(root: Path) -> dict[str, set[str]]:
    """Which of our modules each module imports, anywhere in its body."""
    modules = module_files(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: set[str] = set()
        for node in ast.walk(tree):
            edges |= _imported(name, path, node, modules)
        graph[name] = edges - {name}
    return graph


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_no_import_circles() -> None:
    graph = import_graph(ROOT)
    assert len(graph) > 100, "the walk should see every module of ours"
    assert import_circles(graph) == []


def test_the_circle_finder_sees_late_imports(tmp_path: Path) -> None:
    (tmp_path / "workers").mkdir()
    (tmp_path / "tasks").mkdir()
    (tmp_path / "workers" / "__init__.py").write_text("")
    (tmp_path / "tasks" / "__init__.py").write_text("")
    (tmp_path / "workers" / "app.py").write_text("def hook():\n    from tasks.control import x\n")
    (tmp_path / "tasks" / "control.py").write_text("from workers.app import hook\nx = 1\n")
    assert import_circles(import_graph(tmp_path)) == [["tasks.control", "workers.app"]]


DOORS = ("powerlist.cli", "powerlist.api")  # the two doors may hand a run to Celery


def test_workers_only_configure_and_the_domain_knows_no_celery() -> None:
    graph = import_graph(ROOT)
    for name, targets in graph.items():
        if name.startswith("workers"):
            assert not {t for t in targets if t.startswith("tasks")}, name
        if name.startswith("powerlist") and not name.startswith(DOORS):
            assert not {t for t in targets if t.split(".")[0] in ("tasks", "workers")}, name
