"""Restructuring maker-checker and the lender-scoped disbursement/write-off steps."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.errors import Conflict, DomainError, NotFound
from creditapp.models import AuditEvent, Disbursement, Restructuring, RestructuringRequest
from creditapp.services.audit import Actor
from creditapp.services.loans.requests import (
    approve_lender_write_off,
    approve_restructuring,
    confirm_lender_disbursement,
    reject_restructuring,
    request_lender_disbursement,
    request_lender_write_off,
    request_restructuring,
)
from tests.factories import core
from tests.factories import loans as lf

ON = date(2027, 1, 10)


def ask(session: Session, loan_id: int, lender_id: int, maker: int, **terms: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = dict(
        grace_months=3, extension_months=6, new_rate=None, reason="Gagal panen"
    )
    args.update(terms)
    return request_restructuring(
        session,
        Actor("user", maker),
        loan_id,
        lender_id=lender_id,
        requested_by=maker,
        requested_on=ON,
        effective_on=ON,
        **args,  # type: ignore[arg-type]
    )


def test_a_request_changes_nothing_until_a_second_officer_approves(session: Session) -> None:
    loan = lf.active_loan(session)
    maker, checker = lf.user(session), lf.user(session)
    version = loan.schedule_version
    item = ask(session, loan.id, loan.lender_id, maker.id)
    assert item.status == "pending" and loan.schedule_version == version
    assert session.scalar(select(func.count()).select_from(Restructuring)) == 0
    with pytest.raises(DomainError) as err:
        approve_restructuring(
            session,
            Actor("user", maker.id),
            item.id,
            lender_id=loan.lender_id,
            approved_by=maker.id,
            approved_on=ON,
        )
    assert "approved_by" in err.value.errors
    done = approve_restructuring(
        session,
        Actor("user", checker.id),
        item.id,
        lender_id=loan.lender_id,
        approved_by=checker.id,
        approved_on=ON,
    )
    assert done.status == "approved" and done.decided_by == checker.id
    restructuring = session.get(Restructuring, done.restructuring_id)
    assert restructuring is not None and restructuring.approved_by == checker.id
    assert (restructuring.grace_months, restructuring.extension_months) == (3, 6)
    assert loan.schedule_version == version + 1
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.like("%restructur%"))
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["restructuring.request", "loan.restructure", "restructuring.approve"]
    with pytest.raises(Conflict):  # decided once
        approve_restructuring(
            session,
            lf.SYSTEM,
            item.id,
            lender_id=loan.lender_id,
            approved_by=checker.id,
            approved_on=ON,
        )


def test_request_fields_are_checked_by_name_and_one_pending_at_a_time(session: Session) -> None:
    loan = lf.active_loan(session)
    maker = lf.user(session)
    with pytest.raises(DomainError) as err:
        ask(
            session,
            loan.id,
            loan.lender_id,
            maker.id,
            grace_months=-1,
            extension_months=61,
            new_rate=Decimal("1.5"),
            reason=" ",
        )
    assert set(err.value.errors) == {"grace_months", "extension_months", "new_rate", "reason"}
    with pytest.raises(DomainError) as err:
        ask(session, loan.id, loan.lender_id, maker.id, grace_months=0, extension_months=0)
    assert "grace_months" in err.value.errors  # nothing would change
    assert session.scalar(select(func.count()).select_from(RestructuringRequest)) == 0
    ask(session, loan.id, loan.lender_id, maker.id)
    with pytest.raises(Conflict):
        ask(session, loan.id, loan.lender_id, maker.id)


def test_rejection_needs_a_reason_and_leaves_the_loan_alone(session: Session) -> None:
    loan = lf.active_loan(session)
    maker, checker = lf.user(session), lf.user(session)
    item = ask(session, loan.id, loan.lender_id, maker.id)
    version = loan.schedule_version
    with pytest.raises(DomainError):
        reject_restructuring(
            session,
            lf.SYSTEM,
            item.id,
            lender_id=loan.lender_id,
            rejected_by=checker.id,
            rejected_on=ON,
            note="",
        )
    reject_restructuring(
        session,
        lf.SYSTEM,
        item.id,
        lender_id=loan.lender_id,
        rejected_by=checker.id,
        rejected_on=ON,
        note="Usaha masih jalan",
    )
    assert (item.status, item.decision_note) == ("rejected", "Usaha masih jalan")
    assert loan.schedule_version == version
    ask(session, loan.id, loan.lender_id, maker.id)  # a new request may follow


def test_another_lender_sees_nothing_of_the_loan(session: Session) -> None:
    loan = lf.active_loan(session)
    maker, checker = lf.user(session), lf.user(session)
    other = core.lender(session).id
    with pytest.raises(NotFound):
        ask(session, loan.id, other, maker.id)
    item = ask(session, loan.id, loan.lender_id, maker.id)
    with pytest.raises(NotFound):
        approve_restructuring(
            session, lf.SYSTEM, item.id, lender_id=other, approved_by=checker.id, approved_on=ON
        )
    with pytest.raises(NotFound):
        request_lender_write_off(
            session,
            lf.SYSTEM,
            loan.id,
            lender_id=other,
            requested_by=maker.id,
            requested_on=ON,
            reason="Macet",
            override_reason="Usaha tutup",
        )
    wo = request_lender_write_off(
        session,
        lf.SYSTEM,
        loan.id,
        lender_id=loan.lender_id,
        requested_by=maker.id,
        requested_on=ON,
        reason="Macet",
        override_reason="Usaha tutup",
    )
    with pytest.raises(NotFound):
        approve_lender_write_off(
            session, lf.SYSTEM, wo.id, lender_id=other, approved_by=checker.id, approved_on=ON
        )
    approve_lender_write_off(
        session, lf.SYSTEM, wo.id, lender_id=loan.lender_id, approved_by=checker.id, approved_on=ON
    )
    assert loan.status == "written_off"


def test_disbursement_by_form_token_once_and_checked_by_another_officer(session: Session) -> None:
    loan = lf.approved_loan(session)
    maker, checker = lf.user(session), lf.user(session)
    other = core.lender(session).id
    kwargs = dict(
        lender_id=loan.lender_id,
        requested_by=maker.id,
        amount=loan.principal,
        disbursed_on=date(2026, 11, 3),
        idempotency_key="form-token-1",
    )
    first = request_lender_disbursement(session, lf.SYSTEM, loan.id, **kwargs)  # type: ignore[arg-type]
    again = request_lender_disbursement(session, lf.SYSTEM, loan.id, **kwargs)  # type: ignore[arg-type]
    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(Disbursement)) == 1
    with pytest.raises(NotFound):
        confirm_lender_disbursement(
            session,
            lf.SYSTEM,
            first.id,
            lender_id=other,
            confirmed_by=checker.id,
            confirmed_on=date(2026, 11, 3),
        )
    with pytest.raises(DomainError) as err:
        confirm_lender_disbursement(
            session,
            lf.SYSTEM,
            first.id,
            lender_id=loan.lender_id,
            confirmed_by=maker.id,
            confirmed_on=date(2026, 11, 3),
        )
    assert "confirmed_by" in err.value.errors
    confirm_lender_disbursement(
        session,
        lf.SYSTEM,
        first.id,
        lender_id=loan.lender_id,
        confirmed_by=checker.id,
        confirmed_on=date(2026, 11, 3),
    )
    assert (loan.status, loan.outstanding_principal) == ("active", loan.principal)
