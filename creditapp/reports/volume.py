"""How much went out and to whom: volume by dimension, quota, subsidy and guarantee cover."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..errors import DomainError
from ..models import Application, ProgramLenderQuota
from ..services.loans.sqlparts import MICRO, micro
from ..services.sizeclass import SALES_CLASSES
from .flows import period_of
from .scope import (
    CLAIMS,
    ENTERPRISES,
    HIST,
    LENDERS,
    LOANS,
    MOVEMENTS,
    PROGRAMS,
    SUBSIDY,
    Scope,
    month_index,
    month_label,
    ratio,
)

APPLICATIONS = Application.__table__
QUOTAS = ProgramLenderQuota.__table__


def size_class_sql(sales: Any) -> ColumnElement[str]:
    """PP 7/2021 size class by annual sales (the thresholds of ``services.sizeclass``)."""
    return case(*((sales <= bound, name) for bound, name in SALES_CLASSES), else_="large")


def _dimension(scope: Scope, name: str, first_on: Any) -> ColumnElement[Any]:
    dims: dict[str, Any] = {
        "program": PROGRAMS.c.code,
        "segment": PROGRAMS.c.segment,
        "lender": LENDERS.c.code,
        "province": ENTERPRISES.c.province,
        "sector": ENTERPRISES.c.kbli_division,
        "gender": ENTERPRISES.c.owner_gender,
        "size_class": size_class_sql(ENTERPRISES.c.annual_sales),
        "month": month_index(scope.dialect, first_on),
    }
    if name not in dims:
        raise DomainError("unknown dimension", {"by": [f"{name!r} is not one of {sorted(dims)}"]})
    column: ColumnElement[Any] = dims[name]
    return column


VOLUME_DIMENSIONS = (
    "program",
    "segment",
    "lender",
    "province",
    "sector",
    "gender",
    "size_class",
    "month",
)


def volume(session: Session, scope: Scope, by: str = "program") -> list[dict[str, Any]]:
    """Disbursed, outstanding and debtors by one dimension, up to the as-of date.

    disbursed = sum of disbursement movements posted up to as_of; loans = loans disbursed
    outstanding = sum(outstanding principal) in the snapshot; debtors = distinct enterprises
        with an outstanding loan in the snapshot
    average_loan = disbursed / loans
    first_time_share = loans of enterprises with no earlier program access (access count 0
        at application) / loans
    month = month of the first disbursement.
    """
    disbursed = (
        select(
            MOVEMENTS.c.loan_id,
            func.min(MOVEMENTS.c.posted_on).label("first_on"),
            func.sum(MOVEMENTS.c.amount).label("amount"),
        )
        .where(MOVEMENTS.c.kind == "disbursement", MOVEMENTS.c.posted_on <= scope.as_of)
        .group_by(MOVEMENTS.c.loan_id)
        .subquery("disbursed")
    )
    key = _dimension(scope, by, disbursed.c.first_on).label("key")
    first_time = (
        func.coalesce(APPLICATIONS.c.profile_kur_access_count, ENTERPRISES.c.kur_access_count) == 0
    )
    snapshot = HIST.c.as_of == scope.snapshot if scope.snapshot else HIST.c.id.is_(None)
    joined = (
        disbursed.join(LOANS, LOANS.c.id == disbursed.c.loan_id)
        .join(PROGRAMS, PROGRAMS.c.id == LOANS.c.program_id)
        .join(LENDERS, LENDERS.c.id == LOANS.c.lender_id)
        .join(ENTERPRISES, ENTERPRISES.c.id == LOANS.c.enterprise_id)
        .join(APPLICATIONS, APPLICATIONS.c.id == LOANS.c.application_id)
        .outerjoin(HIST, and_(HIST.c.loan_id == LOANS.c.id, snapshot))
    )
    query = (
        select(
            key,
            func.count().label("loans"),
            func.sum(disbursed.c.amount).label("disbursed"),
            func.coalesce(func.sum(HIST.c.outstanding_principal), 0).label("outstanding"),
            func.count(func.distinct(case((HIST.c.id.is_not(None), LOANS.c.enterprise_id)))).label(
                "debtors"
            ),
            func.count().filter(first_time).label("first_time"),
        )
        .select_from(joined)
        .where(*scope.loan_filters())
        .group_by(key)
        .order_by(key)
    )
    rows = []
    for row in session.execute(query):
        value = month_label(int(row.key)) if by == "month" else row.key
        rows.append(
            {
                by: value,
                "loans": int(row.loans),
                "disbursed": int(row.disbursed),
                "outstanding": int(row.outstanding),
                "debtors": int(row.debtors),
                "average_loan": round(ratio(int(row.disbursed), int(row.loans))),
                "first_time_share": ratio(int(row.first_time), int(row.loans)),
            }
        )
    return rows


def quota(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Quota used and left per program (all lenders) and per program x lender, in the as-of year.

    used = sum(principal) of loans approved from 1 January of the as-of year up to as_of
    left = max(quota - used, 0); quota is the program's total or the lender's allotment
    """
    year_start = scope.as_of.replace(month=1, day=1)
    in_year = and_(LOANS.c.approved_on >= year_start, LOANS.c.approved_on <= scope.as_of)
    used_q = (
        select(LOANS.c.program_id, LOANS.c.lender_id, func.sum(LOANS.c.principal))
        .where(in_year, *scope.loan_filters())
        .group_by(LOANS.c.program_id, LOANS.c.lender_id)
    )
    used = {(int(p), int(lid)): int(a) for p, lid, a in session.execute(used_q)}
    programs = session.execute(
        select(PROGRAMS.c.id, PROGRAMS.c.code, PROGRAMS.c.quota_total).order_by(PROGRAMS.c.code)
    ).all()
    lenders = dict(session.execute(select(LENDERS.c.id, LENDERS.c.code)).all())
    allotments = {  # the as-of year's quotas, all segments together
        (int(p), int(lid)): int(q)
        for p, lid, q in session.execute(
            select(QUOTAS.c.program_id, QUOTAS.c.lender_id, func.sum(QUOTAS.c.quota))
            .where(QUOTAS.c.year == scope.as_of.year)
            .group_by(QUOTAS.c.program_id, QUOTAS.c.lender_id)
        )
    }
    rows = []
    for pid, code, total in programs:
        if scope.program_id is not None and pid != scope.program_id:
            continue
        pairs = sorted(
            {k for k in (*used, *allotments) if k[0] == pid}, key=lambda k: lenders[k[1]]
        )
        if scope.lender_id is None:
            spent = sum(v for k, v in used.items() if k[0] == pid)
            rows.append(_quota_row(code, None, scope.as_of.year, total, spent))
        for _, lid in pairs:
            if scope.lender_id is not None and lid != scope.lender_id:
                continue
            rows.append(
                _quota_row(
                    code,
                    lenders[lid],
                    scope.as_of.year,
                    allotments.get((pid, lid)),
                    used.get((pid, lid), 0),
                )
            )
    return rows


