"""A program's terms by date: which version is in force, and what a valid version holds.

Every term a loan or the scorer reads is a column of ``ProgramTerms`` (a version with an
``effective_from``); the version in force on a date is the one with the latest
``effective_from`` on or before it. A program created outside ``program_admin`` (older data,
test factories) may have no version: its own columns and the servicing defaults stand in.

``validate_terms`` turns a plain mapping (JSON file, form, API) into column values, naming
every bad field with its reason, so nothing half-valid reaches the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loanmath.allocation import PREPAYMENT_MODES
from loanmath.schedule import DAY_COUNTS, METHODS

from ..models import CreditProgram, ProgramTerms
from ..models.program import SUBSIDY_BASES, SUBSIDY_FREQUENCIES

ALLOCATION_PARTS = ("penalty", "interest", "principal")
# Terms that were code constants until programs kept versions; these values are the defaults
# a new program starts from (KUR: Askrindo/Jamkrindo claim from Kol 4 or arrears at maturity,
# subsidy on the average outstanding paid monthly, performing loans only; write-off at Kol 5).
SERVICING_DEFAULTS: dict[str, Any] = {
    "day_count": "30/360",
    "subsidy_max_grade": 2,
    "subsidy_after_maturity": False,
    "subsidy_basis": "average_outstanding",
    "subsidy_frequency": "monthly",
    "claim_grade": 4,
    "claim_on_arrears_at_maturity": True,
    "write_off_grade": 5,
}
PROGRAM_TERM_FIELDS = (
    "plafond_min",
    "plafond_max",
    "rate_by_access",
    "subsidy_rate_by_access",
    "max_tenor_working_capital",
    "max_tenor_investment",
    "max_grace_months",
    "min_business_age_months",
    "min_business_age_months_trained",
    "allow_other_productive_credit",
    "eligible_kbli_divisions",
    "collateral_threshold",
    "max_installment_share",
    "guarantee_coverage",
    "interest_method",
    "allocation_order",
    "prepayment_mode",
    "penalty_daily_rate",
)
TERM_FIELDS = (*PROGRAM_TERM_FIELDS, *SERVICING_DEFAULTS)
MAX_MONEY = 10**15  # Rp 1 quadrillion: far above any program, far below BIGINT


def terms_in_force(session: Session, program_id: int, on: date) -> ProgramTerms | None:
    """The version of the program's terms in force on ``on`` (None: no version yet)."""
    return session.scalar(
        select(ProgramTerms)
        .where(ProgramTerms.program_id == program_id, ProgramTerms.effective_from <= on)
        .order_by(ProgramTerms.effective_from.desc())
        .limit(1)
    )


def versions_of(session: Session, program_id: int) -> list[ProgramTerms]:
    """Every version of a program's terms, oldest first."""
    return list(
        session.scalars(
            select(ProgramTerms)
            .where(ProgramTerms.program_id == program_id)
            .order_by(ProgramTerms.effective_from)
        )
    )


def terms_of_program(program: CreditProgram) -> dict[str, Any]:
    """The program's own columns as term values, with the servicing defaults."""
    values = {name: getattr(program, name) for name in PROGRAM_TERM_FIELDS}
    values["penalty_daily_rate"] = values["penalty_daily_rate"] or Decimal(0)
    return {**values, **SERVICING_DEFAULTS}


def as_plain(terms: ProgramTerms | Mapping[str, Any]) -> dict[str, Any]:
    """Term values as JSON-ready plain data (audit before/after, CLI ``show``)."""
    get = terms.get if isinstance(terms, Mapping) else lambda n: getattr(terms, n)
    out: dict[str, Any] = {}
    for name in TERM_FIELDS:
        value = get(name)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, list | tuple):
            value = [str(v) if isinstance(v, Decimal) else v for v in value]
        out[name] = value
    return out


def _int(raw: Any, field: str, low: int, high: int, errors: dict[str, list[str]]) -> int:
    if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
        raw = int(raw.strip())
    if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
        errors[field] = [f"must be a whole number from {low} to {high}"]
        return 0
    return raw


def _rate(raw: Any, field: str, errors: dict[str, list[str]], high: Decimal) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        errors[field] = ["must be a decimal rate such as 0.06"]
        return Decimal(0)
    if isinstance(raw, bool) or not value.is_finite() or not Decimal(0) <= value <= high:
        errors[field] = [f"must be a decimal rate from 0 to {high}"]
        return Decimal(0)
    if value != value.quantize(Decimal("0.000001")):
        errors[field] = ["must have at most 6 decimal places"]
    return value


def _rates(raw: Any, field: str, errors: dict[str, list[str]]) -> list[str]:
    if isinstance(raw, str):
        raw = [part for part in raw.replace(";", ",").split(",") if part.strip()]
    if not isinstance(raw, list | tuple) or not 1 <= len(raw) <= 10:
        errors[field] = ["must be a list of 1 to 10 rates, one per access (1st, 2nd, ...)"]
        return []
    rates = []
    for raw_rate in raw:
        rate = _rate(raw_rate, field, errors, Decimal("0.999999"))
        rates.append(str(rate))
    return rates


