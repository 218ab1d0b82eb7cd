"""Restructuring and write-off (maker-checker); recoveries are in ``recovery``.

Restructuring (POJK 11/2020 style relief) supersedes every unsettled installment of the
current schedule and builds a new version from the outstanding principal via loanmath
``restructure``. Interest already due and unpaid is capitalised (a ``restructure`` movement
raising the principal, so the ledger still rebuilds the balance); unpaid penalties stay on
the superseded rows and are no longer collected (waived by the restructuring).
The loan is flagged restructured and keeps the grade it had as its floor (``grading``).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loanmath.accrual import accrued_interest
from loanmath.dates import add_months
from loanmath.restructure import restructure
from loanmath.schedule import ScheduleError

from ...errors import Conflict, DomainError, NotFound
from ...models import (
    Installment,
    Loan,
    LoanMovement,
    ProgramTerms,
    Restructuring,
    WriteOff,
)
from ..audit import Actor, record
from .common import (
    current_installments,
    get_loan,
    refuse,
    replace_schedule,
    snapshot,
)
from .grading import grade_on, mark_restructured
from .ledger import post_movement

WRITE_OFF_GRADE = 5  # Macet; default for loans without a program version (ProgramTerms)


def restructure_loan(
    session: Session,
    actor: Actor,
    loan_id: int,
    *,
    effective_on: date,
    grace_months: int,
    extension_months: int,
    new_rate: Decimal | None = None,
    reason: str,
    approved_by: int,
) -> Restructuring:
    """Give an active loan a new schedule (principal grace, tenor extension, new rate).

    Args:
        session: the unit of work.
        actor: who acts (audited).
        loan_id: the loan.
        effective_on: business date; installments due after it are re-planned.
        grace_months: leading interest-only months of the new schedule.
        extension_months: months added to the remaining tenor.
        new_rate: new annual rate, or None to keep the loan's.
        reason: mandatory.
        approved_by: the approving user's id.

    Returns:
        The ``Restructuring`` record; the loan has a new schedule version.
    """
    loan = get_loan(session, loan_id, lock=True)
    errors: dict[str, list[str]] = {}
    if loan.status != "active":
        errors["loan_id"] = [f"only an active loan can be restructured (it is {loan.status})"]
    if not reason or not reason.strip():
        errors["reason"] = ["a reason is required"]
    if new_rate is not None and not (new_rate.is_finite() and Decimal(0) <= new_rate < 1):
        errors["new_rate"] = ["must be in [0, 1)"]
    for name, value in (("grace_months", grace_months), ("extension_months", extension_months)):
        if not isinstance(value, int) or value < 0:
            errors[name] = ["must be a whole number of months >= 0"]
    if errors:
        raise DomainError("restructuring refused", errors)
    rows = [r for r in current_installments(session, loan.id) if r.settled_on is None]
    ahead = [r for r in rows if r.due_on > effective_on]
    capitalised = sum(r.interest_due - r.interest_paid for r in rows if r.due_on <= effective_on)
    principal = loan.outstanding_principal + capitalised
    if not rows or principal <= 0:
        raise refuse("loan_id", "nothing is left to restructure")
    first_due = ahead[0].due_on if ahead else add_months(effective_on, 1)
    try:
        schedule = restructure(
            principal,
            loan.annual_rate,
            first_due,
            remaining_tenor=max(len(ahead), 1),
            extra_grace=grace_months,
            extend_by=extension_months,
            new_rate=new_rate,
            method=loan.interest_method,
            day_count=loan.day_count,
            start=_period_start(current_installments(session, loan.id), first_due, effective_on),
        )
    except ScheduleError as exc:
        raise refuse("schedule", str(exc)) from exc
    before = snapshot(loan)
    old_version, old_rate = loan.schedule_version, loan.annual_rate
    mark_restructured(loan, grade_on(loan, rows, effective_on))
    if capitalised:
        post_movement(session, loan, "restructure", capitalised, capitalised, effective_on)
    replace_schedule(session, loan, rows, schedule)
    if new_rate is not None:
        loan.annual_rate = new_rate
    item = Restructuring(
        loan_id=loan.id,
        effective_on=effective_on,
        old_schedule_version=old_version,
        new_schedule_version=loan.schedule_version,
        grace_months=grace_months,
        extension_months=extension_months,
        old_rate=old_rate,
        new_rate=loan.annual_rate,
        reason=reason.strip(),
        approved_by=approved_by,
    )
    session.add(item)
    session.flush()
    after = {**snapshot(loan), "capitalised_interest": capitalised}
    record(
        session,
        actor,
        "loan.restructure",
        "loan",
        loan.id,
        before=before,
        after=after,
        as_of=effective_on,
    )
    return item


def _period_start(rows: list[Installment], first_due: date, effective_on: date) -> date:
    """The day the new schedule's first period starts: the due date before it, if any."""
    before = [r.due_on for r in rows if r.due_on < first_due]
    return max(before) if before else min(effective_on, first_due - timedelta(days=1))


