"""Planning a repayment: how the money is split before anything is written.

Installments due on or before the value date first (oldest first, the loan's component
order); then, with money left: the early payoff when it is enough (anything above it is
held as credit), else an advance payment of the next instalment (``auto``) or of every
later one in order (``advance``), and only what is beyond that (or everything, for
``prepayment``) prepays principal after the interest that principal accrued. A prepayment or
payoff writes a new schedule version; the caller applies the allocation to the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loanmath import schedule as sched
from loanmath.accrual import accrued_interest, split_prepayment
from loanmath.allocation import (
    Allocation,
    Applied,
    Due,
    allocate_payment,
    apply_prepayment,
)

from ...models import Installment, Loan, LoanMovement, Repayment
from .common import as_schedule, current_installments, replace_schedule
from .reageing import paid_by_date, penalties_owed


@dataclass
class Plan:
    allocation: Allocation
    targets: list[Installment]  # the row each ``allocation.applied`` entry pays
    excess: int  # prepaid principal (Repayment.excess_part)
    credit: int = 0  # held for the borrower (Repayment.credit_part)
    # The current schedule as planning read it (still current unless a new version was made).
    rows: list[Installment] = field(default_factory=list)


def _dues(rows: list[Installment], penalty_cap: dict[int, int] | None = None) -> list[Due]:
    return [
        Due(
            k,
            r.due_on,
            r.penalty_due - r.penalty_paid
            if penalty_cap is None
            else max(0, min(r.penalty_due, penalty_cap.get(r.id, 0)) - r.penalty_paid),
            r.interest_due - r.interest_paid,
            r.principal_due - r.principal_paid,
        )
        for k, r in enumerate(rows)
    ]


def _paid_any(row: Installment) -> bool:
    return row.principal_paid + row.interest_paid + row.penalty_paid > 0


def plan_repayment(
    session: Session,
    loan: Loan,
    amount: int,
    paid_on: date,
    apply_as: str,
    back_valued: bool = False,
) -> Plan:
    """``_plan`` on the loan's current schedule, which the plan keeps (``Plan.rows``)."""
    rows = current_installments(session, loan.id)
    plan = _plan(session, loan, rows, amount, paid_on, apply_as, back_valued)
    plan.rows = rows
    return plan


