"""Portfolio quality as of a date: gross portfolio, PAR, NPL and collectibility.

All figures come from one snapshot of ``loan_status_history`` (see ``scope``): the status
rows of active loans written by the end-of-day run. Written-off and closed loans have no row
there, so they are outside both numerator and denominator; write-offs are reported apart.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, Subquery, and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from .scope import (
    ENTERPRISES,
    HIST,
    LOANS,
    MOVEMENTS,
    PROGRAMS,
    RESTRUCTURINGS,
    Scope,
    ratio,
)

# PARx counts loans more than x days past due; PAR1 is "any instalment late" (dpd >= 1).
PAR_THRESHOLDS = {"par1": 0, "par30": 30, "par60": 60, "par90": 90}
NPL_FROM_GRADE = 3  # OJK Kol 3-5 (Kurang Lancar, Diragukan, Macet)
GRADES = (1, 2, 3, 4, 5)
# The aggregate row of an empty portfolio (no ageing run yet on or before the as-of date).
EMPTY = SimpleNamespace(
    loans=0,
    gross=0,
    npl=0,
    par30_restructured=0,
    restructured=0,
    **dict.fromkeys(PAR_THRESHOLDS, 0),
)


def restructured_loans(scope: Scope) -> Subquery:
    """Loans restructured on or before the snapshot date, once each.

    Derived from ``restructurings`` (not a flag column), so past dates answer as they were;
    outer-joined once (a hash join) rather than probed per status row.
    """
    return (
        select(RESTRUCTURINGS.c.loan_id)
        .where(RESTRUCTURINGS.c.effective_on <= scope.snapshot)
        .group_by(RESTRUCTURINGS.c.loan_id)
        .subquery("restructured")
    )


def snapshot_rows(scope: Scope, restructured: Subquery, *columns: Any) -> Select[Any]:
    """SELECT ``columns`` FROM the snapshot's status rows outer-joined to the restructured
    loans, and joined to loans when filtered."""
    source = HIST.outerjoin(restructured, restructured.c.loan_id == HIST.c.loan_id)
    if scope.filtered:
        source = source.join(LOANS, LOANS.c.id == HIST.c.loan_id)
    query = select(*columns).select_from(source).where(HIST.c.as_of == scope.snapshot)
    return query.where(*scope.loan_filters())


def _balance(where: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(HIST.c.outstanding_principal).filter(where), 0)


def quality_columns(restructured_loans: Subquery) -> list[Any]:
    """count, gross, then PAR numerators, NPL numerator, PAR30+restructured, restructured
    (the FROM must outer-join ``restructured_loans``)."""
    restructured = restructured_loans.c.loan_id.is_not(None)
    return [
        func.count().label("loans"),
        func.coalesce(func.sum(HIST.c.outstanding_principal), 0).label("gross"),
        *(_balance(HIST.c.dpd > days).label(name) for name, days in PAR_THRESHOLDS.items()),
        _balance(HIST.c.collectibility >= NPL_FROM_GRADE).label("npl"),
        _balance(or_(HIST.c.dpd > 30, restructured)).label("par30_restructured"),
        _balance(restructured).label("restructured"),
    ]


def quality_figures(row: Any) -> dict[str, Any]:
    """Turn one aggregate row of ``quality_columns`` into ratios (0.0 on an empty set)."""
    gross = int(row.gross)
    out: dict[str, Any] = {"loans_active": int(row.loans), "gross_outstanding": gross}
    for name in PAR_THRESHOLDS:
        out[name] = ratio(int(getattr(row, name)), gross)
    out["npl_ratio"] = ratio(int(row.npl), gross)
    out["par30_restructured"] = ratio(int(row.par30_restructured), gross)
    out["restructured_outstanding"] = int(row.restructured)
    return out


def written_off(session: Session, scope: Scope) -> dict[str, int]:
    """Principal written off on or before the as-of date (outside the gross portfolio)."""
    query = select(
        func.coalesce(func.sum(MOVEMENTS.c.amount), 0), func.count(MOVEMENTS.c.loan_id.distinct())
    ).where(MOVEMENTS.c.kind == "write_off", MOVEMENTS.c.posted_on <= scope.as_of)
    if scope.filtered:
        query = query.select_from(MOVEMENTS.join(LOANS, LOANS.c.id == MOVEMENTS.c.loan_id))
        query = query.where(*scope.loan_filters())
    amount, loans = session.execute(query).one()
    return {"written_off_total": int(amount), "written_off_loans": int(loans)}


def portfolio(session: Session, scope: Scope) -> dict[str, Any]:
    """Gross portfolio, PAR1/30/60/90, NPL ratio, collectibility and PAR30 + restructured.

    gross_outstanding = sum(outstanding principal) over active loans in the snapshot
    PARx = sum(outstanding of loans with dpd > x) / gross   (x = 0 for PAR1, 30, 60, 90)
    npl_ratio = sum(outstanding of Kol 3-5) / gross
    par30_restructured = sum(outstanding of loans with dpd > 30 or restructured) / gross
    collectibility[k] = sum(outstanding of Kol k); collectibility_count[k] = loans in Kol k
    written_off_total = principal written off up to as_of (reported apart from gross)
    """
    figures: dict[str, Any] = {**scope.describe()}
    balances = dict.fromkeys(GRADES, 0)
    counts = dict.fromkeys(GRADES, 0)
    if scope.snapshot is None:
        figures.update(quality_figures(EMPTY))
    else:
        restructured = restructured_loans(scope)
        row = session.execute(snapshot_rows(scope, restructured, *quality_columns(restructured)))
        figures.update(quality_figures(row.one()))
        grouped = snapshot_rows(
            scope,
            restructured,
            HIST.c.collectibility,
            func.count(),
            func.sum(HIST.c.outstanding_principal),
        ).group_by(HIST.c.collectibility)
        for grade, n, balance in session.execute(grouped):
            counts[int(grade)], balances[int(grade)] = int(n), int(balance)
    figures["collectibility"] = {str(g): balances[g] for g in GRADES}
    figures["collectibility_count"] = {str(g): counts[g] for g in GRADES}
    figures.update(written_off(session, scope))
    return figures


def collectibility(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Kol 1-5 by balance and count: share_balance = balance_k / gross, share_count = n_k / n."""
    figures = portfolio(session, scope)
    gross, loans = figures["gross_outstanding"], figures["loans_active"]
    return [
        {
            "collectibility": g,
            "loans": figures["collectibility_count"][str(g)],
            "outstanding": figures["collectibility"][str(g)],
            "share_balance": ratio(figures["collectibility"][str(g)], gross),
            "share_count": ratio(figures["collectibility_count"][str(g)], loans),
        }
        for g in GRADES
    ]


def par_by_program_province(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """PAR and NPL per program x province (the enterprise's province), same formulas as
    ``portfolio`` within each group; rows ordered by program code, then province."""
    if scope.snapshot is None:
        return []
    restructured = restructured_loans(scope)
    joined = HIST.outerjoin(restructured, restructured.c.loan_id == HIST.c.loan_id)
    joined = joined.join(LOANS, LOANS.c.id == HIST.c.loan_id)
    joined = joined.join(PROGRAMS, PROGRAMS.c.id == LOANS.c.program_id)
    joined = joined.join(ENTERPRISES, ENTERPRISES.c.id == LOANS.c.enterprise_id)
    query = (
        select(PROGRAMS.c.code, ENTERPRISES.c.province, *quality_columns(restructured))
        .select_from(joined)
        .where(and_(HIST.c.as_of == scope.snapshot, *scope.loan_filters()))
        .group_by(PROGRAMS.c.code, ENTERPRISES.c.province)
        .order_by(PROGRAMS.c.code, ENTERPRISES.c.province)
    )
    rows = []
    for row in session.execute(query):
        rows.append({"program": row.code, "province": row.province, **quality_figures(row)})
    return rows
