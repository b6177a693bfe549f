"""The import graph of stt_tui by package: which package imports which, and the import circles at every
depth (imports inside functions and for type checking count). `python tools/import_graph.py`.

The contracts in pyproject.toml ([tool.importlinter]) are what CI enforces; this prints what is there.
"""

from __future__ import annotations

import sys
from collections import defaultdict

import grimp

ROOT = "stt_tui"
SKIP = (f"{ROOT}._proto",)


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def arrows(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """Package -> the packages it imports (the generated _proto left out)."""
    found: dict[str, set[str]] = defaultdict(set)
    for module in graph.modules:
        if module.startswith(SKIP) or module == ROOT:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(f"{ROOT}.") and not imported.startswith(SKIP):
                here, there = package_of(module), package_of(imported)
                if here != there and there:
                    found[here].add(there)
    return found


def circles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of modules (more than one): each is an import circle."""
    modules = [m for m in graph.modules if not m.startswith(SKIP)]
    edges = {m: [i for i in graph.find_modules_directly_imported_by(m) if i in set(modules)] for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for module in modules:
        if module not in index:
            visit(module)
    return groups


def main() -> int:
    graph = grimp.build_graph(ROOT)
    for package, imported in sorted(arrows(graph).items()):
        print(f"{package:<11} -> {', '.join(sorted(imported))}")
    found = circles(graph)
    print(f"\n{len(found)} import circles" + (":" if found else ""))
    for group in found:
        print("  " + " <-> ".join(group))
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
