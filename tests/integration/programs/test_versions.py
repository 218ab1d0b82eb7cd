"""Versions of a program's terms: picked by date, never changing a loan already made."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.errors import Conflict, DomainError
from creditapp.models import AuditEvent, GuaranteeClaim, ProgramTerms
from creditapp.services import program_admin
from creditapp.services.audit import Actor
from creditapp.services.loans import age_loans
from creditapp.services.lookup import Lookup
from creditapp.services.program_terms import terms_in_force
from creditapp.services.programs import seed_kur_programs
from tests.factories import loans as lf
from tests.integration.programs.terms import ADMIN, kur_mikro, program

JUN_15, JUN_30, JUL_1 = date(2026, 6, 15), date(2026, 6, 30), date(2026, 7, 1)


def _july_rates(session: Session, code: str) -> ProgramTerms:
    return program_admin.add_version(
        session,
        ADMIN,
        code,
        "2026-07-01",
        kur_mikro(rate_by_access=["0.05"], day_count="actual/365"),
        today=JUN_15,
    )


def test_the_version_in_force_is_the_latest_started_on_or_before_the_date(
    session: Session,
) -> None:
    p = program(session, "PV-1")
    july = _july_rates(session, "PV-1")
    first = terms_in_force(session, p.id, date(2026, 1, 1))
    assert first is not None and first.rate_by_access == ["0.06", "0.07", "0.08", "0.09"]
    assert terms_in_force(session, p.id, date(2025, 12, 31)) is None  # before the program
    assert terms_in_force(session, p.id, JUN_30) == first
    assert terms_in_force(session, p.id, JUL_1) == july
    assert terms_in_force(session, p.id, date(2030, 1, 1)) == july


def test_a_loan_keeps_the_terms_of_its_approval_date(session: Session) -> None:
    p = program(session, "PV-2")
    july = _july_rates(session, "PV-2")
    june_loan = lf.approved_loan(session, program_obj=p, decided_on=JUN_30)
    july_loan = lf.approved_loan(session, program_obj=p, decided_on=JUL_1)
    assert june_loan.annual_rate == Decimal("0.06") and june_loan.day_count == "30/360"
    assert july_loan.annual_rate == Decimal("0.05") and july_loan.day_count == "actual/365"
    assert july_loan.program_terms_id == july.id != june_loan.program_terms_id


def test_scoring_reads_the_version_of_the_applications_date(session: Session) -> None:
    program(session, "PV-3")
    _july_rates(session, "PV-3")
    info = Lookup().program(session, "PV-3")
    assert info.rules_on(JUN_30).rate_by_access[0] == Decimal("0.06")
    assert info.rules_on(JUL_1).rate_by_access == (Decimal("0.05"),)


def test_a_version_reaching_an_existing_loan_is_refused(session: Session) -> None:
    p = program(session, "PV-4")
    lf.approved_loan(session, program_obj=p, decided_on=JUN_30)
    with pytest.raises(Conflict) as refused:
        program_admin.add_version(session, ADMIN, "PV-4", "2026-06-30", kur_mikro(), today=JUN_30)
    assert "approved on 2026-06-30" in refused.value.errors["effective_from"][0]
    # The day after the last approval is free.
    program_admin.add_version(session, ADMIN, "PV-4", "2026-07-01", kur_mikro(), today=JUN_30)


def test_a_past_date_or_a_version_in_force_is_refused(session: Session) -> None:
    program(session, "PV-5")
    with pytest.raises(DomainError) as past:
        program_admin.add_version(session, ADMIN, "PV-5", "2026-06-14", kur_mikro(), today=JUN_15)
    assert "today (2026-06-15) or later" in past.value.errors["effective_from"][0]
    _july_rates(session, "PV-5")
    with pytest.raises(Conflict, match="in force"):
        program_admin.add_version(session, ADMIN, "PV-5", "2026-07-01", kur_mikro(), today=JUL_1)


def test_a_future_version_may_be_replaced_and_both_sides_are_audited(session: Session) -> None:
    p = program(session, "PV-6")
    _july_rates(session, "PV-6")
    replaced = program_admin.add_version(
        session, ADMIN, "PV-6", "2026-07-01", kur_mikro(rate_by_access=["0.04"]), today=JUN_30
    )
    assert replaced.rate_by_access == ["0.04"]
    count = session.scalar(select(func.count()).where(ProgramTerms.program_id == p.id))
    assert count == 2  # the first and the (replaced) July version
    event = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "program.terms_version", AuditEvent.entity_id == p.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.before is not None and event.after is not None
    assert event.before["rate_by_access"] == ["0.05"] and event.after["rate_by_access"] == ["0.04"]


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"plafond_min": 200_000_000}, "plafond_max", "must not be below plafond_min"),
        ({"rate_by_access": ["six percent"]}, "rate_by_access", "decimal rate"),
        ({"rate_by_access": ["1.5"]}, "rate_by_access", "from 0 to"),
        ({"allocation_order": ["interest", "principal"]}, "allocation_order", "penalty"),
        ({"claim_grade": 9}, "claim_grade", "from 2 to 5"),
        ({"day_count": "30/365"}, "day_count", "must be one of"),
        ({"max_tenor_investment": 0}, "max_tenor_investment", "from 1 to 360"),
        ({"guarantee_coverage": "0.7000001"}, "guarantee_coverage", "6 decimal places"),
        ({"colour": "blue"}, "colour", "not a program term"),
    ],
)
def test_bad_terms_are_named_and_nothing_is_stored(
    session: Session, changes: dict[str, object], field: str, reason: str
) -> None:
    p = program(session, f"PV-B{abs(hash(field)) % 1000}")
    before = session.scalar(select(func.count()).where(ProgramTerms.program_id == p.id))
    with pytest.raises(DomainError) as refused:
        program_admin.add_version(
            session, ADMIN, p.code, "2026-09-01", kur_mikro(**changes), today=JUN_15
        )
    assert reason in " ".join(refused.value.errors[field])
    after = session.scalar(select(func.count()).where(ProgramTerms.program_id == p.id))
    assert after == before == 1


def test_a_missing_term_is_named(session: Session) -> None:
    program(session, "PV-7")
    terms = kur_mikro()
    del terms["write_off_grade"]
    with pytest.raises(DomainError) as refused:
        program_admin.add_version(session, ADMIN, "PV-7", "2026-09-01", terms, today=JUN_15)
    assert refused.value.errors == {"write_off_grade": ["is required"]}


def test_create_refuses_a_duplicate_code_and_a_bad_segment(session: Session) -> None:
    program(session, "PV-8")
    with pytest.raises(DomainError) as refused:
        program_admin.create_program(
            session,
            ADMIN,
            {
                "code": "PV-8",
                "name": "again",
                "segment": "huge",
                "active_from": "2026-13-01",
                "terms": kur_mikro(plafond_max=-1),
            },
            today=JUN_15,
        )
    errors = refused.value.errors
    assert set(errors) == {"code", "segment", "active_from", "terms.plafond_max"}


def test_the_claim_grade_is_the_loans_own_term(session: Session) -> None:
    """Kol 3 after 97 days late (3 Dec 2026 -> 10 Mar 2027: 28 + 31 + 28 + 10 days).

    Under a version claiming from Kol 3 the loan is claimed; under the default (Kol 4) not.
    """
    p = program(session, "PV-9")
    program_admin.add_version(
        session, ADMIN, "PV-9", "2026-11-01", kur_mikro(claim_grade=3), today=date(2026, 10, 1)
    )
    early = lf.active_loan(session, program_obj=p)  # approved 3 Nov 2026: claim from Kol 3
    default = lf.active_loan(session, program_obj=program(session, "PV-10"))
    summary = age_loans(session, date(2027, 3, 10))
    assert summary.by_collectibility.get(3) == 2
    claimed = set(session.scalars(select(GuaranteeClaim.loan_id)))
    assert early.id in claimed and default.id not in claimed


def test_seeded_kur_programs_get_one_version_each(session: Session) -> None:
    seeded = seed_kur_programs(session, Actor.system(), date(2024, 1, 1))
    seed_kur_programs(session, Actor.system(), date(2024, 1, 1))  # idempotent
    for p in seeded:
        versions = list(
            session.scalars(select(ProgramTerms).where(ProgramTerms.program_id == p.id))
        )
        assert [v.effective_from for v in versions] == [date(2024, 1, 1)]
        assert versions[0].claim_grade == 4 and versions[0].subsidy_max_grade == 2
        assert versions[0].rate_by_access == p.rate_by_access
