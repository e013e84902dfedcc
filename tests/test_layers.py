"""The house has one direction: every import between our packages points down the layer order, and no two
files import each other, directly or through others.

The graph is read from the source, not from `sys.modules`: every `import` and `from … import` counts,
including those inside functions and under `TYPE_CHECKING`, because a circle hidden in a function body is
still a circle a reader has to hold in their head. `docs/architecture.md` draws the same layers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("adapters", "bff", "schema", "sandbox")

# Lower layers first. A module may import its own layer and any layer before it; `sandbox` sits beside
# the BFF's layers and may use only `adapters` (the shared signing and money helpers); only the server
# (the CLI and the demo) reaches into the sandbox.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("adapters",),
    ("bff.core",),
    ("schema",),
    ("bff.server",),
)
SANDBOX_MAY_IMPORT = ("adapters", "sandbox")
# Inside `schema`: the domains' types build on each other in this order (a subscriber has sub-services,
# invoices, a wallet, tickets and cards; the account's viewer has a subscriber). Operations (mutations,
# subscriptions) sit above every domain's types, and `schema.build` / `schema.export` above everything.
# A type that must point to a type later in the order does so by name (`schema.core.node`).
DOMAINS = ("service", "billing", "wallet", "support", "payments", "subscriber", "account")
OPERATIONS = (
    "mutations",
    "card_mutations",
    "session_mutations",
    "credential_mutations",
    "second_factor_mutations",
    "team_mutations",
    "subscriptions",
)
SCHEMA_TOP = ("schema.build", "schema.export")
SANDBOX_IMPORTED_BY = ("sandbox", "bff.server")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> Iterator[Path]:
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def _resolve(current: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The project modules `path` imports (a `from package import name` that names a submodule counts as
    importing that submodule)."""
    current = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(current, path.name == "__init__.py", node)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            # The longest known module that the name starts with ("schema.core.node.encode_id" → the file).
            parts = target.split(".")
            while parts and ".".join(parts) not in known:
                parts.pop()
            if parts:
                name = ".".join(parts)
                if name != current:
                    found.add(name)
    # `from a.b import c` also imports the package `a.b` (its __init__); a package importing its own
    # submodules is not an arrow back to itself.
    return {name for name in found if not current.startswith(name + ".")}


def import_graph() -> dict[str, set[str]]:
    files = list(source_files())
    known = {module_name(p) for p in files}
    return {module_name(p): imports_of(p, known) for p in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
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
    return found


def layer_of(module: str) -> int | None:
    for rank, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def _under(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def wrong_way(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            if _under(source, ("sandbox",)):
                if not _under(target, SANDBOX_MAY_IMPORT):
                    problems.append(f"{source} -> {target} (the sandbox may import only adapters)")
                continue
            if _under(target, ("sandbox",)):
                if not _under(source, SANDBOX_IMPORTED_BY):
                    problems.append(f"{source} -> {target} (only bff.server reaches the sandbox)")
                continue
            src, dst = layer_of(source), layer_of(target)
            if src is None:
                problems.append(f"{source} is in no layer")
            elif dst is None:
                problems.append(f"{target} (imported by {source}) is in no layer")
            elif dst > src:
                problems.append(f"{source} -> {target} (layer {src} imports layer {dst})")
    return problems


def schema_rank(module: str) -> tuple[int, int] | None:
    """(tier, domain index) inside `schema`: core 0; a domain's types 1; its operations 2; the top 3."""
    if _under(module, SCHEMA_TOP):
        return (3, 0)
    if _under(module, ("schema.core",)):
        return (0, 0)
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "schema" and parts[1] in DOMAINS:
        domain = DOMAINS.index(parts[1])
        if len(parts) == 3 and parts[2] in OPERATIONS:
            return (2, domain)
        return (1, domain)
    return None


def wrong_way_in_schema(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for source, targets in sorted(graph.items()):
        if not _under(source, ("schema",)) or source == "schema":
            continue
        src = schema_rank(source)
        if src is None:
            problems.append(f"{source} is neither core, a domain nor the top of the schema")
            continue
        for target in sorted(t for t in targets if _under(t, ("schema",)) and t != "schema"):
            dst = schema_rank(target)
            if dst is None:
                continue  # reported as a source
            if dst[0] > src[0]:
                problems.append(f"{source} -> {target} (a lower tier of the schema imports a higher one)")
            elif src[0] == 1 and dst[0] == 1 and dst[1] > src[1]:
                problems.append(f"{source} -> {target} (a domain's types import a later domain's)")
            elif src[0] == 2 and dst[0] == 2:
                problems.append(f"{source} -> {target} (operations import only types)")
    return problems


def test_the_graph_is_read_from_every_kind_of_import(tmp_path: Path) -> None:
    # The walker itself: an import inside a function and one under TYPE_CHECKING both count.
    graph = import_graph()
    assert graph, "no modules found"
    sample = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from x.a import b\n"
        "def f():\n    import x.c\n"
    )
    names = {
        n.module if isinstance(n, ast.ImportFrom) else n.names[0].name
        for n in ast.walk(sample)
        if isinstance(n, (ast.Import, ast.ImportFrom))
    }
    assert {"x.a", "x.c"} <= names
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles() -> None:
    found = cycles(import_graph())
    assert not found, "import circles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_every_arrow_points_down_the_layers() -> None:
    problems = wrong_way(import_graph())
    assert not problems, "imports against the layer order:\n" + "\n".join(problems)


def test_schema_domains_import_one_way() -> None:
    problems = wrong_way_in_schema(import_graph())
    assert not problems, "imports against the schema's order:\n" + "\n".join(problems)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_is_walked(package: str) -> None:
    assert any(m == package or m.startswith(package + ".") for m in import_graph())
