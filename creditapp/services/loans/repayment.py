"""Posting repayments: idempotent, row-locked, allocated by the program's rule.

Order of work (each step refuses with a named field before anything is written):
lock the loan row, check the lender owns it (another lender's loan looks exactly like a
missing one), replay an earlier repayment with the same ``Idempotency-Key``, then allocate.

Allocation (loanmath ``allocate_payment``): installments due on or before ``paid_on`` are
served oldest first, each in the loan's component order (default penalty -> interest ->
principal). What is left over is a principal prepayment applied to the installments not yet
due by the loan's ``prepayment_mode`` (loanmath ``apply_prepayment``: a new schedule
version, the replaced rows kept superseded). Exactly the early-payoff amount (loanmath
``payoff_amount``: remaining principal + the running period's interest pro rata) closes the
loan; more than that, or the whole principal without the accrued interest, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from loanmath import schedule as sched
from loanmath.allocation import (
    Allocation,
    Applied,
    Due,
    allocate_payment,
    apply_prepayment,
    payoff_amount,
)

from ...errors import NotFound
from ...models import Installment, Loan, LoanMovement, Repayment, RepaymentAllocation
from ..audit import Actor, record
from .common import (
    as_schedule,
    current_installments,
    get_loan,
    refuse,
    replace_schedule,
    require_positive_amount,
    snapshot,
)
from .ledger import post_movement


@dataclass(frozen=True)
class RepaymentResult:
    """The stored repayment; ``replayed`` is True when an earlier post was returned."""

    repayment: Repayment
    replayed: bool


def _not_found(loan_id: int) -> NotFound:
    return NotFound("no such loan", {"loan_id": [f"no loan {loan_id}"]})


def _earlier(session: Session, lender_id: int, key: str) -> Repayment | None:
    return session.scalar(
        select(Repayment).where(Repayment.lender_id == lender_id, Repayment.idempotency_key == key)
    )


def _replay(earlier: Repayment, loan_id: int, amount: int, paid_on: date) -> RepaymentResult:
    if (earlier.loan_id, earlier.amount, earlier.paid_on) != (loan_id, amount, paid_on):
        raise refuse(
            "Idempotency-Key",
            "already used for a different repayment (loan, amount or date differ)",
        )
    return RepaymentResult(earlier, replayed=True)


def _check_postable(session: Session, loan: Loan, paid_on: date) -> None:
    if loan.status in ("closed", "written_off"):
        raise refuse("loan_id", f"the loan is {loan.status.replace('_', ' ')}", "loan not open")
    first = session.scalar(
        select(func.min(LoanMovement.posted_on)).where(
            LoanMovement.loan_id == loan.id, LoanMovement.kind == "disbursement"
        )
    )
    if loan.status != "active" or first is None:
        raise refuse("loan_id", "the loan has not been disbursed")
    if paid_on < first:
        raise refuse("paid_on", f"must not be before the first disbursement on {first}")
    last = session.scalar(select(func.max(Repayment.paid_on)).where(Repayment.loan_id == loan.id))
    if last is not None and paid_on < last:
        raise refuse("paid_on", f"must not be before the last repayment on {last}")


@dataclass
class _Plan:
    allocation: Allocation
    targets: list[Installment]  # the row each ``allocation.applied`` entry pays
    excess: int  # prepaid principal (Repayment.excess_part)


def _plan(session: Session, loan: Loan, amount: int, paid_on: date) -> _Plan:
    """Allocate ``amount``; may write a new schedule version (prepayment or payoff)."""
    rows = current_installments(session, loan.id)
    due_rows = [r for r in rows if r.due_on <= paid_on]
    dues = [
        Due(
            k,
            r.due_on,
            r.penalty_due - r.penalty_paid,
            r.interest_due - r.interest_paid,
            r.principal_due - r.principal_paid,
        )
        for k, r in enumerate(due_rows)
    ]
    alloc = allocate_payment(amount, dues, loan.allocation_order.split(","))
    if alloc.excess == 0:
        return _Plan(alloc, due_rows, 0)
    ahead = [r for r in rows if r.due_on > paid_on]
    owed = amount - alloc.excess
    if not ahead:
        raise refuse("amount", f"exceeds what is owed: at most Rp{owed}")
    remaining = as_schedule(ahead)
    principal_left = remaining[0].opening_balance
    period_start = max((r.due_on for r in due_rows), default=None) or _first_disbursed(
        session, loan.id
    )
    payoff = payoff_amount(
        principal_left, [], loan.annual_rate, period_start, ahead[0].due_on, paid_on
    )
    if alloc.excess > payoff.total:
        raise refuse("amount", f"exceeds the early payoff amount of Rp{owed + payoff.total}")
    if alloc.excess == payoff.total:
        final = sched.Installment(
            number=ahead[0].number,
            due_date=paid_on,
            principal=payoff.principal,
            interest=payoff.interest,
            total=payoff.total,
            opening_balance=payoff.principal,
            closing_balance=0,
        )
        [row] = replace_schedule(session, loan, ahead, [final])
        applied = Applied(len(due_rows), paid_on, 0, payoff.interest, payoff.principal)
        full = Allocation(applied=(*alloc.applied, applied), excess=0)
        return _Plan(full, [*due_rows, row], 0)
    if alloc.excess >= principal_left:
        raise refuse(
            "amount",
            f"pays the whole principal without the accrued interest: the early payoff "
            f"amount is Rp{owed + payoff.total}",
        )
    new = apply_prepayment(
        remaining,
        alloc.excess,
        loan.annual_rate,
        mode=loan.prepayment_mode,  # type: ignore[arg-type]
        method=loan.interest_method,
        frequency=loan.frequency,
    )
    replace_schedule(session, loan, ahead, new)
    return _Plan(alloc, due_rows, alloc.excess)


def _first_disbursed(session: Session, loan_id: int) -> date:
    first = session.scalar(
        select(func.min(LoanMovement.posted_on)).where(
            LoanMovement.loan_id == loan_id, LoanMovement.kind == "disbursement"
        )
    )
    assert first is not None  # _check_postable refused undisbursed loans
    return first


def post_repayment(
    session: Session,
    actor: Actor,
    loan_id: int,
    *,
    lender_id: int,
    amount: int,
    paid_on: date,
    idempotency_key: str,
    channel: str | None = None,
) -> RepaymentResult:
    """Post a repayment received from the borrower.

    Args:
        session: the unit of work (flushed, not committed).
        actor: who acts (audited).
        loan_id: the loan; a loan of another lender is reported as not found.
        lender_id: the lender posting (tenant).
        amount: Rupiah received, > 0.
        paid_on: value date; not before the first disbursement nor the last repayment.
        idempotency_key: the lender's key; the same key with the same loan, amount and date
            returns the first repayment (``replayed=True``), with other content it is refused.
        channel: how the money came (free text, e.g. ``qris``).

    Returns:
        ``RepaymentResult(repayment, replayed)``.

    Raises:
        NotFound: no such loan for this lender.
        DomainError: a refused input, naming the field (``amount``, ``paid_on``,
            ``loan_id`` or ``Idempotency-Key``).
    """
    if not isinstance(idempotency_key, str) or not 0 < len(idempotency_key.strip()) <= 128:
        raise refuse("Idempotency-Key", "a key of 1 to 128 characters is required")
    require_positive_amount(amount)
    try:
        loan = get_loan(session, loan_id, lock=True)
    except NotFound:
        raise _not_found(loan_id) from None
    if loan.lender_id != lender_id:
        raise _not_found(loan_id)
    earlier = _earlier(session, lender_id, idempotency_key)
    if earlier is not None:
        return _replay(earlier, loan.id, amount, paid_on)
    _check_postable(session, loan, paid_on)
    before = snapshot(loan)

    repayment = Repayment(
        loan_id=loan.id,
        lender_id=lender_id,
        idempotency_key=idempotency_key,
        amount=amount,
        paid_on=paid_on,
        channel=channel,
    )
    try:
        with session.begin_nested():
            plan = _plan(session, loan, amount, paid_on)
            alloc = plan.allocation
            repayment.principal_part = alloc.principal
            repayment.interest_part = alloc.interest
            repayment.penalty_part = alloc.penalty
            repayment.excess_part = plan.excess
            session.add(repayment)
            session.flush()
    except IntegrityError:
        # The same key was committed by a concurrent request for another loan.
        again = _earlier(session, lender_id, idempotency_key)
        if again is None:
            raise
        return _replay(again, loan.id, amount, paid_on)

    for applied, row in zip(plan.allocation.applied, plan.targets, strict=True):
        if applied.total == 0:
            continue
        row.penalty_paid += applied.penalty
        row.interest_paid += applied.interest
        row.principal_paid += applied.principal
        if (row.penalty_paid, row.interest_paid, row.principal_paid) == (
            row.penalty_due,
            row.interest_due,
            row.principal_due,
        ):
            row.settled_on = paid_on
        session.add(
            RepaymentAllocation(
                repayment_id=repayment.id,
                installment_id=row.id,
                principal=applied.principal,
                interest=applied.interest,
                penalty=applied.penalty,
            )
        )
    principal = repayment.principal_part + repayment.excess_part
    for kind, value, delta in (
        ("penalty_repayment", repayment.penalty_part, 0),
        ("interest_repayment", repayment.interest_part, 0),
        ("principal_repayment", principal, -principal),
    ):
        if value > 0:
            post_movement(session, loan, kind, value, delta, paid_on, repayment_id=repayment.id)
    session.flush()
    _close_if_settled(session, loan, paid_on)
    record(
        session,
        actor,
        "repayment.post",
        "repayment",
        repayment.id,
        before=before,
        after={
            **snapshot(loan),
            "amount": amount,
            "principal_part": repayment.principal_part,
            "interest_part": repayment.interest_part,
            "penalty_part": repayment.penalty_part,
            "excess_part": repayment.excess_part,
        },
        as_of=paid_on,
    )
    session.flush()
    return RepaymentResult(repayment, replayed=False)


def _close_if_settled(session: Session, loan: Loan, on: date) -> None:
    """Close the loan when nothing is owed on its current schedule."""
    if loan.outstanding_principal != 0 or loan.disbursed_amount != loan.principal:
        return
    rows = current_installments(session, loan.id)
    if all(r.settled_on is not None for r in rows):
        loan.status = "closed"
        loan.closed_on = on
