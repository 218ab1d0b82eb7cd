"""Issue 17 item 2: a request body is parsed once; that one parse is scored and stored."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import scoring.parse
from creditapp.models import ScoreRecord, Transaction
from scoring.canonical import input_hash

from .conftest import ApiEnv


@pytest.mark.parametrize(("url", "status"), [("/api/v1/applications", 201), ("/api/v1/score", 200)])
def test_the_body_is_parsed_once_per_request(
    api: FlaskClient,
    env: ApiEnv,
    payload: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    status: int,
) -> None:
    calls: list[object] = []
    parse_one = scoring.parse._parse_one

    def counted(*args: Any) -> Any:
        calls.append(args[0])
        return parse_one(*args)

    monkeypatch.setattr(scoring.parse, "_parse_one", counted)
    resp = api.post(url, json=payload, headers=env.a.headers)
    assert resp.status_code == status, resp.json
    assert len(calls) == 1


def test_what_was_stored_is_what_was_hashed(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> None:
    resp = api.post("/api/v1/applications", json=payload, headers=env.a.headers)
    assert resp.status_code == 201, resp.json
    app_id = resp.json["id"]
    record = session.scalars(select(ScoreRecord).where(ScoreRecord.application_id == app_id)).one()
    assert record.input_hash == input_hash(payload)
    stored = session.scalars(
        select(Transaction.amount)
        .where(Transaction.application_id == app_id)
        .order_by(Transaction.id)
    ).all()
    assert stored == [t["amount"] for t in payload["transactions"]]
