"""GET /api/v1/applications/{id}/debtor-check, and the refusal of an approval it stops."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import AuditEvent, CreditProgram, Lender, Loan
from creditapp.regulatory.debtor_check import MESSAGES
from tests.api.conftest import ApiEnv, officer
from tests.factories.regulatory import paid_out_loan


@pytest.fixture
def case(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> dict[str, Any]:
    """Lender A's application for an owner who holds a live KUR Mikro loan at lender B."""
    payload["request"].update(program="KUR-MIKRO", amount=30_000_000, tenor_months=24)
    resp = api.post("/api/v1/applications", json=payload, headers=env.a.headers)
    assert resp.status_code == 201, resp.json
    kur = session.scalars(select(CreditProgram).where(CreditProgram.code == "KUR-MIKRO")).one()
    b = session.get(Lender, env.b.lender_id)
    assert b is not None
    nik = payload["enterprise"]["owner_nik"]
    loan = paid_out_loan(session, b, kur, nik, 25_000_000, 12, kur.active_from)
    officer(session, env.a.lender_id, "maker@bank-a.id")
    session.commit()
    return {"id": resp.json["id"], "as_of": payload["as_of"], "loan": loan}


def test_the_lender_sees_the_check_of_its_own_application_with_b_masked(
    api: FlaskClient, env: ApiEnv, case: dict[str, Any]
) -> None:
    resp = api.get(f"/api/v1/applications/{case['id']}/debtor-check", headers=env.a.headers)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert (body["passed"], body["refusals"]) == (False, ["debtor_has_kur"])
    assert body["messages"] == [MESSAGES["debtor_has_kur"]]
    loan: Loan = case["loan"]
    assert body["facilities"] == [
        {"own_lender": False, "lender": None, "loan_id": None, "program": "KUR-MIKRO",
         "kur": True, "status": "active", "outstanding_principal": 25_000_000,
         "collectibility": 1, "dpd": 0, "approved_on": loan.approved_on.isoformat()}
    ]  # fmt: skip


def test_another_lenders_application_is_not_found_and_no_key_is_401(
    api: FlaskClient, env: ApiEnv, case: dict[str, Any]
) -> None:
    url = f"/api/v1/applications/{case['id']}/debtor-check"
    assert api.get(url, headers=env.b.headers).status_code == 404
    assert api.get(url).status_code == 401


def test_an_approval_the_check_stops_is_refused_naming_the_field(
    api: FlaskClient, env: ApiEnv, case: dict[str, Any], session: Session
) -> None:
    body = {"officer": "maker@bank-a.id", "outcome": "approve", "decided_on": case["as_of"],
            "amount": 30_000_000, "tenor": 24, "override_reason_code": "policy_exception",
            "text": "x"}  # fmt: skip
    resp = api.post(f"/api/v1/applications/{case['id']}/decision", json=body, headers=env.a.headers)
    assert resp.status_code == 422, resp.json
    assert resp.json["errors"] == {"debtor_check": [MESSAGES["debtor_has_kur"]]}
    assert session.scalars(select(Loan.id).where(Loan.lender_id == env.a.lender_id)).all() == []
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "application.debtor_check_refused")
    ).one()
    assert (event.actor_type, event.entity_id) == ("api_key", case["id"])
    assert event.after is not None and event.after["refused"] == ["debtor_has_kur"]
    # Lender B's loan is counted, not named, in lender A's audit trail.
    assert (event.after["live_loan_ids"], event.after["foreign_live_facilities"]) == ([], 1)