def request_write_off(
    session: Session,
    actor: Actor,
    loan_id: int,
    *,
    requested_by: int,
    requested_on: date,
    reason: str,
    override_reason: str | None = None,
) -> WriteOff:
    """Ask to write a loan off (the maker's step).

    Only a loan at Kol 5 (Macet) can be written off, unless ``override_reason`` says why
    one at a better grade must be (its grade and the override are kept and audited).

    Returns:
        The pending ``WriteOff`` for the loan's outstanding principal.
    """
    loan = get_loan(session, loan_id, lock=True)
    if not reason or not reason.strip():
        raise refuse("reason", "a reason is required")
    if loan.status != "active" or loan.outstanding_principal <= 0:
        raise refuse("loan_id", "only an active loan with principal outstanding can be written off")
    grade = grade_on(loan, current_installments(session, loan.id), requested_on)
    override = (override_reason or "").strip() or None
    terms = session.get(ProgramTerms, loan.program_terms_id) if loan.program_terms_id else None
    write_off_grade = terms.write_off_grade if terms else WRITE_OFF_GRADE  # the loan's terms
    if grade < write_off_grade and override is None:
        raise refuse(
            "override_reason",
            f"the loan is Kol {grade}: writing off below Kol {write_off_grade} "
            "needs an override reason",
        )
    pending = session.scalar(
        select(WriteOff.id).where(WriteOff.loan_id == loan.id, WriteOff.status == "pending")
    )
    if pending is not None:
        raise Conflict("write-off pending", {"loan_id": [f"write-off {pending} awaits approval"]})
    item = WriteOff(
        loan_id=loan.id,
        amount=loan.outstanding_principal,
        requested_on=requested_on,
        requested_by=requested_by,
        status="pending",
        reason=reason.strip(),
        grade=grade,
        override_reason=override,
    )
    session.add(item)
    session.flush()
    after = {"loan_id": loan.id, "amount": item.amount, "grade": grade, "override": override}
    record(
        session, actor, "write_off.request", "write_off", item.id, after=after, as_of=requested_on
    )
    return item


def approve_write_off(
    session: Session,
    actor: Actor,
    write_off_id: int,
    *,
    approved_by: int,
    approved_on: date,
) -> WriteOff:
    """Approve a pending write-off (the checker's step, a different user than the maker).

    Posts a ``write_off`` movement taking the outstanding principal to 0 and an
    ``interest_write_off`` movement for the interest owed on the date: unpaid interest of
    instalments already due plus the running period's interest accrued pro rata (the early
    payoff's rule).

    Returns:
        The approved ``WriteOff``.
    """
    item = session.get(WriteOff, write_off_id)
    if item is None:
        raise NotFound("no such write-off", {"write_off_id": ["not found"]})
    loan = get_loan(session, item.loan_id, lock=True)
    session.refresh(item)
    if item.status != "pending":
        raise Conflict("write-off decided", {"write_off_id": [f"status is {item.status}"]})
    if approved_by == item.requested_by:
        raise refuse("approved_by", "the maker cannot approve their own write-off")
    if loan.status != "active":
        raise refuse("loan_id", f"the loan is {loan.status}")
    before = snapshot(loan)
    amount = loan.outstanding_principal
    item.amount = amount
    item.interest_amount = _interest_owed(session, loan, approved_on)
    item.status, item.approved_by, item.approved_on = "approved", approved_by, approved_on
    post_movement(session, loan, "write_off", amount, -amount, approved_on)
    if item.interest_amount:
        post_movement(session, loan, "interest_write_off", item.interest_amount, 0, approved_on)
    loan.status, loan.written_off_on = "written_off", approved_on
    session.flush()
    after = {**snapshot(loan), "interest_written_off": item.interest_amount}
    record(
        session,
        actor,
        "write_off.approve",
        "write_off",
        item.id,
        before=before,
        after=after,
        as_of=approved_on,
    )
    return item


def _interest_owed(session: Session, loan: Loan, on: date) -> int:
    """Unpaid interest of instalments due by ``on`` + the running period's accrued interest."""
    rows = current_installments(session, loan.id)
    due = [r for r in rows if r.due_on <= on]
    ahead = [r for r in rows if r.due_on > on]
    unpaid = sum(r.interest_due - r.interest_paid for r in due)
    if not ahead:
        return unpaid
    start = max((r.due_on for r in due), default=None) or session.scalar(
        select(func.min(LoanMovement.posted_on)).where(
            LoanMovement.loan_id == loan.id, LoanMovement.kind == "disbursement"
        )
    )
    assert start is not None  # an active loan was disbursed
    not_due = sum(r.principal_due - r.principal_paid for r in ahead)
    length = (ahead[0].due_on - start).days
    accrued = accrued_interest(
        not_due,
        loan.annual_rate,
        min((on - start).days, length),
        length,
        frequency=loan.frequency,
        day_count=loan.day_count,
    )
    return unpaid + max(0, accrued - sum(r.interest_paid for r in ahead))
