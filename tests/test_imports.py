"""The package's import graph, read from the source: no cycles, and a core that needs no shell.

Function-level imports count (a lazy import hides a cycle, it does not remove it);
imports under ``if TYPE_CHECKING:`` do not (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "followup_xl"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

# plain Python over plain data: no Excel library, no terminal, no shell module of ours
CORE = [
    "schema",
    "models",
    "checks",
    "calendar",
    "policy",
    "obligations",
    "schedule",
    "report",
    "scores",
    "weekly",
    "merge",
    "handover",
    "split",
    "normalize",
    "privacy",
    "settings",
    "fingerprint",
]
SHELL_PACKAGES = ("io", "xl", "cli")
SHELL_LIBRARIES = ("openpyxl", "xlsxwriter", "python_calamine", "xlwings", "click", "rich")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST):
    """Every Import/ImportFrom that can run, at any depth, skipping ``if TYPE_CHECKING:`` bodies."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for sub in child.orelse:
                yield from _imports_in(sub)
            continue
        yield from _imports_in(child)


def _imports_in(node: ast.AST):
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    yield from _imports(node)


def imported_names(module: str, is_package: bool, tree: ast.AST) -> set[str]:
    """Absolute names this module imports: ``from .a import b`` gives ``pkg.a.b`` (the graph maps a
    name that is not a module to the module that defines it)."""
    out: set[str] = set()
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
            continue
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        out.update(f"{prefix}.{alias.name}" for alias in node.names)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module → the package's modules it imports (a name that is not a module maps to its module)."""
    files = {module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for mod, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        names = imported_names(mod, path.name == "__init__.py", tree)
        edges = set()
        for name in names:
            if not name.startswith(PACKAGE):
                continue
            while name and name not in files:
                name = name.rpartition(".")[0]
            if name and name != mod:
                edges.add(name)
        graph[mod] = edges
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components, iteratively (the graph is small, but recursion limits are not ours)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    comps: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        comp.append(top)
                        if top == node:
                            break
                    comps.append(sorted(comp))
    return comps


def test_the_graph_sees_function_level_imports():
    """A lazy import inside a function is an edge; one under ``if TYPE_CHECKING:`` is not."""
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from .b import x\n"
        "def f():\n    from .c import y\n    from . import d\n"
    )
    assert imported_names("pkg.a", False, tree) == {
        "typing.TYPE_CHECKING",
        "pkg.c.y",
        "pkg.d",
    }


def test_cycle_finder_finds_a_cycle():
    comps = strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert [c for c in comps if len(c) > 1] == [["a", "b", "c"]]


def test_no_import_cycles():
    cycles = [c for c in strongly_connected(import_graph()) if len(c) > 1]
    assert not cycles, "import cycles: " + "; ".join(" ↔ ".join(c) for c in cycles)


def _core_modules(graph: dict[str, set[str]]) -> list[str]:
    mods = []
    for name in CORE:
        full = f"{PACKAGE}.{name}"
        found = [m for m in graph if m == full or m.startswith(full + ".")]
        assert found, f"core module {full} not found"
        mods += found
    return mods


def test_core_imports_no_shell():
    graph = import_graph()
    shells = tuple(f"{PACKAGE}.{p}" for p in SHELL_PACKAGES)
    bad = {}
    for mod in _core_modules(graph):
        path = ROOT.parent / (mod.replace(".", "/") + ".py")
        if not path.exists():
            path = ROOT.parent / mod.replace(".", "/") / "__init__.py"
        names = imported_names(mod, path.name == "__init__.py", ast.parse(path.read_text("utf-8")))
        wrong = sorted(
            n
            for n in names
            if n in shells
            or n.startswith(tuple(s + "." for s in shells))
            or n.split(".")[0] in SHELL_LIBRARIES
        )
        if wrong:
            bad[mod] = wrong
    assert not bad, f"core modules importing shells or Excel/terminal libraries: {bad}"


def test_only_the_cli_makes_json():
    """The core hands objects to the edges: no JSON shapes (to_dict/to_json) and no json import
    in a core module; cli/jsonout.py is where results become JSON."""
    graph = import_graph()
    bad = []
    for mod in _core_modules(graph):
        path = ROOT.parent / (mod.replace(".", "/") + ".py")
        if not path.exists():
            path = ROOT.parent / mod.replace(".", "/") / "__init__.py"
        tree = ast.parse(path.read_text("utf-8"))
        bad += [
            f"{mod}.{node.name}"
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name in ("to_dict", "to_json", "as_json")
        ]
        if "json" in imported_names(mod, path.name == "__init__.py", tree):
            bad.append(f"{mod} imports json")
    assert bad == []
