"""The loan ledger: post movements with the cached balances, and rebuild balances from it.

``Loan.outstanding_principal``, ``Loan.disbursed_amount`` and the paid/penalty amounts of
installments are caches. Every change to them goes through this module together with a
``LoanMovement``, so ``rebuild_balances`` can recompute them from the ledger alone (the
movements, plus the ``RepaymentAllocation`` rows their repayments point to).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Installment, Loan, LoanMovement, Repayment, RepaymentAllocation
from ..books.posting_rules import journal_movement


def post_movement(
    session: Session,
    loan: Loan,
    kind: str,
    amount: int,
    principal_delta: int,
    posted_on: date,
    *,
    repayment_id: int | None = None,
    disbursement_id: int | None = None,
) -> LoanMovement:
    """Append one movement and apply its principal change to the loan's cached balance.

    Args:
        session: the unit of work (flushed by the caller).
        loan: the loan, already locked by the caller where concurrency matters.
        kind: one of ``MOVEMENT_KINDS``.
        amount: the money moved, whole Rupiah (>= 0).
        principal_delta: signed change of outstanding principal.
        posted_on: the business date.
        repayment_id: the repayment this movement belongs to, if any.
        disbursement_id: the disbursement this movement belongs to, if any.

    Returns:
        The new movement.
    """
    movement = LoanMovement(
        loan_id=loan.id,
        kind=kind,
        amount=amount,
        principal_delta=principal_delta,
        posted_on=posted_on,
        repayment_id=repayment_id,
        disbursement_id=disbursement_id,
    )
    session.add(movement)
    # The general ledger entry of the movement, in the same transaction (posting_rules.py).
    journal_movement(session, loan, movement)
    loan.outstanding_principal += principal_delta
    if kind == "disbursement":
        loan.disbursed_amount += amount
    return movement


@dataclass(frozen=True)
class LedgerBalances:
    """Balances recomputed from the ledger, next to the cached ones."""

    outstanding_principal: int
    disbursed_amount: int
    principal_repaid: int  # principal_repayment movements (installment parts + prepayments)
    credit_balance: int  # credit_balance movements - refunds - credit of reversed repayments
    cached_credit_balance: int
    penalty_charged: int
    cached_outstanding_principal: int
    cached_disbursed_amount: int
    installment_principal_paid: int  # cached paid amounts + prepaid excess
    cached_penalty_due: int
    installments_match_allocations: bool

    @property
    def consistent(self) -> bool:
        """True when every cache equals what the ledger says."""
        return (
            self.outstanding_principal == self.cached_outstanding_principal
            and self.disbursed_amount == self.cached_disbursed_amount
            and self.principal_repaid == self.installment_principal_paid
            and self.credit_balance == self.cached_credit_balance
            and self.penalty_charged == self.cached_penalty_due
            and self.installments_match_allocations
        )


def rebuild_balances(session: Session, loan_id: int) -> LedgerBalances:
    """Recompute a loan's balances from its movements and allocations.

    Args:
        session: any session.
        loan_id: the loan.

    Returns:
        The ledger's balances and the cached ones; ``consistent`` compares them.
    """
    loan = session.get(Loan, loan_id, populate_existing=True)
    if loan is None:
        raise LookupError(f"no loan {loan_id}")

    def total(kind: str | None, column: object) -> int:
        query = select(func.coalesce(func.sum(column), 0)).where(LoanMovement.loan_id == loan_id)
        if kind is not None:
            query = query.where(LoanMovement.kind == kind)
        return int(session.scalar(query) or 0)

    allocated = {
        row.installment_id: (int(row.p), int(row.i), int(row.n))
        for row in session.execute(
            select(
                RepaymentAllocation.installment_id,
                func.sum(RepaymentAllocation.principal).label("p"),
                func.sum(RepaymentAllocation.interest).label("i"),
                func.sum(RepaymentAllocation.penalty).label("n"),
            )
            .join(Repayment, Repayment.id == RepaymentAllocation.repayment_id)
            .where(Repayment.loan_id == loan_id, Repayment.reversed_on.is_(None))
            .group_by(RepaymentAllocation.installment_id)
        )
    }
    rows = session.scalars(
        select(Installment)
        .where(Installment.loan_id == loan_id)
        .execution_options(populate_existing=True)
    ).all()
    match = all(
        allocated.get(r.id, (0, 0, 0)) == (r.principal_paid, r.interest_paid, r.penalty_paid)
        for r in rows
    ) and set(allocated) <= {r.id for r in rows}
    excess = int(
        session.scalar(
            select(func.coalesce(func.sum(Repayment.excess_part), 0)).where(
                Repayment.loan_id == loan_id, Repayment.reversed_on.is_(None)
            )
        )
        or 0
    )
    reversed_credit = int(
        session.scalar(
            select(func.coalesce(func.sum(Repayment.credit_part), 0)).where(
                Repayment.loan_id == loan_id, Repayment.reversed_on.isnot(None)
            )
        )
        or 0
    )
    return LedgerBalances(
        outstanding_principal=total(None, LoanMovement.principal_delta),
        disbursed_amount=total("disbursement", LoanMovement.amount),
        principal_repaid=total("principal_repayment", LoanMovement.amount)
        - total("repayment_reversal", LoanMovement.principal_delta),
        credit_balance=total("credit_balance", LoanMovement.amount)
        - total("refund", LoanMovement.amount)
        - reversed_credit,
        cached_credit_balance=loan.credit_balance,
        penalty_charged=total("penalty_charge", LoanMovement.amount)
        - total("penalty_correction", LoanMovement.amount),
        cached_outstanding_principal=loan.outstanding_principal,
        cached_disbursed_amount=loan.disbursed_amount,
        installment_principal_paid=sum(r.principal_paid for r in rows) + excess,
        cached_penalty_due=sum(r.penalty_due for r in rows),
        installments_match_allocations=match,
    )
