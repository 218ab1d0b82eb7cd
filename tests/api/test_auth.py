"""Authentication, scopes, rate limiting and revocation."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import ApiKey, Lender
from creditapp.services import access
from creditapp.services.audit import Actor

from .conftest import ApiEnv


def test_no_key_gets_401_with_challenge(api: FlaskClient, env: ApiEnv) -> None:
    resp = api.get("/api/v1/programs")
    assert resp.status_code == 401
    assert resp.headers.getlist("WWW-Authenticate") == ["Bearer"]
    assert resp.json["code"] == "unauthorized"


def test_wrong_key_gets_401(api: FlaskClient, env: ApiEnv) -> None:
    bad = env.a.key[:-4] + "AAAA"
    assert (
        api.get("/api/v1/programs", headers={"Authorization": f"Bearer {bad}"}).status_code == 401
    )
    assert api.get("/api/v1/programs", headers={"Authorization": "Basic abc"}).status_code == 401


def test_key_outside_its_scope_gets_403(api: FlaskClient, env: ApiEnv, session: Session) -> None:
    lender = session.get(Lender, env.a.lender_id)
    assert lender is not None
    issued = access.issue_api_key(session, Actor.system(), lender, "programs only", ("programs",))
    session.commit()
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert api.get("/api/v1/programs", headers=headers).status_code == 200
    resp = api.get("/api/v1/applications", headers=headers)
    assert resp.status_code == 403 and resp.json["code"] == "forbidden"


def test_revoked_key_gets_401(api: FlaskClient, env: ApiEnv, session: Session) -> None:
    prefix = env.a.key.split("_")[1]
    access.revoke_api_key(session, Actor.system(), prefix, datetime.now(UTC))
    session.commit()
    assert api.get("/api/v1/programs", headers=env.a.headers).status_code == 401


def test_last_use_is_recorded(api: FlaskClient, env: ApiEnv, session: Session) -> None:
    api.get("/api/v1/programs", headers=env.a.headers)
    key = session.scalar(select(ApiKey).where(ApiKey.lender_id == env.a.lender_id))
    assert key is not None
    session.refresh(key)
    assert key.last_used_at is not None


# Rate limits: tests/api/test_rate_limits.py (shared storage, per key and per address).
