"""What the officers' loan page shows: schedule paid/unpaid, balances, movements, history.

Everything is scoped to one lender: another lender's loan is reported exactly like a missing
one (``loan_views.owned_loan``). One loan has at most a few hundred installments and
movements, so those are read whole; the balances are SQL sums over the same rows, and the
running principal balance after each movement is a window sum, so the page and the ledger
can never disagree. The days-past-due history comes from ``loan_status_history`` (one row
per loan and ageing date) through its ``(loan_id, as_of)`` unique index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from ..models import (
    CreditProgram,
    Disbursement,
    Enterprise,
    Installment,
    Loan,
    LoanMovement,
    LoanStatus,
    RestructuringRequest,
    User,
    WriteOff,
)
from .loan_views import owned_loan


@dataclass(frozen=True)
class ScheduleLine:
    """One installment of the current schedule and how much of it is paid."""

    number: int
    due_on: date
    principal_due: int
    interest_due: int
    penalty_due: int
    paid: int
    unpaid: int
    settled_on: date | None
    state: str  # paid | overdue | due_today | partial | upcoming

    @property
    def total_due(self) -> int:
        return self.principal_due + self.interest_due + self.penalty_due


@dataclass(frozen=True)
class Balances:
    """The loan's money as of the page's date."""

    principal: int
    disbursed: int
    outstanding_principal: int
    arrears: int  # unpaid principal, interest and penalty of installments due on or before
    paid_principal: int
    paid_interest: int
    paid_penalty: int
    next_due_on: date | None
    next_due_amount: int


@dataclass(frozen=True)
class MovementLine:
    posted_on: date
    kind: str
    amount: int
    principal_delta: int
    balance_after: int  # outstanding principal after this movement (ledger order)


@dataclass(frozen=True)
class StatusPoint:
    as_of: date
    dpd: int
    collectibility: int


@dataclass(frozen=True)
class PendingItem:
    """A maker's request waiting for a checker: disbursement, write-off or restructuring."""

    kind: str  # disbursement | write_off | restructuring
    id: int
    amount: int | None
    on: date
    requested_by: int | None  # None when a lender's API key asked (any officer may check)
    requested_by_name: str | None
    detail: str | None = None


@dataclass(frozen=True)
class LoanPage:
    loan: Loan
    enterprise_name: str
    regency: str
    village: str | None
    program_code: str
    as_of: date
    schedule: list[ScheduleLine]
    balances: Balances
    movements: list[MovementLine]
    history: list[StatusPoint]
    pending: list[PendingItem]


def line_state(row: Installment, as_of: date) -> str:
    """How an installment stands on ``as_of`` (settled rows are paid, whatever their date)."""
    if row.settled_on is not None:
        return "paid"
    if row.due_on < as_of:
        return "overdue"
    if row.due_on == as_of:
        return "due_today"
    paid = row.principal_paid + row.interest_paid + row.penalty_paid
    return "partial" if paid else "upcoming"


def schedule_lines(session: Session, loan_id: int, as_of: date) -> list[ScheduleLine]:
    """The current schedule, oldest first, with paid and unpaid amounts."""
    rows = session.scalars(
        select(Installment)
        .where(Installment.loan_id == loan_id, Installment.superseded.is_(False))
        .order_by(Installment.due_on, Installment.number)
    )
    lines = []
    for r in rows:
        paid = r.principal_paid + r.interest_paid + r.penalty_paid
        due = r.principal_due + r.interest_due + r.penalty_due
        lines.append(
            ScheduleLine(
                r.number,
                r.due_on,
                r.principal_due,
                r.interest_due,
                r.penalty_due,
                paid,
                due - paid,
                r.settled_on,
                line_state(r, as_of),
            )
        )
    return lines


def balances(session: Session, loan: Loan, as_of: date) -> Balances:
    """Outstanding, arrears and what has been paid, summed in SQL over the current schedule."""
    unpaid = (
        Installment.principal_due
        - Installment.principal_paid
        + Installment.interest_due
        - Installment.interest_paid
        + Installment.penalty_due
        - Installment.penalty_paid
    )
    current = and_(Installment.loan_id == loan.id, Installment.superseded.is_(False))
    (arrears,) = session.execute(
        select(func.coalesce(func.sum(unpaid), 0)).where(current, Installment.due_on <= as_of)
    ).one()
    # Paid amounts sit on superseded rows too (a prepayment re-plans the rows ahead of it,
    # but what was paid on them before stays where it was posted).
    paid = session.execute(
        select(
            func.coalesce(func.sum(Installment.principal_paid), 0),
            func.coalesce(func.sum(Installment.interest_paid), 0),
            func.coalesce(func.sum(Installment.penalty_paid), 0),
        ).where(Installment.loan_id == loan.id)
    ).one()
    nxt = session.execute(
        select(Installment.due_on, unpaid)
        .where(current, Installment.settled_on.is_(None), Installment.due_on > as_of)
        .order_by(Installment.due_on, Installment.number)
        .limit(1)
    ).first()
    return Balances(
        principal=loan.principal,
        disbursed=loan.disbursed_amount,
        outstanding_principal=loan.outstanding_principal,
        arrears=int(arrears),
        paid_principal=int(paid[0]),
        paid_interest=int(paid[1]),
        paid_penalty=int(paid[2]),
        next_due_on=nxt[0] if nxt else None,
        next_due_amount=int(nxt[1]) if nxt else 0,
    )


