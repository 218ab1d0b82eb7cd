"""Per-program servicing rules (``ProgramServicing``): read with defaults, change audited.

A program with versions of its terms (``ProgramTerms``) keeps its day count and subsidy
rules there, per loan; here only ``back_value_days`` (an operating rule of the lender's
desk, not a term of the loan) may then change. The other rules serve loans made without a
version.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from loanmath.schedule import DAY_COUNTS

from ...errors import DomainError, NotFound
from ...models import CreditProgram, ProgramServicing, ProgramTerms
from ..audit import Actor, record

DEFAULTS: dict[str, Any] = {
    "back_value_days": 7,
    "day_count": "30/360",
    "subsidy_max_grade": 2,
    "subsidy_after_maturity": False,
}


def servicing_rules(session: Session, program_id: int) -> ProgramServicing:
    """The program's rules, or an unsaved row holding the defaults."""
    rules = session.get(ProgramServicing, program_id)
    return rules or ProgramServicing(program_id=program_id, **DEFAULTS)


def _as_dict(rules: ProgramServicing) -> dict[str, Any]:
    return {name: getattr(rules, name) for name in DEFAULTS}


def set_servicing_rules(
    session: Session, actor: Actor, program_code: str, **changes: Any
) -> ProgramServicing:
    """Change some of a program's servicing rules (audited, before and after)."""
    program = session.scalar(select(CreditProgram).where(CreditProgram.code == program_code))
    if program is None:
        raise NotFound("no such program", {"program": [f"no program {program_code!r}"]})
    errors: dict[str, list[str]] = {}
    changes = {k: v for k, v in changes.items() if v is not None}
    for name in changes:
        if name not in DEFAULTS:
            errors[name] = ["not a servicing rule"]
    back = changes.get("back_value_days", 0)
    if not isinstance(back, int) or isinstance(back, bool) or not 0 <= back <= 366:
        errors["back_value_days"] = ["must be 0..366 days"]
    if changes.get("day_count", "30/360") not in DAY_COUNTS:
        errors["day_count"] = [f"must be one of {', '.join(DAY_COUNTS)}"]
    if changes.get("subsidy_max_grade", 1) not in range(1, 6):
        errors["subsidy_max_grade"] = ["must be a collectibility grade 1..5"]
    if session.scalar(select(ProgramTerms.id).where(ProgramTerms.program_id == program.id)):
        for name in set(changes) - {"back_value_days"}:
            errors[name] = ["is a term of the program's versions: add a version instead"]
    if errors:
        raise DomainError("servicing rules refused", errors)
    rules = session.get(ProgramServicing, program.id)
    if rules is None:
        rules = ProgramServicing(program_id=program.id, **DEFAULTS)
        session.add(rules)
    before = _as_dict(rules)
    for name, value in changes.items():
        setattr(rules, name, value)
    session.flush()
    record(
        session,
        actor,
        "program.servicing_rules",
        "credit_program",
        program.id,
        before=before,
        after=_as_dict(rules),
    )
    return rules
