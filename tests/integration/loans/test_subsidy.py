"""Issue item 10: subsidy only while the loan is performing, not after maturity, never on
capitalised interest (per-program rules with conservative defaults)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import CreditProgram, SubsidyAccrual
from creditapp.services.loans import accrue_subsidy, age_loans, restructure_loan
from creditapp.services.loans.settings import set_servicing_rules
from tests.factories import core
from tests.factories import loans as lf
from tests.integration.loans.test_repayment import current


def accrued(session: Session, loan_id: int) -> dict[date, int]:
    rows = session.scalars(select(SubsidyAccrual).where(SubsidyAccrual.loan_id == loan_id))
    return {r.period_start: r.amount for r in rows}


def subsidy(balance_days: int) -> int:
    return int(Decimal(balance_days) * Decimal("0.10") / 360)  # 10 % a year, /360, down


def test_no_subsidy_in_a_month_the_loan_was_kol_3(session: Session) -> None:
    loan = lf.active_loan(session)
    age_loans(session, date(2027, 2, 28))  # 3 Dec + 87 days: Kol 2
    age_loans(session, date(2027, 3, 13))  # 100 days: Kol 3
    accrue_subsidy(session, date(2027, 2, 1), date(2027, 2, 28))
    accrue_subsidy(session, date(2027, 3, 1), date(2027, 3, 31))
    assert accrued(session, loan.id) == {date(2027, 2, 1): subsidy(50_000_000 * 28)}
    program = session.get(CreditProgram, loan.program_id)
    assert program is not None
    set_servicing_rules(session, lf.SYSTEM, program.code, subsidy_max_grade=3)
    accrue_subsidy(session, date(2027, 3, 1), date(2027, 3, 31))
    assert accrued(session, loan.id)[date(2027, 3, 1)] == subsidy(50_000_000 * 31)


def test_no_subsidy_after_maturity(session: Session) -> None:
    loan = lf.active_loan(session, tenor=3, amount=12_000_000)  # matures 3 Feb 2027, unpaid
    accrue_subsidy(session, date(2027, 2, 1), date(2027, 2, 28))
    accrue_subsidy(session, date(2027, 3, 1), date(2027, 3, 31))
    # 1..3 February only: 12 jt for 3 days.
    assert accrued(session, loan.id) == {date(2027, 2, 1): subsidy(12_000_000 * 3)}


def test_capitalised_interest_earns_no_subsidy(session: Session) -> None:
    loan = lf.active_loan(session)
    restructure_loan(
        session,
        lf.SYSTEM,
        loan.id,
        effective_on=date(2027, 1, 10),
        grace_months=0,
        extension_months=3,
        reason="relief",
        approved_by=lf.user(session).id,
    )
    assert loan.outstanding_principal == 50_000_000 + 250_000 + 240_170
    accrue_subsidy(session, date(2027, 1, 1), date(2027, 1, 31))
    assert accrued(session, loan.id) == {date(2027, 1, 1): subsidy(50_000_000 * 31)}


def test_an_actual_365_program_schedules_and_subsidises_by_calendar_days(
    session: Session,
) -> None:
    program = core.program(session)
    set_servicing_rules(session, lf.SYSTEM, program.code, day_count="actual/365")
    loan = lf.active_loan(session, program_obj=program)  # 50 jt, 6 %, from 3 Nov 2026
    assert loan.day_count == "actual/365"
    rows = current(session, loan)
    # 3 Nov .. 3 Dec is 30 days: 50 jt * 6 % * 30 / 365 = 246,575.34.
    assert rows[0].interest_due == 246_575
    accrue_subsidy(session, date(2026, 11, 1), date(2026, 11, 30))
    # 28 days (3..30 Nov) of 50 jt at 10 % a year, / 365.
    expected = int(Decimal(50_000_000 * 28) * Decimal("0.10") / 365)
    assert accrued(session, loan.id) == {date(2026, 11, 1): expected}