def movements(session: Session, loan_id: int) -> list[MovementLine]:
    """The ledger of the loan, newest first, with the principal balance after each line."""
    running = func.sum(LoanMovement.principal_delta).over(
        order_by=(LoanMovement.posted_on, LoanMovement.id)
    )
    inner = (
        select(
            LoanMovement.id,
            LoanMovement.posted_on,
            LoanMovement.kind,
            LoanMovement.amount,
            LoanMovement.principal_delta,
            running.label("balance_after"),
        ).where(LoanMovement.loan_id == loan_id)
    ).subquery()
    rows = session.execute(
        select(inner).order_by(inner.c.posted_on.desc(), inner.c.id.desc())
    ).all()
    return [
        MovementLine(r.posted_on, r.kind, r.amount, r.principal_delta, int(r.balance_after))
        for r in rows
    ]


def status_history(
    session: Session, loan_id: int, *, until: date | None = None
) -> list[StatusPoint]:
    """Days past due and collectibility per ageing date, oldest first."""
    stmt = select(LoanStatus.as_of, LoanStatus.dpd, LoanStatus.collectibility).where(
        LoanStatus.loan_id == loan_id
    )
    if until is not None:
        stmt = stmt.where(LoanStatus.as_of <= until)
    return [StatusPoint(*r) for r in session.execute(stmt.order_by(LoanStatus.as_of))]


def pending_items(session: Session, loan_id: int) -> list[PendingItem]:
    """Requests on the loan that wait for a second officer, oldest first."""
    items: list[PendingItem] = []
    disb = session.execute(
        select(
            Disbursement.id,
            Disbursement.amount,
            Disbursement.disbursed_on,
            Disbursement.requested_by,
            User.name,
        )
        .outerjoin(User, User.id == Disbursement.requested_by)
        .where(Disbursement.loan_id == loan_id, Disbursement.status == "pending")
        .order_by(Disbursement.id)
    )
    items += [PendingItem("disbursement", *r) for r in disb]
    wo = session.execute(
        select(
            WriteOff.id,
            WriteOff.amount,
            WriteOff.requested_on,
            WriteOff.requested_by,
            User.name,
            WriteOff.reason,
        )
        .join(User, User.id == WriteOff.requested_by)
        .where(WriteOff.loan_id == loan_id, WriteOff.status == "pending")
        .order_by(WriteOff.id)
    )
    items += [PendingItem("write_off", *r) for r in wo]
    rr = session.execute(
        select(
            RestructuringRequest.id,
            RestructuringRequest.effective_on,
            RestructuringRequest.requested_by,
            User.name,
            RestructuringRequest.reason,
        )
        .join(User, User.id == RestructuringRequest.requested_by)
        .where(RestructuringRequest.loan_id == loan_id, RestructuringRequest.status == "pending")
        .order_by(RestructuringRequest.id)
    )
    items += [PendingItem("restructuring", r[0], None, *r[1:]) for r in rr]
    return items


def loan_page(session: Session, lender_id: int, loan_id: int, as_of: date) -> LoanPage:
    """Everything the loan page shows, for the lender's loan ``loan_id`` as of ``as_of``.

    Raises:
        NotFound: no such loan for this lender (another lender's loan included).
    """
    loan = owned_loan(session, lender_id, loan_id)
    name, regency, village, program = session.execute(
        select(Enterprise.name, Enterprise.regency, Enterprise.village, CreditProgram.code)
        .join(CreditProgram, CreditProgram.id == loan.program_id)
        .where(Enterprise.id == loan.enterprise_id)
    ).one()
    return LoanPage(
        loan=loan,
        enterprise_name=name,
        regency=regency,
        village=village,
        program_code=program,
        as_of=as_of,
        schedule=schedule_lines(session, loan.id, as_of),
        balances=balances(session, loan, as_of),
        movements=movements(session, loan.id),
        history=status_history(session, loan.id, until=as_of),
        pending=pending_items(session, loan.id),
    )


@dataclass(frozen=True)
class LoanRow:
    id: int
    enterprise_name: str
    regency: str
    principal: int
    outstanding_principal: int
    dpd: int
    collectibility: int
    status: str


LOAN_LIST_STATUSES = ("approved", "active", "closed", "written_off")


def loan_list(
    session: Session,
    lender_id: int,
    *,
    status: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[LoanRow]:
    """A page of the lender's loans, newest first (keyset paging on the id: any page is
    as fast as the first, at any portfolio size)."""
    stmt = (
        select(
            Loan.id,
            Enterprise.name,
            Enterprise.regency,
            Loan.principal,
            Loan.outstanding_principal,
            Loan.dpd,
            Loan.collectibility,
            Loan.status,
        )
        .join(Enterprise, Enterprise.id == Loan.enterprise_id)
        .where(Loan.lender_id == lender_id)
    )
    if status:
        stmt = stmt.where(Loan.status == status)
    if before_id is not None:
        stmt = stmt.where(Loan.id < before_id)
    rows = session.execute(stmt.order_by(Loan.id.desc()).limit(limit))
    return [LoanRow(*r) for r in rows]
