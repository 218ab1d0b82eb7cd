"""Monthly interest subsidy accrual (KUR: the state pays the lender a rate on outstanding).

Per loan and period: ``sum of end-of-day outstanding principal over the period's days x
subsidy rate / 360`` (loanmath ``subsidy_for_period``), rounded down once. The daily sum
comes from the ledger in one aggregate: the balance before the period counts for every day,
and each movement inside it counts from its posting day to the period's end. That is exactly
the sum of the ``LoanStatus`` rows on days that were aged, and also covers days that were
not, so the ledger is the one source used.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, exists, func, insert, select
from sqlalchemy.orm import Session

from loanmath.subsidy import subsidy_for_period

from ...models import Loan, LoanMovement, SubsidyAccrual
from ..audit import Actor, record
from .common import refuse
from .sqlparts import days_between, dialect_name


def accrue_subsidy(
    session: Session, period_start: date, period_end: date, actor: Actor | None = None
) -> int:
    """Accrue the interest subsidy of every loan with a balance in the period.

    Args:
        session: the unit of work.
        period_start: first day of the period (inclusive).
        period_end: last day of the period (inclusive).

    Returns:
        The number of ``SubsidyAccrual`` rows written (0 when the period was accrued).
    """
    if period_end < period_start:
        raise refuse("period_end", "must not be before period_start")
    session.flush()
    dialect = dialect_name(session)
    days = (period_end - period_start).days + 1
    mov = LoanMovement.__table__
    loans = Loan.__table__
    after_end = period_end + timedelta(days=1)
    weight = case(
        (mov.c.posted_on < period_start, days),
        else_=days_between(dialect, after_end, mov.c.posted_on),
    )
    done = exists().where(
        SubsidyAccrual.loan_id == loans.c.id, SubsidyAccrual.period_start == period_start
    )
    sums = session.execute(
        select(
            loans.c.id,
            loans.c.program_id,
            loans.c.subsidy_rate,
            func.sum(mov.c.principal_delta * weight).label("balance_days"),
        )
        .select_from(mov.join(loans, loans.c.id == mov.c.loan_id))
        .where(mov.c.posted_on <= period_end, loans.c.subsidy_rate > 0, ~done)
        .group_by(loans.c.id, loans.c.program_id, loans.c.subsidy_rate)
    ).all()
    rows = []
    for loan_id, program_id, rate, balance_days in sums:
        balance_days = int(balance_days or 0)
        if balance_days <= 0:
            continue
        rate = Decimal(str(rate)).quantize(Decimal("0.000001"))
        rows.append(
            {
                "loan_id": loan_id,
                "program_id": program_id,
                "period_start": period_start,
                "period_end": period_end,
                "average_outstanding": balance_days // days,
                "subsidy_rate": rate,
                # One "day" holding the whole balance-days sum: the loanmath rule on the sum.
                "amount": subsidy_for_period(balance_days, rate, days=1),
            }
        )
    if rows:
        session.execute(insert(SubsidyAccrual), rows)
        after = {
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "loans": len(rows),
            "amount": sum(int(r["amount"]) for r in rows),
        }
        record(session, actor or Actor.system(), "subsidy.accrue", "subsidy_accrual", None,
               after=after, as_of=period_end)  # fmt: skip
    return len(rows)
