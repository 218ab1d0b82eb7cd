"""The credit guarantee cycle: guarantors, IJP rates per program, a cover per loan, claim
decisions and subrogation.

**IJP (imbal jasa penjaminan), charged once.** For government-backed guarantees the fee is
``IJP rate x plafond``, charged once when the guarantee is issued, pro rata when the tenor is
under a year, and paid by the government (PMK 28/PMK.08/2022 amending 71/PMK.08/2020; KUR's
IJP is likewise paid by the state to Askrindo/Jamkrindo on the plafond disbursed). We follow
that: a loan's cover opens at its first confirmed disbursement, with
``ijp = floor(principal x rate x min(tenor months, 12) / 12)``, and the rate is the program's
``ProgramGuarantee`` in force on the loan's approval date, so a later rate never changes a
loan already made. The cover's share is the loan's ``guarantee_coverage`` (copied from the
program at approval).

**Subrogation.** ``record_recovery`` (services.loans.recovery) already splits each recovery
after a paid claim and keeps the guarantor's part in ``Recovery.guarantor_share``
(principal part x claim paid / principal claimed). That is what is *owed*; paying it over is
``pay_subrogation_share`` (one ``SubrogationPayment`` per recovery), so owed - paid is
what the lender still holds for the guarantor.

Money events, one function each (the ledger posts them): ``open_cover`` (IJP charged),
``record_ijp_payment`` (IJP paid), ``reject_guarantee_claim`` (a claim receivable that will
not be paid), ``pay_subrogation_share`` (subrogation paid over). A claim's payment is
``services.loans.recovery.record_claim_payment``.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...errors import Conflict, NotFound
from ...models import (
    CreditProgram,
    GuaranteeClaim,
    GuaranteeCover,
    Guarantor,
    Loan,
    ProgramGuarantee,
    Recovery,
    SubrogationPayment,
)
from ..audit import Actor, record
from ..books.program_events import journal_subrogation
from .common import lock_loan, refuse, require_reason
from .guarantee_lists import ijp_due

MAX_IJP_RATE = Decimal("0.2")  # far above any published IJP rate: a typing mistake


def ijp_amount(principal: int, rate: Decimal, tenor_months: int) -> int:
    """``floor(principal x rate x min(tenor, 12) / 12)``: one-off IJP, pro rata under a year."""
    months = min(tenor_months, 12)
    return int((Decimal(principal) * rate * months / 12).to_integral_value(ROUND_DOWN))


def create_guarantor(session: Session, actor: Actor, code: str, name: str) -> Guarantor:
    """Register a guarantor (code upper-cased, unique)."""
    code = (code or "").strip().upper()
    name = (name or "").strip()
    if not code or len(code) > 32:
        raise refuse("code", "1 to 32 characters")
    if not name or len(name) > 200:
        raise refuse("name", "1 to 200 characters")
    if session.scalar(select(Guarantor.id).where(Guarantor.code == code)) is not None:
        raise Conflict("guarantor exists", {"code": [f"{code} exists"]})
    guarantor = Guarantor(code=code, name=name, active=True)
    session.add(guarantor)
    session.flush()
    record(session, actor, "guarantor.create", "guarantor", guarantor.id, after={"code": code})
    return guarantor


def guarantor_by_code(session: Session, code: str) -> Guarantor:
    """The guarantor with ``code`` (any case), or 404 naming ``guarantor``."""
    found = session.scalar(select(Guarantor).where(Guarantor.code == (code or "").strip().upper()))
    if found is None:
        raise NotFound("no such guarantor", {"guarantor": [f"no guarantor {code!r}"]})
    return found


def set_program_guarantee(
    session: Session,
    actor: Actor,
    *,
    program_id: int,
    guarantor_id: int,
    ijp_rate: Decimal,
    effective_from: date,
) -> ProgramGuarantee:
    """Set a program's guarantor and IJP rate from ``effective_from`` on (loans approved
    before it keep the row they were made under)."""
    if not isinstance(ijp_rate, Decimal) or not ijp_rate.is_finite():
        raise refuse("ijp_rate", "must be a decimal rate, e.g. 0.015")
    if not Decimal(0) <= ijp_rate <= MAX_IJP_RATE:
        raise refuse("ijp_rate", f"must be from 0 to {MAX_IJP_RATE}")
    if ijp_rate != ijp_rate.quantize(Decimal("0.000001")):
        raise refuse("ijp_rate", "at most six decimals")
    if session.get(CreditProgram, program_id) is None:
        raise NotFound("no such program", {"program": [f"no program {program_id}"]})
    if session.get(Guarantor, guarantor_id) is None:
        raise NotFound("no such guarantor", {"guarantor": [f"no guarantor {guarantor_id}"]})
    clash = session.scalar(
        select(ProgramGuarantee.id).where(
            ProgramGuarantee.program_id == program_id,
            ProgramGuarantee.effective_from == effective_from,
        )
    )
    if clash is not None:
        raise Conflict("rate exists", {"effective_from": ["the program has a row from this date"]})
    row = ProgramGuarantee(
        program_id=program_id,
        guarantor_id=guarantor_id,
        ijp_rate=ijp_rate,
        effective_from=effective_from,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "program_guarantee.set",
        "program_guarantee",
        row.id,
        after={
            "program_id": program_id,
            "guarantor_id": guarantor_id,
            "ijp_rate": str(ijp_rate),
            "effective_from": effective_from.isoformat(),
        },
        as_of=effective_from,
    )
    return row


def guarantee_in_force(session: Session, program_id: int, on: date) -> ProgramGuarantee | None:
    """The program's guarantee row in force on ``on`` (latest ``effective_from`` <= ``on``)."""
    return session.scalar(
        select(ProgramGuarantee)
        .where(ProgramGuarantee.program_id == program_id, ProgramGuarantee.effective_from <= on)
        .order_by(ProgramGuarantee.effective_from.desc())
        .limit(1)
    )