def _bool(raw: Any, field: str, errors: dict[str, list[str]]) -> bool:
    if isinstance(raw, bool):
        return raw
    if raw in ("true", "1", "on", "yes"):
        return True
    if raw in ("false", "0", "off", "no", ""):
        return False
    errors[field] = ["must be true or false"]
    return False


def _choice(raw: Any, field: str, allowed: tuple[str, ...], errors: dict[str, list[str]]) -> str:
    if raw not in allowed:
        errors[field] = [f"must be one of {', '.join(allowed)}"]
        return allowed[0]
    return str(raw)


def validate_terms(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check every term of ``raw`` (each one required); return (values, errors by field)."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(raw) - set(TERM_FIELDS))
    for name in unknown:
        errors[name] = ["is not a program term"]
    for name in TERM_FIELDS:
        if name not in raw or raw[name] is None:
            errors[name] = ["is required"]
    if errors:
        return {}, errors
    v: dict[str, Any] = {}
    v["plafond_min"] = _int(raw["plafond_min"], "plafond_min", 1, MAX_MONEY, errors)
    v["plafond_max"] = _int(raw["plafond_max"], "plafond_max", 1, MAX_MONEY, errors)
    if "plafond_min" not in errors and "plafond_max" not in errors:
        if v["plafond_min"] > v["plafond_max"]:
            errors["plafond_max"] = [f"must not be below plafond_min ({v['plafond_min']})"]
    v["rate_by_access"] = _rates(raw["rate_by_access"], "rate_by_access", errors)
    v["subsidy_rate_by_access"] = _rates(
        raw["subsidy_rate_by_access"], "subsidy_rate_by_access", errors
    )
    for name in ("max_tenor_working_capital", "max_tenor_investment"):
        v[name] = _int(raw[name], name, 1, 360, errors)
    v["max_grace_months"] = _int(raw["max_grace_months"], "max_grace_months", 0, 60, errors)
    for name in ("min_business_age_months", "min_business_age_months_trained"):
        v[name] = _int(raw[name], name, 0, 240, errors)
    v["allow_other_productive_credit"] = _bool(
        raw["allow_other_productive_credit"], "allow_other_productive_credit", errors
    )
    divisions = raw["eligible_kbli_divisions"]
    if isinstance(divisions, str):
        divisions = [d.strip() for d in divisions.split(",") if d.strip()]
    if not isinstance(divisions, list | tuple):
        errors["eligible_kbli_divisions"] = ["must be a list of KBLI divisions 1..99"]
    else:
        v["eligible_kbli_divisions"] = sorted(
            {_int(d, "eligible_kbli_divisions", 1, 99, errors) for d in divisions}
        )
    v["collateral_threshold"] = _int(
        raw["collateral_threshold"], "collateral_threshold", 0, MAX_MONEY, errors
    )
    v["max_installment_share"] = _rate(
        raw["max_installment_share"], "max_installment_share", errors, Decimal(1)
    )
    v["guarantee_coverage"] = _rate(
        raw["guarantee_coverage"], "guarantee_coverage", errors, Decimal(1)
    )
    v["penalty_daily_rate"] = _rate(
        raw["penalty_daily_rate"], "penalty_daily_rate", errors, Decimal("0.01")
    )
    v["interest_method"] = _choice(raw["interest_method"], "interest_method", METHODS, errors)
    v["prepayment_mode"] = _choice(
        raw["prepayment_mode"], "prepayment_mode", PREPAYMENT_MODES, errors
    )
    order = raw["allocation_order"]
    if isinstance(order, str):
        order = [p.strip() for p in order.split(",") if p.strip()]
    if not isinstance(order, list | tuple) or sorted(order) != sorted(ALLOCATION_PARTS):
        errors["allocation_order"] = [
            f"must name each of {', '.join(ALLOCATION_PARTS)} once, in the order paid"
        ]
    else:
        v["allocation_order"] = list(order)
    v["day_count"] = _choice(raw["day_count"], "day_count", DAY_COUNTS, errors)
    v["subsidy_max_grade"] = _int(raw["subsidy_max_grade"], "subsidy_max_grade", 1, 5, errors)
    v["subsidy_after_maturity"] = _bool(
        raw["subsidy_after_maturity"], "subsidy_after_maturity", errors
    )
    v["subsidy_basis"] = _choice(raw["subsidy_basis"], "subsidy_basis", SUBSIDY_BASES, errors)
    v["subsidy_frequency"] = _choice(
        raw["subsidy_frequency"], "subsidy_frequency", SUBSIDY_FREQUENCIES, errors
    )
    v["claim_grade"] = _int(raw["claim_grade"], "claim_grade", 2, 5, errors)
    v["claim_on_arrears_at_maturity"] = _bool(
        raw["claim_on_arrears_at_maturity"], "claim_on_arrears_at_maturity", errors
    )
    v["write_off_grade"] = _int(raw["write_off_grade"], "write_off_grade", 2, 5, errors)
    return v, errors
