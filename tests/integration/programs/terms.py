"""A complete, valid set of program terms (KUR Mikro, 2026) for the program tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from creditapp.models import CreditProgram
from creditapp.services import program_admin
from creditapp.services.audit import Actor

ADMIN = Actor("user", None)


def kur_mikro(**changes: Any) -> dict[str, Any]:
    terms: dict[str, Any] = {
        "plafond_min": 10_000_001,
        "plafond_max": 100_000_000,
        "rate_by_access": ["0.06", "0.07", "0.08", "0.09"],
        "subsidy_rate_by_access": ["0.10", "0.09", "0.08", "0.07"],
        "max_tenor_working_capital": 36,
        "max_tenor_investment": 60,
        "max_grace_months": 6,
        "min_business_age_months": 6,
        "min_business_age_months_trained": 3,
        "allow_other_productive_credit": False,
        "eligible_kbli_divisions": [],
        "collateral_threshold": 100_000_000,
        "max_installment_share": "0.35",
        "guarantee_coverage": "0.70",
        "interest_method": "annuity",
        "allocation_order": ["penalty", "interest", "principal"],
        "prepayment_mode": "shorten_tenor",
        "penalty_daily_rate": "0",
        "day_count": "30/360",
        "subsidy_max_grade": 2,
        "subsidy_after_maturity": False,
        "subsidy_basis": "average_outstanding",
        "subsidy_frequency": "monthly",
        "claim_grade": 4,
        "claim_on_arrears_at_maturity": True,
        "write_off_grade": 5,
    }
    terms.update(changes)
    return terms


def program(
    session: Session, code: str, active_from: date = date(2026, 1, 1), **changes: Any
) -> CreditProgram:
    return program_admin.create_program(
        session,
        ADMIN,
        {
            "code": code,
            "name": f"Program {code}",
            "segment": "mikro",
            "active_from": active_from.isoformat(),
            "terms": kur_mikro(**changes),
        },
        today=active_from,
    )