def _plan(
    session: Session,
    loan: Loan,
    rows: list[Installment],
    amount: int,
    paid_on: date,
    apply_as: str,
    back_valued: bool,
) -> Plan:
    """Allocate ``amount``; may write a new schedule version (prepayment or payoff).

    Installments due on or before ``paid_on`` first; then, with money left: the early payoff
    when it is enough (anything above it is held as credit), else an advance payment of the
    next instalment (``auto``) or of every later one in order (``advance``), and only what
    is beyond that (or everything, for ``prepayment``) prepays principal.

    A back-valued payment on a loan with penalties serves only the penalty the runs up to
    its value date charged: later charges are recomputed when the loan is re-aged.
    """
    order = loan.allocation_order.split(",")
    due_rows = [r for r in rows if r.due_on <= paid_on]
    cap = None
    if back_valued and loan.penalty_daily_rate:
        cap = penalties_owed(session, loan, due_rows, paid_by_date(session, loan.id), paid_on)
    alloc = allocate_payment(amount, _dues(due_rows, cap), order)
    applied, targets, left = list(alloc.applied), list(due_rows), alloc.excess
    if left == 0:
        return Plan(alloc, targets, 0)
    later = [r for r in rows if r.due_on > paid_on]
    ahead = [r for r in later if r.settled_on is None]
    if not ahead:
        return Plan(Allocation(tuple(applied), 0), targets, 0, credit=left)
    start = max((r.due_on for r in due_rows), default=None) or first_disbursed(session, loan.id)
    unpaid = sum(r.principal_due - r.principal_paid for r in ahead)
    # Interest accrued in the running period on the balance it started with (principal
    # prepaid or paid in advance since then included), less the interest already paid of
    # later instalments (in advance, or accrued by an earlier prepayment).
    prepaid = session.scalar(
        select(func.coalesce(func.sum(Repayment.excess_part), 0)).where(
            Repayment.loan_id == loan.id,
            Repayment.reversed_on.is_(None),
            Repayment.paid_on > start,
        )
    )
    balance = unpaid + sum(r.principal_paid for r in later) + int(prepaid or 0)
    elapsed, length = (paid_on - start).days, (later[0].due_on - start).days
    accrued = accrued_interest(balance, loan.annual_rate, elapsed, length,
                               frequency=loan.frequency, day_count=loan.day_count)  # fmt: skip
    interest = max(0, accrued - sum(r.interest_paid for r in later))
    if left >= unpaid + interest:
        row = _settle_early(session, loan, ahead, paid_on, unpaid, interest)
        applied.append(Applied(len(applied), paid_on, 0, interest, unpaid))
        targets.append(row)
        credit = left - unpaid - interest
        return Plan(Allocation(tuple(applied), 0), targets, 0, credit=credit)
    advance = {"auto": ahead[:1], "advance": ahead, "prepayment": []}[apply_as]
    if advance:
        ahead_alloc = allocate_payment(left, _dues(advance), order)
        applied.extend(ahead_alloc.applied)
        targets.extend(advance)
        left = ahead_alloc.excess
    if left == 0:
        return Plan(Allocation(tuple(applied), 0), targets, 0)
    touched = {id(r) for r, a in zip(targets, applied, strict=True) if a.total > 0}
    last_touched = max((k for k, r in enumerate(ahead) if id(r) in touched or _paid_any(r)),
                       default=-1)  # fmt: skip
    fresh = ahead[last_touched + 1 :]
    if not fresh:  # every later instalment is paid in advance: nothing left to prepay
        return Plan(Allocation(tuple(applied), 0), targets, 0, credit=left)
    before = [r.due_on for r in rows if r.due_on < fresh[0].due_on]
    period_start = before[-1] if before else start
    elapsed = max(0, (paid_on - period_start).days)
    length = max(1, (fresh[0].due_on - period_start).days)
    principal, interest = split_prepayment(
        left, loan.annual_rate, elapsed, length, frequency=loan.frequency,
        day_count=loan.day_count,
    )  # fmt: skip
    remaining = as_schedule(fresh)
    outstanding = remaining[0].opening_balance
    credit = 0
    if principal >= outstanding:
        principal = outstanding
        interest = accrued_interest(
            outstanding, loan.annual_rate, elapsed, length, frequency=loan.frequency,
            day_count=loan.day_count,
        )  # fmt: skip
        credit = left - principal - interest
        row = _settle_early(session, loan, fresh, paid_on, principal, interest)
        applied.append(Applied(len(applied), paid_on, 0, interest, principal))
        targets.append(row)
        return Plan(Allocation(tuple(applied), 0), targets, 0, credit=credit)
    new = apply_prepayment(
        remaining,
        principal,
        loan.annual_rate,
        mode=loan.prepayment_mode,
        method=loan.interest_method,
        frequency=loan.frequency,
        day_count=loan.day_count,
        start=period_start,
    )
    new_rows = replace_schedule(session, loan, fresh, new)
    if interest:
        # The accrued interest belongs to the instalment of the running period.
        new_rows[0].interest_due += interest
        applied.append(Applied(len(applied), new_rows[0].due_on, 0, interest, 0))
        targets.append(new_rows[0])
    return Plan(Allocation(tuple(applied), 0), targets, principal)


def _settle_early(
    session: Session,
    loan: Loan,
    replaced: list[Installment],
    paid_on: date,
    principal: int,
    interest: int,
) -> Installment:
    """Replace ``replaced`` with one instalment due ``paid_on`` that this payment settles."""
    final = sched.Installment(
        number=replaced[0].number,
        due_date=paid_on,
        principal=principal,
        interest=interest,
        total=principal + interest,
        opening_balance=principal,
        closing_balance=0,
    )
    [row] = replace_schedule(session, loan, replaced, [final])
    return row


def first_disbursed(session: Session, loan_id: int) -> date:
    first = session.scalar(
        select(func.min(LoanMovement.posted_on)).where(
            LoanMovement.loan_id == loan_id, LoanMovement.kind == "disbursement"
        )
    )
    assert first is not None  # _check_postable refused undisbursed loans
    return first
