"""Annual quotas per program x lender x segment x year, and what is used of them.

Used = the principal of the lender's loans under the program **approved** in the calendar
year whose amount falls in the segment. Approval, not disbursement, is what counts: an
approved loan is a commitment the lender must be able to honour, and counting only
disbursed money would let approvals overshoot the quota while disbursements wait. A loan's
segment is its amount's size band (``loanmath.subsidy.KUR_PLAFOND_MAX``: super mikro up to
Rp 10 juta, mikro up to 100 juta, kecil up to 500 juta, other above), so a program spanning
sizes can split its quota by segment; for a KUR program it is the program's own segment.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from loanmath.rupiah import format_rupiah
from loanmath.subsidy import KUR_PLAFOND_MAX

from ..errors import DomainError, NotFound
from ..models import Lender, Loan, ProgramLenderQuota
from ..models.program import SEGMENTS
from .audit import Actor, record
from .program_terms import MAX_MONEY
from .programs import program_by_code


def segment_of(principal: Any) -> ColumnElement[str]:
    """SQL: the size band (segment) of a loan amount."""
    return case(
        (principal <= KUR_PLAFOND_MAX["super_mikro"], "super_mikro"),
        (principal <= KUR_PLAFOND_MAX["mikro"], "mikro"),
        (principal <= KUR_PLAFOND_MAX["kecil"], "kecil"),
        else_="other",
    )


def segment_of_amount(amount: int) -> str:
    """The size band of an amount (the Python twin of ``segment_of``)."""
    for segment in ("super_mikro", "mikro", "kecil"):
        if amount <= KUR_PLAFOND_MAX[segment]:
            return segment
    return "other"


def quota_used(session: Session, program_id: int, lender_id: int, segment: str, year: int) -> int:
    """Principal approved in ``year`` by the lender under the program in the segment."""
    used = session.scalar(
        select(func.coalesce(func.sum(Loan.principal), 0)).where(
            Loan.program_id == program_id,
            Loan.lender_id == lender_id,
            Loan.approved_on >= date(year, 1, 1),
            Loan.approved_on <= date(year, 12, 31),
            segment_of(Loan.principal) == segment,
        )
    )
    return int(used or 0)


def quota_for(
    session: Session, program_id: int, lender_id: int, segment: str, year: int
) -> ProgramLenderQuota | None:
    return session.scalar(
        select(ProgramLenderQuota).where(
            ProgramLenderQuota.program_id == program_id,
            ProgramLenderQuota.lender_id == lender_id,
            ProgramLenderQuota.segment == segment,
            ProgramLenderQuota.year == year,
        )
    )


def check_quota_at_approval(
    session: Session, program_id: int, lender_id: int, amount: int, on: date
) -> None:
    """Refuse an approval that would overshoot the lender's quota of the year (if it has one).

    The caller holds the program row ``FOR UPDATE``, so concurrent approvals sum in turn.
    """
    segment = segment_of_amount(amount)
    quota = quota_for(session, program_id, lender_id, segment, on.year)
    if quota is None:
        return
    used = quota_used(session, program_id, lender_id, segment, on.year)
    if used + amount > quota.quota:
        left = max(quota.quota - used, 0)
        reason = (
            f"exceeds the lender's remaining quota of Rp{left} ({segment}, {on.year}: "
            f"{format_rupiah(quota.quota)} less {format_rupiah(used)} used)"
        )
        raise DomainError(reason, {"amount": [reason]})


def quotas_of(session: Session, program_id: int) -> list[dict[str, Any]]:
    """Every quota of a program with its use, in one aggregate query per program."""
    # Grouped over a subquery: PostgreSQL cannot match a CASE with bound thresholds in the
    # select list to the same CASE in GROUP BY (each carries its own parameters).
    banded = (
        select(
            Loan.lender_id,
            segment_of(Loan.principal).label("segment"),
            func.extract("year", Loan.approved_on).label("year"),
            Loan.principal,
        )
        .where(Loan.program_id == program_id)
        .subquery()
    )
    used = {
        (int(lid), str(seg), int(y)): int(total)
        for lid, seg, y, total in session.execute(
            select(
                banded.c.lender_id, banded.c.segment, banded.c.year, func.sum(banded.c.principal)
            ).group_by(banded.c.lender_id, banded.c.segment, banded.c.year)
        )
    }
    rows = session.execute(
        select(ProgramLenderQuota, Lender.code)
        .join(Lender, Lender.id == ProgramLenderQuota.lender_id)
        .where(ProgramLenderQuota.program_id == program_id)
        .order_by(ProgramLenderQuota.year.desc(), Lender.code, ProgramLenderQuota.segment)
    ).all()
    out = []
    for quota, lender_code in rows:
        spent = used.get((quota.lender_id, quota.segment, quota.year), 0)
        out.append(
            {
                "lender": lender_code,
                "segment": quota.segment,
                "year": quota.year,
                "quota": quota.quota,
                "used": spent,
                "left": max(quota.quota - spent, 0),
            }
        )
    return out


def _lender(session: Session, code: str) -> Lender:
    lender = session.scalar(select(Lender).where(Lender.code == code))
    if lender is None:
        raise NotFound("no such lender", {"lender": [f"unknown lender code {code!r}"]})
    return lender


def _whole(raw: Any) -> int | None:
    if isinstance(raw, str) and re.fullmatch(r"\s*\d+\s*", raw):
        return int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    return None


def set_quota(
    session: Session,
    actor: Actor,
    program_code: str,
    lender_code: str,
    segment: str,
    year: Any,
    quota: Any,
) -> ProgramLenderQuota:
    """Create or change a lender's annual quota; refused below what is already used."""
    program = program_by_code(session, program_code)
    lender = _lender(session, lender_code)
    errors: dict[str, list[str]] = {}
    if segment not in SEGMENTS:
        errors["segment"] = [f"must be one of {', '.join(SEGMENTS)}"]
    year_value = _whole(year)
    if year_value is None or not 2000 <= year_value <= 2100:
        errors["year"] = ["must be a year from 2000 to 2100"]
    amount = _whole(quota)
    if amount is None or not 0 <= amount <= MAX_MONEY:
        errors["quota"] = ["must be a whole number of Rupiah, 0 or more"]
    if errors:
        raise DomainError("quota refused", errors)
    assert year_value is not None and amount is not None
    used = quota_used(session, program.id, lender.id, segment, year_value)
    if amount < used:
        reason = (
            f"{format_rupiah(amount)} is below the {format_rupiah(used)} already approved "
            f"for {lender.code} ({segment}, {year_value})"
        )
        raise DomainError(reason, {"quota": [reason]})
    row = quota_for(session, program.id, lender.id, segment, year_value)
    before = None if row is None else {"quota": row.quota}
    if row is None:
        row = ProgramLenderQuota(
            program_id=program.id,
            lender_id=lender.id,
            segment=segment,
            year=year_value,
            quota=amount,
        )
        session.add(row)
    else:
        row.quota = amount
    session.flush()
    record(
        session,
        actor,
        "program.quota",
        "credit_program",
        program.id,
        before=before,
        after={
            "lender": lender.code,
            "segment": segment,
            "year": year_value,
            "quota": amount,
            "used": used,
        },
    )
    return row
