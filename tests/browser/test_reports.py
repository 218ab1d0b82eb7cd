"""The program manager's report page and the data scientist's model page in a real browser:
figures, SVG charts, filters that name a bad date, a CSV/XLSX download that opens with numbers
as numbers, the monthly PDF, and each page at 1280 and 360 px with an accessibility scan."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.db import make_engine
from creditapp.models import AgeingRun, Application, User
from creditapp.services.audit import Actor
from creditapp.services.loans import (
    age_loans,
    approve_application,
    confirm_disbursement,
    request_disbursement,
)
from creditapp.services.loans.value_dates import business_date
from tests.browser.conftest import LiveServer, check_page, sign_in


@pytest.fixture(scope="module")
def last_run(live_server: LiveServer) -> str:
    """One more loan of the first lender, paid out 70 days ago and aged, so the portfolio
    has a run to read (other modules may have aged up to yesterday: today is always new)."""
    today = business_date({})
    engine = make_engine(live_server.database_url)
    try:
        with Session(engine) as session:
            lender_id = live_server.world.lender_ids[0]
            officer = session.scalar(
                select(User).where(User.email == live_server.world.emails["officer"])
            )
            checker = session.scalar(
                select(User).where(User.email == live_server.world.emails["checker"])
            )
            assert officer is not None and checker is not None
            app = session.scalars(
                select(Application)
                .where(Application.lender_id == lender_id, Application.status == "scored")
                .order_by(Application.id)
            ).first()
            assert app is not None
            start = today - timedelta(days=70)
            loan = approve_application(
                session, Actor("user", officer.id), app.id, amount=app.requested_amount,
                tenor=app.tenor_months, decided_by=officer.id, decided_on=start,
            )  # fmt: skip
            pending = request_disbursement(
                session, Actor("user", officer.id), loan.id, loan.principal, start,
                requested_by=officer.id,
            )  # fmt: skip
            confirm_disbursement(session, Actor("user", checker.id), pending.id, checker.id, start)
            age_loans(session, today)
            session.commit()
            last = session.scalar(select(func.max(AgeingRun.as_of)))
            assert last is not None
            return last.isoformat()
    finally:
        engine.dispose()


def test_report_page_with_download(
    page: Any, live_server: LiveServer, last_run: str, tmp_path: Path
) -> None:
    sign_in(page, live_server, "manager", "/reports/")
    page.wait_for_url("**/reports/**")
    assert page.locator("#gross").inner_text().startswith("Rp")
    assert page.locator("svg.chart").count() >= 2
    check_page(page, "reports-index")
    with page.expect_download() as info:
        page.click("a[href*='/reports/download/collectibility.xlsx']")
    path = tmp_path / "kol.xlsx"
    info.value.save_as(path)
    sheet = load_workbook(path)["rows"]
    header = [c.value for c in sheet[1]]
    values = [r[header.index("outstanding")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, int) for v in values) and sum(values) > 0
    with page.expect_download() as pdf:
        page.click("a[href*='/reports/monthly.pdf']")
    assert pdf.value.suggested_filename.endswith(".pdf")
    page.fill("#as_of", "2999-01-01")
    page.click("main form button")
    assert page.locator(".error-summary").is_visible()
    check_page(page, "reports-error")


def test_model_page(page: Any, live_server: LiveServer, last_run: str) -> None:
    sign_in(page, live_server, "scientist", "/models/")
    page.wait_for_url("**/models/**")
    assert page.locator("h1").inner_text()
    check_page(page, "models-index")
