"""Approval turns an application into a loan with the program's terms and a schedule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.errors import Conflict, DomainError
from creditapp.models import (
    Application,
    Decision,
    Enterprise,
    Installment,
    Loan,
    ProgramLenderQuota,
)
from creditapp.services.loans import (
    approve_application,
    decline_application,
    refer_application,
)
from tests.factories import core
from tests.factories import loans as lf


def _rows(session: Session, loan: Loan) -> list[Installment]:
    return list(
        session.scalars(
            select(Installment)
            .where(Installment.loan_id == loan.id, Installment.superseded.is_(False))
            .order_by(Installment.number)
        )
    )


def test_worked_example_50_juta_6_percent_24_months(session: Session) -> None:
    loan = lf.approved_loan(session, amount=50_000_000, tenor=24)
    rows = _rows(session, loan)
    assert len(rows) == 24 and loan.tenor == 24
    assert sum(r.principal_due for r in rows) == 50_000_000
    # Independent annuity: P r / (1 - (1 + r)^-n), r = 0.06 / 12.
    r = 0.005
    payment = round(50_000_000 * r / (1 - (1 + r) ** -24))
    assert payment == 2_216_031  # 2,216,030.62... rounded half up
    assert all(x.principal_due + x.interest_due == payment for x in rows[:-1])
    assert rows[0].interest_due == 250_000  # 50 juta * 0.5 %
    assert rows[0].due_on == date(2026, 12, 3)  # one month after the decision
    assert rows[-1].due_on == date(2028, 11, 3) == loan.maturity_on
    assert loan.annual_rate == Decimal("0.06") and loan.subsidy_rate == Decimal("0.10")
    assert loan.status == "approved" and loan.outstanding_principal == 0
    application = session.get(Application, loan.application_id)
    assert application is not None and application.status == "approved"
    decision = session.scalar(select(Decision).where(Decision.application_id == application.id))
    assert decision is not None and decision.outcome == "approve"
    assert decision.approved_amount == 50_000_000 and decision.approved_tenor == 24


def test_terms_are_copied_so_a_later_program_change_leaves_the_loan_alone(
    session: Session,
) -> None:
    program = core.program(session)
    loan = lf.approved_loan(session, program_obj=program)
    program.rate_by_access = ["0.12", "0.12", "0.12", "0.12"]
    program.prepayment_mode = "reduce_installment"
    session.flush()
    session.refresh(loan)
    assert loan.annual_rate == Decimal("0.06")
    assert loan.prepayment_mode == "shorten_tenor"
    assert loan.allocation_order == "penalty,interest,principal"


def test_rate_and_subsidy_follow_the_access_count(session: Session) -> None:
    lender, program = core.lender(session), core.program(session)
    application = core.application(session, lender, program)
    from creditapp.models import Enterprise

    enterprise = session.get(Enterprise, application.enterprise_id)
    assert enterprise is not None
    enterprise.kur_access_count = 2
    loan = approve_application(
        session,
        lf.SYSTEM,
        application.id,
        amount=20_000_000,
        tenor=12,
        decided_by=lf.user(session).id,
        decided_on=date(2026, 11, 3),
    )
    assert loan.annual_rate == Decimal("0.08") and loan.subsidy_rate == Decimal("0.08")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": 100_000_001}, "amount"),
        ({"amount": 5_000_000}, "amount"),
        ({"amount": 0}, "amount"),
        ({"tenor": 37}, "tenor"),
        ({"tenor": 0}, "tenor"),
        ({"grace_principal": 1}, "grace_principal"),
        ({"first_due_on": date(2026, 11, 3)}, "first_due_on"),
    ],
)
def test_terms_outside_the_program_are_refused_and_nothing_is_stored(
    session: Session, kwargs: dict[str, object], field: str
) -> None:
    lender, program = core.lender(session), core.program(session)  # max grace 0, tenor 36
    application = core.application(session, lender, program)
    args: dict[str, object] = {"amount": 50_000_000, "tenor": 24, **kwargs}
    with pytest.raises(DomainError) as err:
        approve_application(
            session,
            lf.SYSTEM,
            application.id,
            decided_by=lf.user(session).id,
            decided_on=date(2026, 11, 3),
            **args,  # type: ignore[arg-type]
        )
    assert field in err.value.errors
    assert session.scalar(select(func.count()).select_from(Loan)) == 0
    assert session.scalar(select(func.count()).select_from(Decision)) == 0
    session.refresh(application)
    assert application.status == "submitted"


def test_a_program_rate_outside_the_rules_is_refused(session: Session) -> None:
    program = core.program(session)
    program.rate_by_access = ["1.5"]
    with pytest.raises(DomainError) as err:
        lf.approved_loan(session, program_obj=program)
    assert "annual_rate" in err.value.errors


def test_investment_purpose_allows_the_longer_tenor(session: Session) -> None:
    lender, program = core.lender(session), core.program(session)
    application = core.application(session, lender, program)
    application.purpose = "investment"
    loan = approve_application(
        session,
        lf.SYSTEM,
        application.id,
        amount=50_000_000,
        tenor=60,
        decided_by=lf.user(session).id,
        decided_on=date(2026, 11, 3),
    )
    assert loan.tenor == 60


def test_program_and_lender_quotas_cannot_be_overshot(session: Session) -> None:
    lender, program = core.lender(session), core.program(session)
    program.quota_total = 80_000_000
    lf.approved_loan(session, program_obj=program, lender_obj=lender, amount=50_000_000)
    with pytest.raises(DomainError, match="program's remaining quota of Rp30000000"):
        lf.approved_loan(session, program_obj=program, lender_obj=lender, amount=30_000_001)
    lf.approved_loan(session, program_obj=program, lender_obj=lender, amount=30_000_000)

    other = core.program(session)
    session.add(
        ProgramLenderQuota(
            program_id=other.id,
            lender_id=lender.id,
            segment="mikro",
            year=lf.DECIDED_ON.year,
            quota=40_000_000,
        )
    )
    with pytest.raises(DomainError, match="lender's remaining quota"):
        lf.approved_loan(session, program_obj=other, lender_obj=lender, amount=40_000_001)
    lf.approved_loan(session, program_obj=other, amount=40_000_001)  # another lender: no quota


def test_decline_and_refer_need_a_reason(session: Session) -> None:
    lender, program = core.lender(session), core.program(session)
    application = core.application(session, lender, program)
    officer = lf.user(session)
    day = date(2026, 11, 3)
    with pytest.raises(DomainError) as err:
        decline_application(
            session, lf.SYSTEM, application.id, decided_by=officer.id, decided_on=day, reason="  "
        )
    assert "reason" in err.value.errors
    refer_application(
        session,
        lf.SYSTEM,
        application.id,
        decided_by=officer.id,
        decided_on=day,
        reason="check the QRIS history",
    )
    assert application.status == "referred"
    decision = decline_application(
        session,
        lf.SYSTEM,
        application.id,
        decided_by=officer.id,
        decided_on=day,
        reason="income too low",
    )
    assert decision.outcome == "decline" and application.status == "declined"
    with pytest.raises(Conflict):
        approve_application(
            session,
            lf.SYSTEM,
            application.id,
            amount=50_000_000,
            tenor=24,
            decided_by=officer.id,
            decided_on=day,
        )


def _apply(session: Session, lender: object, program: object, nik: str, declared: int) -> int:
    application = core.application(session, lender, program)  # type: ignore[arg-type]
    enterprise = session.get(Enterprise, application.enterprise_id)
    assert enterprise is not None
    enterprise.owner_nik = nik
    application.profile_kur_access_count = declared  # what the lender declared, snapshot
    session.flush()
    return application.id


def test_the_kur_access_count_is_the_higher_of_declared_and_the_platforms_own(
    session: Session,
) -> None:
    """Issue item 9: a repeat borrower declared as first-time gets the repeat rate."""
    program, nik = core.program(session), "3273014107900011"
    officer = lf.user(session)
    lenders = [core.lender(session), core.lender(session)]

    def approve(application_id: int) -> Loan:
        return approve_application(
            session,
            lf.SYSTEM,
            application_id,
            amount=50_000_000,
            tenor=24,
            decided_by=officer.id,
            decided_on=date(2026, 11, 3),
        )

    first = approve(_apply(session, lenders[0], program, nik, 0))
    assert (first.kur_access_count, first.kur_access_mismatch) == (0, False)
    assert first.annual_rate == Decimal("0.06")
    # One KUR at a time (the debtor check): the first loan is repaid before the second.
    first.status, first.closed_on = "closed", date(2026, 11, 3)
    session.flush()
    # At another lender, with another enterprise record, declared again as first access.
    second = approve(_apply(session, lenders[1], program, nik, 0))
    assert (second.kur_access_count, second.kur_access_mismatch) == (1, True)
    assert (second.annual_rate, second.subsidy_rate) == (Decimal("0.07"), Decimal("0.09"))
    # Approval reads the application's snapshot, not the enterprise's latest value.
    third_id = _apply(session, lenders[0], program, "3273014107900099", 3)
    third_app = session.get(Application, third_id)
    assert third_app is not None
    enterprise = session.get(Enterprise, third_app.enterprise_id)
    assert enterprise is not None
    enterprise.kur_access_count = 0  # overwritten by a later application
    third = approve(third_id)
    assert (third.kur_access_count, third.annual_rate) == (3, Decimal("0.09"))
