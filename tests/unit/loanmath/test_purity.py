"""loanmath stays a pure standard-library package, and its results are immutable."""

from __future__ import annotations

import ast
import dataclasses
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import loanmath
from loanmath.allocation import Due, allocate_payment
from loanmath.schedule import build_schedule

PACKAGE = Path(loanmath.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: use absolute imports"
            names.add(node.module or "")
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_only_stdlib_and_loanmath_imports(path: Path) -> None:
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or name.startswith("loanmath"), (
            f"{path.name} imports {name}"
        )


def test_inputs_are_not_mutated_and_results_frozen() -> None:
    dues = [Due(2, date(2027, 2, 1), 0, 10, 100), Due(1, date(2027, 1, 1), 5, 10, 100)]
    before = list(dues)
    result = allocate_payment(150, dues)
    assert dues == before  # same order, same objects
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.excess = 1  # type: ignore[misc]
    row = build_schedule(1_000_000, Decimal("0.1"), 3, date(2027, 1, 1), method="annuity")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.principal = 0  # type: ignore[misc]
