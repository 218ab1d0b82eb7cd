"""A database that cannot be reached gives 503 with Retry-After, never 500; the service
recovers by itself when the database is back (issue 16 item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from creditapp import create_app
from creditapp.db import make_engine
from creditapp.services import access
from creditapp.services.audit import Actor

CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2"


def _app(url: str, tmp_path: Path) -> Flask:
    return create_app(
        {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x", "MODEL_DIR": str(tmp_path)}
    )


@pytest.fixture(params=["postgres-closed-port", "sqlite-missing-folder"])
def dead_app(request: pytest.FixtureRequest, tmp_path: Path) -> Flask:
    if request.param == "postgres-closed-port":
        return _app(CLOSED_PORT_URL, tmp_path)
    return _app(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}", tmp_path)


def test_api_answers_503_json_with_retry_after(dead_app: Flask) -> None:
    resp = dead_app.test_client().get(
        "/api/v1/programs", headers={"Authorization": "Bearer imk_abcd1234_" + "x" * 40}
    )
    assert resp.status_code == 503
    assert resp.is_json
    assert resp.json["code"] == "database_unavailable"
    assert int(resp.headers["Retry-After"]) >= 1


def test_api_post_answers_503_too(dead_app: Flask) -> None:
    resp = dead_app.test_client().post(
        "/api/v1/applications",
        json={},
        headers={"Authorization": "Bearer imk_abcd1234_" + "x" * 40},
    )
    assert resp.status_code == 503
    assert resp.json["code"] == "database_unavailable"


def test_web_page_answers_a_503_page(dead_app: Flask) -> None:
    client = dead_app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = "1"  # a signed-in officer: loading the user needs the database
        sess["_fresh"] = True
    resp = client.get("/queue")
    assert resp.status_code == 503
    assert resp.mimetype == "text/html"
    assert int(resp.headers["Retry-After"]) >= 1
    body = resp.get_data(as_text=True)
    assert "Traceback" not in body and "OperationalError" not in body


def _terminate_others(url: str) -> int:
    """Kill every server process connected to the database of ``url`` (but this one)."""
    admin = make_engine(url)
    with admin.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
        conn.commit()
    admin.dispose()
    return int(killed)


def test_recovers_after_its_connections_are_killed(fresh_postgres_url: str, tmp_path: Path) -> None:
    app = _app(fresh_postgres_url, tmp_path)
    with app.extensions["db"].sessionmaker() as s:
        lender = access.create_lender(s, Actor.system(), "BANK-O", "Bank O", "bank")
        key = access.issue_api_key(s, Actor.system(), lender, "outage").secret
        s.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/programs", headers=headers).status_code == 200
    assert _terminate_others(fresh_postgres_url) >= 1  # the app's pooled connection
    # pool_pre_ping finds the dead connection on checkout and opens a new one.
    for _ in range(3):
        assert client.get("/api/v1/programs", headers=headers).status_code == 200
    app.extensions["db"].engine.dispose()
