"""Journal a book written outside the services (the demo's bulk-loaded history), in bulk.

The bulk loader writes movements, claims and recoveries straight into their tables, so no
entry exists for them. Journaling each movement one by one would cost as much as the load
itself; instead the movements of the loaded loan-id range are summed in SQL per program,
lender, kind and day, and posted as one entry per program, lender, kind and **month**
(dated the month's last day), by the same rules as ``posting_rules`` — with interest on a
cash basis (a closed historic book has no accrued interest left). The entries' source
references carry the loan-id range, so journaling the same range twice fails on the unique
constraint instead of posting twice.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import GuaranteeClaim, Loan, LoanMovement, Recovery
from .journal import Line, post_entry

Key = tuple[int, int, str, date]  # program, lender, event, month end


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _lines(event: str, amount: int, share: int, program_id: int) -> list[Line]:
    p = program_id
    if event == "disbursement":
        return [Line("loans_receivable", debit=amount, program_id=p), Line("cash", credit=amount)]
    if event == "principal_repayment":
        return [Line("cash", debit=amount), Line("loans_receivable", credit=amount, program_id=p)]
    if event == "interest_repayment":
        return [Line("cash", debit=amount), Line("interest_income", credit=amount, program_id=p)]
    if event == "write_off":
        return [
            Line("write_off_expense", debit=amount),
            Line("loans_receivable", credit=amount, program_id=p),
        ]
    if event == "recovery":
        return [
            Line("cash", debit=amount),
            Line("guarantor_payable", credit=share),
            Line("recovery_income", credit=amount - share),
        ]
    if event == "guarantee_claim_paid":
        return [Line("cash", debit=amount), Line("guarantee_claim_income", credit=amount)]
    raise ValueError(f"no bulk rule for {event}")


def journal_loaded_loans(session: Session, first_loan_id: int, last_loan_id: int) -> int:
    """Journal the movements, paid claims and recoveries of loans ``first..last`` (ids).

    Returns:
        The number of entries posted.
    """
    session.flush()
    in_range = Loan.id.between(first_loan_id, last_loan_id)
    amounts: dict[Key, int] = defaultdict(int)
    shares: dict[Key, int] = defaultdict(int)
    kinds = ("disbursement", "principal_repayment", "interest_repayment", "write_off", "recovery")
    for program, lender, kind, day, total in session.execute(
        select(
            Loan.program_id,
            Loan.lender_id,
            LoanMovement.kind,
            LoanMovement.posted_on,
            func.sum(LoanMovement.amount),
        )
        .join(Loan, Loan.id == LoanMovement.loan_id)
        .where(in_range, LoanMovement.kind.in_(kinds))
        .group_by(Loan.program_id, Loan.lender_id, LoanMovement.kind, LoanMovement.posted_on)
    ):
        amounts[(program, lender, kind, _month_end(day))] += int(total)
    for program, lender, day, share in session.execute(
        select(
            Loan.program_id,
            Loan.lender_id,
            Recovery.recovered_on,
            func.sum(Recovery.guarantor_share),
        )
        .join(Loan, Loan.id == Recovery.loan_id)
        .where(in_range)
        .group_by(Loan.program_id, Loan.lender_id, Recovery.recovered_on)
    ):
        shares[(program, lender, "recovery", _month_end(day))] += int(share)
    for program, lender, paid_on, paid in session.execute(
        select(
            Loan.program_id,
            Loan.lender_id,
            GuaranteeClaim.paid_on,
            func.sum(GuaranteeClaim.paid_amount),
        )
        .join(Loan, Loan.id == GuaranteeClaim.loan_id)
        .where(in_range, GuaranteeClaim.status == "paid")
        .group_by(Loan.program_id, Loan.lender_id, GuaranteeClaim.paid_on)
    ):
        if paid_on is not None:  # a paid claim has its date
            amounts[(program, lender, "guarantee_claim_paid", _month_end(paid_on))] += int(paid)
    posted = 0
    for (program, lender, event, month_end), amount in sorted(amounts.items()):
        share = shares.get((program, lender, event, month_end), 0)
        entry = post_entry(
            session,
            entry_date=month_end,
            event=event,
            source_ref=(
                f"bulk:{first_loan_id}-{last_loan_id}:{event}:p{program}:l{lender}:"
                f"{month_end:%Y-%m}"
            ),
            program_id=program,
            lender_id=lender,
            memo="bulk-loaded loans, summed per month",
            lines=_lines(event, amount, share, program),
        )
        posted += entry is not None
    session.flush()
    return posted
