"""Officer decisions on applications; approval turns an application into a loan.

The loan copies the program's terms at approval (rate and subsidy by the KUR access count,
method, allocation order, prepayment mode, guarantee coverage, penalty, day count), so a
later change to the program never rewrites a loan already made. The access count is the
higher of the application's declared snapshot and the platform's own KUR loans for the
owner's NIK (``_kur_access``); a mismatch is flagged on the loan and audited.

Schedule version 1 is built at approval with the first due date one month after the
decision (or ``first_due_on``). It is a plan: when the first disbursement is confirmed on
another date, or for another amount, ``confirm_disbursement`` re-anchors the schedule as a
new version (version 1 is kept, superseded).

The terms are those of the program's version in force on the decision date
(``program_terms.terms_in_force``; the loan keeps a reference to it); a program without
versions (older data) lends on its own columns and the servicing settings.

Quotas: the program row is locked ``FOR UPDATE`` before the approved totals are summed, so
two concurrent approvals cannot both take the last of a program's or a lender's annual quota
(``program_quotas``: approved principal in the calendar year and segment).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loanmath.dates import add_months
from loanmath.schedule import ScheduleError, build_schedule
from loanmath.subsidy import KUR_SEGMENTS

from ...errors import Conflict, DomainError, NotFound
from ...models import (
    Application,
    CreditProgram,
    Decision,
    Enterprise,
    Loan,
    ProgramTerms,
)
from ...regulatory.debtor_check import enforce_debtor_check
from ..audit import Actor, record
from ..program_quotas import check_quota_at_approval
from ..program_terms import terms_in_force
from .common import installment_rows, refresh_schedule_facts, refuse, snapshot
from .settings import servicing_rules

DECIDABLE = ("submitted", "scored", "referred")


def _application(session: Session, application_id: int) -> Application:
    application = session.scalar(
        select(Application).where(Application.id == application_id).with_for_update()
    )
    if application is None:
        raise NotFound(
            "no such application", {"application_id": [f"no application {application_id}"]}
        )
    if application.status not in DECIDABLE:
        raise Conflict(
            "application already decided",
            {"application_id": [f"status is {application.status}; decisions need {DECIDABLE}"]},
        )
    return application


def _kur_access(
    session: Session, application: Application, enterprise: Enterprise
) -> tuple[int, int]:
    """Earlier KUR loans: (declared in the application's snapshot, seen on the platform).

    The snapshot is what the lender declared when it applied (older applications without
    one fall back to the enterprise's value). The platform's own count is every loan under a
    KUR program (any segment, any lender) of an enterprise with the same owner NIK, other
    than this application's. The higher one sets the rate and subsidy tier.
    """
    declared = application.profile_kur_access_count
    if declared is None:
        declared = enterprise.kur_access_count
    observed = session.scalar(
        select(func.count(Loan.id))
        .join(Enterprise, Enterprise.id == Loan.enterprise_id)
        .join(CreditProgram, CreditProgram.id == Loan.program_id)
        .where(
            Enterprise.owner_nik == enterprise.owner_nik,
            CreditProgram.segment.in_(KUR_SEGMENTS),
            Loan.application_id != application.id,
        )
    )
    return int(declared or 0), int(observed or 0)


def _rate(values: list[str], access_count: int, field: str) -> Decimal:
    """The tier for ``access_count`` earlier KUR loans (the last tier covers every later one)."""
    if not values:
        raise refuse(field, "the program defines no rates")
    try:
        rate = Decimal(values[min(max(access_count, 0), len(values) - 1)])
    except InvalidOperation as exc:
        raise refuse(field, "the program's rate is not a number") from exc
    if not rate.is_finite() or not Decimal(0) <= rate < 1:
        raise refuse(field, f"rate {rate} is outside [0, 1)")
    return rate


def _check_quota(
    session: Session, program: CreditProgram, lender_id: int, amount: int, on: date
) -> None:
    """Refuse an approval that would overshoot the program's total or the lender's quota."""
    if program.quota_total is not None:
        used = session.scalar(
            select(func.coalesce(func.sum(Loan.principal), 0)).where(Loan.program_id == program.id)
        )
        if int(used or 0) + amount > program.quota_total:
            left = program.quota_total - int(used or 0)
            raise refuse("amount", f"exceeds the program's remaining quota of Rp{left}")
    check_quota_at_approval(session, program.id, lender_id, amount, on)


def approve_application(
    session: Session,
    actor: Actor,
    application_id: int,
    *,
    amount: int,
    tenor: int,
    decided_by: int,
    decided_on: date,
    reason: str | None = None,
    grace_principal: int = 0,
    first_due_on: date | None = None,
) -> Loan:
    """Approve an application: write the decision, create the loan and its schedule.

    Args:
        session: the unit of work (flushed, not committed).
        actor: who acts (audited).
        application_id: the application to approve.
        amount: approved principal, whole Rupiah, within the program's plafond.
        tenor: installments (months), within the program's maximum for the purpose.
        decided_by: the deciding user's id.
        decided_on: the business date of the decision.
        reason: the officer's reason (stored on the decision).
        grace_principal: leading interest-only months, at most ``max_grace_months``.
        first_due_on: first due date; default one month after ``decided_on``.

    Returns:
        The new loan (status ``approved``), with schedule version 1.

    Raises:
        DomainError: a term is outside the program's rules, a quota would be overshot, or the
            debtor check (``regulatory.debtor_check``: one KUR at a time, no other productive
            credit unless the program allows it) refuses the owner's NIK.
        NotFound / Conflict: no such application, or it was already decided.
    """
    application = _application(session, application_id)
    program = session.scalar(
        select(CreditProgram).where(CreditProgram.id == application.program_id).with_for_update()
    )
    enterprise = session.get(Enterprise, application.enterprise_id)
    assert program is not None and enterprise is not None  # foreign keys guarantee them
    version = terms_in_force(session, program.id, decided_on)
    terms: CreditProgram | ProgramTerms = version or program
    errors: dict[str, list[str]] = {}
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        errors["amount"] = ["must be a whole number of Rupiah greater than 0"]
    elif not terms.plafond_min <= amount <= terms.plafond_max:
        errors["amount"] = [
            f"must be within the program's plafond Rp{terms.plafond_min}..Rp{terms.plafond_max}"
        ]
    max_tenor = (
        terms.max_tenor_investment
        if application.purpose == "investment"
        else terms.max_tenor_working_capital
    )
    if not isinstance(tenor, int) or isinstance(tenor, bool) or not 1 <= tenor <= max_tenor:
        errors["tenor"] = [f"must be 1..{max_tenor} months for {application.purpose}"]
    if not isinstance(grace_principal, int) or not 0 <= grace_principal <= terms.max_grace_months:
        errors["grace_principal"] = [f"must be 0..{terms.max_grace_months} months"]
    elif isinstance(tenor, int) and grace_principal >= tenor:
        errors["grace_principal"] = ["must be shorter than the tenor"]
    if first_due_on is not None and first_due_on <= decided_on:
        errors["first_due_on"] = ["must be after the decision date"]
    if errors:
        raise DomainError("approval refused", errors)
    debtor_check = enforce_debtor_check(session, application, decided_on)
    declared, observed = _kur_access(session, application, enterprise)
    access = max(declared, observed)
    annual_rate = _rate(terms.rate_by_access, access, "annual_rate")
    subsidy_rate = _rate(terms.subsidy_rate_by_access, access, "subsidy_rate")
    first_due = first_due_on or add_months(decided_on, 1)
    day_count = version.day_count if version else servicing_rules(session, program.id).day_count
    try:
        schedule = build_schedule(
            amount,
            annual_rate,
            tenor,
            first_due,
            method=terms.interest_method,
            grace_principal=grace_principal,
            day_count=day_count,
            start=decided_on,
        )
    except ScheduleError as exc:
        raise refuse("schedule", str(exc)) from exc
    _check_quota(session, program, application.lender_id, amount, decided_on)

    decision = Decision(
        application_id=application.id,
        decided_by=decided_by,
        outcome="approve",
        reason_text=reason,
        approved_amount=amount,
        approved_tenor=tenor,
        decided_on=decided_on,
    )
    loan = Loan(
        lender_id=application.lender_id,
        application_id=application.id,
        enterprise_id=application.enterprise_id,
        program_id=program.id,
        program_terms_id=version.id if version else None,
        principal=amount,
        annual_rate=annual_rate,
        subsidy_rate=subsidy_rate,
        guarantee_coverage=terms.guarantee_coverage,
        penalty_daily_rate=terms.penalty_daily_rate,
        interest_method=terms.interest_method,
        frequency="monthly",
        tenor=tenor,
        grace_principal=grace_principal,
        prepayment_mode=terms.prepayment_mode,
        day_count=day_count,
        kur_access_count=access,
        kur_access_mismatch=observed > declared,
        allocation_order=",".join(terms.allocation_order),
        purpose=application.purpose,
        approved_on=decided_on,
        status="approved",
        schedule_version=1,
        disbursed_amount=0,
        outstanding_principal=0,
        dpd=0,
        collectibility=1,
    )
    before_status = application.status
    application.status = "approved"
    session.add_all([decision, loan])
    session.flush()
    session.add_all(installment_rows(loan, 1, schedule))
    session.flush()
    refresh_schedule_facts(session, loan)
    record(
        session,
        actor,
        "application.approve",
        "application",
        application.id,
        before={"status": before_status},
        after={
            "status": "approved",
            "loan_id": loan.id,
            "amount": amount,
            "tenor": tenor,
            "kur_access_declared": declared,
            "kur_access_observed": observed,
            "kur_access_used": access,
            "debtor_check": debtor_check.audit(),
        },
        as_of=decided_on,
    )
    record(session, actor, "loan.create", "loan", loan.id, after=snapshot(loan), as_of=decided_on)
    session.flush()
    return loan


def _decide_without_loan(
    session: Session,
    actor: Actor,
    application_id: int,
    outcome: str,
    *,
    decided_by: int,
    decided_on: date,
    reason: str,
) -> Decision:
    if not isinstance(reason, str) or not reason.strip():
        raise refuse("reason", f"a reason is required to {outcome}")
    application = _application(session, application_id)
    if outcome == "refer" and application.status == "referred":
        raise Conflict("already referred", {"application_id": ["the application is referred"]})
    decision = Decision(
        application_id=application.id,
        decided_by=decided_by,
        outcome=outcome,
        reason_text=reason.strip(),
        decided_on=decided_on,
    )
    before = application.status
    application.status = "declined" if outcome == "decline" else "referred"
    session.add(decision)
    session.flush()
    record(
        session,
        actor,
        f"application.{outcome}",
        "application",
        application.id,
        before={"status": before},
        after={"status": application.status, "reason": decision.reason_text},
        as_of=decided_on,
    )
    return decision


def decline_application(
    session: Session,
    actor: Actor,
    application_id: int,
    *,
    decided_by: int,
    decided_on: date,
    reason: str,
) -> Decision:
    """Decline an application; ``reason`` is mandatory.

    Returns:
        The decision (outcome ``decline``).
    """
    return _decide_without_loan(
        session,
        actor,
        application_id,
        "decline",
        decided_by=decided_by,
        decided_on=decided_on,
        reason=reason,
    )


def refer_application(
    session: Session,
    actor: Actor,
    application_id: int,
    *,
    decided_by: int,
    decided_on: date,
    reason: str,
) -> Decision:
    """Refer an application for a second look; ``reason`` is mandatory.

    Returns:
        The decision (outcome ``refer``).
    """
    return _decide_without_loan(
        session,
        actor,
        application_id,
        "refer",
        decided_by=decided_by,
        decided_on=decided_on,
        reason=reason,
    )
