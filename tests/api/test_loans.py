"""The loan endpoints: detail, disbursement request, repayment posting."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import Repayment

from .conftest import ApiEnv


def test_loan_detail_has_schedule_and_collectibility(
    api: FlaskClient, env: ApiEnv, loan_id: int
) -> None:
    resp = api.get(f"/api/v1/loans/{loan_id}", headers=env.a.headers)
    assert resp.status_code == 200
    loan = resp.json
    assert loan["status"] == "active"
    assert loan["outstanding_principal"] == 50_000_000
    assert len(loan["schedule"]) == 24
    assert sum(i["principal_due"] for i in loan["schedule"]) == 50_000_000
    assert loan["collectibility"] == {"grade": 1, "name": "Lancar"}
    en = api.get(f"/api/v1/loans/{loan_id}", headers={**env.a.headers, "Accept-Language": "en"})
    assert en.json["collectibility"]["name"] == "Current"


def test_repayment_is_allocated_and_idempotent(
    api: FlaskClient, env: ApiEnv, session: Session, loan_id: int
) -> None:
    loan = api.get(f"/api/v1/loans/{loan_id}", headers=env.a.headers).json
    first = loan["schedule"][0]
    installment = first["principal_due"] + first["interest_due"]
    body = {"amount": installment, "paid_on": first["due_on"], "channel": "qris"}
    headers = {**env.a.headers, "Idempotency-Key": "rep-1"}
    resp = api.post(f"/api/v1/loans/{loan_id}/repayments", json=body, headers=headers)
    assert resp.status_code == 201, resp.json
    rep = resp.json
    assert rep["interest_part"] == first["interest_due"]
    assert rep["principal_part"] == first["principal_due"]
    assert rep["outstanding_principal"] == 50_000_000 - first["principal_due"]
    again = api.post(f"/api/v1/loans/{loan_id}/repayments", json=body, headers=headers)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json == rep
    n = session.scalar(select(func.count()).select_from(Repayment))
    assert n == 1


def test_repayment_needs_an_idempotency_key(api: FlaskClient, env: ApiEnv, loan_id: int) -> None:
    resp = api.post(
        f"/api/v1/loans/{loan_id}/repayments",
        json={"amount": 1000, "paid_on": "2026-12-01"},
        headers=env.a.headers,
    )
    assert resp.status_code == 422 and "Idempotency-Key" in resp.json["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 0, "paid_on": "2026-12-01"}, "amount"),
        ({"amount": -10, "paid_on": "2026-12-01"}, "amount"),
        ({"amount": "sejuta", "paid_on": "2026-12-01"}, "amount"),
        ({"amount": 1000}, "paid_on"),
        ({"amount": 1000, "paid_on": "2000-01-01"}, "paid_on"),
    ],
)
def test_bad_repayments_are_refused_and_change_nothing(
    api: FlaskClient, env: ApiEnv, session: Session, loan_id: int, body: dict[str, Any], field: str
) -> None:
    resp = api.post(
        f"/api/v1/loans/{loan_id}/repayments",
        json=body,
        headers={**env.a.headers, "Idempotency-Key": f"bad-{field}-{body.get('amount')}"},
    )
    assert resp.status_code == 422, resp.json
    assert field in repr(resp.json["errors"])
    assert session.scalar(select(func.count()).select_from(Repayment)) == 0


def test_disbursement_above_principal_is_refused(
    api: FlaskClient, env: ApiEnv, loan_id: int
) -> None:
    resp = api.post(
        f"/api/v1/loans/{loan_id}/disbursements",
        json={"amount": 1, "disbursed_on": (date.today() + timedelta(days=1)).isoformat()},
        headers={**env.a.headers, "Idempotency-Key": "disb-over"},
    )
    assert resp.status_code == 422
    assert "amount" in repr(resp.json["errors"])


def test_another_lender_cannot_see_or_touch_the_loan(
    api: FlaskClient, env: ApiEnv, loan_id: int
) -> None:
    headers = {**env.b.headers, "Idempotency-Key": "b-1"}
    missing = api.get("/api/v1/loans/999999", headers=env.b.headers)
    for resp in (
        api.get(f"/api/v1/loans/{loan_id}", headers=env.b.headers),
        api.post(
            f"/api/v1/loans/{loan_id}/repayments",
            json={"amount": 1000, "paid_on": "2026-12-01"},
            headers=headers,
        ),
        api.post(
            f"/api/v1/loans/{loan_id}/disbursements",
            json={"amount": 1000, "disbursed_on": "2026-12-01"},
            headers={**headers, "Idempotency-Key": "b-2"},
        ),
    ):
        assert resp.status_code == 404 and resp.json["code"] == missing.json["code"]
    assert api.get("/api/v1/loans", headers=env.b.headers).json["items"] == []
    assert [i["id"] for i in api.get("/api/v1/loans", headers=env.a.headers).json["items"]] == [
        loan_id
    ]
