"""Read-only figures of the claim cycles, each one SQL aggregate (no loop over loans).

- ``subsidy_claims_list``: claims with their reconciliation (accrued, rejected, verified,
  paid, shortfall, still to be paid).
- ``subsidy_reconciliation_by_program``: per program over a range of months, the subsidy
  accrued against what was claimed, rejected, verified and paid; ``unclaimed`` = accrued -
  claimed.
- ``guarantor_statement``: one guarantor over a period: covers opened, IJP charged / paid /
  unpaid, claims by status, claims paid, subrogation owed / paid / still owed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from ...models import (
    CreditProgram,
    GuaranteeClaim,
    GuaranteeCover,
    Guarantor,
    Lender,
    Loan,
    Recovery,
    SubrogationPayment,
    SubsidyAccrual,
    SubsidyClaim,
    SubsidyClaimLine,
)
from .subsidy_claims import month_end


def _int(value: Any) -> int:
    return int(value or 0)


def subsidy_claims_list(
    session: Session,
    *,
    lender_id: int | None = None,
    program_id: int | None = None,
    status: str | None = None,
    claim_id: int | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Claims, newest month first, each with its lines' counts and reconciliation.

    rejected = Σ rejected lines; shortfall = verified - paid once paid; open = verified
    not yet paid (verified claims).
    """
    line = SubsidyClaimLine
    lines = (
        select(
            line.claim_id,
            func.count(line.id).label("lines"),
            func.count(line.id).filter(line.status == "rejected").label("lines_rejected"),
            func.coalesce(func.sum(line.amount).filter(line.status == "rejected"), 0).label(
                "rejected"
            ),
        )
        .group_by(line.claim_id)
        .subquery()
    )
    c = SubsidyClaim
    query = (
        select(
            c.id,
            c.month,
            c.status,
            c.accrued_total,
            c.verified_total,
            c.paid_amount,
            c.submitted_on,
            c.verified_on,
            c.paid_on,
            CreditProgram.code.label("program"),
            Lender.code.label("lender"),
            c.lender_id,
            lines.c.lines,
            lines.c.lines_rejected,
            lines.c.rejected,
        )
        .join(CreditProgram, CreditProgram.id == c.program_id)
        .join(Lender, Lender.id == c.lender_id)
        .join(lines, lines.c.claim_id == c.id)
        .order_by(c.month.desc(), CreditProgram.code, Lender.code)
        .limit(limit)
    )
    if lender_id is not None:
        query = query.where(c.lender_id == lender_id)
    if program_id is not None:
        query = query.where(c.program_id == program_id)
    if status:
        query = query.where(c.status == status)
    if claim_id is not None:
        query = query.where(c.id == claim_id)
    out = []
    for row in session.execute(query).mappings():
        item = dict(row)
        paid = item["status"] == "paid"
        item["shortfall"] = item["verified_total"] - item["paid_amount"] if paid else 0
        item["open"] = item["verified_total"] if item["status"] == "verified" else 0
        out.append(item)
    return out


def subsidy_reconciliation_by_program(
    session: Session, month_from: date, month_to: date, *, lender_id: int | None = None
) -> list[dict[str, Any]]:
    """Per program, accruals of the months ``month_from``..``month_to`` against the claims.

    accrued = Σ accruals whose period starts in the months; claimed = Σ their claim lines;
    rejected = Σ rejected lines; verified / paid = Σ of the claims of those months;
    unclaimed = accrued - claimed.
    """
    last = month_end(month_to)
    acc = SubsidyAccrual
    line = SubsidyClaimLine
    accrued = (
        select(
            acc.program_id,
            func.sum(acc.amount).label("accrued"),
            func.coalesce(func.sum(line.amount), 0).label("claimed"),
            func.coalesce(func.sum(line.amount).filter(line.status == "rejected"), 0).label(
                "rejected"
            ),
        )
        .join(Loan, Loan.id == acc.loan_id)
        .outerjoin(line, line.accrual_id == acc.id)
        .where(acc.period_start.between(month_from, last))
        .group_by(acc.program_id)
    )
    claims = select(
        SubsidyClaim.program_id,
        func.sum(SubsidyClaim.verified_total).label("verified"),
        func.sum(SubsidyClaim.paid_amount).label("paid"),
        func.sum(
            case(
                (
                    SubsidyClaim.status == "paid",
                    SubsidyClaim.verified_total - SubsidyClaim.paid_amount,
                ),
                else_=literal(0),
            )
        ).label("shortfall"),
    ).where(SubsidyClaim.month.between(month_from, month_to))
    if lender_id is not None:
        accrued = accrued.where(Loan.lender_id == lender_id)
        claims = claims.where(SubsidyClaim.lender_id == lender_id)
    a = accrued.subquery()
    k = claims.group_by(SubsidyClaim.program_id).subquery()
    rows = session.execute(
        select(
            CreditProgram.code.label("program"),
            a.c.accrued,
            a.c.claimed,
            a.c.rejected,
            k.c.verified,
            k.c.paid,
            k.c.shortfall,
        )
        .join(a, a.c.program_id == CreditProgram.id)
        .outerjoin(k, k.c.program_id == CreditProgram.id)
        .order_by(CreditProgram.code)
    ).mappings()
    out = []
    for row in rows:
        item = {key: (_int(v) if key != "program" else v) for key, v in row.items()}
        item["unclaimed"] = item["accrued"] - item["claimed"]
        out.append(item)
    return out


