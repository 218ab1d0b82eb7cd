"""Reversing a mistaken repayment (maker-checker) and refunding a credit balance.

A maker asks with a reason (``request_reversal``); a different user approves
(``approve_reversal``). Approval undoes the repayment exactly: its allocations come off the
installments, a schedule it re-planned (prepayment, early payoff) is restored, a loan it
closed is open again, its credit part leaves the credit balance, and one
``repayment_reversal`` movement, value-dated on the repayment's own date, gives back its
principal. The repayment keeps its record (``reversed_on``). Reversals go last-in first-out:
a later repayment (or a restructuring after it) must be reversed first, because allocation
depends on the order of payments. The loan is then re-aged from the repayment's value date
(``reageing``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import Conflict, NotFound
from ...models import Installment, Repayment, RepaymentAllocation, RepaymentReversal
from ..audit import Actor, record
from .common import get_loan, refresh_schedule_facts, refuse, require_positive_amount, snapshot
from .ledger import post_movement
from .reageing import reage_loan
from .value_dates import check_value_date


def _repayment(session: Session, repayment_id: int, lender_id: int | None) -> Repayment:
    repayment = session.get(Repayment, repayment_id)
    if repayment is None or (lender_id is not None and repayment.lender_id != lender_id):
        raise NotFound("no such repayment", {"repayment_id": [f"no repayment {repayment_id}"]})
    return repayment


def request_reversal(
    session: Session,
    actor: Actor,
    repayment_id: int,
    *,
    requested_by: int,
    requested_on: date,
    reason: str,
    lender_id: int | None = None,
) -> RepaymentReversal:
    """Ask to reverse a repayment (the maker's step); nothing moves until it is approved.

    Returns:
        The pending ``RepaymentReversal``.
    """
    repayment = _repayment(session, repayment_id, lender_id)
    if not reason or not reason.strip():
        raise refuse("reason", "a reason is required to reverse a repayment")
    if repayment.reversed_on is not None:
        raise refuse("repayment_id", f"already reversed on {repayment.reversed_on}")
    pending = session.scalar(
        select(RepaymentReversal.id).where(
            RepaymentReversal.repayment_id == repayment.id, RepaymentReversal.status == "pending"
        )
    )
    if pending is not None:
        raise Conflict("reversal pending", {"repayment_id": [f"reversal {pending} awaits"]})
    item = RepaymentReversal(
        repayment_id=repayment.id,
        loan_id=repayment.loan_id,
        reason=reason.strip(),
        requested_on=requested_on,
        requested_by=requested_by,
        status="pending",
    )
    session.add(item)
    session.flush()
    after = {"repayment_id": repayment.id, "reason": item.reason}
    record(
        session,
        actor,
        "repayment.reversal_request",
        "repayment_reversal",
        item.id,
        after=after,
        as_of=requested_on,
    )
    return item


def approve_reversal(
    session: Session,
    actor: Actor,
    reversal_id: int,
    *,
    approved_by: int,
    approved_on: date,
) -> RepaymentReversal:
    """Approve a pending reversal (the checker's step, not the maker) and undo the repayment.

    Returns:
        The approved reversal.
    """
    item = session.get(RepaymentReversal, reversal_id)
    if item is None:
        raise NotFound("no such reversal", {"reversal_id": ["not found"]})
    loan = get_loan(session, item.loan_id, lock=True)
    session.refresh(item)
    if item.status != "pending":
        raise Conflict("reversal decided", {"reversal_id": [f"status is {item.status}"]})
    if approved_by == item.requested_by:
        raise refuse("approved_by", "the maker cannot approve their own reversal")
    repayment = session.get(Repayment, item.repayment_id)
    assert repayment is not None  # foreign key
    later = session.scalar(
        select(Repayment.id).where(
            Repayment.loan_id == loan.id,
            Repayment.reversed_on.is_(None),
            Repayment.id > repayment.id,
        )
    )
    if later is not None:
        raise refuse("repayment_id", f"reverse the later repayment {later} first")
    before_version = repayment.schedule_version_before
    replanned = before_version is not None and loan.schedule_version != before_version
    if replanned and loan.schedule_version != (before_version or 0) + 1:
        raise refuse("repayment_id", "the schedule was changed after it (e.g. restructured)")
    if loan.status == "written_off":
        raise refuse("loan_id", "the loan is written off")
    if loan.credit_balance < repayment.credit_part:
        raise refuse("repayment_id", "its credit was already refunded")
    before = snapshot(loan)
    for allocation in session.scalars(
        select(RepaymentAllocation).where(RepaymentAllocation.repayment_id == repayment.id)
    ):
        row = session.get(Installment, allocation.installment_id)
        assert row is not None
        row.principal_paid -= allocation.principal
        row.interest_paid -= allocation.interest
        row.penalty_paid -= allocation.penalty
        row.settled_on = None
    if replanned:
        _restore_schedule(session, loan.id, loan.schedule_version)
    principal = repayment.principal_part + repayment.excess_part
    post_movement(
        session,
        loan,
        "repayment_reversal",
        repayment.amount,
        principal,
        repayment.paid_on,
        repayment_id=repayment.id,
    )
    loan.credit_balance -= repayment.credit_part
    if loan.status == "closed":
        loan.status, loan.closed_on = "active", None
    repayment.reversed_on = approved_on
    item.status, item.approved_by, item.approved_on = "approved", approved_by, approved_on
    session.flush()
    refresh_schedule_facts(session, loan)
    reage_loan(session, actor, loan, repayment.paid_on)
    after = {**snapshot(loan), "reason": item.reason}
    record(
        session,
        actor,
        "repayment.reverse",
        "repayment",
        repayment.id,
        before=before,
        after=after,
        as_of=approved_on,
    )
    session.flush()
    return item


def _restore_schedule(session: Session, loan_id: int, version: int) -> None:
    """Supersede the rows of ``version`` and bring back the rows it replaced."""
    for row in session.scalars(select(Installment).where(Installment.loan_id == loan_id)):
        if row.schedule_version == version and not row.superseded:
            row.superseded, row.superseded_in = True, version
        elif row.superseded_in == version and row.schedule_version < version:
            row.superseded, row.superseded_in = False, None
    session.flush()


def refund_credit(
    session: Session,
    actor: Actor,
    loan_id: int,
    *,
    amount: int,
    refunded_on: date,
    business_date: date | None = None,
) -> None:
    """Pay (part of) a borrower's credit balance back: a ``refund`` movement."""
    require_positive_amount(amount)
    if business_date is not None:
        check_value_date("refunded_on", refunded_on, business_date)
    loan = get_loan(session, loan_id, lock=True)
    if amount > loan.credit_balance:
        raise refuse("amount", f"exceeds the credit balance of Rp{loan.credit_balance}")
    before = snapshot(loan)
    post_movement(session, loan, "refund", amount, 0, refunded_on)
    loan.credit_balance -= amount
    session.flush()
    record(
        session,
        actor,
        "loan.refund",
        "loan",
        loan.id,
        before=before,
        after={**snapshot(loan), "refund": amount},
        as_of=refunded_on,
    )
