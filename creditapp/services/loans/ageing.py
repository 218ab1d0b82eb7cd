"""End-of-day ageing of every active loan in a few set-based statements (no loop over loans).

For one as-of date: charge late-payment penalties (programs with a daily penalty rate),
write one ``LoanStatus`` row per active loan (days past due of the oldest unpaid due
installment of the current schedule, OJK collectibility -- never better than a restructured
loan's floor grade, see ``grading`` -- arrears, outstanding), update the
loans' cached dpd/collectibility/last_aged_on, and submit guarantee claims.

Ageing runs forward for the whole portfolio, recorded in ``ageing_runs``: a date on or
before the last run is a no-op, so re-running a date changes nothing and an earlier date
never moves a loan's cached facts back. ``Loan.last_aged_on`` is written only when a loan's
facts change (it is the date they were last set); the latest run date is the ageing date
of every active loan. Penalties accrue per day since the later of the due date and the
previous run, so skipped days are charged once and no day twice.
The status rows and the loans' facts both come from one aggregate over the installments
(not from the freshly inserted history rows, whose planner statistics are stale).
Grades come from ``loanmath.ageing`` (``COLLECTIBILITY``); the guarantee claim trigger is the
loan's own program version (``ProgramTerms.claim_grade``, ``claim_on_arrears_at_maturity``),
``GUARANTEE_CLAIM_GRADE`` only for loans without one. A claim by grade keeps the trigger name
``collectibility_4`` (the claims table's vocabulary) whatever the version's grade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import (
    Table,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from loanmath.ageing import COLLECTIBILITY, GUARANTEE_CLAIM_GRADE

from ...models import (
    AgeingRun,
    GuaranteeClaim,
    Installment,
    Loan,
    LoanMovement,
    LoanStatus,
    ProgramTerms,
)
from ...models.base import UTCDateTime, utcnow
from ..audit import Actor, record
from .sqlparts import MICRO, days_between, dialect_name, later_of, micro

# Typed as tables (the ORM types ``__table__`` as a generic FromClause).
LOANS = cast(Table, Loan.__table__)
INST = cast(Table, Installment.__table__)
HIST = cast(Table, LoanStatus.__table__)
MOVEMENTS = cast(Table, LoanMovement.__table__)
CLAIMS = cast(Table, GuaranteeClaim.__table__)
RUNS = cast(Table, AgeingRun.__table__)


@dataclass(frozen=True)
class AgeingSummary:
    """What one ageing run did."""

    as_of: date
    loans_aged: int  # status rows written by this run (0 on a re-run)
    by_collectibility: dict[int, int] = field(default_factory=dict)  # all loans aged as_of
    new_guarantee_claims: int = 0
    penalty_charged: int = 0


def collectibility_case(dpd: Any) -> ColumnElement[int]:
    """SQL CASE giving the OJK grade for a dpd expression, from ``loanmath.COLLECTIBILITY``."""
    bounded = [(dpd <= g.max_dpd, g.grade) for g in COLLECTIBILITY if g.max_dpd is not None]
    return case(*bounded, else_=COLLECTIBILITY[-1].grade)


def graded_with_floor(dialect: str, dpd: Any, floor: Any) -> ColumnElement[int]:
    """The grade by dpd, never better than a restructured loan's floor (``grading``)."""
    by_dpd = collectibility_case(dpd)
    return case((floor.is_(None), by_dpd), else_=later_of(dialect, by_dpd, floor))


def _count(session: Session, table: Table, where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(table).where(where)) or 0)


def _charge_penalties(
    session: Session, day: Any, charged: ColumnElement[bool], penalty: ColumnElement[Any]
) -> int:
    """Add the day's penalties to the installments, with one movement per loan.

    Returns:
        The total charged.
    """
    joined = INST.join(LOANS, LOANS.c.id == INST.c.loan_id)
    total = int(
        session.scalar(
            select(func.coalesce(func.sum(penalty), 0)).select_from(joined).where(charged)
        )
        or 0
    )
    per_loan = (
        select(
            INST.c.loan_id,
            literal("penalty_charge"),
            func.sum(penalty),
            literal(0),
            day,
            literal(utcnow(), UTCDateTime()),
        )
        .select_from(joined)
        .where(charged)
        .group_by(INST.c.loan_id)
        .having(func.sum(penalty) > 0)
    )
    columns = ["loan_id", "kind", "amount", "principal_delta", "posted_on", "created_at"]
    session.execute(insert(MOVEMENTS).from_select(columns, per_loan))
    session.execute(
        update(INST)
        .where(charged, penalty > 0)
        .values(penalty_due=INST.c.penalty_due + penalty)
        .execution_options(synchronize_session=False)
    )
    return total


