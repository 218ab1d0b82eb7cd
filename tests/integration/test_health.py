"""GET /healthz tells whether the database answers and which model is champion."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from creditapp import create_app
from creditapp.models import ModelVersion


def test_healthy_without_a_champion(client: FlaskClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json == {"status": "ok", "database": "ok", "champion_model": None}


def test_reports_the_champion_version(client: FlaskClient, session: Session) -> None:
    for version, champion in (("2026.10.1", False), ("2026.11.1", True)):
        session.add(
            ModelVersion(
                name="imk",
                version=version,
                path=f"/models/imk/{version}",
                manifest_sha256="0" * 64,
                feature_spec_version="1",
                metrics={},
                is_champion=champion,
                status="champion" if champion else "retired",
            )
        )
    session.commit()
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json["champion_model"] == {"name": "imk", "version": "2026.11.1"}


def test_unreachable_database_gives_503_with_a_reason(tmp_path: Path) -> None:
    # A SQLite file in a folder that does not exist cannot be opened.
    url = f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x"})
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.json["status"] == "unavailable"
    assert resp.json["database"] == "unreachable"
    assert resp.json["reason"]
