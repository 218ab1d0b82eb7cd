"""Shared fixtures: an app on SQLite (default) or PostgreSQL (``TEST_DATABASE_URL``).

Every test runs inside an outer transaction that is rolled back at teardown; the app's
sessions join it through savepoints, so code under test may commit freely and nothing
leaks between tests (the pattern of pypi/warehouse).
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from creditapp import create_app

# One NIK key for every app, CLI and gunicorn the tests start (subprocesses inherit it), so
# data seeded in one process reads in another; a fixed test-only key, never a real one.
os.environ.setdefault(
    "NIK_KEY", base64.urlsafe_b64encode(b"test-only-nik-key-32-bytes-long!").decode()
)
from creditapp.db import make_engine
from creditapp.migrate import upgrade


def reset_postgres(url: str) -> None:
    """Empty a throwaway PostgreSQL database so migrations start from nothing."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The test database, created by running the migrations on an empty database."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose outer transaction is rolled back after the test."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


@pytest.fixture
def app(database_url: str, connection: Connection, tmp_path: Path) -> Flask:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-only-secret",
            "MODEL_DIR": str(tmp_path / "models"),
            # Tests change programs and champions between requests and expect to see it.
            "CONFIG_CACHE_SECONDS": 0,
            "DEMO_USERS_FILE": str(tmp_path / "demo-users.txt"),
        }
    )
    app.extensions["db"].bind_to(connection)
    return app


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session in the test's transaction, for arranging data and checking results."""
    s: Session = app.extensions["db"].sessionmaker()
    yield s
    s.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture
def fresh_postgres_url(database_url: str) -> Iterator[str]:
    """A new migrated PostgreSQL database for tests that need real commits from several
    connections (concurrency); dropped afterwards. Skips on SQLite."""
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (concurrency is a server property)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(database_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(database_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass, skip slow tests that never touch a database.

    They ran in the SQLite pass of the same CI run; running them twice only costs minutes.
    """
    if not os.environ.get("TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="database-independent slow test: runs in the SQLite pass")
    for item in items:
        if item.get_closest_marker("slow") and "/tests/unit/" in str(item.path):
            item.add_marker(skip)
