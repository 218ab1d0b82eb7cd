"""The optional enterprise ``village`` (desa/kelurahan) the collection sheet groups by."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import Application, Enterprise

from .conftest import ApiEnv


def _enterprise_of(session: Session, app_id: int) -> Enterprise:
    ent = session.scalar(
        select(Enterprise)
        .join(Application, Application.enterprise_id == Enterprise.id)
        .where(Application.id == app_id)
    )
    assert ent is not None
    return ent


def test_village_is_stored_when_given_and_null_when_not(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> None:
    payload["enterprise"]["village"] = "Cibiru Wetan"
    resp = api.post("/api/v1/applications", json=payload, headers=env.a.headers)
    assert resp.status_code == 201, resp.json
    assert _enterprise_of(session, resp.json["id"]).village == "Cibiru Wetan"

    del payload["enterprise"]["village"]
    resp = api.post("/api/v1/applications", json=payload, headers=env.b.headers)
    assert resp.status_code == 201, resp.json
    assert _enterprise_of(session, resp.json["id"]).village is None


def test_an_empty_or_overlong_village_is_refused_by_name(
    api: FlaskClient, env: ApiEnv, payload: dict[str, Any]
) -> None:
    for bad in ("", "x" * 101, 12):
        payload["enterprise"]["village"] = bad
        resp = api.post("/api/v1/applications", json=payload, headers=env.a.headers)
        assert resp.status_code == 422, bad
        assert "village" in resp.json["errors"]["enterprise"], resp.json
