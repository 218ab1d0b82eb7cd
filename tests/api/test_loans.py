"""The loan endpoints: detail, disbursement request, repayment posting."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import Repayment, User
from creditapp.services import loans as loan_services
from creditapp.services.audit import Actor

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
    app: Flask, api: FlaskClient, env: ApiEnv, session: Session, loan_id: int
) -> None:
    loan = api.get(f"/api/v1/loans/{loan_id}", headers=env.a.headers).json
    first = loan["schedule"][0]
    app.config["BUSINESS_DATE"] = first["due_on"]
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


# Scenarios of issue 14 through the API (the loan fixture is decided and disbursed on
# 2 Oct 2024, 50 jt over 24 months, first due 2 Nov 2024).
FIRST_DUE = date(2024, 11, 2)


def _first(api: FlaskClient, env: ApiEnv, loan_id: int) -> dict[str, Any]:
    schedule = api.get(f"/api/v1/loans/{loan_id}", headers=env.a.headers).json["schedule"]
    first: dict[str, Any] = schedule[0]
    assert first["due_on"] == FIRST_DUE.isoformat()
    return first


def _post_repayment(api: FlaskClient, env: ApiEnv, loan_id: int, key: str, **body: Any) -> Any:
    return api.post(
        f"/api/v1/loans/{loan_id}/repayments",
        json=body,
        headers={**env.a.headers, "Idempotency-Key": key},
    )


def test_scenario_an_instalment_paid_two_days_early_is_not_arrears(
    app: Flask, api: FlaskClient, env: ApiEnv, session: Session, loan_id: int
) -> None:
    app.config["BUSINESS_DATE"] = "2024-10-31"
    first = _first(api, env, loan_id)
    assert first["interest_due"] == 50_000_000 * 8 // 100 // 12  # KUR Mikro, first access: 8 %
    instalment = first["principal_due"] + first["interest_due"]
    resp = _post_repayment(api, env, loan_id, "early-1", amount=instalment, paid_on="2024-10-31")
    assert resp.status_code == 201, resp.json
    # The whole instalment 1, no prepayment.
    assert (resp.json["interest_part"], resp.json["principal_part"]) == (
        first["interest_due"],
        first["principal_due"],
    )
    assert resp.json["excess_part"] == 0
    loan_services.age_loans(session, FIRST_DUE + timedelta(days=10))
    session.commit()
    loan = api.get(f"/api/v1/loans/{loan_id}", headers=env.a.headers).json
    assert (loan["dpd"], loan["collectibility"]["grade"], loan["tenor"]) == (0, 1, 24)
    assert loan["schedule"][0]["settled_on"] == "2024-10-31"


def test_scenario_a_restructured_loan_keeps_its_grade(
    app: Flask, api: FlaskClient, env: ApiEnv, session: Session, loan_id: int
) -> None:
    dpd_100 = FIRST_DUE + timedelta(days=100)
    loan_services.age_loans(session, dpd_100)
    officer = session.scalar(select(User).where(User.email == "approver@bank-a.id"))
    assert officer is not None
    loan_services.restructure_loan(
        session,
        Actor("user", officer.id),
        loan_id,
        effective_on=dpd_100,
        grace_months=0,
        extension_months=6,
        reason="usaha terdampak banjir",
        approved_by=officer.id,
    )
    loan_services.age_loans(session, dpd_100 + timedelta(days=1))
    session.commit()
    loan = api.get(f"/api/v1/loans/{loan_id}", headers=env.a.headers).json
    assert loan["dpd"] == 0
    assert loan["collectibility"] == {"grade": 3, "name": "Kurang Lancar"}
    assert (loan["restructured"], loan["restructure_count"]) == (True, 1)
    assert loan["restructure_floor_grade"] == 3
    listed = api.get("/api/v1/loans", headers=env.a.headers).json["items"][0]
    assert (listed["collectibility"], listed["restructured"]) == (3, True)


def test_scenario_future_value_dates_are_refused_and_do_not_lock_the_loan(
    app: Flask, api: FlaskClient, env: ApiEnv, session: Session, loan_id: int
) -> None:
    app.config["BUSINESS_DATE"] = "2024-11-02"
    first = _first(api, env, loan_id)
    instalment = first["principal_due"] + first["interest_due"]
    future = _post_repayment(api, env, loan_id, "f-1", amount=instalment, paid_on="2099-01-01")
    assert future.status_code == 422 and "paid_on" in future.json["errors"]
    assert "2024-11-03" in future.json["errors"]["paid_on"][0]  # one day of tolerance
    tolerated = _post_repayment(api, env, loan_id, "f-2", amount=1_000, paid_on="2024-11-03")
    assert tolerated.status_code == 201, tolerated.json
    real = _post_repayment(api, env, loan_id, "f-3", amount=instalment, paid_on="2024-11-03")
    assert real.status_code == 201, real.json
    resp = api.post(
        f"/api/v1/loans/{loan_id}/disbursements",
        json={"amount": 1, "disbursed_on": "9999-12-31"},
        headers={**env.a.headers, "Idempotency-Key": "disb-far"},
    )
    assert resp.status_code == 422 and "disbursed_on" in resp.json["errors"]
    assert session.scalar(select(func.count()).select_from(Repayment)) == 2


def test_scenario_overpayment_is_credit_and_a_reversal_re_ages_the_loan(
    app: Flask, api: FlaskClient, env: ApiEnv, session: Session, loan_id: int
) -> None:
    app.config["BUSINESS_DATE"] = "2024-11-02"
    first = _first(api, env, loan_id)
    instalment = first["principal_due"] + first["interest_due"]
    paid = _post_repayment(api, env, loan_id, "r-1", amount=instalment, paid_on="2024-11-02")
    assert paid.status_code == 201, paid.json
    loan_services.age_loans(session, date(2024, 11, 12))
    officer = session.scalar(select(User).where(User.email == "approver@bank-a.id"))
    assert officer is not None
    checker = session.scalar(select(User).where(User.email != officer.email))
    assert checker is not None
    item = loan_services.request_reversal(
        session,
        Actor("user", officer.id),
        paid.json["id"],
        requested_by=officer.id,
        requested_on=date(2024, 11, 12),
        reason="dana masuk ke pinjaman lain",
    )
    loan_services.approve_reversal(
        session,
        Actor("user", checker.id),
        item.id,
        approved_by=checker.id,
        approved_on=date(2024, 11, 12),
    )
    session.commit()
    loan = api.get(f"/api/v1/loans/{loan_id}", headers=env.a.headers).json
    assert (loan["dpd"], loan["collectibility"]["grade"]) == (10, 2)  # 2 Nov + 10 days
    assert loan["outstanding_principal"] == 50_000_000
    # Paying off with more than the payoff: the rest is the borrower's credit balance.
    app.config["BUSINESS_DATE"] = "2024-11-12"
    big = _post_repayment(api, env, loan_id, "r-2", amount=60_000_000, paid_on="2024-11-12")
    assert big.status_code == 201, big.json
    assert big.json["loan_status"] == "closed" and big.json["credit_part"] > 0
    total = sum(big.json[k] for k in ("principal_part", "interest_part", "penalty_part"))
    assert total + big.json["credit_part"] == 60_000_000
    # The due instalment's interest, and 10 of the 30 days of 2 Nov .. 2 Dec on the rest.
    not_due = 50_000_000 - first["principal_due"]
    accrued = (Decimal(not_due) * Decimal("0.08") / 12 * 10 / 30).quantize(
        Decimal(1), "ROUND_HALF_UP"
    )
    assert total == 50_000_000 + first["interest_due"] + int(accrued)
    loan = api.get(f"/api/v1/loans/{loan_id}", headers=env.a.headers).json
    assert loan["credit_balance"] == big.json["credit_part"]
