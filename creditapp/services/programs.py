"""Credit programs: seeding the KUR defaults, quotas, and the rules the scorer applies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loanmath.subsidy import KUR_SUBSIDY_RATES
from scoring.policy import ProgramRules, kur_defaults

from ..errors import NotFound
from ..models import CreditProgram, Loan, ProgramLenderQuota, ProgramTerms
from .audit import Actor, record
from .program_terms import terms_in_force, terms_of_program

DEFAULT_ALLOCATION_ORDER = ["penalty", "interest", "principal"]
# The national KUR target for 2025 was about Rp 300 trillion; demo quotas are far smaller.
DEMO_QUOTA = {"super_mikro": 50_000_000_000, "mikro": 500_000_000_000, "kecil": 500_000_000_000}


def rules_for(program: CreditProgram, terms: ProgramTerms | None = None) -> ProgramRules:
    """Return the scoring policy's view of a program: ``terms`` (a version) or its columns."""
    t: CreditProgram | ProgramTerms = terms or program
    return ProgramRules(
        code=program.code,
        name=program.name,
        segment=program.segment,
        plafond_min=t.plafond_min,
        plafond_max=t.plafond_max,
        rate_by_access=tuple(Decimal(r) for r in t.rate_by_access),
        max_tenor_working_capital=t.max_tenor_working_capital,
        max_tenor_investment=t.max_tenor_investment,
        min_business_age_months=t.min_business_age_months,
        min_business_age_months_trained=t.min_business_age_months_trained,
        allow_other_productive_credit=t.allow_other_productive_credit,
        eligible_kbli_divisions=tuple(t.eligible_kbli_divisions or ()),
        collateral_threshold=t.collateral_threshold,
        max_installment_share=Decimal(t.max_installment_share),
        guarantee_coverage=Decimal(t.guarantee_coverage),
    )


def rules_by_version(
    session: Session, program: CreditProgram
) -> tuple[tuple[date, ProgramRules], ...]:
    """Every version's rules with its effective date, oldest first (scoring picks by date)."""
    versions = session.scalars(
        select(ProgramTerms)
        .where(ProgramTerms.program_id == program.id)
        .order_by(ProgramTerms.effective_from)
    )
    return tuple((v.effective_from, rules_for(program, v)) for v in versions)


def seed_kur_programs(session: Session, actor: Actor, active_from: date) -> list[CreditProgram]:
    """Create the KUR Super Mikro, Mikro and Kecil programs unless they exist (idempotent)."""
    created: list[CreditProgram] = []
    for rules in kur_defaults():
        if session.scalar(select(CreditProgram).where(CreditProgram.code == rules.code)):
            continue
        program = CreditProgram(
            code=rules.code,
            name=rules.name,
            segment=rules.segment,
            plafond_min=rules.plafond_min,
            plafond_max=rules.plafond_max,
            rate_by_access=[str(r) for r in rules.rate_by_access],
            subsidy_rate_by_access=[str(r) for r in KUR_SUBSIDY_RATES[rules.segment]],
            max_tenor_working_capital=rules.max_tenor_working_capital,
            max_tenor_investment=rules.max_tenor_investment,
            max_grace_months=6,
            min_business_age_months=rules.min_business_age_months,
            min_business_age_months_trained=rules.min_business_age_months_trained,
            allow_other_productive_credit=rules.allow_other_productive_credit,
            eligible_kbli_divisions=list(rules.eligible_kbli_divisions),
            collateral_threshold=rules.collateral_threshold,
            max_installment_share=rules.max_installment_share,
            guarantee_coverage=rules.guarantee_coverage,
            interest_method="annuity",
            allocation_order=DEFAULT_ALLOCATION_ORDER,
            prepayment_mode="shorten_tenor",
            quota_total=DEMO_QUOTA[rules.segment],
            active_from=active_from,
        )
        session.add(program)
        session.flush()
        # One version of terms, effective from the start: the program's columns and the
        # servicing defaults (they were code constants before programs kept versions).
        session.add(
            ProgramTerms(
                program_id=program.id, effective_from=active_from, **terms_of_program(program)
            )
        )
        session.flush()
        record(
            session,
            actor,
            "program.create",
            "credit_program",
            program.id,
            after={"code": program.code, "terms_from": active_from.isoformat()},
        )
        created.append(program)
    return created


def program_by_code(session: Session, code: str) -> CreditProgram:
    """Return the program with ``code``."""
    program = session.scalar(select(CreditProgram).where(CreditProgram.code == code))
    if program is None:
        raise NotFound("no such program", {"program": [f"unknown program code {code!r}"]})
    return program


def is_active(program: CreditProgram, as_of: date) -> bool:
    return program.active_from <= as_of and (
        program.active_to is None or as_of <= program.active_to
    )


@dataclass(frozen=True)
class ProgramStanding:
    """A program with the terms in force on the date and what is left of its quotas."""

    program: CreditProgram
    terms: CreditProgram | ProgramTerms  # the version in force (the program's columns if none)
    used_total: int
    remaining_total: int | None
    lender_quota: int | None  # the lender's quotas of the as-of year, all segments
    remaining_for_lender: int | None


def active_programs(session: Session, as_of: date, lender_id: int) -> list[ProgramStanding]:
    """Return the programs active on ``as_of`` with the terms in force and remaining quota.

    The lender's quota is that of the as-of year (``program_quotas``: approved principal in
    the calendar year), all segments together; the program total stays a lifetime figure.
    """
    programs = [
        p
        for p in session.scalars(select(CreditProgram).order_by(CreditProgram.plafond_min))
        if is_active(p, as_of)
    ]
    used = dict(
        session.execute(
            select(Loan.program_id, func.sum(Loan.principal)).group_by(Loan.program_id)
        ).all()
    )
    year = min(as_of.year, 2100)
    used_by_lender = dict(
        session.execute(
            select(Loan.program_id, func.sum(Loan.principal))
            .where(
                Loan.lender_id == lender_id,
                Loan.approved_on >= date(year, 1, 1),
                Loan.approved_on <= date(year, 12, 31),
            )
            .group_by(Loan.program_id)
        ).all()
    )
    quotas = dict(
        session.execute(
            select(ProgramLenderQuota.program_id, func.sum(ProgramLenderQuota.quota))
            .where(ProgramLenderQuota.lender_id == lender_id, ProgramLenderQuota.year == year)
            .group_by(ProgramLenderQuota.program_id)
        ).all()
    )
    out = []
    for p in programs:
        used_total = int(used.get(p.id) or 0)
        lender_quota = None if quotas.get(p.id) is None else int(quotas[p.id])
        out.append(
            ProgramStanding(
                program=p,
                terms=terms_in_force(session, p.id, as_of) or p,
                used_total=used_total,
                remaining_total=None
                if p.quota_total is None
                else max(p.quota_total - used_total, 0),
                lender_quota=lender_quota,
                remaining_for_lender=None
                if lender_quota is None
                else max(lender_quota - int(used_by_lender.get(p.id) or 0), 0),
            )
        )
    return out
