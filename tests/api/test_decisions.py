"""POST /api/v1/applications/{id}/decision: the web workspace's rules, for lenders' systems."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import Application, ApprovalRequest, Decision, Lender, Loan, ScoreRecord
from tests.api.conftest import ApiEnv, officer


@pytest.fixture
def scored(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> dict[str, Any]:
    """An application of lender A in KUR-MIKRO, its recommendation and two officers."""
    payload["request"].update(program="KUR-MIKRO", amount=30_000_000, tenor_months=24)
    resp = api.post("/api/v1/applications", json=payload, headers=env.a.headers)
    assert resp.status_code == 201, resp.json
    app_id = resp.json["id"]
    record = session.scalar(select(ScoreRecord).where(ScoreRecord.application_id == app_id))
    assert record is not None
    officer(session, env.a.lender_id, "maker@bank-a.id")
    officer(session, env.a.lender_id, "checker@bank-a.id")
    officer(session, env.b.lender_id, "other@ksp-b.id")
    session.commit()
    return {"id": app_id, "recommendation": record.recommendation, "as_of": payload["as_of"]}


def _other(outcome: str) -> str:
    """An outcome different from ``outcome`` that needs no terms."""
    return "refer" if outcome != "refer" else "decline"


def test_decision_against_the_recommendation_needs_an_override_reason(
    api: FlaskClient, env: ApiEnv, scored: dict[str, Any], session: Session
) -> None:
    outcome = _other(scored["recommendation"])
    body = {"officer": "maker@bank-a.id", "outcome": outcome, "decided_on": scored["as_of"],
            "reason_code": "score_too_low"}  # fmt: skip
    url = f"/api/v1/applications/{scored['id']}/decision"
    resp = api.post(url, json=body, headers=env.a.headers)
    assert resp.status_code == 422
    assert "override_reason_code" in resp.json["errors"] and "text" in resp.json["errors"]
    assert session.scalar(select(Decision)) is None
    body.update(override_reason_code="risk_concern", text="Usaha baru pindah lokasi")
    resp = api.post(url, json=body, headers=env.a.headers)
    assert resp.status_code == 201, resp.json
    assert resp.json["overrides_recommendation"] is True
    decision = session.scalar(select(Decision))
    assert decision is not None
    assert (decision.recommendation, decision.override_reason_code) == (
        scored["recommendation"],
        "risk_concern",
    )
    assert decision.model_version and decision.score_record_id
    # immutable: a change is refused
    decision.reason_text = "changed"
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()


def test_foreign_application_and_foreign_officer(
    api: FlaskClient, env: ApiEnv, scored: dict[str, Any]
) -> None:
    body = {"officer": "other@ksp-b.id", "outcome": "refer", "decided_on": scored["as_of"],
            "text": "x", "override_reason_code": "risk_concern"}  # fmt: skip
    url = f"/api/v1/applications/{scored['id']}/decision"
    foreign = api.post(url, json=body, headers=env.b.headers)
    missing = api.post("/api/v1/applications/999999/decision", json=body, headers=env.b.headers)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json["code"] == missing.json["code"]
    wrong = api.post(url, json=body, headers=env.a.headers)
    assert wrong.status_code == 422 and "officer" in wrong.json["errors"]


def test_approval_above_the_four_eyes_amount_needs_a_second_officer(
    api: FlaskClient, env: ApiEnv, scored: dict[str, Any], session: Session
) -> None:
    lender = session.get(Lender, env.a.lender_id)
    assert lender is not None
    lender.four_eyes_amount = 20_000_000
    session.commit()
    body = {"officer": "maker@bank-a.id", "outcome": "approve", "decided_on": scored["as_of"],
            "amount": 25_000_000, "tenor": 24, "override_reason_code": "policy_exception",
            "text": "pengecualian program"}  # fmt: skip
    url = f"/api/v1/applications/{scored['id']}/decision"
    resp = api.post(url, json=body, headers=env.a.headers)
    assert resp.status_code == 202, resp.json
    request_id = resp.json["approval_request_id"]
    assert session.scalar(select(Loan)) is None
    confirm = {"officer": "maker@bank-a.id", "outcome": "approve", "decided_on": scored["as_of"],
               "confirms_request": request_id}  # fmt: skip
    same = api.post(url, json=confirm, headers=env.a.headers)
    assert same.status_code == 422 and same.json["errors"]["officer"]
    confirm["officer"] = "checker@bank-a.id"
    done = api.post(url, json=confirm, headers=env.a.headers)
    assert done.status_code == 201, done.json
    loan = session.scalar(select(Loan))
    assert loan is not None and loan.principal == 25_000_000
    decision = session.scalar(select(Decision))
    assert decision is not None and decision.confirmed_by != decision.decided_by
    pending = session.get(ApprovalRequest, request_id)
    assert pending is not None and pending.status == "confirmed"
    application = session.get(Application, scored["id"])
    assert application is not None and application.status == "approved"


def test_terms_outside_the_program_name_the_field(
    api: FlaskClient, env: ApiEnv, scored: dict[str, Any]
) -> None:
    body = {"officer": "maker@bank-a.id", "outcome": "approve", "decided_on": scored["as_of"],
            "amount": 500_000_000, "tenor": 24, "override_reason_code": "policy_exception",
            "text": "x"}  # fmt: skip
    resp = api.post(
        f"/api/v1/applications/{scored['id']}/decision", json=body, headers=env.a.headers
    )
    assert resp.status_code == 422
    assert resp.json["errors"]["amount"] == ["outside the program's plafond"]


def test_decision_endpoint_is_in_the_openapi_document(api: FlaskClient) -> None:
    spec = api.get("/api/v1/openapi.json").json
    post = spec["paths"]["/api/v1/applications/{application_id}/decision"]["post"]
    assert {"201", "202", "404", "422"} <= set(post["responses"])


def test_a_referred_application_is_decided_by_a_senior_officer_only(
    api: FlaskClient, env: ApiEnv, scored: dict[str, Any], session: Session
) -> None:
    senior = officer(session, env.a.lender_id, "senior@bank-a.id")
    senior.senior = True
    session.commit()
    url = f"/api/v1/applications/{scored['id']}/decision"
    refer = {"officer": "maker@bank-a.id", "outcome": "refer", "decided_on": scored["as_of"],
             "text": "Perlu survei", "override_reason_code": "risk_concern"}  # fmt: skip
    wrong = api.post(url, json={**refer, "referred_to": "checker@bank-a.id"}, headers=env.a.headers)
    assert wrong.status_code == 422 and "referred_to" in wrong.json["errors"]
    resp = api.post(url, json={**refer, "referred_to": "senior@bank-a.id"}, headers=env.a.headers)
    assert resp.status_code == 201, resp.json
    application = session.get(Application, scored["id"])
    assert application is not None and application.referred_to == senior.id
    decline = {"outcome": "decline", "decided_on": scored["as_of"], "reason_code": "affordability",
               "text": "Arus kas kurang", "override_reason_code": "risk_concern"}  # fmt: skip
    refused = api.post(url, json={**decline, "officer": "checker@bank-a.id"}, headers=env.a.headers)
    assert refused.status_code == 403 and refused.json["errors"]["officer"] == [
        "the application is referred: only a senior officer of the lender may decide it"
    ]
    done = api.post(url, json={**decline, "officer": "senior@bank-a.id"}, headers=env.a.headers)
    assert done.status_code == 201, done.json
    assert done.json["outcome"] == "decline"
