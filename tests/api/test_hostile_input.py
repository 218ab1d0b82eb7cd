"""Hostile input that used to crash the API answers 4xx naming the field, and stores nothing."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import Application, Enterprise

from .conftest import ApiEnv


def _count(session: Session) -> tuple[int, int]:
    session.expire_all()
    apps = session.scalar(select(func.count()).select_from(Application)) or 0
    ents = session.scalar(select(func.count()).select_from(Enterprise)) or 0
    return apps, ents


def _raw_post(api: FlaskClient, env: ApiEnv, body: str, path: str = "/api/v1/applications"):  # type: ignore[no-untyped-def]
    return api.post(
        path,
        data=body.encode("utf-8", "surrogatepass"),
        headers={**env.a.headers, "Content-Type": "application/json"},
    )


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("enterprise", "name"), "enterprise.name"),
        (("enterprise", "owner_name"), "enterprise.owner_name"),
        (("reference",), "reference"),
        (("request", "program"), "request.program"),
    ],
)
@pytest.mark.parametrize("bad", ["\ud800", "a\x00b"], ids=["lone-surrogate", "nul"])
def test_bad_characters_in_a_string_field_are_422(
    api: FlaskClient,
    env: ApiEnv,
    session: Session,
    payload: dict[str, Any],
    path: tuple[str, ...],
    field: str,
    bad: str,
) -> None:
    node = payload
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad
    before = _count(session)
    # json.dumps escapes both as \ud800 / \u0000, exactly as a hostile client sends them
    resp = _raw_post(api, env, json.dumps(payload))
    assert resp.status_code == 422, resp.get_data(as_text=True)[:300]
    assert field in json.dumps(resp.json["errors"]), resp.json
    assert _count(session) == before


@pytest.mark.parametrize("endpoint", ["/api/v1/applications", "/api/v1/score"])
def test_deeply_nested_json_is_refused_without_recursion(
    api: FlaskClient, env: ApiEnv, session: Session, endpoint: str
) -> None:
    before = _count(session)
    body = "[" * 5000 + "]" * 5000
    resp = _raw_post(api, env, body, endpoint)
    assert resp.status_code in (400, 422), resp.get_data(as_text=True)[:300]
    assert resp.is_json and resp.json["code"]
    nested = '{"a":' * 5000 + "1" + "}" * 5000
    assert _raw_post(api, env, nested, endpoint).status_code in (400, 422)
    # within orjson's limit but deep enough to exhaust Python's recursion when fingerprinted
    keyed = {**env.a.headers, "Content-Type": "application/json", "Idempotency-Key": "deep-1"}
    resp = api.post(endpoint, data="[" * 1000 + "]" * 1000, headers=keyed)
    assert resp.status_code in (400, 422), resp.get_data(as_text=True)[:300]
    assert _count(session) == before


@pytest.mark.parametrize("value", ["%00", "KUR%00MIKRO"])
def test_bad_characters_in_a_query_parameter_are_422(
    api: FlaskClient, env: ApiEnv, value: str
) -> None:
    resp = api.get(f"/api/v1/applications?program={value}", headers=env.a.headers)
    assert resp.status_code in (400, 422), resp.get_data(as_text=True)[:300]
    if resp.status_code == 422:
        assert "program" in json.dumps(resp.json["errors"])


@pytest.mark.parametrize("number", [2**31, 2**63, 2**64 + 5, -1, 10**30])
@pytest.mark.parametrize("endpoint", ["/api/v1/applications", "/api/v1/loans"])
def test_a_forged_cursor_is_422(api: FlaskClient, env: ApiEnv, number: int, endpoint: str) -> None:
    cursor = base64.urlsafe_b64encode(str(number).encode()).decode()
    resp = api.get(f"{endpoint}?cursor={cursor}", headers=env.a.headers)
    assert resp.status_code == 422, resp.get_data(as_text=True)[:300]
    assert "cursor" in resp.json["errors"]
