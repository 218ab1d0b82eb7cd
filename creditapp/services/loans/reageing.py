"""Re-ageing one loan from a value date, after a back-valued posting or a reversal.

End-of-day ageing runs forward for the whole portfolio; a repayment value-dated before the
last run, or the reversal of one, changes what the loan owed on days already aged. This
recomputes that loan's ``loan_status_history`` rows from the value date on: days past due,
collectibility (never better than a restructured loan's floor), arrears and outstanding
principal, each as of its own date, from the current schedule and the repayments (not
reversed) value-dated on or before it; then the loan's cached dpd and grade from the latest
row. Every changed row is audited (``loan.reage``, before and after). Penalties (programs
with a daily penalty rate) are recomputed for every ageing run of the loan with what was
unpaid as of that run's date, as ``ageing`` charges them; the difference is a
``penalty_correction`` movement (taken back) or a further ``penalty_charge``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loanmath.ageing import collectibility

from ...models import (
    AgeingRun,
    Installment,
    Loan,
    LoanMovement,
    LoanStatus,
    Repayment,
    RepaymentAllocation,
)
from ..audit import Actor, record
from .common import current_installments
from .sqlparts import MICRO


def reage_loan(session: Session, actor: Actor, loan: Loan, from_date: date) -> int:
    """Recompute the loan's status history from ``from_date``; return the rows changed."""
    session.flush()
    history = session.scalars(
        select(LoanStatus)
        .where(LoanStatus.loan_id == loan.id, LoanStatus.as_of >= from_date)
        .order_by(LoanStatus.as_of)
    ).all()
    if not history:
        return 0
    rows = current_installments(session, loan.id)
    paid = paid_by_date(session, loan.id)
    balance_by_date = _principal_by_date(session, loan.id, [h.as_of for h in history])
    changed = []
    for status in history:
        day = status.as_of
        arrears, oldest = 0, None
        for row in rows:
            if row.due_on >= day:
                continue
            owed = row.principal_due + row.interest_due
            unpaid = owed - sum(a for on, a in paid[row.id] if on <= day)
            if unpaid > 0:
                arrears += unpaid
                oldest = row.due_on if oldest is None else min(oldest, row.due_on)
        dpd = (day - oldest).days if oldest else 0
        grade = max(collectibility(dpd), loan.restructure_floor_grade or 1)
        facts = (dpd, grade, arrears, balance_by_date[day])
        old = (status.dpd, status.collectibility, status.arrears, status.outstanding_principal)
        if facts != old:
            changed.append({"as_of": day.isoformat(), "before": old, "after": facts})
            status.dpd, status.collectibility, status.arrears = dpd, grade, arrears
            status.outstanding_principal = balance_by_date[day]
    penalties = _recompute_penalties(session, loan, rows, paid) if loan.penalty_daily_rate else []
    latest = history[-1]
    if loan.status == "active" and (loan.dpd, loan.collectibility) != (
        latest.dpd,
        latest.collectibility,
    ):
        loan.dpd, loan.collectibility, loan.last_aged_on = (
            latest.dpd,
            latest.collectibility,
            latest.as_of,
        )
    if changed or penalties:
        after = {"rows": changed, "penalties": penalties}
        record(
            session,
            actor,
            "loan.reage",
            "loan",
            loan.id,
            before={"from": from_date.isoformat()},
            after=after,
            as_of=from_date,
        )
    session.flush()
    return len(changed)


