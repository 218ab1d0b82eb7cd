"""Every invalid input gets 422 naming the field, and nothing is stored."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import Application, Enterprise, Transaction

from .conftest import ApiEnv


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(p: dict[str, Any]) -> None:
        node: Any = p
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[int(k)] if k.isdigit() else node[k]
        last = keys[-1]
        node[int(last) if last.isdigit() else last] = value

    return change


CASES = [
    ("wrong type", _set("request.amount", "lima juta"), "amount"),
    ("negative amount", _set("transactions.0.amount", -5000), "transactions[0].amount"),
    ("zero requested", _set("request.amount", 0), "amount"),
    ("future transaction", _set("transactions.0.date", "2999-01-01"), "transactions[0].date"),
    ("unknown sector", _set("enterprise.kbli", "99123"), "enterprise.kbli"),
    ("unknown program", _set("request.program", "KUR-NOPE"), "request.program"),
    ("bad gender code", _set("enterprise.owner_gender", "X"), "owner_gender"),
    ("nik not 16 digits", _set("enterprise.owner_nik", "12345"), "owner_nik"),
    ("transaction before founding", _set("enterprise.founded_on", "2026-10-01"), "transactions"),
    ("ancient data", _set("transactions.0.date", "0001-01-01"), "transactions[0].date"),
    ("missing enterprise", lambda p: p.pop("enterprise"), "enterprise"),
]


@pytest.mark.parametrize(("name", "change", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_names_the_field_and_stores_nothing(
    api: FlaskClient,
    env: ApiEnv,
    session: Session,
    payload: dict[str, Any],
    name: str,
    change: Callable[[dict[str, Any]], None],
    field: str,
) -> None:
    change(payload)
    resp = api.post("/api/v1/applications", json=payload, headers=env.a.headers)
    assert resp.status_code == 422, (name, resp.json)
    flat = repr(resp.json["errors"])
    assert field in flat, (name, resp.json["errors"])
    for model in (Application, Enterprise, Transaction):
        assert session.scalar(select(func.count()).select_from(model)) == 0


def test_not_json_is_a_clear_error(api: FlaskClient, env: ApiEnv) -> None:
    resp = api.post(
        "/api/v1/applications",
        data=b"not json",
        headers={**env.a.headers, "Content-Type": "application/json"},
    )
    assert resp.status_code in (400, 422)
    assert resp.is_json and resp.json["message"]


def test_oversized_body_gets_413(api: FlaskClient, env: ApiEnv, app: Any) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    resp = api.post(
        "/api/v1/applications",
        data=b"{" + b" " * 20_000 + b"}",
        headers={**env.a.headers, "Content-Type": "application/json"},
    )
    assert resp.status_code == 413
    assert resp.json["code"] == "request_entity_too_large"


def test_one_nik_is_one_person(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> None:
    first = api.post("/api/v1/applications", json=payload, headers=env.a.headers)
    assert first.status_code == 201, first.json
    # the same owner with a second enterprise: accepted (one person may run several)
    second = copy.deepcopy(payload)
    second["enterprise"]["name"] = "Usaha Kedua"
    second["enterprise"]["owner_name"] = "  " + payload["enterprise"]["owner_name"].upper()
    assert api.post("/api/v1/applications", json=second, headers=env.a.headers).status_code == 201
    enterprises = session.scalar(select(func.count()).select_from(Enterprise))
    # another person under the same NIK: refused, the field named, nothing stored
    other = copy.deepcopy(payload)
    other["enterprise"]["name"] = "Usaha Ketiga"
    other["enterprise"]["owner_name"] = "Orang Lain"
    resp = api.post("/api/v1/applications", json=other, headers=env.a.headers)
    assert resp.status_code == 422, resp.json
    assert "enterprise.owner_nik" in resp.json["errors"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Enterprise)) == enterprises
