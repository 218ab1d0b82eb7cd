"""Shared populations for the fixtures tests: generated once per session (n = 2,000)."""

from __future__ import annotations

import pytest

from fixtures import Population, generate_population

N = 2_000
SEED = 11


@pytest.fixture(scope="session")
def pop() -> Population:
    """A 2,000-enterprise population, seed 11, default as_of."""
    return generate_population(N, SEED)