def _by_grade(session: Session, as_of: date) -> dict[int, int]:
    """Loans per collectibility grade in the status history of ``as_of``."""
    rows = session.execute(
        select(HIST.c.collectibility, func.count())
        .where(HIST.c.as_of == as_of)
        .group_by(HIST.c.collectibility)
    )
    return {int(grade): int(n) for grade, n in rows}


def age_loans(session: Session, as_of: date, actor: Actor | None = None) -> AgeingSummary:
    """Age every active loan as of ``as_of``.

    Args:
        session: the unit of work (flushed statements, not committed).
        as_of: the business date aged; an installment due on it is not yet late.
        actor: who runs it (audited: the run, and the guarantee claims it submits);
            the system by default.

    Returns:
        An ``AgeingSummary``.
    """
    session.flush()
    dialect = dialect_name(session)
    day = literal(as_of)
    # Ageing runs forward for the whole portfolio: a date on or before the last run is a
    # no-op, so a re-run changes nothing and the cached facts never move back in time.
    last_run = session.scalar(select(func.max(RUNS.c.as_of)))
    if last_run is not None and as_of <= last_run:
        return AgeingSummary(
            as_of=as_of,
            loans_aged=0,
            by_collectibility=_by_grade(session, as_of),
            new_guarantee_claims=0,
            penalty_charged=0,
        )
    eligible = LOANS.c.status == "active"
    unpaid_pi = (INST.c.principal_due - INST.c.principal_paid) + (
        INST.c.interest_due - INST.c.interest_paid
    )
    overdue = and_(INST.c.superseded.is_(False), INST.c.due_on < as_of, unpaid_pi > 0)

    # 1. Penalties for the days since the previous run (or the due date, if later).
    previous = literal(last_run) if last_run is not None else INST.c.due_on
    since = later_of(dialect, INST.c.due_on, previous)
    days = days_between(dialect, day, since)
    penalty = unpaid_pi * micro(LOANS.c.penalty_daily_rate) * days // MICRO
    charged = and_(
        eligible, overdue, LOANS.c.id == INST.c.loan_id, LOANS.c.penalty_daily_rate > 0, days > 0
    )
    penalty_total = 0
    if session.scalar(select(exists().where(eligible, LOANS.c.penalty_daily_rate > 0))):
        penalty_total = _charge_penalties(session, day, charged, penalty)

    # 2. One status row per eligible loan, then 3. the loans' cached facts, both from the
    # same aggregate over the overdue installments of the current schedules.
    oldest = (
        select(
            INST.c.loan_id,
            func.min(INST.c.due_on).label("oldest"),
            func.sum(unpaid_pi).label("arrears"),
        )
        .where(overdue)
        .group_by(INST.c.loan_id)
        .subquery("oldest")
    )
    dpd = func.coalesce(days_between(dialect, day, oldest.c.oldest), 0)
    aged = (
        select(
            LOANS.c.id.label("loan_id"),
            dpd.label("dpd"),
            LOANS.c.outstanding_principal,
            func.coalesce(oldest.c.arrears, 0).label("arrears"),
            LOANS.c.status,
            LOANS.c.restructured,
            LOANS.c.restructure_count,
            LOANS.c.restructure_floor_grade,
        )
        .select_from(LOANS.outerjoin(oldest, oldest.c.loan_id == LOANS.c.id))
        .where(eligible)
        .subquery("aged")
    )
    graded = select(
        aged.c.loan_id,
        day.label("as_of"),
        aged.c.dpd,
        graded_with_floor(dialect, aged.c.dpd, aged.c.restructure_floor_grade).label(
            "collectibility"
        ),
        aged.c.outstanding_principal,
        aged.c.arrears,
        aged.c.status,
        aged.c.restructured,
        aged.c.restructure_count,
        aged.c.restructure_floor_grade,
    )
    # Counted before and after: psycopg reports no rowcount for INSERT ... SELECT here.
    aged_before = _count(session, HIST, HIST.c.as_of == as_of)
    columns = ["loan_id", "as_of", "dpd", "collectibility", "outstanding_principal", "arrears"]
    restructure = ["restructured", "restructure_count", "restructure_floor_grade"]
    session.execute(insert(HIST).from_select([*columns, "status", *restructure], graded))
    # Most loans stay current from one day to the next: rewriting only the rows whose facts
    # changed, not every loan, is most of what makes a million-loan day fast.
    facts = graded.subquery("facts")
    session.execute(
        update(LOANS)
        .where(
            facts.c.loan_id == LOANS.c.id,
            or_(
                LOANS.c.dpd != facts.c.dpd,
                LOANS.c.collectibility != facts.c.collectibility,
            ),
        )
        .values(dpd=facts.c.dpd, collectibility=facts.c.collectibility, last_aged_on=as_of)
        .execution_options(synchronize_session=False)
    )

    # 4. Guarantee claims, once per loan (the unique loan_id guards it too). Arrears at
    # maturity is dpd > 0 after the final due date.
    # The trigger is the loan's own terms (its program version); loans without one keep the
    # KUR default (Kol 4, or arrears at maturity).
    claims = CLAIMS
    terms = ProgramTerms.__table__
    claim_grade = func.coalesce(terms.c.claim_grade, GUARANTEE_CLAIM_GRADE)
    at_maturity = func.coalesce(terms.c.claim_on_arrears_at_maturity, True)
    claimable = or_(
        LOANS.c.collectibility >= claim_grade,
        and_(at_maturity.is_(True), LOANS.c.maturity_on < as_of, LOANS.c.dpd > 0),
    )
    new_claims = (
        select(
            LOANS.c.id,
            case(
                (LOANS.c.collectibility >= claim_grade, "collectibility_4"),
                else_="arrears_at_maturity",
            ),
            day,
            LOANS.c.outstanding_principal,
            LOANS.c.guarantee_coverage,
            LOANS.c.outstanding_principal * micro(LOANS.c.guarantee_coverage) // MICRO,
            literal("submitted"),
            literal(0),
        )
        .select_from(LOANS.outerjoin(terms, terms.c.id == LOANS.c.program_terms_id))
        .where(
            LOANS.c.status == "active",
            claimable,
            ~exists().where(claims.c.loan_id == LOANS.c.id),
        )
    )
    claims_before = _count(session, claims, claims.c.claimed_on == as_of)
    session.execute(
        insert(claims).from_select(
            [
                "loan_id",
                "trigger",
                "claimed_on",
                "outstanding_principal",
                "coverage",
                "amount",
                "status",
                "paid_amount",
            ],
            new_claims,
        )
    )
    by_grade = _by_grade(session, as_of)
    session.execute(
        insert(RUNS).values(as_of=as_of, loans_aged=sum(by_grade.values()) - aged_before)
    )
    session.expire_all()  # cached loans/installments were changed behind the ORM's back
    summary = AgeingSummary(
        as_of=as_of,
        loans_aged=sum(by_grade.values()) - aged_before,
        by_collectibility=by_grade,
        new_guarantee_claims=_count(session, claims, claims.c.claimed_on == as_of) - claims_before,
        penalty_charged=penalty_total,
    )
    _audit(session, actor or Actor.system(), summary)
    return summary


