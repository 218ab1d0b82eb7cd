"""Fixtures shared by the training-data tests: a small population and API submission."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from fixtures import generate_population
from fixtures.tables import Population
from tests.api.conftest import ApiEnv, make_env


@pytest.fixture(scope="module")
def population() -> Population:
    return generate_population(40, seed=11)


@pytest.fixture
def env(app: Flask, session: Session) -> ApiEnv:
    return make_env(session, Path(app.config["MODEL_DIR"]))


def submit(client: FlaskClient, env: ApiEnv, payload: dict[str, Any]) -> int:
    """POST an application as lender A and return its id (it must be accepted)."""
    resp = client.post("/api/v1/applications", json=payload, headers=env.a.headers)
    body = resp.get_json()
    assert resp.status_code == 201, body
    return int(body["id"])
