"""Monthly interest subsidy accrual (KUR: the state pays the lender a rate on outstanding).

Per loan and period: ``sum of end-of-day outstanding principal over the period's days x
subsidy rate / 360`` (``/ 365`` for a loan on actual/365; loanmath ``subsidy_for_period``),
rounded down once. The daily sum
comes from the ledger in one aggregate: the balance before the period counts for every day,
and each movement inside it counts from its posting day to the period's end. That is exactly
the sum of the ``LoanStatus`` rows on days that were aged, and also covers days that were
not, so the ledger is the one source used.

Eligibility (the loan's own program version, ``ProgramTerms``; for a loan without one, the
program's ``ProgramServicing`` or its conservative defaults): no subsidy for a
period in which the loan was aged at a grade worse than ``subsidy_max_grade`` (default Kol 2:
the state subsidises performing KUR, not NPL); none after maturity unless
``subsidy_after_maturity``; never on capitalised interest (``restructure`` movements are left
out of the balance, so the capitalised amount is treated as repaid last).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import case, exists, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from loanmath.subsidy import subsidy_for_period

from ...models import (
    Loan,
    LoanMovement,
    LoanStatus,
    ProgramServicing,
    ProgramTerms,
    SubsidyAccrual,
)
from ..audit import Actor, record
from ..books.posting_rules import journal_subsidy
from .common import refuse
from .settings import DEFAULTS
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
    hist = LoanStatus.__table__
    rules = ProgramServicing.__table__
    terms = ProgramTerms.__table__
    max_grade = func.coalesce(
        terms.c.subsidy_max_grade, rules.c.subsidy_max_grade, DEFAULTS["subsidy_max_grade"]
    )
    after_maturity = func.coalesce(
        terms.c.subsidy_after_maturity,
        rules.c.subsidy_after_maturity,
        DEFAULTS["subsidy_after_maturity"],
    )
    # The last day a loan earns subsidy in the period: its maturity when that comes first
    # (unless the program allows subsidy after maturity).
    last_day = case(
        (
            or_(
                after_maturity.is_(True),
                loans.c.maturity_on.is_(None),
                loans.c.maturity_on >= period_end,
            ),
            literal(period_end),
        ),
        else_=loans.c.maturity_on,
    )
    weight = (
        case(
            (
                mov.c.posted_on < period_start,
                days_between(dialect, last_day, literal(period_start)),
            ),
            else_=days_between(dialect, last_day, mov.c.posted_on),
        )
        + 1
    )
    done = exists().where(
        SubsidyAccrual.loan_id == loans.c.id, SubsidyAccrual.period_start == period_start
    )
    graded_out = exists().where(
        hist.c.loan_id == loans.c.id,
        hist.c.as_of.between(period_start, period_end),
        hist.c.collectibility > max_grade,
    )
    sums = session.execute(
        select(
            loans.c.id,
            loans.c.program_id,
            loans.c.subsidy_rate,
            loans.c.day_count,
            func.sum(mov.c.principal_delta * weight).label("balance_days"),
        )
        .select_from(
            mov.join(loans, loans.c.id == mov.c.loan_id)
            .outerjoin(rules, rules.c.program_id == loans.c.program_id)
            .outerjoin(terms, terms.c.id == loans.c.program_terms_id)
        )
        .where(
            mov.c.posted_on <= last_day,
            last_day >= period_start,
            mov.c.kind != "restructure",  # capitalised interest earns no subsidy
            loans.c.subsidy_rate > 0,
            ~done,
            ~graded_out,
        )
        .group_by(loans.c.id, loans.c.program_id, loans.c.subsidy_rate, loans.c.day_count)
    ).all()
    rows = []
    for loan_id, program_id, rate, day_count, balance_days in sums:
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
                "amount": subsidy_for_period(
                    balance_days, rate, days=1, day_basis=365 if day_count == "actual/365" else 360
                ),
            }
        )
    if rows:
        session.execute(insert(SubsidyAccrual), rows)
        by_program: dict[int, int] = {}
        for r in rows:
            by_program[int(r["program_id"])] = by_program.get(int(r["program_id"]), 0) + int(
                r["amount"]
            )
        journal_subsidy(session, period_start, period_end, by_program)
        after = {
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "loans": len(rows),
            "amount": sum(int(r["amount"]) for r in rows),
        }
        record(
            session,
            actor or Actor.system(),
            "subsidy.accrue",
            "subsidy_accrual",
            None,
            after=after,
            as_of=period_end,
        )
    return len(rows)
