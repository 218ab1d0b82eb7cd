"""Fault-test fixtures: one synthetic population for the whole folder."""

from __future__ import annotations

import pytest

from fixtures import generate_population
from fixtures.tables import Population


@pytest.fixture(scope="session")
def population() -> Population:
    return generate_population(40, seed=11)
