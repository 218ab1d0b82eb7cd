"""The import boundaries of DESIGN.md, checked by reading every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("creditapp", "scoring", "training", "fixtures")
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

    if top == "scoring":
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
