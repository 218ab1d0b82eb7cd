"""The officers' queue: applications of one lender awaiting a decision, one query per page.

Filters (status, band, program, province, applied date range), three sort orders and keyset
paging ("after this row"), so page 40 costs what page 1 costs. Each order has a partial
index over the undecided statuses (``Application``), so a page is an ordered index scan that
stops after 26 rows; band and score are the application's copy of its latest score. The
score order lists scored applications only (an unscored one has no score to sort by). Band
counts come from one GROUP BY over the same filters (without the band filter, so every band's
count shows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..models import Application, ApprovalRequest, CreditProgram, Enterprise, ScoreRecord

AWAITING = ("submitted", "scored", "referred")
SORTS = ("waiting", "score", "amount")
PAGE_SIZE = 25


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    band: str | None = None
    program: str | None = None
    province: str | None = None
    applied_from: date | None = None
    applied_to: date | None = None
    sort: str = "waiting"
    after: str | None = None  # keyset cursor "<sort value>~<application id>"
    # "Referred to me": referred to this senior officer by name, or to all seniors.
    referred_to_me: int | None = None


@dataclass(frozen=True)
class QueueRow:
    id: int
    applied_on: date
    amount: int
    tenor: int
    status: str
    enterprise: str
    province: str
    program: str
    score: int | None
    band: str | None
    pd: float | None
    recommendation: str | None
    awaiting_second_officer: bool = False


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    band_counts: dict[str, int]
    total: int
    next_cursor: str | None


def _latest_score_id() -> Any:
    return (
        select(func.max(ScoreRecord.id))
        .where(ScoreRecord.application_id == Application.id)
        .correlate(Application)
        .scalar_subquery()
    )


def _conditions(lender_id: int, f: QueueFilters, with_band: bool) -> list[Any]:
    """The WHERE of the queue, on ``applications`` alone (its queue indexes serve it)."""
    where: list[Any] = [
        Application.lender_id == lender_id,
        Application.status == f.status
        if f.status in AWAITING
        else Application.status.in_(AWAITING),
    ]
    if f.program:
        where.append(
            Application.program_id.in_(
                select(CreditProgram.id).where(CreditProgram.code == f.program)
            )
        )
    if f.province:
        where.append(
            Application.enterprise_id.in_(
                select(Enterprise.id).where(
                    Enterprise.lender_id == lender_id, Enterprise.province == f.province
                )
            )
        )
    if f.applied_from:
        where.append(Application.applied_on >= f.applied_from)
    if f.applied_to:
        where.append(Application.applied_on <= f.applied_to)
    if with_band and f.band:
        where.append(Application.band == f.band)
    if f.referred_to_me is not None:
        where.append(referred_to_me(f.referred_to_me))
    return where


def referred_to_me(user_id: int) -> Any:
    """Referred, and to this senior officer by name or to all seniors of the lender."""
    return and_(
        Application.status == "referred",
        or_(Application.referred_to == user_id, Application.referred_to.is_(None)),
    )


def referral_counts(session: Session, lender_id: int, user_id: int) -> tuple[int, int]:
    """(referred to me, referred to seniors at all) for the queue's tabs, in one query."""
    to_me, to_seniors = session.execute(
        select(
            func.count(case((referred_to_me(user_id), 1))),
            func.count(Application.id),
        ).where(Application.lender_id == lender_id, Application.status == "referred")
    ).one()
    return int(to_me), int(to_seniors)


def _sort_key(sort: str) -> tuple[Any, bool]:
    """The sort column and whether it ascends (ties broken by id in the same direction)."""
    if sort == "score":
        return Application.score, False
    if sort == "amount":
        return Application.requested_amount, False
    return Application.applied_on, True


def parse_cursor(sort: str, cursor: str | None) -> tuple[Any, int] | None:
    """Read ``"<value>~<id>"``; a malformed cursor starts from the first page."""
    if not cursor or "~" not in cursor:
        return None
    value, _sep, ident = cursor.rpartition("~")
    try:
        key: Any = date.fromisoformat(value) if sort == "waiting" else int(value)
        return key, int(ident)
    except ValueError:
        return None


def queue_page(session: Session, lender_id: int, f: QueueFilters) -> QueuePage:
    """Return one page of the lender's queue with the band counts and the total."""
    sort = f.sort if f.sort in SORTS else "waiting"
    key, ascending = _sort_key(sort)
    columns = [
        Application.id, Application.applied_on, Application.requested_amount,
        Application.tenor_months, Application.status, Enterprise.name, Enterprise.province,
        CreditProgram.code, Application.score, Application.band, ScoreRecord.pd,
        ScoreRecord.recommendation, key.label("sort_key"),
    ]  # fmt: skip
    where = _conditions(lender_id, f, with_band=True)
    if sort == "score":  # unscored applications have no place in this order
        where.append(Application.score.is_not(None))
    stmt = (
        select(*columns)
        .join(Enterprise, Enterprise.id == Application.enterprise_id)
        .join(CreditProgram, CreditProgram.id == Application.program_id)
        .outerjoin(ScoreRecord, ScoreRecord.id == _latest_score_id())
        .where(*where)
    )
    cursor = parse_cursor(sort, f.after)
    if cursor is not None:
        value, ident = cursor
        if ascending:
            stmt = stmt.where(or_(key > value, and_(key == value, Application.id > ident)))
        else:
            stmt = stmt.where(or_(key < value, and_(key == value, Application.id < ident)))
    order = (key.asc(), Application.id.asc()) if ascending else (key.desc(), Application.id.desc())
    found = session.execute(stmt.order_by(*order).limit(PAGE_SIZE + 1)).all()
    page = found[:PAGE_SIZE]
    waiting = set()
    if page:
        waiting = set(
            session.scalars(
                select(ApprovalRequest.application_id).where(
                    ApprovalRequest.application_id.in_([r.id for r in page]),
                    ApprovalRequest.status == "pending",
                )
            )
        )
    rows = [
        QueueRow(
            r.id,
            r.applied_on,
            r.requested_amount,
            r.tenor_months,
            r.status,
            r.name,
            r.province,
            r.code,
            r.score,
            r.band,
            r.pd,
            r.recommendation,
            r.id in waiting,
        )
        for r in page
    ]
    next_cursor = None
    if len(found) > PAGE_SIZE:
        last = page[-1]
        value = last.sort_key.isoformat() if sort == "waiting" else str(last.sort_key)
        next_cursor = f"{value}~{last.id}"
    counts_stmt = (
        select(Application.band, func.count(Application.id))
        .where(*_conditions(lender_id, f, with_band=False))
        .group_by(Application.band)
    )
    band_counts = {str(band or "-"): int(n) for band, n in session.execute(counts_stmt)}
    total = sum(n for band, n in band_counts.items() if not f.band or band == f.band)
    return QueuePage(rows, band_counts, total, next_cursor)
