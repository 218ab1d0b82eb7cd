"""scoring is a pure library: numpy, scipy, lightgbm, numba, the standard library and our pure
loanmath only (DESIGN.md)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SCORING = Path(__file__).resolve().parents[3] / "scoring"
# numba compiles the TreeSHAP kernels; like numpy it computes and touches no I/O or framework.
# scipy gives the logistic function (scipy.special.expit), numeric in the same way.
ALLOWED_THIRD_PARTY = {"numpy", "lightgbm", "numba", "scipy"}


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_scoring_imports_only_numeric_libraries_and_the_standard_library() -> None:
    files = sorted(SCORING.glob("*.py"))
    assert files
    for path in files:
        bad = {
            r
            for r in _imported_roots(path)
            if r not in ("scoring", "loanmath")
            and r not in ALLOWED_THIRD_PARTY
            and r not in sys.stdlib_module_names
            and r != "__future__"
        }
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_no_pickle_in_scoring() -> None:
    for path in SCORING.glob("*.py"):
        assert not {"pickle", "joblib", "dill"} & _imported_roots(path), path.name