def reage_same_day(
    session: Session, loan: Loan, status: LoanStatus, rows: list[Installment] | None = None
) -> dict[str, Any] | None:
    """Re-age the loan's latest status row after a payment value-dated on its day.

    No repayment is value-dated after it (``post_repayment`` refuses those before it), so
    the installments as they now stand are the state at the end of that day: one row, no
    ledger replay. ``rows`` is the current schedule when the caller holds it (read here
    otherwise). Returns the change (for the repayment's audit event), or None.
    """
    if rows is None:
        session.flush()
        rows = current_installments(session, loan.id)
    day = status.as_of
    unpaid = [
        (r.due_on, r.principal_due - r.principal_paid + r.interest_due - r.interest_paid)
        for r in rows
        if r.due_on < day
    ]
    late = [due for due, owed in unpaid if owed > 0]
    dpd = (day - min(late)).days if late else 0
    grade = max(collectibility(dpd), loan.restructure_floor_grade or 1)
    facts = (dpd, grade, sum(owed for _, owed in unpaid if owed > 0), loan.outstanding_principal)
    old = (status.dpd, status.collectibility, status.arrears, status.outstanding_principal)
    if facts == old:
        return None
    status.dpd, status.collectibility, status.arrears, status.outstanding_principal = facts
    if loan.status == "active":
        loan.dpd, loan.collectibility, loan.last_aged_on = dpd, grade, day
    return {"as_of": day.isoformat(), "before": list(old), "after": list(facts)}


def paid_by_date(session: Session, loan_id: int) -> dict[int, list[tuple[date, int]]]:
    """Principal + interest paid per installment, as (value date, amount), not reversed."""
    paid: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for installment_id, paid_on, amount in session.execute(
        select(
            RepaymentAllocation.installment_id,
            Repayment.paid_on,
            RepaymentAllocation.principal + RepaymentAllocation.interest,
        )
        .join(Repayment, Repayment.id == RepaymentAllocation.repayment_id)
        .where(Repayment.loan_id == loan_id, Repayment.reversed_on.is_(None))
    ):
        paid[installment_id].append((paid_on, int(amount)))
    return paid


def penalties_owed(
    session: Session,
    loan: Loan,
    rows: list[Installment],
    paid: dict[int, list[tuple[date, int]]],
    until: date | None = None,
) -> dict[int, int]:
    """Each instalment's penalty as the ageing runs of the loan (up to ``until``) charge it,
    with what was unpaid as of each run's date."""
    aged = set(session.scalars(select(LoanStatus.as_of).where(LoanStatus.loan_id == loan.id)))
    runs = list(session.scalars(select(AgeingRun.as_of).order_by(AgeingRun.as_of)))
    previous = dict(zip(runs[1:], runs, strict=False))
    rate = int((loan.penalty_daily_rate * MICRO).to_integral_value())
    owed_by_row = {}
    for row in rows:
        owed = row.principal_due + row.interest_due
        due = 0
        for run in runs:
            if run not in aged or run <= row.due_on or (until is not None and run > until):
                continue
            since = max(row.due_on, previous.get(run, row.due_on))
            unpaid = owed - sum(a for on, a in paid[row.id] if on <= run)
            if unpaid > 0 and run > since:
                due += unpaid * rate * (run - since).days // MICRO
        owed_by_row[row.id] = due
    return owed_by_row


def _recompute_penalties(
    session: Session,
    loan: Loan,
    rows: list[Installment],
    paid: dict[int, list[tuple[date, int]]],
) -> list[dict[str, int]]:
    """Set each instalment's penalty to what the runs charge now; movements for the change."""
    owed = penalties_owed(session, loan, rows, paid)
    last_run = session.scalar(
        select(func.max(LoanStatus.as_of)).where(LoanStatus.loan_id == loan.id)
    )
    corrections = []
    for row in rows:
        due = max(owed[row.id], row.penalty_paid)
        if due != row.penalty_due:
            kind = "penalty_charge" if due > row.penalty_due else "penalty_correction"
            delta = abs(due - row.penalty_due)
            session.add(
                LoanMovement(
                    loan_id=loan.id,
                    kind=kind,
                    amount=delta,
                    principal_delta=0,
                    posted_on=last_run,
                    installment_id=row.id,
                )
            )
            corrections.append({"installment": row.number, "before": row.penalty_due, "after": due})
            row.penalty_due = due
    return corrections


def _principal_by_date(session: Session, loan_id: int, days: list[date]) -> dict[date, int]:
    """Outstanding principal at the end of each day, from the ledger."""
    moves = session.execute(
        select(LoanMovement.posted_on, func.sum(LoanMovement.principal_delta))
        .where(LoanMovement.loan_id == loan_id)
        .group_by(LoanMovement.posted_on)
    ).all()
    return {d: max(0, int(sum(delta for on, delta in moves if on <= d))) for d in days}
