"""GET /api/v1/subsidy-claims: a lender reads its own claims only (another's id is 404)."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from creditapp.services import access
from creditapp.services.claims import build_subsidy_claims, reject_subsidy_claim_line
from creditapp.services.claims.subsidy_claims import claim_lines
from creditapp.services.loans import accrue_subsidy
from tests.factories import core
from tests.factories import loans as lf

FIFTY_NOV = 388_888  # 50 jt x 28 days x 10 % / 360, rounded down


def test_a_lender_sees_only_its_own_claims(client: FlaskClient, session: Session) -> None:
    program = core.program(session)
    mine, theirs = core.lender(session), core.lender(session)
    lf.active_loan(session, program_obj=program, lender_obj=mine)
    lf.active_loan(session, program_obj=program, lender_obj=theirs)
    accrue_subsidy(session, date(2026, 11, 1), date(2026, 11, 30))
    claims = build_subsidy_claims(session, lf.SYSTEM, date(2026, 11, 1), date(2026, 12, 1))
    by_lender = {c.lender_id: c for c in claims}
    [line] = claim_lines(session, by_lender[mine.id].id)
    reject_subsidy_claim_line(
        session, lf.SYSTEM, line.id, reason="tidak di SIKP", rejected_on=date(2026, 12, 2)
    )
    key = access.issue_api_key(session, lf.SYSTEM, mine, "tests").secret
    session.commit()
    headers = {"Authorization": f"Bearer {key}"}
    listed = client.get("/api/v1/subsidy-claims", headers=headers)
    assert listed.status_code == 200
    [item] = listed.json["items"]
    assert item["id"] == by_lender[mine.id].id
    assert (item["accrued_total"], item["rejected"], item["status"]) == (
        FIFTY_NOV,
        FIFTY_NOV,
        "submitted",
    )
    detail = client.get(f"/api/v1/subsidy-claims/{item['id']}", headers=headers)
    assert detail.status_code == 200
    assert detail.json["claim_lines"][0]["rejection_reason"] == "tidak di SIKP"
    foreign = client.get(f"/api/v1/subsidy-claims/{by_lender[theirs.id].id}", headers=headers)
    assert foreign.status_code == 404
    assert client.get("/api/v1/subsidy-claims/999999", headers=headers).status_code == 404
    assert client.get("/api/v1/subsidy-claims").status_code == 401
    bad = client.get("/api/v1/subsidy-claims?status=lost", headers=headers)
    assert bad.status_code == 422 and "status" in str(bad.json["errors"])
