"""The daily interest accrual run: accrued interest of performing loans, set-based.

For ``as_of`` D (runs move forward only, one per date, like ageing: a date on or before
the last run is a no-op, so re-running changes nothing):

1. Non-performing loans (Kol 3-5 at their last ageing) lose their accrued-but-unpaid
   interest: one ``npl_reversal`` row per loan, and per program *interest income* debited,
   *accrued interest receivable* credited. From then on their interest is income only when
   paid (cash basis, see ``posting_rules.py``).
2. Performing loans (active, Kol 1-2, principal outstanding) accrue the days since the
   previous run (1 for the first run) on their outstanding principal:
   ``round_half_up(outstanding x rate x days / basis)`` with basis 365 for actual/365 and
   360 for 30/360 loans (loanmath ``accrued_interest`` for whole days of a 30-day month).
   One ``accrual`` row per loan, and per program receivable debited, income credited.

Both steps are ``INSERT ... SELECT`` statements plus one small aggregate per program, so
the cost does not grow with Python work per loan. A run skipping days accrues them on the
balance at the run; run it daily for exact figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, and_, case, func, insert, literal, select
from sqlalchemy.orm import Session

from ...models import InterestAccrual, InterestAccrualRun, Loan
from ..audit import Actor, record
from ..loans.sqlparts import MICRO, micro
from .chart import account_id
from .journal import Line, post_entry

# Typed as tables (the ORM types ``__table__`` as a generic FromClause).
LOANS = cast(Table, Loan.__table__)
ACCRUALS = cast(Table, InterestAccrual.__table__)
PERFORMING_MAX_GRADE = 2  # Kol 3-5 is non-performing (NPL): interest on cash only


@dataclass(frozen=True)
class AccrualSummary:
    """What one run did."""

    as_of: date
    days: int
    loans_accrued: int
    accrued: int
    loans_reversed: int
    reversed: int


def daily_interest_sql(days: int) -> Any:
    """SQL for one loan's interest over ``days`` on its outstanding principal, half up."""
    basis = case((LOANS.c.day_count == "actual/365", 365), else_=360)
    numerator = LOANS.c.outstanding_principal * micro(LOANS.c.annual_rate) * days
    denominator = basis * MICRO
    return (numerator * 2 + denominator) // (denominator * 2)


def _per_program(session: Session, rows: Any) -> tuple[int, dict[int, int]]:
    """How many rows ``rows`` (program_id, amount) holds, and their sum per program.

    Summed from the same SELECT that fed the insert (same transaction, same rows), so the
    run never re-reads the growing ``interest_accruals`` table.
    """
    sub = rows.subquery()
    found = session.execute(
        select(sub.c.program_id, func.sum(sub.c.amount), func.count()).group_by(sub.c.program_id)
    ).all()
    return sum(int(n) for _, _, n in found), {int(p): int(t) for p, t, _ in found if t}


def accrue_interest(session: Session, as_of: date, actor: Actor | None = None) -> AccrualSummary:
    """Run the accrual of ``as_of`` (see the module docstring); flushes, never commits."""
    session.flush()
    last = session.scalar(select(func.max(InterestAccrualRun.as_of)))
    if last is not None and as_of <= last:
        return AccrualSummary(as_of, 0, 0, 0, 0, 0)
    days = (as_of - last).days if last is not None else 1
    for program_id in session.scalars(select(LOANS.c.program_id).distinct()):
        # Per-program accounts exist before the set-based journal below needs them.
        account_id(session, "interest_receivable", program_id)
        account_id(session, "interest_income", program_id)

    # Summed before the insert: afterwards the reversal rows bring these balances to 0.
    held = (
        select(ACCRUALS.c.loan_id, func.sum(ACCRUALS.c.amount).label("balance"))
        .select_from(ACCRUALS.join(LOANS, LOANS.c.id == ACCRUALS.c.loan_id))
        .where(LOANS.c.collectibility > PERFORMING_MAX_GRADE)
        .group_by(ACCRUALS.c.loan_id)
        .having(func.sum(ACCRUALS.c.amount) > 0)
        .subquery()
    )
    reversed_count, reversed_by_program = _per_program(
        session,
        select(LOANS.c.program_id, (-held.c.balance).label("amount")).join(
            LOANS, LOANS.c.id == held.c.loan_id
        ),
    )
    session.execute(
        insert(ACCRUALS).from_select(
            ["loan_id", "accrued_on", "kind", "amount"],
            select(held.c.loan_id, literal(as_of), literal("npl_reversal"), -held.c.balance),
        )
    )
    performing = and_(
        LOANS.c.status == "active",
        LOANS.c.outstanding_principal > 0,
        LOANS.c.collectibility <= PERFORMING_MAX_GRADE,
    )
    amount = daily_interest_sql(days)
    session.execute(
        insert(ACCRUALS).from_select(
            ["loan_id", "accrued_on", "kind", "amount"],
            select(LOANS.c.id, literal(as_of), literal("accrual"), amount).where(
                performing, amount > 0
            ),
        )
    )
    accrued_count, accrued_by_program = _per_program(
        session,
        select(LOANS.c.program_id, amount.label("amount")).where(performing, amount > 0),
    )
    for program_id, total in sorted(reversed_by_program.items()):
        post_entry(
            session,
            entry_date=as_of,
            event="interest_npl_reversal",
            source_ref=f"npl_reversal:{as_of}:p{program_id}",
            program_id=program_id,
            memo="accrued interest of Kol 3-5 loans reversed (cash basis from now)",
            lines=[
                Line("interest_income", debit=-total, program_id=program_id),
                Line("interest_receivable", credit=-total, program_id=program_id),
            ],
        )
    for program_id, total in sorted(accrued_by_program.items()):
        post_entry(
            session,
            entry_date=as_of,
            event="interest_accrual",
            source_ref=f"accrual:{as_of}:p{program_id}",
            program_id=program_id,
            memo=f"interest accrued for {days} day(s)",
            lines=[
                Line("interest_receivable", debit=total, program_id=program_id),
                Line("interest_income", credit=total, program_id=program_id),
            ],
        )
    summary = AccrualSummary(
        as_of=as_of,
        days=days,
        loans_accrued=accrued_count,
        accrued=sum(accrued_by_program.values()),
        loans_reversed=reversed_count,
        reversed=-sum(reversed_by_program.values()),
    )
    session.add(
        InterestAccrualRun(
            as_of=as_of,
            loans_accrued=summary.loans_accrued,
            amount=summary.accrued,
            reversed_amount=summary.reversed,
        )
    )
    session.flush()
    record(
        session,
        actor or Actor.system(),
        "books.accrue",
        "interest_accrual_run",
        None,
        after={
            "as_of": as_of.isoformat(),
            "days": days,
            "loans_accrued": summary.loans_accrued,
            "accrued": summary.accrued,
            "loans_reversed": summary.loans_reversed,
            "reversed": summary.reversed,
        },
        as_of=as_of,
    )
    return summary
