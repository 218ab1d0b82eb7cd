"""Posting rules: from each loan movement (and money events without one) to its entry.

| movement / event | debit | credit |
|---|---|---|
| disbursement | loans receivable (program) | cash |
| principal_repayment | cash | loans receivable |
| interest_repayment | cash | accrued interest receivable (*) , interest income (rest) |
| penalty_repayment | cash | penalty income |
| credit_balance (overpayment held) | cash | borrower credit balances |
| refund | borrower credit balances | cash |
| restructure (capitalised) | loans receivable | accrued interest receivable (*), income |
| write_off | write-off expense; interest income | loans receivable; accrued interest (**) |
| repayment_reversal | the mirror of every entry of the reversed repayment | |
| recovery (``journal_recovery``) | cash | guarantor payable (share), recovery income |
| guarantee claim paid (``journal_claim_payment``) | cash | guarantee claims received |
| subsidy accrual (``journal_subsidy``, per program) | subsidy receivable | subsidy income |
| penalty_charge, penalty_correction, interest_write_off | no entry | |

(*) up to the loan's accrued-but-unpaid interest (``interest_accruals``), the rest is
income at once. (**) the loan's whole accrued balance is reversed at write-off.

Why no entry for the last three: penalties are recognised on cash (when paid), and interest
written off beyond what the accrual run recognised was never income. Interest is otherwise on
the accrual basis (``accrual.py``) for performing loans (Kol 1-2); for Kol 3-5 the accrual run
reverses the accrued-but-unpaid interest and accrues nothing, so their interest reaches
income only when paid (cash basis).

``JOURNALING`` is a switch for ``bench.loans`` alone, which flips it off to time posting
without journaling as the reference; the product never changes it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Account, InterestAccrual, JournalEntry, JournalLine, Loan, LoanMovement
from .journal import Line, post_entry, post_movement_entry

JOURNALING = True  # bench.loans only: off to time posting without journaling (the reference)
NO_ENTRY = frozenset({"penalty_charge", "penalty_correction", "interest_write_off", "recovery"})


def accrued_balance(session: Session, loan_id: int) -> int:
    """The loan's accrued-but-unpaid interest (sum of its ``interest_accruals``).

    Read on the session's connection (no autoflush: a flush here would split the caller's
    batched inserts; and a Core read costs a fraction of an ORM one on this hot path),
    adding the rows still pending in the session, so the figure is the same as after a flush.
    """
    stored = session.connection().scalar(
        select(func.coalesce(func.sum(InterestAccrual.amount), 0)).where(
            InterestAccrual.loan_id == loan_id
        )
    )
    pending = sum(
        obj.amount
        for obj in session.new
        if isinstance(obj, InterestAccrual) and obj.loan_id == loan_id
    )
    return int(stored or 0) + pending


def _settle_accrued(
    session: Session, loan: Loan, amount: int, on: date, kind: str
) -> tuple[int, int]:
    """Split ``amount`` into (from accrued interest, beyond it) and record the settled part."""
    accrued = accrued_balance(session, loan.id) if amount else 0
    settled = max(0, min(amount, accrued))
    if settled:
        session.add(InterestAccrual(loan_id=loan.id, accrued_on=on, kind=kind, amount=-settled))
    return settled, amount - settled


def movement_lines(session: Session, loan: Loan, movement: LoanMovement) -> list[Line]:
    """The lines of ``movement``'s entry (empty for kinds that post no entry)."""
    p, a, kind = loan.program_id, movement.amount, movement.kind
    if kind == "disbursement":
        return [Line("loans_receivable", debit=a, program_id=p), Line("cash", credit=a)]
    if kind == "principal_repayment":
        return [Line("cash", debit=a), Line("loans_receivable", credit=a, program_id=p)]
    if kind in ("interest_repayment", "restructure"):
        settled, beyond = _settle_accrued(
            session,
            loan,
            a,
            movement.posted_on,
            "payment" if kind != "restructure" else "capitalised",
        )
        first = (
            Line("cash", debit=a)
            if kind != "restructure"
            else Line("loans_receivable", debit=a, program_id=p)
        )
        return [
            first,
            Line("interest_receivable", credit=settled, program_id=p),
            Line("interest_income", credit=beyond, program_id=p),
        ]
    if kind == "penalty_repayment":
        return [Line("cash", debit=a), Line("penalty_income", credit=a)]
    if kind == "credit_balance":
        return [Line("cash", debit=a), Line("borrower_credit", credit=a)]
    if kind == "refund":
        return [Line("borrower_credit", debit=a), Line("cash", credit=a)]
    if kind == "write_off":
        accrued = max(0, accrued_balance(session, loan.id))
        if accrued:
            session.add(
                InterestAccrual(
                    loan_id=loan.id,
                    accrued_on=movement.posted_on,
                    kind="write_off",
                    amount=-accrued,
                )
            )
        return [
            Line("write_off_expense", debit=a),
            Line("loans_receivable", credit=a, program_id=p),
            Line("interest_income", debit=accrued, program_id=p),
            Line("interest_receivable", credit=accrued, program_id=p),
        ]
    return []


