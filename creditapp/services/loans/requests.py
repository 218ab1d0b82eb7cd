"""Maker-checker for restructurings, and lender-scoped disbursement and write-off
steps for the web.

``restructure_loan`` changes a schedule in one step. Officers work in two: one asks
(``request_restructuring``, the maker), a different officer of the same lender approves
(``approve_restructuring``, the checker), and only the approval calls ``restructure_loan``
with the checker as ``approved_by``; or the checker rejects with a reason and nothing
changes. Every step is audited. A loan has at most one pending request at a time (checked
under the loan's row lock).

Disbursements and write-offs already are maker-checker (``disbursement``, ``servicing``);
the wrappers here add the lender check the web needs, so another lender's request answers
404 exactly like a missing one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import Conflict, DomainError, NotFound
from ...models import Disbursement, Loan, RestructuringRequest, WriteOff
from ..audit import Actor, record
from .common import get_loan, refuse
from .disbursement import confirm_disbursement, request_disbursement
from .servicing import approve_write_off, request_write_off, restructure_loan

MAX_MONTHS = 60  # more grace or extension than five years is not a restructuring but a new loan


def _owned_loan(session: Session, loan_id: int, lender_id: int) -> Loan:
    try:
        loan = get_loan(session, loan_id, lock=True)
    except NotFound:
        loan = None
    if loan is None or loan.lender_id != lender_id:
        raise NotFound("no such loan", {"loan_id": [f"no loan {loan_id}"]})
    return loan


def _terms_errors(
    grace_months: object, extension_months: object, new_rate: object, reason: object
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, value in (("grace_months", grace_months), ("extension_months", extension_months)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_MONTHS:
            errors[name] = [f"must be a whole number of months from 0 to {MAX_MONTHS}"]
    if grace_months == 0 and extension_months == 0 and new_rate is None:
        errors["grace_months"] = ["give a grace period, an extension or a new rate"]
    if new_rate is not None and not (
        isinstance(new_rate, Decimal) and new_rate.is_finite() and Decimal(0) <= new_rate < 1
    ):
        errors["new_rate"] = ["must be a yearly rate from 0 to below 1 (e.g. 0.06)"]
    if not isinstance(reason, str) or not reason.strip():
        errors["reason"] = ["a reason is required"]
    elif len(reason.strip()) > 500:
        errors["reason"] = ["at most 500 characters"]
    return errors


def request_restructuring(
    session: Session,
    actor: Actor,
    loan_id: int,
    *,
    lender_id: int,
    requested_by: int,
    requested_on: date,
    effective_on: date,
    grace_months: int,
    extension_months: int,
    new_rate: Decimal | None,
    reason: str,
) -> RestructuringRequest:
    """Ask for a restructuring (the maker's step); nothing changes until it is approved.

    Args:
        session: the unit of work (flushed, not committed).
        actor: who acts (audited).
        loan_id: the loan; another lender's loan is reported as not found.
        lender_id: the acting officer's lender.
        requested_by: the maker's user id.
        requested_on: business date of the request.
        effective_on: from when the new terms apply; not before ``requested_on``.
        grace_months: leading interest-only months, 0..60.
        extension_months: months added to the remaining tenor, 0..60.
        new_rate: a new yearly rate, or None to keep the loan's.
        reason: why (mandatory, at most 500 characters).

    Returns:
        The pending request.

    Raises:
        NotFound: no such loan for this lender.
        DomainError: a refused field, named.
        Conflict: another request on the loan still waits for a decision.
    """
    loan = _owned_loan(session, loan_id, lender_id)
    errors = _terms_errors(grace_months, extension_months, new_rate, reason)
    if loan.status != "active":
        errors["loan_id"] = [f"only an active loan can be restructured (it is {loan.status})"]
    if effective_on < requested_on:
        errors["effective_on"] = [f"must not be before the request date {requested_on}"]
    if errors:
        raise DomainError("restructuring request refused", errors)
    pending = session.scalar(
        select(RestructuringRequest.id).where(
            RestructuringRequest.loan_id == loan.id, RestructuringRequest.status == "pending"
        )
    )
    if pending is not None:
        raise Conflict(
            "restructuring pending", {"loan_id": [f"request {pending} awaits a decision"]}
        )
    item = RestructuringRequest(
        loan_id=loan.id,
        status="pending",
        effective_on=effective_on,
        grace_months=grace_months,
        extension_months=extension_months,
        new_rate=new_rate,
        reason=reason.strip(),
        requested_by=requested_by,
        requested_on=requested_on,
    )
    session.add(item)
    session.flush()
    after = {"loan_id": loan.id, "effective_on": effective_on.isoformat(),
             "grace_months": grace_months, "extension_months": extension_months,
             "new_rate": None if new_rate is None else str(new_rate)}  # fmt: skip
    record(
        session,
        actor,
        "restructuring.request",
        "restructuring_request",
        item.id,
        after=after,
        as_of=requested_on,
    )
    return item


def _pending_request(
    session: Session, request_id: int, lender_id: int
) -> tuple[RestructuringRequest, Loan]:
    item = session.get(RestructuringRequest, request_id)
    if item is None:
        raise NotFound("no such request", {"request_id": ["not found"]})
    try:
        loan = _owned_loan(session, item.loan_id, lender_id)
    except NotFound:
        raise NotFound("no such request", {"request_id": ["not found"]}) from None
    session.refresh(item)  # decided by someone else while we waited for the lock?
    if item.status != "pending":
        raise Conflict("request decided", {"request_id": [f"status is {item.status}"]})
    return item, loan


def approve_restructuring(
    session: Session,
    actor: Actor,
    request_id: int,
    *,
    lender_id: int,
    approved_by: int,
    approved_on: date,
) -> RestructuringRequest:
    """Approve a pending request (the checker's step) and restructure the loan.

    Raises:
        NotFound: no such request for this lender.
        Conflict: the request was already decided.
        DomainError: the checker is the maker, or the restructuring service refused.
    """
    item, _loan = _pending_request(session, request_id, lender_id)
    if approved_by == item.requested_by:
        raise refuse("approved_by", "the maker cannot approve their own restructuring request")
    done = restructure_loan(
        session,
        actor,
        item.loan_id,
        effective_on=item.effective_on,
        grace_months=item.grace_months,
        extension_months=item.extension_months,
        new_rate=item.new_rate,
        reason=item.reason,
        approved_by=approved_by,
    )
    item.status, item.decided_by, item.decided_on = "approved", approved_by, approved_on
    item.restructuring_id = done.id
    session.flush()
    after = {"status": "approved", "restructuring_id": done.id}
    record(
        session,
        actor,
        "restructuring.approve",
        "restructuring_request",
        item.id,
        before={"status": "pending"},
        after=after,
        as_of=approved_on,
    )
    return item


def reject_restructuring(
    session: Session,
    actor: Actor,
    request_id: int,
    *,
    lender_id: int,
    rejected_by: int,
    rejected_on: date,
    note: str,
) -> RestructuringRequest:
    """Reject a pending request with a reason; the loan is unchanged."""
    if not isinstance(note, str) or not note.strip():
        raise refuse("note", "a reason is required to reject")
    item, _loan = _pending_request(session, request_id, lender_id)
    if rejected_by == item.requested_by:
        raise refuse("rejected_by", "the maker cannot decide their own request")
    item.status, item.decided_by, item.decided_on = "rejected", rejected_by, rejected_on
    item.decision_note = note.strip()[:500]
    session.flush()
    after = {"status": "rejected", "note": item.decision_note}
    record(
        session,
        actor,
        "restructuring.reject",
        "restructuring_request",
        item.id,
        before={"status": "pending"},
        after=after,
        as_of=rejected_on,
    )
    return item


def request_lender_write_off(
    session: Session,
    actor: Actor,
    loan_id: int,
    *,
    lender_id: int,
    requested_by: int,
    requested_on: date,
    reason: str,
    override_reason: str | None = None,
) -> WriteOff:
    """``request_write_off`` for the lender's own loan only (else 404 like a missing one).

    Below Kol 5 (Macet) the service needs ``override_reason``: why the loan is written off
    before it reached that grade.
    """
    loan = _owned_loan(session, loan_id, lender_id)
    return request_write_off(
        session,
        actor,
        loan.id,
        requested_by=requested_by,
        requested_on=requested_on,
        reason=reason,
        override_reason=override_reason,
    )


def approve_lender_write_off(
    session: Session,
    actor: Actor,
    write_off_id: int,
    *,
    lender_id: int,
    approved_by: int,
    approved_on: date,
) -> WriteOff:
    """``approve_write_off`` for a write-off on the lender's own loan only."""
    owner = session.scalar(
        select(Loan.lender_id)
        .join(WriteOff, WriteOff.loan_id == Loan.id)
        .where(WriteOff.id == write_off_id)
    )
    if owner != lender_id:
        raise NotFound("no such write-off", {"write_off_id": ["not found"]})
    return approve_write_off(
        session, actor, write_off_id, approved_by=approved_by, approved_on=approved_on
    )


def request_lender_disbursement(
    session: Session,
    actor: Actor,
    loan_id: int,
    *,
    lender_id: int,
    requested_by: int,
    amount: int,
    disbursed_on: date,
    idempotency_key: str,
) -> Disbursement:
    """``request_disbursement`` by an officer, for the lender's own loan only.

    The form's token is the idempotency key, so a double-submitted request is stored once.
    """
    loan = _owned_loan(session, loan_id, lender_id)
    return request_disbursement(
        session,
        actor,
        loan.id,
        amount,
        disbursed_on,
        idempotency_key=idempotency_key,
        requested_by=requested_by,
    )


def confirm_lender_disbursement(
    session: Session,
    actor: Actor,
    disbursement_id: int,
    *,
    lender_id: int,
    confirmed_by: int,
    confirmed_on: date,
) -> Disbursement:
    """``confirm_disbursement`` (checker differs from maker) on the lender's own loan only."""
    owner = session.scalar(
        select(Loan.lender_id)
        .join(Disbursement, Disbursement.loan_id == Loan.id)
        .where(Disbursement.id == disbursement_id)
    )
    if owner != lender_id:
        raise NotFound("no such disbursement", {"disbursement_id": ["not found"]})
    return confirm_disbursement(session, actor, disbursement_id, confirmed_by, confirmed_on)
