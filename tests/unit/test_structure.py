"""The product's layout keeps its promises: no import circles, nothing of the test bed, small
modules, and no test-bed dependency in what `pip install .` ships."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ROOT / "bot"
MAX_LINES = 300


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PRODUCT.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imported(path: Path) -> Iterator[str]:
    """Every absolute module name an import statement in `path` names (TYPE_CHECKING ones too)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    return {
        name: {target for target in imported(path) if target in mods and target != name}
        for name, path in mods.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_product_has_no_import_circle() -> None:
    graph = import_graph()
    assert len(graph) > 40  # the walk saw the package
    assert cycles(graph) == []


def test_the_product_imports_nothing_of_the_test_bed() -> None:
    offenders = {
        name: sorted(t for t in imported(path) if t.split(".")[0] in ("sandbox", "tests"))
        for name, path in modules().items()
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_no_product_module_is_over_the_size_limit() -> None:
    sizes = {name: len(path.read_text().splitlines()) for name, path in modules().items()}
    assert {name: lines for name, lines in sizes.items() if lines > MAX_LINES} == {}


def test_the_product_does_not_depend_on_the_test_beds_libraries() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"]).lower()
    assert "openapi-core" not in runtime and "jsonschema" not in runtime
    sandbox = tomllib.loads((ROOT / "sandbox" / "pyproject.toml").read_text())["project"]
    assert any(dep.startswith("openapi-core") for dep in sandbox["dependencies"])
    packaged = (ROOT / "pyproject.toml").read_text()
    assert 'include = ["bot*"]' in packaged  # the product's wheel holds the bot package only