def open_cover(
    session: Session, actor: Actor, loan: Loan, started_on: date
) -> GuaranteeCover | None:
    """Open the loan's cover at its first disbursement (money event: IJP charged).

    None when the loan has no cover share or its program no guarantor on the approval date;
    the existing cover when it is open already (a later tranche changes nothing).
    """
    existing = session.scalar(select(GuaranteeCover).where(GuaranteeCover.loan_id == loan.id))
    if existing is not None or not loan.guarantee_coverage:
        return existing
    terms = guarantee_in_force(session, loan.program_id, loan.approved_on)
    if terms is None:
        return None
    share = Decimal(loan.guarantee_coverage)
    tenor_months = loan.tenor if loan.frequency == "monthly" else max(1, loan.tenor * 7 // 30)
    cover = GuaranteeCover(
        loan_id=loan.id,
        guarantor_id=terms.guarantor_id,
        program_guarantee_id=terms.id,
        share=share,
        ijp_rate=terms.ijp_rate,
        covered_amount=int((Decimal(loan.principal) * share).to_integral_value(ROUND_DOWN)),
        ijp_amount=ijp_amount(loan.principal, Decimal(terms.ijp_rate), tenor_months),
        started_on=started_on,
    )
    session.add(cover)
    session.flush()
    record(
        session,
        actor,
        "guarantee_cover.open",
        "guarantee_cover",
        cover.id,
        after={
            "loan_id": loan.id,
            "guarantor_id": cover.guarantor_id,
            "share": str(share),
            "covered_amount": cover.covered_amount,
            "ijp_amount": cover.ijp_amount,
        },
        as_of=started_on,
    )
    return cover


def record_ijp_payment(
    session: Session, actor: Actor, guarantor_id: int, *, started_to: date, paid_on: date
) -> tuple[int, int]:
    """Mark the IJP of every unpaid cover of the guarantor opened by ``started_to`` as paid
    (money event: IJP paid).

    Returns:
        (covers, total IJP) paid; refused when there is nothing to pay.
    """
    if session.get(Guarantor, guarantor_id) is None:
        raise NotFound("no such guarantor", {"guarantor": [f"no guarantor {guarantor_id}"]})
    if paid_on < started_to:
        raise refuse("paid_on", "must not be before the covers it pays for")
    due = (
        GuaranteeCover.guarantor_id == guarantor_id,
        GuaranteeCover.started_on <= started_to,
        GuaranteeCover.ijp_paid_on.is_(None),
    )
    count, total = ijp_due(session, guarantor_id, started_to)  # the pages' preview, too
    if not count:
        raise refuse("started_to", "no unpaid IJP of this guarantor by this date")
    session.execute(update(GuaranteeCover).where(*due).values(ijp_paid_on=paid_on))
    record(
        session,
        actor,
        "guarantee_cover.ijp_paid",
        "guarantor",
        guarantor_id,
        after={"covers": int(count), "amount": int(total), "started_to": started_to.isoformat()},
        as_of=paid_on,
    )
    return int(count), int(total)


def reject_guarantee_claim(
    session: Session, actor: Actor, claim_id: int, *, reason: str, rejected_on: date
) -> GuaranteeClaim:
    """Record that the guarantor refused a submitted claim (money event: claim rejected).

    Returns:
        The rejected claim.
    """
    text = require_reason(reason)
    claim = session.get(GuaranteeClaim, claim_id)
    if claim is None:
        raise NotFound("no such claim", {"claim_id": ["not found"]})
    lock_loan(session, claim.loan_id)
    session.refresh(claim)
    if claim.status != "submitted":
        raise Conflict("claim decided", {"claim_id": [f"status is {claim.status}"]})
    if rejected_on < claim.claimed_on:
        raise refuse("rejected_on", f"must not be before the claim on {claim.claimed_on}")
    claim.status, claim.rejection_reason, claim.rejected_on = "rejected", text, rejected_on
    session.flush()
    record(
        session,
        actor,
        "guarantee_claim.rejected",
        "guarantee_claim",
        claim.id,
        before={"status": "submitted"},
        after={"status": "rejected", "reason": text, "amount": claim.amount},
        as_of=rejected_on,
    )
    return claim


def pay_subrogation_share(
    session: Session, actor: Actor, recovery_id: int, *, paid_on: date
) -> SubrogationPayment:
    """Pay the guarantor its share of one recovery (money event: subrogation paid over).

    Returns:
        The ``SubrogationPayment`` (the whole ``guarantor_share``; paid once).
    """
    recovery = session.get(Recovery, recovery_id)
    if recovery is None:
        raise NotFound("no such recovery", {"recovery_id": [f"no recovery {recovery_id}"]})
    lock_loan(session, recovery.loan_id)
    if not recovery.guarantor_share:
        raise refuse("recovery_id", "nothing of this recovery is owed to a guarantor")
    cover = session.scalar(select(GuaranteeCover).where(GuaranteeCover.loan_id == recovery.loan_id))
    if cover is None:
        raise refuse("recovery_id", "the loan has no guarantee cover on record")
    done = session.scalar(
        select(SubrogationPayment.id).where(SubrogationPayment.recovery_id == recovery.id)
    )
    if done is not None:
        raise Conflict("share paid", {"recovery_id": ["the guarantor's share is paid already"]})
    if paid_on < recovery.recovered_on:
        raise refuse("paid_on", f"must not be before the recovery on {recovery.recovered_on}")
    payment = SubrogationPayment(
        recovery_id=recovery.id,
        guarantor_id=cover.guarantor_id,
        loan_id=recovery.loan_id,
        amount=recovery.guarantor_share,
        paid_on=paid_on,
    )
    session.add(payment)
    session.flush()
    loan = session.get(Loan, recovery.loan_id)
    assert loan is not None  # a foreign key
    journal_subrogation(
        session,
        recovery.id,
        payment.amount,
        paid_on,
        loan_id=loan.id,
        program_id=loan.program_id,
        lender_id=loan.lender_id,
    )
    record(
        session,
        actor,
        "subrogation.paid",
        "recovery",
        recovery.id,
        after={"amount": payment.amount, "guarantor_id": cover.guarantor_id},
        as_of=paid_on,
    )
    return payment


def guarantors(session: Session) -> list[Guarantor]:
    """Every guarantor by code."""
    return list(session.scalars(select(Guarantor).order_by(Guarantor.code)))


def cover_of(session: Session, loan_id: int) -> dict[str, Any] | None:
    """The loan's cover as plain values (None without one)."""
    cover = session.scalar(select(GuaranteeCover).where(GuaranteeCover.loan_id == loan_id))
    if cover is None:
        return None
    return {c.key: getattr(cover, c.key) for c in GuaranteeCover.__table__.columns}