def journal_movement(session: Session, loan: Loan, movement: LoanMovement) -> None:
    """Journal one loan movement in the caller's transaction (see the table above)."""
    if not JOURNALING or movement.kind in NO_ENTRY:
        return
    if movement.kind == "repayment_reversal":
        _reverse_repayment(session, loan, movement)
        return
    post_movement_entry(
        session,
        movement,
        loan_id=loan.id,
        program_id=loan.program_id,
        lender_id=loan.lender_id,
        lines=movement_lines(session, loan, movement),
    )


def _reverse_repayment(session: Session, loan: Loan, movement: LoanMovement) -> None:
    """Post the mirror of the reversed repayment's entries as one entry of the reversal."""
    session.flush()
    rows = session.execute(
        select(JournalLine.account_id, func.sum(JournalLine.debit), func.sum(JournalLine.credit))
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(LoanMovement, LoanMovement.id == JournalEntry.movement_id)
        .where(
            LoanMovement.repayment_id == movement.repayment_id,
            LoanMovement.kind != "repayment_reversal",
        )
        .group_by(JournalLine.account_id)
    ).all()
    if not rows:
        return
    receivable = {
        a.id for a in session.scalars(select(Account).where(Account.role == "interest_receivable"))
    }
    restored = sum(int(credit) - int(debit) for acc, debit, credit in rows if acc in receivable)
    if restored:
        session.add(
            InterestAccrual(
                loan_id=loan.id,
                accrued_on=movement.posted_on,
                kind="payment_reversal",
                amount=restored,
            )
        )
    entry = JournalEntry(
        entry_date=movement.posted_on,
        event="repayment_reversal",
        movement=movement,
        loan_id=loan.id,
        program_id=loan.program_id,
        lender_id=loan.lender_id,
        memo=f"reverses repayment {movement.repayment_id}",
        lines=[
            # The mirror: what was debited is credited back, per account, net.
            JournalLine(
                account_id=acc, debit=max(0, int(c) - int(d)), credit=max(0, int(d) - int(c))
            )
            for acc, d, c in rows
            if int(c) != int(d)
        ],
    )
    session.add(entry)


def journal_recovery(
    session: Session, loan: Loan, movement: LoanMovement, guarantor_share: int
) -> None:
    """Journal a recovery on a written-off loan: the guarantor's share is owed to it."""
    if not JOURNALING:
        return
    post_entry(
        session,
        entry_date=movement.posted_on,
        event="recovery",
        source_ref=None,
        movement=movement,
        loan_id=loan.id,
        program_id=loan.program_id,
        lender_id=loan.lender_id,
        lines=[
            Line("cash", debit=movement.amount),
            Line("guarantor_payable", credit=guarantor_share),
            Line("recovery_income", credit=movement.amount - guarantor_share),
        ],
    )


def journal_claim_payment(
    session: Session, loan: Loan, claim_id: int, amount: int, paid_on: date
) -> None:
    """Journal the guarantor's payment of a claim (income that offsets the write-off)."""
    if not JOURNALING:
        return
    post_entry(
        session,
        entry_date=paid_on,
        event="guarantee_claim_paid",
        source_ref=f"guarantee_claim:{claim_id}",
        loan_id=loan.id,
        program_id=loan.program_id,
        lender_id=loan.lender_id,
        lines=[Line("cash", debit=amount), Line("guarantee_claim_income", credit=amount)],
    )


def journal_subsidy(
    session: Session, period_start: date, period_end: date, by_program: dict[int, int]
) -> None:
    """Journal a subsidy accrual run: one entry per program (receivable from the state)."""
    if not JOURNALING:
        return
    for program_id, amount in sorted(by_program.items()):
        done = session.scalar(
            select(func.count(JournalEntry.id)).where(
                JournalEntry.event == "subsidy_accrual",
                JournalEntry.program_id == program_id,
                JournalEntry.entry_date == period_end,
            )
        )
        post_entry(
            session,
            entry_date=period_end,
            event="subsidy_accrual",
            source_ref=f"subsidy:{period_start}:{period_end}:p{program_id}:{int(done or 0) + 1}",
            program_id=program_id,
            memo=f"interest subsidy {period_start} to {period_end}",
            lines=[
                Line("subsidy_receivable", debit=amount, program_id=program_id),
                Line("subsidy_income", credit=amount, program_id=program_id),
            ],
        )
