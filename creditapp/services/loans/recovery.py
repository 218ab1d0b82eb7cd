"""Recoveries on written-off loans and the guarantor's claim payments (subrogation)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...errors import Conflict, NotFound
from ...models import GuaranteeClaim, Recovery, WriteOff
from ..audit import Actor, record
from ..books.posting_rules import journal_claim_payment, journal_recovery
from .common import get_loan, refuse, require_positive_amount
from .ledger import post_movement
from .value_dates import check_value_date


def record_recovery(
    session: Session,
    actor: Actor,
    loan_id: int,
    *,
    amount: int,
    recovered_on: date,
    costs: int = 0,
    cost_note: str | None = None,
    business_date: date | None = None,
) -> Recovery:
    """Record money recovered on a written-off loan (outstanding principal stays 0).

    Bounds: all recoveries together never exceed what was written off (principal and
    interest) plus the collection costs documented with them. Split: documented costs
    first, then principal, then interest. When a guarantee claim was paid, the guarantor's
    share (subrogation) is ``principal part x claim paid / principal claimed``, rounded down,
    and never more in total than the claim paid.

    Returns:
        The ``Recovery``.
    """
    require_positive_amount(amount)
    if not isinstance(costs, int) or isinstance(costs, bool) or costs < 0:
        raise refuse("costs", "must be a whole number of Rupiah >= 0")
    note = (cost_note or "").strip() or None
    if costs and note is None:
        raise refuse("cost_note", "costs must be documented (what they were)")
    if business_date is not None:
        check_value_date("recovered_on", recovered_on, business_date)
    loan = get_loan(session, loan_id, lock=True)
    if loan.status != "written_off":
        raise refuse("loan_id", "recoveries are recorded on written-off loans only")
    if loan.written_off_on and recovered_on < loan.written_off_on:
        raise refuse("recovered_on", f"must not be before the write-off on {loan.written_off_on}")
    written = session.scalar(
        select(WriteOff).where(WriteOff.loan_id == loan.id, WriteOff.status == "approved")
    )
    assert written is not None  # a written-off loan has its approved write-off
    earlier = session.execute(
        select(
            func.coalesce(func.sum(Recovery.principal_part), 0),
            func.coalesce(func.sum(Recovery.interest_part), 0),
            func.coalesce(func.sum(Recovery.guarantor_share), 0),
        ).where(Recovery.loan_id == loan.id)
    ).one()
    principal_left = written.amount - int(earlier[0])
    interest_left = written.interest_amount - int(earlier[1])
    cost_part = min(amount, costs)
    if amount - cost_part > principal_left + interest_left:
        raise refuse(
            "amount",
            f"exceeds what is left of the write-off: at most Rp{principal_left + interest_left} "
            "plus documented costs",
        )
    principal_part = min(amount - cost_part, principal_left)
    interest_part = amount - cost_part - principal_part
    share = 0
    claim = session.scalar(
        select(GuaranteeClaim).where(
            GuaranteeClaim.loan_id == loan.id, GuaranteeClaim.status == "paid"
        )
    )
    if claim is not None and claim.paid_amount and claim.outstanding_principal:
        share = principal_part * claim.paid_amount // claim.outstanding_principal
        share = min(share, claim.paid_amount - int(earlier[2]))
    item = Recovery(
        loan_id=loan.id,
        amount=amount,
        recovered_on=recovered_on,
        principal_part=principal_part,
        interest_part=interest_part,
        cost_part=cost_part,
        cost_note=note,
        guarantor_share=share,
    )
    session.add(item)
    movement = post_movement(session, loan, "recovery", amount, 0, recovered_on)
    journal_recovery(session, loan, movement, share)
    session.flush()
    after = {
        "amount": amount,
        "principal_part": principal_part,
        "interest_part": interest_part,
        "cost_part": cost_part,
        "cost_note": note,
        "guarantor_share": share,
    }
    record(session, actor, "loan.recovery", "loan", loan.id, after=after, as_of=recovered_on)
    return item


def record_claim_payment(
    session: Session, actor: Actor, claim_id: int, *, paid_amount: int, paid_on: date
) -> GuaranteeClaim:
    """Record that the guarantor paid a submitted claim (at most the amount claimed).

    Returns:
        The paid ``GuaranteeClaim``.
    """
    require_positive_amount(paid_amount, "paid_amount")
    claim = session.get(GuaranteeClaim, claim_id)
    if claim is None:
        raise NotFound("no such claim", {"claim_id": ["not found"]})
    loan = get_loan(session, claim.loan_id, lock=True)
    session.refresh(claim)
    if claim.status != "submitted":
        raise Conflict("claim decided", {"claim_id": [f"status is {claim.status}"]})
    if paid_amount > claim.amount:
        raise refuse("paid_amount", f"exceeds the amount claimed, Rp{claim.amount}")
    if paid_on < claim.claimed_on:
        raise refuse("paid_on", f"must not be before the claim on {claim.claimed_on}")
    claim.status, claim.paid_amount, claim.paid_on = "paid", paid_amount, paid_on
    journal_claim_payment(session, loan, claim.id, paid_amount, paid_on)
    session.flush()
    record(
        session,
        actor,
        "guarantee_claim.paid",
        "guarantee_claim",
        claim.id,
        before={"status": "submitted"},
        after={"status": "paid", "paid_amount": paid_amount},
        as_of=paid_on,
    )
    return claim
