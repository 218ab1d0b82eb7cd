"""Shared, session-scoped inputs for scoring unit tests: a small population and the demo model."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import Population, generate_population
from scoring.model import ModelBundle, load_bundle

DEMO_MODEL = Path(__file__).resolve().parents[3] / "fixtures" / "demo_model"


@pytest.fixture(scope="session")
def population() -> Population:
    return generate_population(600, seed=11)


@pytest.fixture(scope="session")
def bundle() -> ModelBundle:
    return load_bundle(DEMO_MODEL)
