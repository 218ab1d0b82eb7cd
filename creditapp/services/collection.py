"""The field officers' collection sheet: what is due today and overdue, and bulk posting.

The sheet (``collection_sheet``) is one SQL aggregate: the unsettled installments of the
current schedules due on or before the sheet's date, of the lender's active loans, summed per
loan and ordered by regency, village and enterprise. It reads them through the partial index
``ix_installments_unsettled_due`` (only unpaid, current rows are in it), so its cost follows
the number of loans in arrears, not the size of the portfolio.

Bulk entry (``post_collections``) is **all or nothing**: every line is checked and posted
inside one savepoint, each through ``post_repayment`` with its own idempotency key
(``sheet:<form token>:<loan id>``); if any line is refused, the savepoint is rolled back and
every refused line comes back with its reason, so the officer fixes those and sends the same
form again. Re-sending a form that went through (a double click, a reload) replays every line
and posts nothing twice. Why not line by line: the officer hands in one bag of cash per
sheet, and a sheet that went in partly would leave the books and the bag disagreeing with no
clear way to tell which lines to re-enter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from loanmath.rupiah import parse_rupiah

from ..errors import DomainError
from ..models import Enterprise, Installment, Loan
from .audit import Actor
from .loans.repayment import post_repayment

TOKEN = re.compile(r"^[0-9a-f]{32}$")
MAX_LINES = 500  # one printed sheet; more is filtered by regency or village
MAX_AMOUNT = 10**12  # far above any program plafond; catches a typo of extra digits
# The reasons a typed amount is refused (the web translates them by this exact text).
NOT_AN_AMOUNT = "is not a whole Rupiah amount"
NOT_POSITIVE = "must be greater than 0"
TOO_LARGE = "is implausibly large"
TWICE = "appears twice on the sheet"


@dataclass(frozen=True)
class SheetLine:
    """One loan to visit: what has fallen due and is unpaid on the sheet's date."""

    loan_id: int
    enterprise_name: str
    owner_name: str
    regency: str
    village: str | None
    oldest_due_on: date
    installments: int  # unsettled installments due on or before the date
    amount_due: int  # their unpaid principal, interest and penalty
    due_today: int  # the part of ``amount_due`` falling due on the date itself
    days_past_due: int


@dataclass(frozen=True)
class SheetGroup:
    regency: str
    village: str | None
    lines: list[SheetLine]

    @property
    def total_due(self) -> int:
        return sum(line.amount_due for line in self.lines)


@dataclass(frozen=True)
class Sheet:
    as_of: date
    groups: list[SheetGroup]
    truncated: bool  # more lines matched than ``MAX_LINES``

    @property
    def lines(self) -> list[SheetLine]:
        return [line for g in self.groups for line in g.lines]

    @property
    def total_due(self) -> int:
        return sum(g.total_due for g in self.groups)


def _unpaid() -> ColumnElement[int]:
    return (
        Installment.principal_due
        - Installment.principal_paid
        + Installment.interest_due
        - Installment.interest_paid
        + Installment.penalty_due
        - Installment.penalty_paid
    )


def sheet_query(
    lender_id: int,
    as_of: date,
    *,
    regency: str | None = None,
    village: str | None = None,
    limit: int = MAX_LINES + 1,
) -> Select[*tuple[Any, ...]]:
    """The SQL of the sheet (exposed so tests and the benchmark can EXPLAIN it)."""
    unpaid = _unpaid()
    # Aggregate the due rows per loan first (an index-only scan of the covering partial
    # index), then look up only those loans and enterprises.
    due = (
        select(
            Installment.loan_id,
            func.min(Installment.due_on).label("oldest"),
            func.count().label("installments"),
            func.sum(unpaid).label("amount_due"),
            func.sum(case((Installment.due_on == as_of, unpaid), else_=0)).label("due_today"),
        )
        # The same predicate as the partial index, word for word, so the planner uses it.
        .where(Installment.settled_on.is_(None), ~Installment.superseded)
        .where(Installment.due_on <= as_of)
        .group_by(Installment.loan_id)
        .subquery("due")
    )
    stmt = (
        select(
            Loan.id,
            Enterprise.name,
            Enterprise.owner_name,
            Enterprise.regency,
            Enterprise.village,
            due.c.oldest,
            due.c.installments,
            due.c.amount_due,
            due.c.due_today,
        )
        .join_from(due, Loan, Loan.id == due.c.loan_id)
        .join(Enterprise, Enterprise.id == Loan.enterprise_id)
        .where(Loan.lender_id == lender_id, Loan.status == "active")
        .order_by(Enterprise.regency, Enterprise.village.nulls_last(), Enterprise.name, Loan.id)
        .limit(limit)
    )
    if regency:
        stmt = stmt.where(Enterprise.regency == regency)
    if village:
        stmt = stmt.where(Enterprise.village == village)
    return stmt


