"""Annual quotas per program x lender x segment x year: usage, refusals, approval checks."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError
from creditapp.models import AuditEvent, ProgramLenderQuota
from creditapp.services.program_quotas import quota_used, quotas_of, set_quota
from tests.factories import core
from tests.factories import loans as lf
from tests.integration.programs.terms import ADMIN, program

M = 1_000_000


def test_usage_counts_the_years_approvals_in_the_segment(session: Session) -> None:
    p, lender = program(session, "PQ-1", date(2025, 1, 1)), core.lender(session)
    lf.approved_loan(session, program_obj=p, lender_obj=lender, amount=30 * M)  # 3 Nov 2026
    lf.approved_loan(
        session, program_obj=p, lender_obj=lender, amount=20 * M, decided_on=date(2026, 1, 1)
    )
    lf.approved_loan(
        session, program_obj=p, lender_obj=lender, amount=40 * M, decided_on=date(2025, 12, 31)
    )
    lf.approved_loan(session, program_obj=p, amount=15 * M)  # another lender
    assert quota_used(session, p.id, lender.id, "mikro", 2026) == 50 * M  # 30 + 20
    assert quota_used(session, p.id, lender.id, "mikro", 2025) == 40 * M
    assert quota_used(session, p.id, lender.id, "kecil", 2026) == 0


def test_a_quota_below_what_is_used_is_refused_naming_both(session: Session) -> None:
    p, lender = program(session, "PQ-2"), core.lender(session)
    set_quota(session, ADMIN, "PQ-2", lender.code, "mikro", 2026, 100 * M)
    lf.approved_loan(session, program_obj=p, lender_obj=lender, amount=60 * M)
    with pytest.raises(DomainError) as refused:
        set_quota(session, ADMIN, "PQ-2", lender.code, "mikro", 2026, 59_999_999)
    reason = refused.value.errors["quota"][0]
    assert "Rp 59.999.999" in reason and "Rp 60.000.000" in reason
    row = set_quota(session, ADMIN, "PQ-2", lender.code, "mikro", 2026, 60 * M)  # exactly used
    assert row.quota == 60 * M
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "program.quota", AuditEvent.entity_id == p.id)
        .order_by(AuditEvent.id)  # PostgreSQL returns rows in no given order without it
    ).all()
    assert [e.before for e in events] == [None, {"quota": 100 * M}]
    assert events[-1].after is not None and events[-1].after["used"] == 60 * M


def test_approval_stops_at_the_years_quota(session: Session) -> None:
    p, lender = program(session, "PQ-3"), core.lender(session)
    set_quota(session, ADMIN, "PQ-3", lender.code, "mikro", 2026, 100 * M)
    lf.approved_loan(session, program_obj=p, lender_obj=lender, amount=60 * M)
    with pytest.raises(DomainError) as refused:
        lf.approved_loan(session, program_obj=p, lender_obj=lender, amount=40_000_001)
    assert "remaining quota of Rp40000000" in refused.value.errors["amount"][0]
    lf.approved_loan(session, program_obj=p, lender_obj=lender, amount=40 * M)
    # Next year has no quota row: no limit from this table.
    lf.approved_loan(
        session, program_obj=p, lender_obj=lender, amount=90 * M, decided_on=date(2027, 1, 4)
    )
    rows = quotas_of(session, p.id)
    assert rows == [
        {"lender": lender.code, "segment": "mikro", "year": 2026, "quota": 100 * M,
         "used": 100 * M, "left": 0}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("segment", "year", "quota", "field"),
    [
        ("mega", 2026, 1, "segment"),
        ("mikro", 1999, 1, "year"),
        ("mikro", 2026, -5, "quota"),
        ("mikro", 2026, "lots", "quota"),
    ],
)
def test_bad_quota_values_are_named(
    session: Session, segment: str, year: int, quota: object, field: str
) -> None:
    program(session, f"PQ-{field[:3].upper()}{year}")
    lender = core.lender(session)
    with pytest.raises(DomainError) as refused:
        set_quota(
            session, ADMIN, f"PQ-{field[:3].upper()}{year}", lender.code, segment, year, quota
        )
    assert field in refused.value.errors
    assert (
        session.scalar(select(ProgramLenderQuota).where(ProgramLenderQuota.lender_id == lender.id))
        is None
    )
