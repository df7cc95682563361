"""The package's imports go one way: no modules importing each other in a loop, and no core
module importing from the layers built on it.

Read from the source with ast (nothing is imported): every import counts, at the top of a
module, inside a function or under TYPE_CHECKING, as each is a dependency someone must follow.
Run this file with ``-s`` to print the cycles and upward imports it finds.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "exporter"
#: What the model, the reader and the other shared modules are built from; none of them may
#: import from a layer that uses them.
CORE = ("model", "reader", "outline", "locale", "sentences", "links", "phrasing", "contrast",
        "fonts", "options", "styles", "output", "children", "speech", "voice", "page",
        "fingerprint")
HIGHER = ("writers", "checks", "service", "cli", "pipeline", "batch", "executors", "registry",
          "readback", "progress", "collection")
#: Cycles in modules other engineers own, each with what ties it; a new cycle fails.
KNOWN_CYCLES: set[frozenset[str]] = set()
#: Upward imports left as they are: (importer, imported).
KNOWN_UPWARD = {
    # The shared markup raises the writers' error when a picture cannot be read.
    ("exporter.html", "exporter.writers.base"),
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(module: str, path: Path) -> Iterator[str]:
    """Every name an import statement of the module names, made absolute ("from a import b"
    gives "a.b": module a.b if there is one, else the name b of module a)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            yield from (f"{base}.{a.name}" for a in node.names)


def graph() -> dict[str, set[str]]:
    """module -> the package's modules it imports. The package itself (its version and lazy
    public names) is left out: importing ``exporter.__version__`` ties nothing together."""
    modules = _modules()
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for name in _imported(module, path):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name not in (module, "exporter"):
                edges[module].add(name)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(frozenset(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def _in(module: str, layers: tuple[str, ...]) -> bool:
    return any(module == f"exporter.{n}" or module.startswith(f"exporter.{n}.") for n in layers)


def test_no_import_cycles() -> None:
    found = cycles(graph())
    for group in found:
        print("cycle:", ", ".join(sorted(group)))
    new = [sorted(g) for g in found if g not in KNOWN_CYCLES]
    assert not new, f"modules importing each other in a loop: {new}"


def test_no_cycles_inside_a_writer_package() -> None:
    """Each format's package reads top-down: writer, body, its parts, settings."""
    inside = [g for g in cycles(graph()) if _in(min(g), ("writers",))]
    assert not inside, [sorted(g) for g in inside]


def test_core_modules_import_no_higher_layer() -> None:
    upward = sorted((m, t) for m, targets in graph().items() if _in(m, CORE)
                    for t in targets if _in(t, HIGHER))
    for m, t in upward:
        print("upward:", m, "->", t)
    assert set(upward) <= KNOWN_UPWARD, sorted(set(upward) - KNOWN_UPWARD)


def test_the_search_sees_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]
