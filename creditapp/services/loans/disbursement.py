"""Disbursements with maker-checker: one person (or a lender's API key) requests, another
user confirms, and only the confirmation moves money.

Tranches are allowed while no installment has fallen due: confirmed plus pending may never
exceed the approved principal. Each confirmation re-anchors the schedule on what has been
disbursed so far (a new schedule version, the old one kept superseded): the first due date
becomes one month after the first confirmed disbursement (the approval's first due date is
kept when the money went out on the decision date), and the schedule amortises the amount
actually disbursed, so interest is never charged on money not yet paid out: a later tranche
accrues interest from its own value date (instalment 1 charges it pro rata, by the days of
the first period after the tranche went out).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loanmath.accrual import accrued_interest
from loanmath.dates import add_months
from loanmath.schedule import Installment, build_schedule

from ...errors import Conflict, DomainError, NotFound
from ...models import Disbursement, Loan, LoanMovement
from ..audit import Actor, record
from ..claims.guarantees import open_cover
from .common import current_installments, get_loan, refuse, replace_schedule, snapshot
from .ledger import post_movement
from .value_dates import check_value_date, latest_value_date


def _committed_amount(session: Session, loan_id: int) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(Disbursement.amount), 0)).where(
            Disbursement.loan_id == loan_id, Disbursement.status.in_(("pending", "confirmed"))
        )
    )
    return int(total or 0)


def request_disbursement(
    session: Session,
    actor: Actor,
    loan_id: int,
    amount: int,
    disbursed_on: date,
    idempotency_key: str | None = None,
    requested_by: int | None = None,
    requested_by_api_key: int | None = None,
    business_date: date | None = None,
) -> Disbursement:
    """Request a disbursement (the maker's step); nothing moves until it is confirmed.

    Args:
        session: the unit of work.
        actor: who acts (audited).
        loan_id: the loan.
        amount: Rupiah to pay out; with earlier pending/confirmed tranches at most the
            approved principal.
        disbursed_on: value date, not before the approval.
        idempotency_key: a repeated key for the same loan returns the first request when
            the amount and date match, and is refused otherwise.
        requested_by: the maker's user id (or None for an API key).
        requested_by_api_key: the maker's API key id.
        business_date: the edge's business date: a value date after it (plus the
            tolerance of ``value_dates``) is refused; None skips the check.

    Returns:
        The pending disbursement.
    """
    loan = get_loan(session, loan_id, lock=True)
    if idempotency_key is not None:
        earlier = session.scalar(
            select(Disbursement).where(
                Disbursement.loan_id == loan.id, Disbursement.idempotency_key == idempotency_key
            )
        )
        if earlier is not None:
            if (earlier.amount, earlier.disbursed_on) != (amount, disbursed_on):
                raise refuse("Idempotency-Key", "already used for a different disbursement request")
            return earlier
    errors: dict[str, list[str]] = {}
    if loan.status not in ("approved", "active"):
        errors["loan_id"] = [f"the loan is {loan.status}"]
    if requested_by is None and requested_by_api_key is None:
        errors["requested_by"] = ["a maker (user or API key) is required"]
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        errors["amount"] = ["must be a whole number of Rupiah greater than 0"]
    elif _committed_amount(session, loan.id) + amount > loan.principal:
        left = loan.principal - _committed_amount(session, loan.id)
        errors["amount"] = [f"exceeds the approved principal: at most Rp{left} is left"]
    latest = latest_value_date(business_date) if business_date is not None else None
    if latest is not None and disbursed_on > latest:
        errors["disbursed_on"] = [
            f"must not be after the business date {business_date} (at most {latest})"
        ]
    elif disbursed_on < loan.approved_on:
        errors["disbursed_on"] = [f"must not be before the approval on {loan.approved_on}"]
    elif loan.status == "active" and any(
        r.due_on <= disbursed_on for r in current_installments(session, loan.id)
    ):
        errors["disbursed_on"] = ["a further tranche after an installment fell due is refused"]
    if errors:
        raise DomainError("disbursement refused", errors)
    disbursement = Disbursement(
        loan_id=loan.id,
        amount=amount,
        disbursed_on=disbursed_on,
        status="pending",
        idempotency_key=idempotency_key,
        requested_by=requested_by,
        requested_by_api_key=requested_by_api_key,
    )
    session.add(disbursement)
    session.flush()
    record(
        session,
        actor,
        "disbursement.request",
        "disbursement",
        disbursement.id,
        after={"loan_id": loan.id, "amount": amount, "disbursed_on": disbursed_on.isoformat()},
        as_of=disbursed_on,
    )
    return disbursement


def _pending(session: Session, disbursement_id: int) -> tuple[Disbursement, Loan]:
    disbursement = session.get(Disbursement, disbursement_id)
    if disbursement is None:
        raise NotFound("no such disbursement", {"disbursement_id": ["not found"]})
    loan = get_loan(session, disbursement.loan_id, lock=True)
    session.refresh(disbursement)
    if disbursement.status != "pending":
        raise Conflict(
            "disbursement already decided",
            {"disbursement_id": [f"status is {disbursement.status}"]},
        )
    return disbursement, loan


def _reanchor(session: Session, loan: Loan, first_on: date) -> None:
    """Rebuild the schedule on the disbursed amount, anchored on the first disbursement."""
    rows = current_installments(session, loan.id)
    first_due = loan.first_due_on if first_on == loan.approved_on else None
    if first_due is None or first_due <= first_on:
        first_due = add_months(first_on, 1)
    schedule = build_schedule(
        loan.disbursed_amount,
        loan.annual_rate,
        len(rows),
        first_due,
        method=loan.interest_method,
        grace_principal=loan.grace_principal,
        day_count=loan.day_count,
        start=first_on,
    )
    schedule = _later_tranches_accrue_late(session, loan, schedule, first_on)
    unchanged = [(r.due_on, r.principal_due, r.interest_due) for r in rows] == [
        (s.due_date, s.principal, s.interest) for s in schedule
    ]
    if not unchanged:
        replace_schedule(session, loan, rows, schedule)


def _later_tranches_accrue_late(
    session: Session, loan: Loan, schedule: tuple[Installment, ...], first_on: date
) -> tuple[Installment, ...]:
    """Take off instalment 1 the interest of each later tranche for the days before it went
    out: a tranche accrues interest from its own value date (``accrued_interest``, the
    pro rata rule of the early payoff), never on money not yet paid out."""
    tranches = session.execute(
        select(Disbursement.amount, Disbursement.disbursed_on).where(
            Disbursement.loan_id == loan.id,
            Disbursement.status == "confirmed",
            Disbursement.disbursed_on > first_on,
        )
    ).all()
    first = schedule[0]
    length = (first.due_date - first_on).days
    unearned = sum(
        accrued_interest(
            int(amount),
            loan.annual_rate,
            min((on - first_on).days, length),
            length,
            frequency=loan.frequency,
            day_count=loan.day_count,
        )
        for amount, on in tranches
    )
    unearned = min(unearned, first.interest)
    if not unearned:
        return schedule
    lighter = replace(first, interest=first.interest - unearned, total=first.total - unearned)
    return (lighter, *schedule[1:])


def confirm_disbursement(
    session: Session,
    actor: Actor,
    disbursement_id: int,
    confirmed_by: int,
    confirmed_on: date,
    business_date: date | None = None,
) -> Disbursement:
    """Confirm a pending disbursement (the checker's step) and post it to the ledger.

    Args:
        session: the unit of work.
        actor: who acts (audited).
        disbursement_id: the pending disbursement.
        confirmed_by: the checker's user id; must differ from the maker.
        confirmed_on: business date of the confirmation (audited).
        business_date: the edge's business date: a confirmation or a value date after it
            (plus the tolerance) is refused; None skips the check.

    Returns:
        The confirmed disbursement; the loan is active and its balances raised.
    """
    if business_date is not None:
        check_value_date("confirmed_on", confirmed_on, business_date)
    disbursement, loan = _pending(session, disbursement_id)
    if business_date is not None:
        check_value_date("disbursed_on", disbursement.disbursed_on, business_date)
    if disbursement.requested_by is not None and disbursement.requested_by == confirmed_by:
        raise refuse(
            "confirmed_by",
            "the maker cannot confirm their own disbursement: a second person must",
        )
    before = snapshot(loan)
    disbursement.status = "confirmed"
    disbursement.confirmed_by = confirmed_by
    disbursement.confirmed_at = datetime.now(UTC)  # a timestamp, not business logic
    post_movement(
        session,
        loan,
        "disbursement",
        disbursement.amount,
        disbursement.amount,
        disbursement.disbursed_on,
        disbursement_id=disbursement.id,
    )
    loan.status = "active"
    session.flush()
    first_on = session.scalar(
        select(func.min(LoanMovement.posted_on)).where(
            LoanMovement.loan_id == loan.id, LoanMovement.kind == "disbursement"
        )
    )
    assert first_on is not None
    _reanchor(session, loan, first_on)
    # The guarantee cover (and its one-off IJP) opens with the first money paid out.
    open_cover(session, actor, loan, first_on)
    session.flush()
    record(
        session,
        actor,
        "disbursement.confirm",
        "disbursement",
        disbursement.id,
        before={"status": "pending", "loan": before},
        after={"status": "confirmed", "confirmed_by": confirmed_by, "loan": snapshot(loan)},
        as_of=confirmed_on,
    )
    return disbursement


def reject_disbursement(
    session: Session,
    actor: Actor,
    disbursement_id: int,
    rejected_by: int,
    rejected_on: date,
    reason: str,
) -> Disbursement:
    """Reject a pending disbursement; nothing moves.

    Returns:
        The rejected disbursement.
    """
    if not reason or not reason.strip():
        raise refuse("reason", "a reason is required to reject a disbursement")
    disbursement, _loan = _pending(session, disbursement_id)
    disbursement.status = "rejected"
    session.flush()
    record(
        session,
        actor,
        "disbursement.reject",
        "disbursement",
        disbursement.id,
        before={"status": "pending"},
        after={"status": "rejected", "by": rejected_by, "reason": reason.strip()},
        as_of=rejected_on,
    )
    return disbursement
