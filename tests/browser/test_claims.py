"""The claim pages in a real browser: a manager rejects a line, verifies, records a short
payment behind its confirmation, downloads the claim file, reads a guarantor statement, then
records a guarantee claim's payment and pays IJP behind their confirmations; each page at
1280 and 360 px with an accessibility scan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.db import make_engine
from creditapp.models import Application, GuaranteeClaim, GuaranteeCover, Guarantor, Loan, User
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


@pytest.fixture(scope="module")
def guarantee_claim(live_server: LiveServer, claim_id: int) -> dict[str, int]:
    """A submitted guarantee claim on one of the two ASKRINDO-covered loans (claim_id's).

    The claim row is put in directly (as the report tests do): ageing the whole shared world
    to Kol 4 would change the other browser tests' loans. 70 % of the principal, claimed five
    days ago; returns the claim, its amount and the IJP of both covers worked out by hand.
    """
    today = business_date({})
    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as session:
            guarantor = session.scalar(select(Guarantor).where(Guarantor.code == "ASKRINDO"))
            assert guarantor is not None
            loans = session.scalars(
                select(Loan)
                .join(GuaranteeCover, GuaranteeCover.loan_id == Loan.id)
                .where(GuaranteeCover.guarantor_id == guarantor.id)
                .order_by(Loan.id)
            ).all()
            assert len(loans) == 2
            # one-off IJP at 1.5 %: floor(principal x 0.015 x min(tenor, 12) / 12)
            ijp = sum(loan.principal * 15 * min(loan.tenor, 12) // (1000 * 12) for loan in loans)
            amount = loans[0].principal * 7 // 10
            claim = GuaranteeClaim(
                loan_id=loans[0].id,
                trigger="collectibility_4",
                claimed_on=today - timedelta(days=5),
                outstanding_principal=loans[0].principal,
                coverage=Decimal("0.7"),
                amount=amount,
                status="submitted",
            )
            session.add(claim)
            session.commit()
            return {"id": claim.id, "amount": amount, "ijp": ijp}
    finally:
        engine.dispose()


def _rupiah(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def test_a_manager_records_a_guarantee_claim_payment_and_pays_ijp(
    page: Any, live_server: LiveServer, guarantee_claim: dict[str, int]
) -> None:
    sign_in(page, live_server, "manager", "/claims/guarantors")
    page.wait_for_url("**/claims/guarantors")
    check_page(page, "guarantors")
    page.click("#guarantors a[href='/claims/guarantors/ASKRINDO/claims']")
    check_page(page, "guarantee-claims")
    claim = guarantee_claim["id"]
    page.click(f"#claim-{claim} a[href$='/pay']")
    page.fill("#amount", _rupiah(guarantee_claim["amount"] + 1))  # one Rupiah too many
    page.click("button.primary")
    assert page.locator("#amount-error").is_visible()
    check_page(page, "guarantee-pay-error")
    paid = guarantee_claim["amount"] - 1_000_000
    page.fill("#amount", _rupiah(paid))
    page.click("button.primary")
    assert page.locator("#check").is_visible()  # claimed, paid and the shortfall
    assert page.locator("#check-shortfall").inner_text().endswith("1.000.000")
    check_page(page, "guarantee-pay-confirm")
    page.click("button.primary")
    page.wait_for_url("**/claims/guarantors/ASKRINDO/claims")
    row = page.locator(f"#claim-{claim}").inner_text()
    assert _rupiah(paid) in row and "1.000.000" in row  # paid, and short-paid by 1 jt
    page.click("#guarantor-pages a[href$='/ijp']")
    check_page(page, "ijp-form")
    page.click("button.primary")  # today as both dates: both covers opened 70 days ago
    assert page.locator("#check-covers").inner_text() == "2"
    assert page.locator("#check-total").inner_text().endswith(_rupiah(guarantee_claim["ijp"]))
    check_page(page, "ijp-confirm")
    page.click("button.primary")
    page.wait_for_url("**/claims/guarantors/ASKRINDO")
    assert page.locator("p.notice[role=status]").first.is_visible()
    check_page(page, "ijp-paid-statement")
