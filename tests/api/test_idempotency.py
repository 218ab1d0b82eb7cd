"""A retried POST with the same Idempotency-Key creates nothing new."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp import create_app
from creditapp.db import make_engine
from creditapp.models import Application, IdempotencyRecord

from .conftest import ApiEnv, make_env


def n_applications(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Application)) or 0)


def test_replay_returns_the_first_response(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> None:
    headers = {**env.a.headers, "Idempotency-Key": "app-001"}
    first = api.post("/api/v1/applications", json=payload, headers=headers)
    second = api.post("/api/v1/applications", json=payload, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert second.json == first.json
    assert n_applications(session) == 1


def test_same_key_with_another_body_is_refused(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> None:
    headers = {**env.a.headers, "Idempotency-Key": "app-002"}
    assert api.post("/api/v1/applications", json=payload, headers=headers).status_code == 201
    payload["request"]["amount"] += 500_000
    resp = api.post("/api/v1/applications", json=payload, headers=headers)
    assert resp.status_code == 422
    assert "Idempotency-Key" in resp.json["errors"]
    assert n_applications(session) == 1


def test_keys_are_per_lender(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> None:
    for tenant in (env.a, env.b):
        resp = api.post(
            "/api/v1/applications",
            json=payload,
            headers={**tenant.headers, "Idempotency-Key": "shared"},
        )
        assert resp.status_code == 201 and "Idempotent-Replayed" not in resp.headers
    assert n_applications(session) == 2


def test_failed_request_does_not_burn_the_key(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> None:
    headers = {**env.a.headers, "Idempotency-Key": "app-003"}
    bad = dict(payload, request={**payload["request"], "amount": -1})
    assert api.post("/api/v1/applications", json=bad, headers=headers).status_code == 422
    assert api.post("/api/v1/applications", json=payload, headers=headers).status_code == 201
    assert session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1


def test_concurrent_duplicates_apply_exactly_once(
    fresh_postgres_url: str, tmp_path: Path, payload: dict[str, Any]
) -> None:
    app = create_app(
        {"DATABASE_URL": fresh_postgres_url, "SECRET_KEY": "t", "MODEL_DIR": str(tmp_path)}
    )
    with app.app_context():
        s = app.extensions["db"].sessionmaker()
        env = make_env(s, tmp_path)
        s.close()
    headers = {**env.a.headers, "Idempotency-Key": "race-1"}
    barrier = threading.Barrier(4)
    results: list[tuple[int, Any]] = []

    def post() -> None:
        client = app.test_client()
        barrier.wait()
        resp = client.post("/api/v1/applications", json=payload, headers=headers)
        results.append(
            (resp.status_code, resp.json["id"] if resp.status_code == 201 else resp.json)
        )

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [code for code, _ in results] == [201] * 4, results
    assert len({app_id for _, app_id in results}) == 1
    engine = make_engine(fresh_postgres_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Application)) == 1
    engine.dispose()
    app.extensions["db"].engine.dispose()
