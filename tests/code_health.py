"""Measures of the package's shape, read from its source with ``ast`` (nothing is imported).

``python tests/code_health.py`` prints them (the closing notes record before and after);
``tests/test_code_health.py`` holds the package to them: no import cycle, no
function-local import of the package, one argument parser module.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Dict, List, Set, Tuple

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "assignment"


def modules(root: Path = ROOT) -> Dict[str, Path]:
    """{dotted name: file} of every module of the package."""
    found = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _resolve(name: str, known: Dict[str, Path]) -> str:
    """The longest known module that ``name`` starts with (``a.b.func`` -> ``a.b``)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return ""


def imports(module: str, path: Path, known: Dict[str, Path]) -> List[Tuple[str, int, bool]]:
    """(imported package module, line, at module level?) for each import of ``module``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    # imports under `if TYPE_CHECKING:` / try at module level count as module level
    for node in tree.body:
        if isinstance(node, (ast.If, ast.Try)):
            top_level |= {id(child) for child in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names]
            if not any(_resolve(name, known) == name for name in names):
                names.append(base)  # `from a.b import function`: the module a.b itself
        for name in dict.fromkeys(_resolve(name, known) for name in names):
            if name and name != module:
                found.append((name, node.lineno, id(node) in top_level))
    return found


def graph(root: Path = ROOT, module_level_only: bool = True) -> Dict[str, Set[str]]:
    known = modules(root)
    edges: Dict[str, Set[str]] = {}
    for module, path in known.items():
        edges[module] = {target for target, _, top in imports(module, path, known)
                         if top or not module_level_only}
        # importing a.b.c runs a/__init__ and a/b/__init__ first
        for target in list(edges[module]):
            parts = target.split(".")
            edges[module] |= {".".join(parts[:i]) for i in range(1, len(parts)) if ".".join(parts[:i]) in known}
        edges[module].discard(module)
    return edges


def cycles(edges: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted.

    A package's ``__init__`` importing its own submodules is not a cycle (Python runs
    the package first by design), so edges from a submodule up to its parent packages
    are left out.
    """
    def parents(name):
        parts = name.split(".")
        return {".".join(parts[:i]) for i in range(1, len(parts))}

    edges = {m: {t for t in targets if t not in parents(m)} for m, targets in edges.items()}
    index, low, stack, on_stack, result = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    sys.setrecursionlimit(10000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(result)


def package_graph(root: Path = ROOT) -> Dict[str, Set[str]]:
    """The module graph collapsed to the package's first level (``assignment.grade``, ...)."""
    def top(name):
        return ".".join(name.split(".")[:2])
    collapsed: Dict[str, Set[str]] = {}
    for module, targets in graph(root, module_level_only=False).items():
        collapsed.setdefault(top(module), set()).update(
            top(t) for t in targets if top(t) != top(module) and t != PACKAGE)
    return collapsed


def local_imports(root: Path = ROOT) -> List[Tuple[str, int, str]]:
    """(module, line, imported) for each import of the package inside a function."""
    known = modules(root)
    return [(module, line, target) for module, path in known.items()
            for target, line, top in imports(module, path, known) if not top]


def parser_modules(root: Path = ROOT) -> List[str]:
    """Modules that build an argument parser."""
    found = []
    for module, path in modules(root).items():
        text = path.read_text(encoding="utf-8")
        if "ArgumentParser(" in text or "add_argument(" in text:
            found.append(module)
    return found


def long_modules(root: Path = ROOT, limit: int = 400) -> List[Tuple[str, int]]:
    return [(module, n) for module, path in modules(root).items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > limit]


def main() -> int:
    print(f"import cycles (module level): {cycles(graph())}")
    print(f"import cycles (counting function-local imports): {cycles(graph(module_level_only=False))}")
    local = local_imports()
    print(f"function-local import statements of {PACKAGE}.*: {len({(m, line) for m, line, _ in local})}")
    print(f"import cycles between subpackages: {cycles(package_graph())}")
    print(f"modules that build an argument parser: {len(parser_modules())} {parser_modules()}")
    print(f"modules over 400 lines: {long_modules()}")
    print(f"README lines: {len((ROOT / 'README.md').read_text(encoding='utf-8').splitlines())}")
    print(f"modules: {len(modules())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
