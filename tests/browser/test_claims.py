"""The claim pages in a real browser: a manager rejects a line, verifies, records a short
payment behind its confirmation, downloads the claim file, reads a guarantor statement; each
page at 1280 and 360 px with an accessibility scan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.db import make_engine
from creditapp.models import Application, Guarantor, User
from creditapp.services.audit import Actor
from creditapp.services.claims import (
    build_subsidy_claims,
    create_guarantor,
    set_program_guarantee,
)
from creditapp.services.loans import (
    accrue_subsidy,
    approve_application,
    confirm_disbursement,
    request_disbursement,
)
from creditapp.services.loans.value_dates import business_date
from tests.browser.conftest import LiveServer, check_page, sign_in


@pytest.fixture(scope="module")
def claim_id(live_server: LiveServer) -> int:
    """A covered loan paid out 70 days ago, last month's subsidy accrued and claimed."""
    today = business_date({})
    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as session:
            system = Actor.system()
            guarantor = session.scalar(select(Guarantor).where(Guarantor.code == "ASKRINDO"))
            if guarantor is None:
                guarantor = create_guarantor(session, system, "ASKRINDO", "PT Askrindo")
            lender_id = live_server.world.lender_ids[0]
            officer = session.scalar(
                select(User).where(User.email == live_server.world.emails["officer"])
            )
            checker = session.scalar(
                select(User).where(User.email == live_server.world.emails["checker"])
            )
            assert officer is not None and checker is not None
            scored = session.scalars(
                select(Application)
                .where(Application.lender_id == lender_id, Application.status == "scored")
                .order_by(Application.id.desc())
            ).all()
            by_program: dict[int, list[Application]] = {}
            for candidate in scored:
                by_program.setdefault(candidate.program_id, []).append(candidate)
            # two loans of one program: one line to reject, one to pay
            apps = next(group[:2] for group in by_program.values() if len(group) >= 2)
            start = today - timedelta(days=70)
            set_program_guarantee(
                session,
                system,
                program_id=apps[0].program_id,
                guarantor_id=guarantor.id,
                ijp_rate=Decimal("0.015"),
                effective_from=start - timedelta(days=1),
            )
            for app in apps:
                loan = approve_application(
                    session,
                    Actor("user", officer.id),
                    app.id,
                    amount=app.requested_amount,
                    tenor=app.tenor_months,
                    decided_by=officer.id,
                    decided_on=start,
                )
                pending = request_disbursement(
                    session, Actor("user", officer.id), loan.id, loan.principal, start,
                    requested_by=officer.id,
                )  # fmt: skip
                confirm_disbursement(
                    session, Actor("user", checker.id), pending.id, checker.id, start
                )
            last_month_end = today.replace(day=1) - timedelta(days=1)
            month = last_month_end.replace(day=1)
            accrue_subsidy(session, month, last_month_end)
            built = build_subsidy_claims(session, system, month, today, lender_id=lender_id)
            assert built, "no accrual to claim"
            session.commit()
            return built[0].id
    finally:
        engine.dispose()


def test_a_manager_works_a_claim(
    page: Any, live_server: LiveServer, claim_id: int, tmp_path: Path
) -> None:
    sign_in(page, live_server, "manager", "/claims/")
    page.wait_for_url("**/claims/**")
    check_page(page, "claims-index")
    page.click(f"a[href='/claims/{claim_id}']")
    check_page(page, "claims-show")
    with page.expect_download() as info:
        page.click(f"a[href='/claims/{claim_id}.csv']")
    path = tmp_path / "claim.csv"
    info.value.save_as(path)
    assert path.read_text(encoding="utf-8").startswith("claim_id,program,lender,month")
    page.click("#lines a[href*='/reject']")
    page.click("button.primary")  # no reason: refused beside the field
    assert page.locator(".error-summary").is_visible()
    check_page(page, "claims-reject-error")
    page.fill("#reason", "Tidak terdaftar di SIKP")
    page.click("button.primary")
    page.click(f"a[href='/claims/{claim_id}/verify']")
    check_page(page, "claims-verify")
    page.click("button.primary")
    assert page.locator("#status").inner_text() in ("Terverifikasi", "Verified")
    page.click(f"a[href='/claims/{claim_id}/pay']")
    page.fill("#amount", "1")
    page.click("button.primary")
    assert page.locator("#check").is_visible()  # the confirmation, with the shortfall
    check_page(page, "claims-pay-confirm")
    page.click("button.primary")
    assert page.locator("#status").inner_text() in ("Dibayar", "Paid")
    page.goto(live_server("/claims/guarantors/ASKRINDO"))
    assert page.locator("#ijp-charged").inner_text().startswith("Rp")
    check_page(page, "claims-statement")
