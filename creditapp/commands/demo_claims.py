"""The demo's claim cycles: guarantors and IJP rates before the loans are replayed (so each
loan's cover opens at its disbursement), then, after the replay, the monthly subsidy claims
submitted, verified and paid on a fixed calendar, the IJP paid per quarter and the
guarantors' shares of recoveries paid over.

Calendar (all before the demo date, nothing after it): the claim for month M is submitted on
the 5th of M+1, verified on the 20th of M+1 and paid in full on the 10th of M+2. Lines of
loans whose id is a multiple of 47 are rejected ("not found in SIKP"), so the pages show
rejections. IJP is paid on the 20th after each quarter for the covers opened in it;
subrogation 14 days after each recovery.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loanmath.dates import add_months

from ..models import (
    CreditProgram,
    GuaranteeCover,
    Guarantor,
    ProgramGuarantee,
    Recovery,
    SubrogationPayment,
    SubsidyAccrual,
    SubsidyClaim,
)
from ..services import claims
from ..services.audit import Actor
from ..services.claims.subsidy_claims import claim_lines

DEMO_GUARANTORS = (
    ("ASKRINDO", "PT Asuransi Kredit Indonesia (Askrindo)"),
    ("JAMKRINDO", "Perum Jaminan Kredit Indonesia (Jamkrindo)"),
)
# Demo IJP rates (a share of the plafond, charged once), not the official ones.
DEMO_IJP = {"ASKRINDO": Decimal("0.015"), "JAMKRINDO": Decimal("0.0125")}
REJECT_EVERY = 47
REJECT_REASON = "Data debitur tidak ditemukan di SIKP"


def ensure_guarantors(session: Session, actor: Actor, effective_from: date) -> int:
    """Askrindo and Jamkrindo, and a guarantee row for every program without one (Kecil
    programs with Jamkrindo, the others with Askrindo). Returns the rows created."""
    made = 0
    by_code = {g.code: g for g in session.scalars(select(Guarantor))}
    for code, name in DEMO_GUARANTORS:
        if code not in by_code:
            by_code[code] = claims.create_guarantor(session, actor, code, name)
            made += 1
    covered = set(session.scalars(select(ProgramGuarantee.program_id)))
    for program in session.scalars(select(CreditProgram).order_by(CreditProgram.code)):
        if program.id in covered or not program.guarantee_coverage:
            continue
        code = "JAMKRINDO" if program.segment == "kecil" else "ASKRINDO"
        claims.set_program_guarantee(
            session,
            actor,
            program_id=program.id,
            guarantor_id=by_code[code].id,
            ijp_rate=DEMO_IJP[code],
            effective_from=effective_from,
        )
        made += 1
    return made


def claims_loaded(session: Session, lender_ids: list[int]) -> int:
    """Subsidy claims of the demo lenders already stored."""
    return int(
        session.scalar(
            select(func.count(SubsidyClaim.id)).where(SubsidyClaim.lender_id.in_(lender_ids))
        )
        or 0
    )


def _subsidy_claims(session: Session, actor: Actor, lender_ids: list[int], as_of: date) -> str:
    first = session.scalar(select(func.min(SubsidyAccrual.period_start)))
    if first is None:
        return "subsidy claims: no accruals"
    built = verified = paid = rejected = 0
    month = first.replace(day=1)
    while add_months(month, 1).replace(day=5) <= as_of:
        after = add_months(month, 1)
        for lender_id in lender_ids:
            for claim in claims.build_subsidy_claims(
                session, actor, month, after.replace(day=5), lender_id=lender_id
            ):
                built += 1
                if after.replace(day=20) > as_of:
                    continue
                for line in claim_lines(session, claim.id):
                    if line.loan_id % REJECT_EVERY == 0:
                        claims.reject_subsidy_claim_line(
                            session,
                            actor,
                            line.id,
                            reason=REJECT_REASON,
                            rejected_on=after.replace(day=15),
                        )
                        rejected += 1
                claims.verify_subsidy_claim(
                    session, actor, claim.id, verified_on=after.replace(day=20)
                )
                verified += 1
                pay_on = add_months(month, 2).replace(day=10)
                if pay_on <= as_of and claim.verified_total > 0:
                    claims.record_subsidy_claim_payment(
                        session,
                        actor,
                        claim.id,
                        paid_amount=claim.verified_total,
                        paid_on=pay_on,
                    )
                    paid += 1
        session.flush()
        month = after
    return (
        f"subsidy claims: {built} submitted, {verified} verified ({rejected} lines rejected), "
        f"{paid} paid"
    )


def _guarantees(session: Session, actor: Actor, as_of: date) -> str:
    ijp_payments = 0
    for guarantor in session.scalars(select(Guarantor).order_by(Guarantor.code)).all():
        first = session.scalar(
            select(func.min(GuaranteeCover.started_on)).where(
                GuaranteeCover.guarantor_id == guarantor.id
            )
        )
        if first is None:
            continue
        quarter = date(first.year, (first.month - 1) // 3 * 3 + 1, 1)
        while True:
            end = add_months(quarter, 3) - timedelta(days=1)
            pay_on = end + timedelta(days=20)
            if pay_on > as_of:
                break
            unpaid = session.scalar(
                select(func.count(GuaranteeCover.id)).where(
                    GuaranteeCover.guarantor_id == guarantor.id,
                    GuaranteeCover.started_on <= end,
                    GuaranteeCover.ijp_paid_on.is_(None),
                )
            )
            if unpaid:
                claims.record_ijp_payment(
                    session, actor, guarantor.id, started_to=end, paid_on=pay_on
                )
                ijp_payments += 1
            quarter = add_months(quarter, 3)
    shares = session.scalars(
        select(Recovery)
        .join(GuaranteeCover, GuaranteeCover.loan_id == Recovery.loan_id)
        .outerjoin(SubrogationPayment, SubrogationPayment.recovery_id == Recovery.id)
        .where(
            Recovery.guarantor_share > 0,
            SubrogationPayment.id.is_(None),
            Recovery.recovered_on <= as_of - timedelta(days=14),
        )
        .order_by(Recovery.id)
    ).all()
    for recovery in shares:
        claims.pay_subrogation_share(
            session, actor, recovery.id, paid_on=recovery.recovered_on + timedelta(days=14)
        )
    return f"guarantee: {ijp_payments} IJP payments, {len(shares)} subrogation shares paid"


def load_claims(session: Session, actor: Actor, lender_ids: list[int], as_of: date) -> list[str]:
    """Run the demo's claim calendar up to ``as_of``; returns the lines to print."""
    return [
        _subsidy_claims(session, actor, lender_ids, as_of),
        _guarantees(session, actor, as_of),
    ]