def _quota_row(
    program: str, lender: str | None, year: int, total: Any, spent: int
) -> dict[str, Any]:
    return {
        "program": program,
        "lender": lender,
        "year": year,
        "quota": None if total is None else int(total),
        "used": spent,
        "left": None if total is None else max(int(total) - spent, 0),
        "used_share": None if not total else ratio(spent, int(total)),
    }


def subsidy(
    session: Session, scope: Scope, period_start: date | None = None
) -> list[dict[str, Any]]:
    """Interest subsidy accrued by month and program: sum(amount) of the accruals whose period
    ends on or before as_of, by the month of the period's start; with ``period_start``, only
    accrual periods starting on or after it."""
    month = month_index(scope.dialect, SUBSIDY.c.period_start).label("month")
    since = []
    if period_start is not None:
        since.append(SUBSIDY.c.period_start >= period_of(scope, period_start))
    query = (
        select(month, PROGRAMS.c.code, func.count(), func.sum(SUBSIDY.c.amount))
        .select_from(
            SUBSIDY.join(LOANS, LOANS.c.id == SUBSIDY.c.loan_id).join(
                PROGRAMS, PROGRAMS.c.id == SUBSIDY.c.program_id
            )
        )
        .where(SUBSIDY.c.period_end <= scope.as_of, *since, *scope.loan_filters())
        .group_by(month, PROGRAMS.c.code)
        .order_by(month, PROGRAMS.c.code)
    )
    return [
        {"month": month_label(int(m)), "program": code, "loans": int(n), "accrued": int(amount)}
        for m, code, n, amount in session.execute(query)
    ]


def guarantee(session: Session, scope: Scope) -> dict[str, Any]:
    """Guarantee cover and claims as of the date.

    cover_exposure = sum(floor(outstanding x guarantee coverage)) over the snapshot's loans
    claims by status: count, claimed amount, paid amount (claims made up to as_of)
    """
    exposure = 0
    if scope.snapshot is not None:
        covered = HIST.c.outstanding_principal * micro(LOANS.c.guarantee_coverage) // MICRO
        query = (
            select(func.coalesce(func.sum(covered), 0))
            .select_from(HIST.join(LOANS, LOANS.c.id == HIST.c.loan_id))
            .where(HIST.c.as_of == scope.snapshot, *scope.loan_filters())
        )
        exposure = int(session.scalar(query) or 0)
    claims = (
        select(
            CLAIMS.c.status, func.count(), func.sum(CLAIMS.c.amount), func.sum(CLAIMS.c.paid_amount)
        )
        .select_from(CLAIMS.join(LOANS, LOANS.c.id == CLAIMS.c.loan_id))
        .where(CLAIMS.c.claimed_on <= scope.as_of, *scope.loan_filters())
        .group_by(CLAIMS.c.status)
        .order_by(CLAIMS.c.status)
    )
    return {
        **scope.describe(),
        "cover_exposure": exposure,
        "claims": [
            {"status": s, "claims": int(n), "amount": int(a), "paid_amount": int(p)}
            for s, n, a, p in session.execute(claims)
        ],
    }
