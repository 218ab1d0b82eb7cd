"""The debtor check before approval: the same person's other loans on the platform.

An applicant is one person across lenders: enterprises are each lender's own copies, so the
check joins on the owner's NIK look-up hash (``Enterprise.owner_nik == nik`` compares keyed
hashes), never on the enterprise. It reads every lender's loans, which is why its result
masks the lender (and the loan id) of a facility that is not the asking lender's own.

The rules (DESIGN.md, KUR): a debtor holds one KUR at a time, and holds no other productive
commercial credit unless the program allows it (``allow_other_productive_credit``). Every
loan on this platform is productive credit (working capital or investment for an IMK), so a
live loan under a non-KUR program is "other productive credit"; a live KUR loan is both, but
refused once, by the KUR rule, when the program applied for is a KUR program. "Live" means
approved or active: the lender owes or is owed money on it. Closed loans are history (they
set the KUR access tier, ``approval._kur_access``); written-off loans are listed, because an
officer must see them, but do not block: the debt was given up by its lender and the KUR
rules above speak of credit held, not of a past default.

The declared ``other_productive_credit`` of the application (credit outside the platform)
is the policy rule ``no_other_productive_credit`` of ``scoring.policy``; this check adds what
the platform itself knows, and does not repeat that rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from loanmath.subsidy import KUR_SEGMENTS

from ..errors import DomainError
from ..models import Application, CreditProgram, Enterprise, Lender, Loan
from ..services.audit import Actor, record
from ..services.program_terms import terms_in_force

LIVE = ("approved", "active")
LISTED = (*LIVE, "written_off")
FIELD = "debtor_check"  # the field a refusal names (API 422, form error, CLI message)
HAS_KUR = "debtor_has_kur"
HAS_OTHER_CREDIT = "debtor_has_other_credit"
# English sentences for the API and the CLI (the web pages translate the codes: web/labels.py).
MESSAGES = {
    HAS_KUR: "the owner (same NIK) already holds a live KUR loan on the platform; "
    "a debtor may hold one KUR at a time",
    HAS_OTHER_CREDIT: "the owner (same NIK) holds other productive credit on the platform "
    "and the program does not allow it",
}


@dataclass(frozen=True)
class Facility:
    """Another loan of the same NIK; ``lender_code`` and ``loan_id`` are None when foreign."""

    own_lender: bool
    lender_code: str | None
    loan_id: int | None
    program_code: str
    kur: bool
    status: str
    outstanding_principal: int
    collectibility: int
    dpd: int
    approved_on: date

    @property
    def live(self) -> bool:
        return self.status in LIVE

    def to_dict(self) -> dict[str, Any]:
        return {
            "own_lender": self.own_lender,
            "lender": self.lender_code,
            "loan_id": self.loan_id,
            "program": self.program_code,
            "kur": self.kur,
            "status": self.status,
            "outstanding_principal": self.outstanding_principal,
            "collectibility": self.collectibility,
            "dpd": self.dpd,
            "approved_on": self.approved_on.isoformat(),
        }


@dataclass(frozen=True)
class DebtorCheck:
    """What the check found for one application, and the rule codes it trips."""

    application_id: int
    program_code: str
    program_is_kur: bool
    allows_other_credit: bool
    facilities: tuple[Facility, ...]
    refusals: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return not self.refusals

    def to_dict(self) -> dict[str, Any]:
        return {
            "application_id": self.application_id,
            "passed": self.passed,
            "refusals": list(self.refusals),
            "program": self.program_code,
            "program_is_kur": self.program_is_kur,
            "allows_other_productive_credit": self.allows_other_credit,
            "facilities": [f.to_dict() for f in self.facilities],
        }

    def audit(self) -> dict[str, Any]:
        """What an audit record keeps: the verdict, own live loans by id, foreign ones counted."""
        return {
            "passed": self.passed,
            "refusals": list(self.refusals),
            "live_loan_ids": [f.loan_id for f in self.facilities if f.live and f.own_lender],
            "foreign_live_facilities": sum(
                1 for f in self.facilities if f.live and not f.own_lender
            ),
        }


def facilities_of(session: Session, application: Application) -> tuple[Facility, ...]:
    """Every live or written-off loan of the applicant's NIK, any lender, but this one's."""
    owner_hash = session.scalar(
        select(Enterprise.owner_nik_hash).where(Enterprise.id == application.enterprise_id)
    )
    rows = session.execute(  # few rows: one person's loans
        select(
            Loan.id,
            Loan.lender_id,
            Lender.code,
            CreditProgram.code,
            CreditProgram.segment,
            Loan.status,
            Loan.outstanding_principal,
            Loan.collectibility,
            Loan.dpd,
            Loan.approved_on,
        )
        .join(Enterprise, Enterprise.id == Loan.enterprise_id)
        .join(Lender, Lender.id == Loan.lender_id)
        .join(CreditProgram, CreditProgram.id == Loan.program_id)
        .where(
            Enterprise.owner_nik_hash == owner_hash,
            Loan.application_id != application.id,
            Loan.status.in_(LISTED),
        )
        .order_by(Loan.approved_on, Loan.id)
    ).all()
    found = []
    for row in rows:
        own = row[1] == application.lender_id
        found.append(
            Facility(
                own_lender=own,
                lender_code=row[2] if own else None,
                loan_id=row[0] if own else None,
                program_code=row[3],
                kur=row[4] in KUR_SEGMENTS,
                status=row[5],
                outstanding_principal=int(row[6]),
                collectibility=int(row[7]),
                dpd=int(row[8]),
                approved_on=row[9],
            )
        )
    return tuple(found)


def check_debtor(session: Session, application: Application, on: date | None = None) -> DebtorCheck:
    """Run the check for ``application`` under its program's terms in force on ``on``
    (default: the application's date; approval passes its decision date). Reads only."""
    program = session.get(CreditProgram, application.program_id)
    assert program is not None  # a foreign key
    version = terms_in_force(session, program.id, on or application.applied_on)
    allows_other = (version or program).allow_other_productive_credit
    found = facilities_of(session, application)
    is_kur = program.segment in KUR_SEGMENTS
    live = [f for f in found if f.live]
    refusals: list[str] = []
    if is_kur and any(f.kur for f in live):
        refusals.append(HAS_KUR)
    # Under a KUR program a live KUR loan was refused above; any other live loan is other credit.
    other = [f for f in live if not (is_kur and f.kur)]
    if other and not allows_other:
        refusals.append(HAS_OTHER_CREDIT)
    return DebtorCheck(
        application_id=application.id,
        program_code=program.code,
        program_is_kur=is_kur,
        allows_other_credit=allows_other,
        facilities=found,
        refusals=tuple(refusals),
    )


def enforce_debtor_check(session: Session, application: Application, on: date) -> DebtorCheck:
    """Run the check; refuse (``DomainError`` naming ``debtor_check``) when a rule trips.

    On PostgreSQL the person is locked first (a transaction-scoped advisory lock on the NIK
    hash): two lenders approving the same NIK at the same moment would otherwise both see no
    other loan. The lock ends with the approval's transaction; SQLite serialises writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        owner_hash = session.scalar(
            select(Enterprise.owner_nik_hash).where(Enterprise.id == application.enterprise_id)
        )
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:person, 0))"),
            {"person": f"debtor-check:{owner_hash}"},
        )
    result = check_debtor(session, application, on)
    if not result.passed:
        reasons = "; ".join(MESSAGES[code] for code in result.refusals)
        raise DomainError(
            f"approval refused by the debtor check: {reasons}", {FIELD: list(result.refusals)}
        )
    return result


def record_refusal(
    session: Session, actor: Actor, application_id: int, exc: DomainError, as_of: date
) -> bool:
    """Audit an approval the check refused, after the caller rolled the approval back.

    A refused approval stores nothing, so the refusal is recorded on its own and the edge
    (web view, API handler) commits it. Returns False, recording nothing, for any other
    refusal. The record holds the rule codes and loan ids (own lender), never a NIK.
    """
    codes = exc.errors.get(FIELD)
    application = session.get(Application, application_id)
    if not codes or application is None:
        return False
    check = check_debtor(session, application, as_of)
    record(
        session,
        actor,
        "application.debtor_check_refused",
        "application",
        application_id,
        after={**check.audit(), "refused": list(codes)},
        as_of=as_of,
    )
    return True