def guarantor_statement(
    session: Session, guarantor_id: int, period_start: date, period_end: date
) -> dict[str, Any]:
    """One guarantor's statement for ``period_start``..``period_end`` (both inclusive).

    covers: opened in the period (count, covered amount) and in force at its end (opened by
    then, the loan neither closed nor written off by then); IJP: charged (covers opened in
    the period), paid in the period, unpaid at the end;
    claims on covered loans submitted in the period, by status (count, claimed, paid); claims
    paid in the period; subrogation: owed (Σ ``guarantor_share`` of recoveries in the period),
    paid in the period, and still owed at the end (all owed by then - all paid by then).
    """
    guarantor = session.get(Guarantor, guarantor_id)
    gc = GuaranteeCover

    def in_period(col: Any) -> Any:
        return col.between(period_start, period_end)

    covers = session.execute(
        select(
            func.count(gc.id).filter(in_period(gc.started_on)).label("opened"),
            func.coalesce(func.sum(gc.covered_amount).filter(in_period(gc.started_on)), 0).label(
                "covered_opened"
            ),
            func.count(gc.id)
            .filter(
                gc.started_on <= period_end,
                (Loan.closed_on.is_(None)) | (Loan.closed_on > period_end),
                (Loan.written_off_on.is_(None)) | (Loan.written_off_on > period_end),
            )
            .label("in_force"),
            func.coalesce(func.sum(gc.ijp_amount).filter(in_period(gc.started_on)), 0).label(
                "ijp_charged"
            ),
            func.coalesce(func.sum(gc.ijp_amount).filter(in_period(gc.ijp_paid_on)), 0).label(
                "ijp_paid"
            ),
            func.coalesce(
                func.sum(gc.ijp_amount).filter(
                    gc.started_on <= period_end,
                    (gc.ijp_paid_on.is_(None)) | (gc.ijp_paid_on > period_end),
                ),
                0,
            ).label("ijp_unpaid"),
        )
        .join(Loan, Loan.id == gc.loan_id)
        .where(gc.guarantor_id == guarantor_id)
    ).one()
    claim = GuaranteeClaim
    covered = and_(gc.loan_id == claim.loan_id, gc.guarantor_id == guarantor_id)
    by_status = session.execute(
        select(
            claim.status,
            func.count(claim.id),
            func.coalesce(func.sum(claim.amount), 0),
            func.coalesce(func.sum(claim.paid_amount), 0),
        )
        .join(gc, covered)
        .where(in_period(claim.claimed_on))
        .group_by(claim.status)
        .order_by(claim.status)
    ).all()
    paid_in_period = session.execute(
        select(func.count(claim.id), func.coalesce(func.sum(claim.paid_amount), 0))
        .join(gc, covered)
        .where(claim.status == "paid", in_period(claim.paid_on))
    ).one()
    rec = Recovery
    owed = session.execute(
        select(
            func.coalesce(func.sum(rec.guarantor_share).filter(in_period(rec.recovered_on)), 0),
            func.coalesce(func.sum(rec.guarantor_share).filter(rec.recovered_on <= period_end), 0),
        )
        .join(gc, gc.loan_id == rec.loan_id)
        .where(gc.guarantor_id == guarantor_id)
    ).one()
    sp = SubrogationPayment
    paid = session.execute(
        select(
            func.coalesce(func.sum(sp.amount).filter(in_period(sp.paid_on)), 0),
            func.coalesce(func.sum(sp.amount).filter(sp.paid_on <= period_end), 0),
        ).where(sp.guarantor_id == guarantor_id)
    ).one()
    return {
        "guarantor": guarantor.code if guarantor else None,
        "guarantor_name": guarantor.name if guarantor else None,
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "covers_opened": _int(covers.opened),
        "covered_amount_opened": _int(covers.covered_opened),
        "covers_in_force": _int(covers.in_force),
        "ijp_charged": _int(covers.ijp_charged),
        "ijp_paid": _int(covers.ijp_paid),
        "ijp_unpaid": _int(covers.ijp_unpaid),
        "claims": [
            {"status": s, "claims": _int(n), "amount": _int(a), "paid_amount": _int(p)}
            for s, n, a, p in by_status
        ],
        "claims_paid_in_period": _int(paid_in_period[0]),
        "claims_paid_amount": _int(paid_in_period[1]),
        "subrogation_owed": _int(owed[0]),
        "subrogation_paid": _int(paid[0]),
        "subrogation_outstanding": _int(owed[1]) - _int(paid[1]),
    }