def _audit(session: Session, actor: Actor, summary: AgeingSummary) -> None:
    """One audit event for the run, and one listing the guarantee claims it submitted."""
    run_id = session.scalar(select(RUNS.c.id).where(RUNS.c.as_of == summary.as_of))
    record(
        session,
        actor,
        "loans.age",
        "ageing_run",
        run_id,
        as_of=summary.as_of,
        after={
            "loans_aged": summary.loans_aged,
            "by_collectibility": {str(k): v for k, v in sorted(summary.by_collectibility.items())},
            "penalty_charged": summary.penalty_charged,
            "new_guarantee_claims": summary.new_guarantee_claims,
        },
    )
    if summary.new_guarantee_claims:
        claims = session.execute(
            select(CLAIMS.c.id, CLAIMS.c.loan_id, CLAIMS.c.trigger, CLAIMS.c.amount)
            .where(CLAIMS.c.claimed_on == summary.as_of)
            .order_by(CLAIMS.c.id)
        ).all()
        listed = [[int(i), int(loan), trigger, int(amount)] for i, loan, trigger, amount in claims]
        after = {"claims": listed, "total": sum(c[3] for c in listed)}
        record(
            session,
            actor,
            "guarantee_claims.submit",
            "guarantee_claim",
            None,
            after=after,
            as_of=summary.as_of,
        )
