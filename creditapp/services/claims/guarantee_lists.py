"""Read-only lists of the guarantee cycle for the claim pages: a guarantor's claims, the IJP a
payment would mark paid (its preview), the recoveries whose guarantor share is still owed,
and the programs' guarantee rows. Nothing here writes.

A claim or recovery belongs to the guarantor whose cover the loan has (``GuaranteeCover``,
one per loan), as in ``statements.guarantor_statement``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ...models import (
    Application,
    CreditProgram,
    GuaranteeClaim,
    GuaranteeCover,
    Guarantor,
    Loan,
    ProgramGuarantee,
    Recovery,
    SubrogationPayment,
)

CLAIM_STATES = ("submitted", "paid", "rejected")


def _claims_query(guarantor_id: int) -> Any:
    claim, cover = GuaranteeClaim, GuaranteeCover
    return (
        select(
            claim.id,
            claim.loan_id,
            Application.reference,
            claim.claimed_on,
            claim.amount,
            claim.status,
            claim.paid_amount,
            claim.paid_on,
            claim.rejection_reason,
            claim.rejected_on,
        )
        .join(cover, cover.loan_id == claim.loan_id)
        .join(Loan, Loan.id == claim.loan_id)
        .join(Application, Application.id == Loan.application_id)
        .where(cover.guarantor_id == guarantor_id)
    )


def guarantee_claims(
    session: Session, guarantor_id: int, *, status: str | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], int]:
    """The guarantor's claims, newest first (``claimed_on``, then id), at most ``limit``.

    Returns:
        (rows, how many match in all), so a page can say it shows only the newest.
    """
    where: list[ColumnElement[bool]] = []
    if status is not None:
        where.append(GuaranteeClaim.status == status)
    query = _claims_query(guarantor_id).where(*where)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(GuaranteeClaim.claimed_on.desc(), GuaranteeClaim.id.desc()).limit(limit)
    )
    return [dict(r) for r in rows.mappings()], int(total)


def guarantee_claim(session: Session, guarantor_id: int, claim_id: int) -> dict[str, Any] | None:
    """One claim as in ``guarantee_claims``, or None when it is not this guarantor's."""
    row = session.execute(
        _claims_query(guarantor_id).where(GuaranteeClaim.id == claim_id)
    ).mappings()
    found = row.first()
    return dict(found) if found is not None else None


def ijp_due(session: Session, guarantor_id: int, started_to: date) -> tuple[int, int]:
    """(covers, total IJP) that ``record_ijp_payment`` would mark paid for ``started_to``:
    the guarantor's covers opened by then whose IJP is unpaid."""
    cover = GuaranteeCover
    count, total = session.execute(
        select(func.count(cover.id), func.coalesce(func.sum(cover.ijp_amount), 0)).where(
            cover.guarantor_id == guarantor_id,
            cover.started_on <= started_to,
            cover.ijp_paid_on.is_(None),
        )
    ).one()
    return int(count), int(total)


def subrogation_owed(session: Session, guarantor_id: int) -> list[dict[str, Any]]:
    """Recoveries on the guarantor's covered loans with a guarantor share not yet paid over,
    oldest first (the order they fall due)."""
    rec = Recovery
    paid = select(SubrogationPayment.id).where(SubrogationPayment.recovery_id == rec.id)
    rows = session.execute(
        select(
            rec.id,
            rec.loan_id,
            Application.reference,
            rec.recovered_on,
            rec.amount,
            rec.guarantor_share,
        )
        .join(GuaranteeCover, GuaranteeCover.loan_id == rec.loan_id)
        .join(Loan, Loan.id == rec.loan_id)
        .join(Application, Application.id == Loan.application_id)
        .where(
            GuaranteeCover.guarantor_id == guarantor_id,
            rec.guarantor_share > 0,
            ~paid.exists(),
        )
        .order_by(rec.recovered_on, rec.id)
    )
    return [dict(r) for r in rows.mappings()]


def program_guarantee_rows(session: Session) -> list[dict[str, Any]]:
    """Every program's guarantee rows: program, guarantor, IJP rate and the date it runs
    from, by program code and newest row first."""
    pg = ProgramGuarantee
    rows = session.execute(
        select(
            pg.id,
            CreditProgram.code.label("program_code"),
            CreditProgram.name.label("program_name"),
            Guarantor.code.label("guarantor_code"),
            Guarantor.name.label("guarantor_name"),
            pg.ijp_rate,
            pg.effective_from,
        )
        .join(CreditProgram, CreditProgram.id == pg.program_id)
        .join(Guarantor, Guarantor.id == pg.guarantor_id)
        .order_by(CreditProgram.code, pg.effective_from.desc())
    )
    return [dict(r) for r in rows.mappings()]
