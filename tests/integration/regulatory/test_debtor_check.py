"""The debtor check before approval: the same NIK's loans at two lenders, worked by hand.

One owner, NIK 3273014107900011, applies at lender A. Lender B already lends to the same
person under another enterprise record. What the check must find is written out here from
the arrangement, not read back from the code.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError
from creditapp.models import (
    Application,
    AuditEvent,
    CreditProgram,
    Decision,
    Enterprise,
    Lender,
    Loan,
)
from creditapp.regulatory.debtor_check import HAS_KUR, HAS_OTHER_CREDIT, check_debtor
from creditapp.services.loans import approve_application
from tests.factories import core
from tests.factories import loans as lf

NIK = "3273014107900011"
DAY = date(2026, 11, 3)


def _application(
    session: Session, lender: Lender, program: CreditProgram, nik: str = NIK
) -> Application:
    application = core.application(session, lender, program)
    enterprise = session.get(Enterprise, application.enterprise_id)
    assert enterprise is not None
    enterprise.owner_nik = nik
    session.flush()
    return application


def _loan(
    session: Session,
    lender: Lender,
    program: CreditProgram,
    *,
    status: str = "active",
    outstanding: int = 30_000_000,
    grade: int = 2,
    dpd: int = 15,
    nik: str = NIK,
) -> Loan:
    loan = core.loan(session, _application(session, lender, program, nik))
    loan.status = status  # type: ignore[assignment]  # the arrangement sets a plain state
    loan.disbursed_amount = 50_000_000
    loan.outstanding_principal = outstanding
    loan.collectibility, loan.dpd = grade, dpd
    session.flush()
    return loan


def _approve(session: Session, application: Application) -> Loan:
    officer = lf.user(session, session.get(Lender, application.lender_id))
    return approve_application(
        session,
        lf.SYSTEM,
        application.id,
        amount=20_000_000,
        tenor=12,
        decided_by=officer.id,
        decided_on=DAY,
    )


@pytest.fixture
def world(session: Session) -> dict[str, object]:
    kur = core.program(session, "KUR-MIKRO-T")
    other = core.program(session, "PROD-T")
    other.segment = "other"
    session.flush()
    return {"a": core.lender(session, "BANK-A"), "b": core.lender(session, "BANK-B"),
            "kur": kur, "other": other}  # fmt: skip


def test_a_kur_loan_at_another_lender_refuses_a_second_kur_and_stores_nothing(
    session: Session, world: dict[str, object]
) -> None:
    a, b, kur = world["a"], world["b"], world["kur"]
    assert isinstance(a, Lender) and isinstance(b, Lender) and isinstance(kur, CreditProgram)
    _loan(session, b, kur, outstanding=30_000_000, grade=2, dpd=15)
    application = _application(session, a, kur)

    check = check_debtor(session, application)
    assert check.refusals == (HAS_KUR,)
    (facility,) = check.facilities
    # Lender B's loan: the lender and the loan id are masked from lender A.
    assert facility.to_dict() == {
        "own_lender": False,
        "lender": None,
        "loan_id": None,
        "program": "KUR-MIKRO-T",
        "kur": True,
        "status": "active",
        "outstanding_principal": 30_000_000,
        "collectibility": 2,
        "dpd": 15,
        "approved_on": "2026-11-03",
    }
    audits_before = session.scalar(select(func.count(AuditEvent.id)))
    officer = lf.user(session, a)
    with pytest.raises(DomainError) as refused, session.begin_nested():  # the request's rollback
        approve_application(
            session, lf.SYSTEM, application.id, amount=20_000_000, tenor=12,
            decided_by=officer.id, decided_on=DAY,
        )  # fmt: skip
    assert refused.value.errors == {"debtor_check": [HAS_KUR]}
    assert "one KUR at a time" in refused.value.message
    assert session.scalar(select(Loan.id).where(Loan.application_id == application.id)) is None
    assert (
        session.scalar(select(Decision.id).where(Decision.application_id == application.id)) is None
    )
    session.refresh(application)
    assert application.status == "submitted"
    assert session.scalar(select(func.count(AuditEvent.id))) == audits_before


def test_own_other_productive_loan_refuses_unless_the_program_allows_it(
    session: Session, world: dict[str, object]
) -> None:
    a, kur, other = world["a"], world["kur"], world["other"]
    assert isinstance(a, Lender) and isinstance(kur, CreditProgram)
    assert isinstance(other, CreditProgram)
    own = _loan(session, a, other, outstanding=12_500_000, grade=1, dpd=0)
    application = _application(session, a, kur)

    check = check_debtor(session, application)
    assert check.refusals == (HAS_OTHER_CREDIT,)
    (facility,) = check.facilities
    assert (facility.own_lender, facility.lender_code, facility.loan_id) == (True, "BANK-A", own.id)
    assert (facility.kur, facility.outstanding_principal) == (False, 12_500_000)

    kur.allow_other_productive_credit = True
    session.flush()
    assert check_debtor(session, application).passed
    loan = _approve(session, application)
    audit = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "application.approve", AuditEvent.entity_id == application.id
        )
    ).one()
    assert audit.after is not None
    assert audit.after["debtor_check"] == {
        "passed": True,
        "refusals": [],
        "live_loan_ids": [own.id],
        "foreign_live_facilities": 0,
    }
    assert loan.status == "approved"


def test_a_kur_loan_is_other_credit_for_a_non_kur_program(
    session: Session, world: dict[str, object]
) -> None:
    a, b, kur, other = world["a"], world["b"], world["kur"], world["other"]
    assert isinstance(a, Lender) and isinstance(b, Lender)
    assert isinstance(kur, CreditProgram) and isinstance(other, CreditProgram)
    _loan(session, b, kur, status="approved", outstanding=0, grade=1, dpd=0)  # not paid out yet
    assert check_debtor(session, _application(session, a, other)).refusals == (HAS_OTHER_CREDIT,)
    # Both rules at once: a KUR and a non-KUR loan, and a KUR program that forbids other credit.
    _loan(session, b, other)
    assert check_debtor(session, _application(session, a, kur)).refusals == (
        HAS_KUR,
        HAS_OTHER_CREDIT,
    )


def test_closed_loans_are_history_written_off_ones_show_and_other_niks_are_not_seen(
    session: Session, world: dict[str, object]
) -> None:
    a, b, kur = world["a"], world["b"], world["kur"]
    assert isinstance(a, Lender) and isinstance(b, Lender) and isinstance(kur, CreditProgram)
    _loan(session, b, kur, status="closed", outstanding=0, grade=1, dpd=0)
    _loan(session, b, kur, status="written_off", outstanding=0, grade=5, dpd=200)
    _loan(session, b, kur, nik="3273014107900099")  # someone else
    check = check_debtor(session, _application(session, a, kur))
    assert check.passed
    assert [(f.status, f.collectibility) for f in check.facilities] == [("written_off", 5)]


def test_the_rule_follows_the_program_terms_in_force_on_the_decision_date(
    session: Session, world: dict[str, object]
) -> None:
    """A later version that allows other productive credit lifts the refusal from its
    effective date on, and not before it."""
    from datetime import timedelta

    from creditapp.services.audit import Actor
    from creditapp.services.program_admin import add_version
    from creditapp.services.program_terms import as_plain, terms_in_force, terms_of_program

    a, b, kur, other = world["a"], world["b"], world["kur"], world["other"]
    assert isinstance(a, Lender) and isinstance(b, Lender)
    assert isinstance(kur, CreditProgram) and isinstance(other, CreditProgram)
    _loan(session, b, kur)
    application = _application(session, a, other)
    applied = application.applied_on
    current = terms_in_force(session, other.id, applied)
    plain = as_plain(current if current is not None else terms_of_program(other))
    assert plain["allow_other_productive_credit"] is False  # the premise
    later = applied + timedelta(days=30)
    plain.pop("effective_from", None)
    add_version(
        session,
        Actor.system(),
        other.code,
        later.isoformat(),
        {**plain, "allow_other_productive_credit": True},
        today=applied,
    )
    assert check_debtor(session, application, later - timedelta(days=1)).refusals == (
        HAS_OTHER_CREDIT,
    )
    assert check_debtor(session, application, later).passed
