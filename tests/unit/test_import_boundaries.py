"""The import boundaries of DESIGN.md, checked by reading every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("creditapp", "loanmath", "scoring", "training", "fixtures")
WEB = ("flask", "flask_smorest", "flask_wtf", "werkzeug", "sqlalchemy", "alembic", "psycopg")
# creditapp may reach training/fixtures only from its command-line and job code.
CREDITAPP_TOOLING = ("creditapp/cli.py", "creditapp/commands/", "creditapp/jobs/")
# Besides tests, these may import creditapp: the WSGI entry, migrations and benchmarks that
# drive the real app.
CREDITAPP_IMPORTERS = ("wsgi.py", "migrations/", "bench/", "tests/")


def imported_packages(source: str) -> set[str]:
    """Return the top-level names a module imports (absolute imports only)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def violations(rel: str, source: str) -> list[str]:
    """Return the boundary violations of one module at path ``rel`` (posix, from the root)."""
    names = imported_packages(source)
    top = rel.split("/")[0]
    bad: list[str] = []

    def forbid(*pkgs: str) -> None:
        bad.extend(f"{rel} imports {p}" for p in sorted(names & set(pkgs)))

    if top == "loanmath":
        forbid("creditapp", "scoring", "training", "fixtures", *WEB, "numpy", "pandas")
    elif top == "scoring":
        forbid("creditapp", "training", "fixtures", *WEB, "pandas")
    elif top == "training":
        forbid("creditapp", *WEB)
    elif top == "fixtures":
        forbid("creditapp", "training", *WEB)
    elif top == "creditapp" and not rel.startswith(CREDITAPP_TOOLING):
        forbid("training", "fixtures")
    if "creditapp" in names and top != "creditapp" and not rel.startswith(CREDITAPP_IMPORTERS):
        bad.append(f"{rel} imports creditapp")
    return bad


def project_modules() -> list[Path]:
    skip = {".venv", "instance", "build", ".git"}
    return [
        p
        for p in ROOT.rglob("*.py")
        if not (set(p.relative_to(ROOT).parts) & skip) and "egg-info" not in str(p)
    ]


def test_every_module_keeps_the_boundaries() -> None:
    modules = project_modules()
    assert any(p.parts[-2] == "scoring" for p in modules), "scoring/ not found: wrong root?"
    found: list[str] = []
    for path in modules:
        rel = path.relative_to(ROOT).as_posix()
        found.extend(violations(rel, path.read_text(encoding="utf-8")))
    assert found == []


def test_the_checker_catches_each_kind_of_violation() -> None:
    assert violations("scoring/model.py", "import sqlalchemy\n") == [
        "scoring/model.py imports sqlalchemy"
    ]
    assert violations("scoring/x.py", "from creditapp.models import Loan\n")
    assert violations("scoring/x.py", "import pandas as pd\n")
    assert violations("training/x.py", "from flask import Flask\n")
    assert violations("creditapp/services/loans.py", "from fixtures import population\n")
    assert violations("fixtures/io.py", "import creditapp\n")
    assert violations("creditapp/cli.py", "import fixtures\n") == []
    assert violations("wsgi.py", "from creditapp import create_app\n") == []
    assert violations("scoring/x.py", "from . import raw\nimport numpy\n") == []
    assert violations("scoring/policy.py", "from loanmath.schedule import build_schedule\n") == []
    assert violations("loanmath/schedule.py", "from scoring.textfmt import rupiah\n")
    assert violations("loanmath/x.py", "import sqlalchemy\n")


def module_name(rel: str) -> str:
    """``creditapp/api/__init__.py`` -> ``creditapp.api``, ``scoring/model.py`` -> its name."""
    parts = rel.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_imports(rel: str, source: str, known: set[str]) -> set[str]:
    """The project modules that module ``rel`` imports anywhere (relative ones resolved).

    An import deferred into a function still makes the two modules depend on each other,
    so it counts: deferring is how a cycle hides, not how it goes away.
    """
    name = module_name(rel)
    package = name if rel.endswith("__init__.py") else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join([*base, node.module] if node.module else base)
            else:
                mod = node.module or ""
            found.add(mod)
            found.update(f"{mod}.{alias.name}" for alias in node.names)
    resolved = set()
    for mod in found:
        # "a.b.c" imports a, a.b and a.b.c (each package's __init__ runs)
        parts = mod.split(".")
        resolved.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    # A module's own packages are already being imported when it runs (their __init__ comes
    # first), so "child imports parent" is the normal shape of a package, not a cycle.
    ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
    return (resolved & known) - {name} - ancestors


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return sorted(groups)


def test_no_import_cycles() -> None:
    sources = {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for path in project_modules()
        if path.relative_to(ROOT).parts[0] in OURS
    }
    known = {module_name(rel) for rel in sources}
    graph = {module_name(rel): module_imports(rel, src, known) for rel, src in sources.items()}
    assert import_cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    known = {"scoring", "scoring.a", "scoring.b"}
    graph = {
        "scoring.a": module_imports("scoring/a.py", "from scoring.b import x\n", known),
        "scoring.b": module_imports("scoring/b.py", "from . import a\n", known),
    }
    assert import_cycles(graph) == [["scoring.a", "scoring.b"]]
    late = module_imports("scoring/b.py", "def f():\n    from scoring import a\n", known)
    assert late == {"scoring.a"}  # deferring an import does not remove the dependency