def collection_sheet(
    session: Session,
    lender_id: int,
    as_of: date,
    *,
    regency: str | None = None,
    village: str | None = None,
) -> Sheet:
    """The lender's loans with installments due on or before ``as_of`` and unpaid.

    Args:
        session: read only.
        lender_id: the signed-in officer's lender; no other lender's loan appears.
        as_of: the sheet's date (business date): ``due_today`` is what falls due on it.
        regency, village: optional filters (a printed sheet per area).

    Returns:
        The lines grouped by regency and village (no village last), at most ``MAX_LINES``.
    """
    rows = session.execute(sheet_query(lender_id, as_of, regency=regency, village=village)).all()
    truncated = len(rows) > MAX_LINES
    groups: list[SheetGroup] = []
    for r in rows[:MAX_LINES]:
        line = SheetLine(
            r.id,
            r.name,
            r.owner_name,
            r.regency,
            r.village,
            r.oldest,
            r.installments,
            int(r.amount_due),
            int(r.due_today),
            max((as_of - r.oldest).days, 0),
        )
        if not groups or (groups[-1].regency, groups[-1].village) != (r.regency, r.village):
            groups.append(SheetGroup(r.regency, r.village, []))
        groups[-1].lines.append(line)
    return Sheet(as_of, groups, truncated)


@dataclass(frozen=True)
class PostedLine:
    loan_id: int
    amount: int
    repayment_id: int
    replayed: bool


@dataclass
class BulkResult:
    """What a bulk entry did: all lines posted, or none and the reasons per loan."""

    posted: list[PostedLine] = field(default_factory=list)
    errors: dict[int, list[str]] = field(default_factory=dict)  # loan id -> reasons

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return sum(p.amount for p in self.posted)


def parse_amount(text: str) -> int | None:
    """A collected amount as typed: blank is nothing collected (None), else whole Rupiah > 0.

    Raises:
        ValueError: not a whole Rupiah amount, not above zero, or implausibly large.
    """
    if not text or not text.strip():
        return None
    try:
        value = parse_rupiah(text)
    except ValueError:
        raise ValueError(NOT_AN_AMOUNT) from None
    if value <= 0:
        raise ValueError(NOT_POSITIVE)
    if value > MAX_AMOUNT:
        raise ValueError(TOO_LARGE)
    return value


def idempotency_key(sheet_token: str, loan_id: int) -> str:
    """The repayment key of one sheet line: a re-sent sheet replays instead of posting twice."""
    return f"sheet:{sheet_token}:{loan_id}"


def post_collections(
    session: Session,
    actor: Actor,
    lender_id: int,
    entries: list[tuple[int, str]],
    *,
    paid_on: date,
    sheet_token: str,
    channel: str = "cash",
    business_date: date | None = None,
) -> BulkResult:
    """Post the collected amounts of one sheet, all or nothing (see the module docstring).

    Args:
        session: the unit of work; flushed, or rolled back to where it was on any refusal.
        actor: the signed-in officer (audited on each repayment).
        lender_id: the officer's lender; another lender's loan is refused as not found.
        entries: ``(loan_id, typed amount)`` per line; blank amounts are skipped.
        paid_on: the value date of every line (the sheet's date).
        sheet_token: the form's one-time token (32 hex characters).
        channel: how the money came.
        business_date: the edge's business date; a later ``paid_on`` is refused.

    Returns:
        ``BulkResult``: ``posted`` lines (``replayed`` for lines an earlier send posted) when
        ``ok``; otherwise ``errors`` by loan id and nothing stored.
    """
    if not TOKEN.match(sheet_token or ""):
        raise DomainError("sheet refused", {"sheet_token": ["the form is not a valid sheet"]})
    result = BulkResult()
    amounts: list[tuple[int, int]] = []
    seen: set[int] = set()
    for loan_id, text in entries:
        if loan_id in seen:
            result.errors.setdefault(loan_id, []).append(TWICE)
            continue
        seen.add(loan_id)
        try:
            amount = parse_amount(text)
        except ValueError as exc:
            result.errors[loan_id] = [str(exc)]
            continue
        if amount is not None:
            amounts.append((loan_id, amount))
    if result.errors:
        return result
    outer = session.begin_nested()
    for loan_id, amount in amounts:
        inner = session.begin_nested()
        try:
            done = post_repayment(
                session,
                actor,
                loan_id,
                lender_id=lender_id,
                amount=amount,
                paid_on=paid_on,
                idempotency_key=idempotency_key(sheet_token, loan_id),
                channel=channel,
                business_date=business_date,
            )
        except DomainError as exc:
            inner.rollback()
            reasons = [m for msgs in exc.errors.values() for m in msgs] or [exc.message]
            result.errors[loan_id] = reasons
            continue
        inner.commit()
        result.posted.append(PostedLine(loan_id, amount, done.repayment.id, done.replayed))
    if result.errors:
        outer.rollback()
        result.posted.clear()
    else:
        outer.commit()
    return result
