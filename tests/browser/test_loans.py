"""The loan page and the collection sheet in a real browser: maker-checker disbursement with
two officers, a repayment form sent twice posting once, bulk entry on the collection sheet,
and every page at 1280 and 360 px with an accessibility scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.db import make_engine
from creditapp.models import Disbursement, Enterprise, Repayment, User
from creditapp.services import applications
from creditapp.services.audit import Actor
from creditapp.services.loans import (
    age_loans,
    approve_application,
    confirm_disbursement,
    request_disbursement,
)
from creditapp.services.loans.value_dates import business_date
from fixtures import generate_population
from fixtures.payloads import application_payload
from tests.browser.conftest import SCREENSHOTS, LiveServer, check_page, sign_in


@dataclass
class Loans:
    approved: int  # approved, nothing paid out yet
    active: int  # paid out 75 days ago: instalments overdue, history aged


def _user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


@pytest.fixture(scope="module")
def loans(live_server: LiveServer) -> Loans:
    """Two loans of the officers' lender, made through the services and committed."""
    today = business_date({})
    lender_id = live_server.world.lender_ids[0]
    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as session:
            officer = _user(session, live_server.world.emails["officer"])
            checker = _user(session, live_server.world.emails["checker"])
            # Applications of our own (the world's stay in the queue for the queue's tests).
            pop = generate_population(4, seed=21)
            free = []
            for i in range(2):
                payload = application_payload(pop, i)
                as_of = date.fromisoformat(payload["as_of"])
                done = applications.submit(session, Actor.system(), lender_id, payload, as_of)
                free.append(done.application)
            actor = Actor("user", officer.id)
            start = today - timedelta(days=75)
            # amounts and tenors as asked, so they are within the program's limits
            active = approve_application(
                session,
                actor,
                free[0].id,
                amount=free[0].requested_amount,
                tenor=free[0].tenor_months,
                decided_by=officer.id,
                decided_on=start,
            )
            pending = request_disbursement(
                session, actor, active.id, active.principal, start, requested_by=officer.id
            )
            confirm_disbursement(session, Actor("user", checker.id), pending.id, checker.id, start)
            ent = session.get(Enterprise, active.enterprise_id)
            assert ent is not None
            ent.village = "Cibiru Wetan"
            for back in (60, 40, 30, 20, 10, 1):
                age_loans(session, today - timedelta(days=back))
            approved = approve_application(
                session,
                actor,
                free[1].id,
                amount=free[1].requested_amount,
                tenor=free[1].tenor_months,
                decided_by=officer.id,
                decided_on=today,
            )
            session.commit()
            return Loans(approved=approved.id, active=active.id)
    finally:
        engine.dispose()


def count(live: LiveServer, model: Any, loan_id: int) -> int:
    engine = make_engine(live.database_url)
    try:
        with Session(engine) as session:
            stmt = select(func.count()).select_from(model).where(model.loan_id == loan_id)
            return int(session.scalar(stmt) or 0)
    finally:
        engine.dispose()


def test_loan_pages_look_right_on_laptop_and_phone(
    page: Any, live_server: LiveServer, loans: Loans
) -> None:
    sign_in(page, live_server, "officer", "/loans")
    check_page(page, "loans-index")
    page.goto(live_server(f"/loans/{loans.active}"))
    assert page.locator("svg.chart-history").is_visible()
    assert page.locator("tr.state-overdue").count() >= 1
    check_page(page, "loan-page")
    for action in ("repayment", "restructuring", "write-off"):
        page.goto(live_server(f"/loans/{loans.active}/{action}"))
        check_page(page, f"loan-{action}")
    page.click("main form button.primary")  # the write-off form sent empty: reason named
    assert page.locator(".error-summary").is_visible()
    check_page(page, "loan-write-off-error")


def test_maker_checker_disbursement_with_two_officers(
    page: Any, live_server: LiveServer, loans: Loans
) -> None:
    sign_in(page, live_server, "officer", f"/loans/{loans.approved}")
    page.click(f"a[href='/loans/{loans.approved}/disbursement']")
    check_page(page, "loan-disbursement")
    page.click("main form button.primary")
    page.wait_for_url(f"**/loans/{loans.approved}")
    assert page.locator("ul.pending").is_visible()
    assert page.locator("ul.pending button").count() == 0  # not for the maker
    assert count(live_server, Disbursement, loans.approved) == 1
    page.click("form.who button")
    page.wait_for_url("**/signin")
    sign_in(page, live_server, "checker", f"/loans/{loans.approved}")
    check_page(page, "loan-pending-disbursement")
    page.click("ul.pending button.primary")
    page.wait_for_url(f"**/loans/{loans.approved}")
    assert page.locator("ul.pending").count() == 0
    assert page.locator(".notice").count() == 1


def test_a_double_submitted_repayment_posts_once(
    page: Any, live_server: LiveServer, loans: Loans
) -> None:
    before = count(live_server, Repayment, loans.active)
    sign_in(page, live_server, "officer", f"/loans/{loans.active}/repayment")
    page.fill("#amount", "10.000")  # less than one instalment: arrears stay for the sheet
    fields = page.eval_on_selector(
        "main form", "f => Object.fromEntries(new FormData(f).entries())"
    )
    page.click("main form button.primary")
    page.wait_for_url(f"**/loans/{loans.active}")
    # the same form sent again (a second click that got through, a re-sent POST)
    again = page.request.post(live_server(f"/loans/{loans.active}/repayment"), form=fields)
    assert again.ok
    assert count(live_server, Repayment, loans.active) == before + 1


def test_collection_sheet_bulk_entry_and_print_view(
    page: Any, live_server: LiveServer, loans: Loans
) -> None:
    sign_in(page, live_server, "officer", "/loans/collection-sheet")
    box = page.locator(f"#amount-{loans.active}")
    assert box.is_visible()
    check_page(page, "collection-sheet")
    before = count(live_server, Repayment, loans.active)
    box.fill("1,5")  # not a whole Rupiah amount: named beside the line, nothing posted
    page.click("main form[method=post] button.primary")
    assert page.locator(f"#amount-{loans.active}-error").is_visible()
    check_page(page, "collection-sheet-error")
    assert count(live_server, Repayment, loans.active) == before
    page.fill(f"#amount-{loans.active}", "Rp 20.000")
    page.click("main form[method=post] button.primary")
    page.wait_for_url("**/loans/collection-sheet")
    assert page.locator(".notice").is_visible()
    assert count(live_server, Repayment, loans.active) == before + 1
    page.goto(live_server("/loans/collection-sheet/print"))
    check_page(page, "collection-print")
    page.emulate_media(media="print")
    page.screenshot(path=str(SCREENSHOTS / "collection-print-media.png"), full_page=True)
    assert not page.locator("header.top").is_visible()
    page.emulate_media(media="screen")


def test_another_lenders_officer_gets_404(page: Any, live_server: LiveServer, loans: Loans) -> None:
    sign_in(page, live_server, "ksp", "/loans")
    response = page.goto(live_server(f"/loans/{loans.active}"))
    assert response is not None and response.status == 404
