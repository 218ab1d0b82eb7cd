"""Issue 16 item 5: nested unknown fields, implausible amounts and duplicate keys are refused.

Each case was accepted (and scored, and stored) before: an unknown key inside a record was
ignored, an amount up to 2^63-1 went into the features, and a repeated key silently kept its
last value. Each now gets 422 naming the field, and nothing is stored.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import Application, Enterprise, Transaction

from .conftest import ApiEnv

INT64_MAX = 2**63 - 1


def _nothing_stored(session: Session) -> None:
    for model in (Application, Enterprise, Transaction):
        assert session.scalar(select(func.count()).select_from(model)) == 0


def _with_records(p: dict[str, Any]) -> dict[str, Any]:
    """The payload with one record in every nested list (the sample lacks some of them)."""
    month = p["as_of"][:7]
    p["marketplace"] = [
        {"month": month, "gmv": 1_000_000, "orders": 10, "rating": 4.5, "return_rate": 0.01}
    ]
    p["cooperative"] = {
        "member_since": "2020-01-01",
        "savings": [{"month": month, "status": "on_time"}],
        "loans": [{"disbursed_on": "2024-01-02", "amount": 2_000_000,
                   "status": "repaid_on_time", "max_dpd": 0}],
    }  # fmt: skip
    p["enterprise"]["partnerships"] = [
        {"partner_size": "large", "since": "2024-01-01", "until": None, "annual_value": 50_000_000}
    ]
    return p


UNKNOWN = [
    (("transactions", 3), "transactions[3].colour"),
    (("marketplace", 0), "marketplace[0].colour"),
    (("cooperative", "savings", 0), "cooperative.savings[0].colour"),
    (("cooperative", "loans", 0), "cooperative.loans[0].colour"),
]


def _at(p: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = p
    for key in path:
        node = node[key]
    return node


@pytest.mark.parametrize(("where", "field"), UNKNOWN, ids=[f for _, f in UNKNOWN])
@pytest.mark.parametrize("url", ["/api/v1/applications", "/api/v1/score"])
def test_unknown_field_inside_a_record_is_refused(
    api: FlaskClient,
    env: ApiEnv,
    session: Session,
    payload: dict[str, Any],
    url: str,
    where: tuple[Any, ...],
    field: str,
) -> None:
    p = _with_records(payload)
    assert api.post("/api/v1/score", json=p, headers=env.a.headers).status_code == 200
    _at(p, where)["colour"] = "red"
    resp = api.post(url, json=p, headers=env.a.headers)
    assert resp.status_code == 422, resp.json
    assert field in resp.json["errors"], resp.json["errors"]
    assert "not a field" in resp.json["errors"][field][0]
    _nothing_stored(session)


CAPS = [
    (("transactions", 0, "amount"), INT64_MAX, "transactions[0].amount"),
    (("transactions", 0, "amount"), 100_000_000_001, "transactions[0].amount"),
    (("enterprise", "partnerships", 0, "annual_value"), INT64_MAX,
     "enterprise.partnerships[0].annual_value"),
    (("enterprise", "partnerships", 0, "annual_value"), 10**15,
     "enterprise.partnerships[0].annual_value"),
    (("marketplace", 0, "gmv"), 10**15, "marketplace[0].gmv"),
    (("cooperative", "loans", 0, "amount"), 10**15, "cooperative.loans[0].amount"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "field"), CAPS, ids=[f"{c[2]}={c[1]}" for c in CAPS])
def test_implausible_amount_is_refused_naming_the_field(
    api: FlaskClient,
    env: ApiEnv,
    session: Session,
    payload: dict[str, Any],
    path: tuple[Any, ...],
    value: int,
    field: str,
) -> None:
    p = _with_records(payload)
    _at(p, path[:-1])[path[-1]] = value
    resp = api.post("/api/v1/applications", json=p, headers=env.a.headers)
    assert resp.status_code == 422, resp.json
    assert field in resp.json["errors"], resp.json["errors"]
    assert "at most" in resp.json["errors"][field][0]
    _nothing_stored(session)


def test_an_amount_at_its_cap_is_accepted(
    api: FlaskClient, env: ApiEnv, payload: dict[str, Any]
) -> None:
    # Rp 100 miliar in one transaction: the documented cap itself is still plausible
    p = _with_records(payload)
    p["transactions"][0]["amount"] = 100_000_000_000
    resp = api.post("/api/v1/score", json=p, headers=env.a.headers)
    assert resp.status_code == 200, resp.json


def _post_text(api: FlaskClient, env: ApiEnv, url: str, body: str) -> Any:
    return api.post(
        url, data=body.encode(), headers={**env.a.headers, "Content-Type": "application/json"}
    )


@pytest.mark.parametrize("url", ["/api/v1/applications", "/api/v1/score"])
def test_duplicate_keys_are_refused_naming_the_key(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any], url: str
) -> None:
    text = json.dumps(payload, separators=(",", ":"))
    # nested: the first transaction says its amount twice; JSON parsers keep one silently
    first = json.dumps(payload["transactions"][0], separators=(",", ":"))
    twice = first[:-1] + ',"amount":1}'
    assert first in text
    resp = _post_text(api, env, url, text.replace(first, twice, 1))
    assert resp.status_code in (400, 422), resp.json
    assert "transactions[0].amount" in resp.json["errors"], resp.json
    # top level, pretty-printed (whitespace before the colon)
    pretty = json.dumps(payload, indent=2).replace('"as_of":', '"as_of" :', 1)
    resp = _post_text(api, env, url, '{"as_of": "2026-01-01",' + pretty[1:])
    assert resp.status_code in (400, 422), resp.json
    assert "as_of" in resp.json["errors"], resp.json
    _nothing_stored(session)


def test_the_same_key_in_different_records_is_fine(
    api: FlaskClient, env: ApiEnv, payload: dict[str, Any]
) -> None:
    # every transaction has an "amount": one per object is no duplicate, whatever the spacing
    for text in (json.dumps(payload), json.dumps(payload, indent=1, separators=(" , ", " : "))):
        resp = _post_text(api, env, "/api/v1/score", text)
        assert resp.status_code == 200, resp.json
