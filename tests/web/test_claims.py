"""The claim pages: managers only, lines and reconciliation shown, reject / verify / pay
through confirmation with CSRF, the CSV download, and the guarantor statement."""

from __future__ import annotations

import csv
import re
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import SubsidyClaim, SubsidyClaimLine
from creditapp.services.claims import build_subsidy_claims, create_guarantor, set_program_guarantee
from creditapp.services.loans import accrue_subsidy
from tests.factories import core
from tests.factories import loans as lf
from tests.web.conftest import People, csrf_token, sign_in

# 50 jt and 20 jt held 3..30 Nov 2026 (28 days) at 10 % a year / 360, rounded down.
FIFTY_NOV, TWENTY_NOV = 388_888, 155_555


@pytest.fixture
def claim(app: Flask, session: Session, people: People) -> SubsidyClaim:
    app.config["BUSINESS_DATE"] = "2026-12-20"  # rejections and verification are dated today
    program = core.program(session)
    guarantor = create_guarantor(session, lf.SYSTEM, "JAMKRINDO", "Perum Jamkrindo")
    set_program_guarantee(
        session,
        lf.SYSTEM,
        program_id=program.id,
        guarantor_id=guarantor.id,
        ijp_rate=Decimal("0.015"),
        effective_from=date(2026, 1, 1),
    )
    lf.active_loan(session, program_obj=program, lender_obj=people.lender)
    lf.active_loan(session, program_obj=program, lender_obj=people.lender, amount=20_000_000)
    accrue_subsidy(session, date(2026, 11, 1), date(2026, 11, 30))
    [built] = build_subsidy_claims(session, lf.SYSTEM, date(2026, 11, 1), date(2026, 12, 1))
    session.commit()
    return built


def test_only_managers_open_the_claim_pages(
    client: FlaskClient, people: People, claim: SubsidyClaim
) -> None:
    assert client.get("/claims/").status_code == 302  # to sign-in
    sign_in(client, people.officer.email)
    for path in (
        "/claims/",
        f"/claims/{claim.id}",
        f"/claims/{claim.id}.csv",
        "/claims/guarantors",
    ):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/claims/{claim.id}/verify").status_code in (400, 403)


def test_a_manager_rejects_a_line_verifies_and_records_a_short_payment(
    client: FlaskClient, session: Session, people: People, claim: SubsidyClaim
) -> None:
    sign_in(client, people.manager.email)
    page = client.get("/claims/").get_data(as_text=True)
    assert f"/claims/{claim.id}" in page and "Rp" in page
    show = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert show.count('id="line-') == 2
    line = session.scalar(
        select(SubsidyClaimLine).where(
            SubsidyClaimLine.claim_id == claim.id, SubsidyClaimLine.amount == TWENTY_NOV
        )
    )
    assert line is not None
    path = f"/claims/{claim.id}/lines/{line.id}/reject"
    # Without a CSRF token nothing changes.
    assert client.post(path, data={"reason": "x"}).status_code == 400
    empty = client.post(path, data={"reason": "", "csrf_token": csrf_token(client, path)})
    assert empty.status_code == 422
    done = client.post(
        path, data={"reason": "tidak terdaftar", "csrf_token": csrf_token(client, path)}
    )
    assert done.status_code == 302
    verify = f"/claims/{claim.id}/verify"
    assert "388.888" in client.get(verify).get_data(as_text=True)  # the total it will verify
    assert client.post(verify, data={"csrf_token": csrf_token(client, verify)}).status_code == 302
    pay = f"/claims/{claim.id}/pay"
    token = csrf_token(client, pay)
    check = client.post(
        pay, data={"amount": "388.000", "paid_on": "2027-01-10", "csrf_token": token}
    )
    html = check.get_data(as_text=True)
    assert check.status_code == 200 and 'name="confirmed"' in html and "888" in html
    session.expire_all()
    assert session.get(SubsidyClaim, claim.id).status == "verified"  # not yet stored
    confirm = client.post(
        pay,
        data={
            "amount": "388.000",
            "paid_on": "2027-01-10",
            "confirmed": "yes",
            "csrf_token": token,
        },
    )
    assert confirm.status_code == 302
    session.expire_all()
    stored = session.get(SubsidyClaim, claim.id)
    assert stored is not None
    assert (stored.status, stored.paid_amount, stored.verified_total) == (
        "paid",
        388_000,
        FIFTY_NOV,
    )
    assert "888" in client.get(f"/claims/{claim.id}").get_data(as_text=True)


def test_an_overpayment_is_shown_on_the_field(
    client: FlaskClient, people: People, claim: SubsidyClaim
) -> None:
    sign_in(client, people.manager.email)
    verify = f"/claims/{claim.id}/verify"
    client.post(verify, data={"csrf_token": csrf_token(client, verify)})
    pay = f"/claims/{claim.id}/pay"
    token = csrf_token(client, pay)
    answer = client.post(
        pay,
        data={
            "amount": "999.999.999",
            "paid_on": "2027-01-10",
            "confirmed": "yes",
            "csrf_token": token,
        },
    )
    assert answer.status_code == 422
    assert "Lebih dari total terverifikasi" in answer.get_data(as_text=True)  # beside the field


def test_the_claim_file_downloads(client: FlaskClient, people: People, claim: SubsidyClaim) -> None:
    sign_in(client, people.manager.email)
    answer = client.get(f"/claims/{claim.id}.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(answer.get_data(as_text=True).splitlines()))
    assert sorted(int(r["amount"]) for r in rows) == [TWENTY_NOV, FIFTY_NOV]
    assert client.get("/claims/999999").status_code == 404


def test_the_guarantor_statement_page(
    client: FlaskClient, people: People, claim: SubsidyClaim
) -> None:
    sign_in(client, people.manager.email)
    assert "JAMKRINDO" in client.get("/claims/guarantors").get_data(as_text=True)
    page = client.get("/claims/guarantors/JAMKRINDO?start=2026-11-01&end=2026-11-30")
    html = page.get_data(as_text=True)
    # 50 jt x 1.5 % + 20 jt x 1.5 % = 750.000 + 300.000 IJP.
    assert page.status_code == 200
    assert re.search(r'id="ijp-charged">Rp.1\.050\.000<', html), html
    bad = client.get("/claims/guarantors/JAMKRINDO?start=2026-12-01&end=2026-11-30")
    assert bad.status_code == 422
    assert client.get("/claims/guarantors/NOBODY").status_code == 404
