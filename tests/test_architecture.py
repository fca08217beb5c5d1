"""The layout is the architecture: domain packages are plain Python, Rasa and HTTP live in bot/adapters
(and the action server in actions/), and no two modules import each other, directly or round a circle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Frameworks that make code Rasa- or HTTP-shaped.
FRAMEWORKS = ("rasa", "rasa_sdk", "sanic", "aiohttp", "wechatpy")
ADAPTERS = "bot.adapters"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {
        module_name(p): p
        for base in ("bot", "actions")
        for p in (ROOT / base).rglob("*.py")
        if "migrations" not in p.parts
    }


def imports_of(path: Path, name: str) -> set[str]:
    """Absolute names imported anywhere in the module (inside functions too: they still couple)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return out


def graph() -> dict[str, set[str]]:
    mods = project_modules()
    edges: dict[str, set[str]] = {}
    for name, path in mods.items():
        targets = set()
        for imported in imports_of(path, name):
            # The longest project module the import names (``from bot.catalog import Catalog`` → bot.catalog).
            parts = imported.split(".")
            for i in range(len(parts), 0, -1):
                candidate = ".".join(parts[:i])
                if candidate in mods and candidate != name:
                    targets.add(candidate)
                    break
        edges[name] = targets
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), ignoring package __init__
    re-exports of their own submodules (a package importing its children is not a circle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w.startswith(v + "."):
                continue  # a package importing its own submodule
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_circles() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"p": {"p.x"}, "p.x": {"p"}}) == []


def test_domain_packages_import_no_framework_and_no_adapter() -> None:
    offenders = {}
    for name, path in project_modules().items():
        if name.startswith(ADAPTERS) or name.startswith("actions"):
            continue
        bad = sorted(i for i in imports_of(path, name) if i.split(".")[0] in FRAMEWORKS or i.startswith(ADAPTERS))
        if bad:
            offenders[name] = bad
    assert offenders == {}


def test_rasa_and_http_code_lives_in_the_adapters() -> None:
    """Everything outside bot/adapters and actions/ is importable without Rasa's server pieces."""
    shaped = {
        name
        for name, path in project_modules().items()
        if any(i.split(".")[0] in FRAMEWORKS for i in imports_of(path, name))
    }
    assert all(n.startswith((ADAPTERS, "actions")) for n in shaped), shaped
