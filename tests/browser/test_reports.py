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
    accrue_subsidy,
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
    has a run to read (other modules may have aged up to yesterday: today is always new), and
    last month's subsidy accrued."""
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
                session,
                Actor("user", officer.id),
                app.id,
                amount=app.requested_amount,
                tenor=app.tenor_months,
                decided_by=officer.id,
                decided_on=start,
            )
            pending = request_disbursement(
                session,
                Actor("user", officer.id),
                loan.id,
                loan.principal,
                start,
                requested_by=officer.id,
            )
            confirm_disbursement(session, Actor("user", checker.id), pending.id, checker.id, start)
            age_loans(session, today)
            # last month's interest subsidy, for the subsidy page's chart
            last_month_end = today.replace(day=1) - timedelta(days=1)
            accrue_subsidy(session, last_month_end.replace(day=1), last_month_end)
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


@pytest.mark.parametrize(
    ("path", "name", "charts"),
    [
        ("/reports/volume", "reports-volume", 2),  # by month, by program (+ quota when set)
        ("/reports/cost", "reports-cost", 1),  # last month's subsidy (no guarantee claim)
        ("/reports/graduation", "reports-graduation", 1),
        ("/reports/inclusion", "reports-inclusion", 2),
        # today's run is no month end: no provisioning run, the page's empty state
        ("/reports/provisions", "reports-provisions", 0),
    ],
)
def test_managers_pages(
    page: Any, live_server: LiveServer, last_run: str, path: str, name: str, charts: int
) -> None:
    sign_in(page, live_server, "manager", path)
    page.wait_for_url(f"**{path}**")
    assert page.locator("nav.noprint a[aria-current=page]").count() == 1
    assert page.locator("svg.chart").count() >= charts
    check_page(page, name)


def test_volume_grouping_and_download(
    page: Any, live_server: LiveServer, last_run: str, tmp_path: Path
) -> None:
    sign_in(page, live_server, "manager", "/reports/volume")
    page.wait_for_url("**/reports/volume**")
    page.select_option("#by", "gender")
    page.click("main form button")
    page.wait_for_url("**by=gender**")
    assert page.locator("#volume tbody tr").count() >= 1
    with page.expect_download() as info:
        page.click("a[href*='/reports/download/volume.xlsx']")
    path = tmp_path / "volume.xlsx"
    info.value.save_as(path)
    sheet = load_workbook(path)["rows"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "gender"
    amounts = [r[header.index("disbursed")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v, int) for v in amounts) and sum(amounts) > 0
    # the sub-navigation keeps the as-of date on the way to the graduation page
    page.click("nav.noprint a[href*='/reports/graduation']")
    page.wait_for_url("**/reports/graduation?as_of=**")
    assert page.locator("#not-causal").is_visible()
    check_page(page, "reports-graduation-after-nav")
