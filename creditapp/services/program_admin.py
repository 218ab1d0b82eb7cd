"""Program administration: create a program, add a version of its terms (never rewriting a
loan already made), every change audited with before and after.

When a new version may take effect (decided here, documented in the README):

- ``effective_from`` is today or later (today = the business date the caller passes in;
  the service never reads the clock);
- it must be after the approval date of every existing loan under the program, so no loan
  approved on or after it would have had other terms (loans keep the version in force on
  their approval date: ``Loan.program_terms_id``). Today is therefore allowed only while no
  loan was approved today;
- a version already in force (``effective_from`` on or before today) is never edited; a
  future version may be replaced by sending the same ``effective_from`` again.

The program row is locked ``FOR UPDATE`` first, as approval does, so an approval and a new
version cannot interleave.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import Conflict, DomainError
from ..models import CreditProgram, Loan, ProgramTerms
from ..models.program import SEGMENTS
from .audit import Actor, record
from .program_terms import MAX_MONEY, PROGRAM_TERM_FIELDS, as_plain, validate_terms
from .programs import program_by_code

CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,31}")


def _date(raw: Any, field: str, errors: dict[str, list[str]]) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        errors[field] = ["must be a date YYYY-MM-DD"]
        return None


def last_approval(session: Session, program_id: int) -> date | None:
    """The latest approval date of a loan under the program."""
    return session.scalar(select(func.max(Loan.approved_on)).where(Loan.program_id == program_id))


def create_program(
    session: Session, actor: Actor, raw: Mapping[str, Any], *, today: date
) -> CreditProgram:
    """Create a program and its first version of terms (effective from ``active_from``).

    ``raw`` holds code, name, segment, active_from, optional active_to and quota_total, and
    ``terms`` (every term, see ``program_terms.TERM_FIELDS``).
    """
    errors: dict[str, list[str]] = {}
    code = raw.get("code")
    if not isinstance(code, str) or not CODE.fullmatch(code):
        errors["code"] = ["must be 2-32 capitals, digits or hyphens, e.g. KUR-MIKRO"]
    elif session.scalar(select(CreditProgram.id).where(CreditProgram.code == code)):
        errors["code"] = [f"a program {code} exists already"]
    name = raw.get("name")
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 200:
        errors["name"] = ["is required, at most 200 characters"]
    if raw.get("segment") not in SEGMENTS:
        errors["segment"] = [f"must be one of {', '.join(SEGMENTS)}"]
    active_from = _date(raw.get("active_from"), "active_from", errors)
    active_to = None
    if raw.get("active_to") not in (None, ""):
        active_to = _date(raw.get("active_to"), "active_to", errors)
        if active_from and active_to and active_to < active_from:
            errors["active_to"] = ["must not be before active_from"]
    quota_total = raw.get("quota_total")
    if quota_total in ("", None):
        quota_total = None
    elif isinstance(quota_total, str) and quota_total.strip().isdigit():
        quota_total = int(quota_total)
    if quota_total is not None and (
        not isinstance(quota_total, int)
        or isinstance(quota_total, bool)
        or not 0 <= quota_total <= MAX_MONEY
    ):
        errors["quota_total"] = ["must be empty or a whole number of Rupiah, 0 or more"]
    terms_raw = raw.get("terms")
    if not isinstance(terms_raw, Mapping):
        errors["terms"] = ["must be an object holding every term"]
        values: dict[str, Any] = {}
    else:
        values, term_errors = validate_terms(terms_raw)
        errors.update({f"terms.{k}": v for k, v in term_errors.items()})
    unknown = set(raw) - {
        "code", "name", "segment", "active_from", "active_to", "quota_total", "terms",
    }  # fmt: skip
    for key in sorted(unknown):
        errors[key] = ["is not a program field"]
    if errors:
        raise DomainError("program refused", errors)
    assert active_from is not None and isinstance(code, str) and isinstance(name, str)
    program = CreditProgram(
        code=code,
        name=name.strip(),
        segment=raw["segment"],
        active_from=active_from,
        active_to=active_to,
        quota_total=quota_total,
        # The program's own columns hold its first terms (readers that predate versions).
        **{k: values[k] for k in PROGRAM_TERM_FIELDS},
    )
    session.add(program)
    session.flush()
    version = ProgramTerms(program_id=program.id, effective_from=active_from, **values)
    session.add(version)
    session.flush()
    record(
        session,
        actor,
        "program.create",
        "credit_program",
        program.id,
        after={
            "code": code,
            "name": program.name,
            "segment": program.segment,
            "active_from": active_from.isoformat(),
            "active_to": active_to.isoformat() if active_to else None,
            "quota_total": quota_total,
            "terms": as_plain(values),
        },
        as_of=today,
    )
    return program


def add_version(
    session: Session,
    actor: Actor,
    program_code: str,
    effective_from: Any,
    terms: Mapping[str, Any],
    *,
    today: date,
) -> ProgramTerms:
    """Add (or replace a future) version of a program's terms; refused if it would change
    the terms of an existing loan or a version already in force."""
    program = program_by_code(session, program_code)
    session.scalar(select(CreditProgram).where(CreditProgram.id == program.id).with_for_update())
    errors: dict[str, list[str]] = {}
    start = _date(effective_from, "effective_from", errors)
    values, term_errors = validate_terms(terms)
    errors.update(term_errors)
    if start is not None and start < today:
        errors["effective_from"] = [
            f"must be today ({today.isoformat()}) or later: a change never reaches back"
        ]
    if errors:
        raise DomainError("version refused", errors)
    assert start is not None
    last = last_approval(session, program.id)
    if last is not None and last >= start:
        raise Conflict(
            "version would change existing loans",
            {
                "effective_from": [
                    f"a loan under {program.code} was approved on {last.isoformat()}, on or "
                    f"after {start.isoformat()}; its terms may not change: choose a date "
                    f"after {last.isoformat()}"
                ]
            },
        )
    existing = session.scalar(
        select(ProgramTerms).where(
            ProgramTerms.program_id == program.id, ProgramTerms.effective_from == start
        )
    )
    if existing is not None and existing.effective_from <= today:
        raise Conflict(
            "version in force",
            {"effective_from": [f"the version of {start.isoformat()} is in force already"]},
        )
    before = None if existing is None else as_plain(existing)
    version = existing or ProgramTerms(program_id=program.id, effective_from=start)
    for name, value in values.items():
        setattr(version, name, value)
    session.add(version)
    session.flush()
    record(
        session,
        actor,
        "program.terms_version",
        "credit_program",
        program.id,
        before=before,
        after={"effective_from": start.isoformat(), **as_plain(version)},
        as_of=today,
    )
    return version
