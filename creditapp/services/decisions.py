"""Officers' decisions with their rules, for the web pages, the API and the CLI alike.

- Only an active loan officer of the application's lender decides (another lender's
  application is "not found", as everywhere).
- Deciding against the model's recommendation needs an override reason code and a text.
- A decline needs a reason code from ``DECLINE_REASONS``; a refer a text.
- A refer hands the application to the senior officers of the lender (or to one of them by
  name, ``referred_to``); from then on only a senior officer of that lender decides it
  (anyone else gets ``Forbidden``, 403). The four-eyes confirmation of a senior's approval
  may come from any other officer: it is a second pair of eyes, not the decision.
- An approval above the lender's ``four_eyes_amount`` is first a pending ``ApprovalRequest``;
  the loan is made only when a *different* officer of the same lender confirms it.
- A decision is immutable: the row is written once, with who, when, the recommendation, the
  model version and score record it was made against, the override reason and the confirming
  officer, and audited. ``services.loans.approval`` creates the row; the extra fields reach
  it through ``session.info`` in a ``before_insert`` hook, so it is never updated afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from loanmath.dates import add_months
from loanmath.schedule import Installment, Method, build_schedule

from ..errors import Conflict, DomainError, Forbidden, NotFound
from ..models import (
    Application,
    ApprovalRequest,
    CreditProgram,
    Decision,
    Enterprise,
    Lender,
    Loan,
    ProgramTerms,
    ScoreRecord,
    User,
)
from . import loans
from .audit import Actor, record
from .program_terms import terms_in_force

OUTCOMES = ("approve", "decline", "refer")
# Codes shown as choices; their texts live in the web's message catalog.
OVERRIDE_REASONS = (
    "additional_information",
    "collateral_or_guarantor",
    "relationship_history",
    "data_error",
    "policy_exception",
    "risk_concern",
)
DECLINE_REASONS = (
    "score_too_low",
    "policy_rule_failed",
    "affordability",
    "incomplete_documents",
    "fraud_suspicion",
    "other",
)
_CONTEXT_KEY = "decision_fields"


@dataclass(frozen=True)
class DecisionRequest:
    """What an officer submits; amounts are whole Rupiah."""

    outcome: str
    decided_on: date
    amount: int | None = None
    tenor: int | None = None
    grace_principal: int = 0
    reason_code: str | None = None
    override_reason_code: str | None = None
    text: str | None = None
    referred_to: int | None = None  # a refer to one senior officer by id (None: all seniors)


@dataclass(frozen=True)
class DecisionOutcome:
    """A decision made, or an approval waiting for a second officer."""

    decision: Decision | None
    loan: Loan | None = None
    pending: ApprovalRequest | None = None


def officer_of(session: Session, user: User | None, lender_id: int) -> User:
    """Refuse anyone but an active loan officer of ``lender_id``."""
    if user is None or not user.active:
        raise DomainError("no such user", {"officer": ["no active user"]})
    if user.role != "loan_officer" or user.lender_id != lender_id:
        raise DomainError(
            "not an officer of this lender",
            {"officer": ["only a loan officer of the application's lender may act"]},
        )
    return user


def may_decide(officer: User, application: Application) -> None:
    """Refuse a non-senior officer a referred application (``Forbidden``, 403)."""
    if application.status == "referred" and not officer.senior:
        raise Forbidden(
            "only a senior officer decides a referred application",
            {"officer": ["senior_required"]},
        )


def seniors_of(session: Session, lender_id: int) -> list[User]:
    """The active senior loan officers of ``lender_id``, by name."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.lender_id == lender_id,
                User.role == "loan_officer",
                User.senior.is_(True),
                User.active.is_(True),
            )
            .order_by(User.name, User.id)
        )
    )


def _referral_errors(
    session: Session, officer: User, lender_id: int, referred_to: int | None
) -> dict[str, list[str]]:
    """A referral needs a senior to go to: the named one, or at least one of the lender."""
    seniors = [u for u in seniors_of(session, lender_id) if u.id != officer.id]
    if referred_to is None:
        return {} if seniors else {"referred_to": ["no_senior"]}
    if referred_to not in {u.id for u in seniors}:
        return {"referred_to": ["not_a_senior"]}
    return {}


def application_of(session: Session, lender_id: int, application_id: int) -> Application:
    """The application of ``lender_id``; another lender's is not found, like a missing one."""
    application = session.get(Application, application_id)
    if application is None or application.lender_id != lender_id:
        raise NotFound("application not found", {"id": [f"no application {application_id}"]})
    return application


def latest_score(session: Session, application_id: int) -> ScoreRecord | None:
    return session.scalars(
        select(ScoreRecord)
        .where(ScoreRecord.application_id == application_id)
        .order_by(ScoreRecord.id.desc())
        .limit(1)
    ).first()


def pending_request(session: Session, application_id: int) -> ApprovalRequest | None:
    return session.scalars(
        select(ApprovalRequest).where(
            ApprovalRequest.application_id == application_id,
            ApprovalRequest.status == "pending",
        )
    ).first()


def validate(request: DecisionRequest, score: ScoreRecord | None) -> dict[str, list[str]]:
    """Field errors of a decision (codes, not sentences: the caller words them)."""
    errors: dict[str, list[str]] = {}
    if request.outcome not in OUTCOMES:
        errors["outcome"] = ["invalid_choice"]
        return errors
    text = (request.text or "").strip()
    overrides = score is not None and request.outcome != score.recommendation
    if overrides:
        if request.override_reason_code not in OVERRIDE_REASONS:
            errors["override_reason_code"] = ["required_for_override"]
        if not text:
            errors["text"] = ["required_for_override"]
    elif request.override_reason_code and request.override_reason_code not in OVERRIDE_REASONS:
        errors["override_reason_code"] = ["invalid_choice"]
    if request.outcome == "decline" and request.reason_code not in DECLINE_REASONS:
        errors["reason_code"] = ["required"]
    if request.outcome == "refer" and not text:
        errors["text"] = ["required"]
    if request.outcome == "approve":
        if not isinstance(request.amount, int) or request.amount <= 0:
            errors["amount"] = ["required"]
        if not isinstance(request.tenor, int) or request.tenor <= 0:
            errors["tenor"] = ["required"]
    return errors


@contextmanager
def _decision_fields(session: Session, **fields: Any) -> Iterator[None]:
    session.info[_CONTEXT_KEY] = fields
    try:
        yield
    finally:
        session.info.pop(_CONTEXT_KEY, None)


@event.listens_for(Decision, "before_insert")
def _fill_decision(_mapper: Any, connection: Any, target: Decision) -> None:
    session = Session.object_session(target)
    fields = session.info.get(_CONTEXT_KEY) if session is not None else None
    for name, value in (fields or {}).items():
        setattr(target, name, value)


def _refuse_change(*_args: Any) -> None:
    raise PermissionError("decisions are immutable: record a new one instead")


event.listen(Decision, "before_update", _refuse_change)
event.listen(Decision, "before_delete", _refuse_change)


def _execute(
    session: Session,
    actor: Actor,
    application: Application,
    request: DecisionRequest,
    decided_by: User,
    score: ScoreRecord | None,
    confirmed_by: User | None = None,
) -> DecisionOutcome:
    overrides = score is not None and request.outcome != score.recommendation
    fields = {
        "score_record_id": score.id if score else None,
        "recommendation": score.recommendation if score else None,
        "model_version": f"{score.model_name} {score.model_version}" if score else None,
        "overrides_recommendation": overrides,
        "override_reason_code": request.override_reason_code if overrides else None,
        "reason_code": request.reason_code if request.outcome == "decline" else None,
        "confirmed_by": confirmed_by.id if confirmed_by else None,
        "referred_to": request.referred_to if request.outcome == "refer" else None,
    }
    text = (request.text or "").strip() or None
    with _decision_fields(session, **fields):
        if request.outcome == "approve":
            assert request.amount is not None and request.tenor is not None  # validated
            loan = loans.approve_application(
                session,
                actor,
                application.id,
                amount=request.amount,
                tenor=request.tenor,
                decided_by=decided_by.id,
                decided_on=request.decided_on,
                reason=text,
                grace_principal=request.grace_principal,
            )
            decision = session.scalars(
                select(Decision)
                .where(Decision.application_id == application.id)
                .order_by(Decision.id.desc())
            ).first()
            return DecisionOutcome(decision, loan)
        decide = (
            loans.decline_application if request.outcome == "decline" else loans.refer_application
        )
        reason = text or str(request.reason_code)
        decision = decide(
            session,
            actor,
            application.id,
            decided_by=decided_by.id,
            decided_on=request.decided_on,
            reason=reason,
        )
        if request.outcome == "refer":
            application.referred_to = request.referred_to
            session.flush()
            record(
                session,
                actor,
                "application.referred_to",
                "application",
                application.id,
                after={"referred_to": request.referred_to or "seniors"},
                as_of=request.decided_on,
            )
        return DecisionOutcome(decision)


def decide(
    session: Session, actor: Actor, officer: User, application_id: int, request: DecisionRequest
) -> DecisionOutcome:
    """Decide an application of the officer's lender, or ask for a second officer.

    Raises:
        NotFound: no such application of this lender.
        DomainError: a rule refused the decision; ``errors`` names each field with a code
            (``required``, ``required_for_override``, ``invalid_choice``, ``no_senior``,
            ``not_a_senior``) or a service reason.
        Forbidden: the application is referred and the officer is not a senior one.
        Conflict: the application was decided already, or a request is pending.
    """
    if officer.lender_id is None:
        raise DomainError("not a loan officer", {"officer": ["not an officer of a lender"]})
    application = application_of(session, officer.lender_id, application_id)
    officer_of(session, officer, application.lender_id)
    may_decide(officer, application)
    score = latest_score(session, application.id)
    errors = validate(request, score)
    if request.outcome == "refer" and "text" not in errors:
        errors.update(
            _referral_errors(session, officer, application.lender_id, request.referred_to)
        )
    if errors:
        raise DomainError("decision refused", errors)
    if pending_request(session, application.id) is not None:
        raise Conflict(
            "an approval is waiting for a second officer",
            {"application_id": ["confirm or reject the pending approval first"]},
        )
    lender = session.get(Lender, application.lender_id)
    assert lender is not None  # foreign key
    limit = lender.four_eyes_amount
    if request.outcome == "approve" and limit is not None and (request.amount or 0) > limit:
        if application.status not in ("submitted", "scored", "referred"):
            raise Conflict("application already decided", {"application_id": ["decided"]})
        pending = ApprovalRequest(
            application_id=application.id,
            lender_id=application.lender_id,
            requested_by=officer.id,
            amount=request.amount,
            tenor=request.tenor,
            grace_principal=request.grace_principal,
            override_reason_code=request.override_reason_code,
            reason_text=(request.text or "").strip() or None,
        )
        session.add(pending)
        session.flush()
        record(
            session,
            actor,
            "application.approval_requested",
            "application",
            application.id,
            after={"request_id": pending.id, "amount": request.amount, "tenor": request.tenor},
            as_of=request.decided_on,
        )
        return DecisionOutcome(None, pending=pending)
    return _execute(session, actor, application, request, officer, score)


def _pending_for(session: Session, officer: User, request_id: int) -> ApprovalRequest:
    pending = session.get(ApprovalRequest, request_id)
    if pending is None or pending.lender_id != officer.lender_id:
        raise NotFound("no such approval request", {"request_id": [f"no request {request_id}"]})
    officer_of(session, officer, pending.lender_id)
    if pending.status != "pending":
        raise Conflict("request already resolved", {"request_id": [pending.status]})
    if pending.requested_by == officer.id:
        raise DomainError(
            "a second officer must confirm",
            {"officer": ["four_eyes_same_officer"]},
        )
    return pending


def confirm_request(
    session: Session, actor: Actor, officer: User, request_id: int, decided_on: date
) -> DecisionOutcome:
    """A second officer confirms a pending approval: the decision and the loan are made."""
    pending = _pending_for(session, officer, request_id)
    maker = session.get(User, pending.requested_by)
    application = session.get(Application, pending.application_id)
    assert maker is not None and application is not None  # foreign keys
    request = DecisionRequest(
        "approve",
        decided_on,
        amount=pending.amount,
        tenor=pending.tenor,
        grace_principal=pending.grace_principal,
        override_reason_code=pending.override_reason_code,
        text=pending.reason_text,
    )
    pending.status = "confirmed"
    pending.resolved_by = officer.id
    pending.resolved_at = datetime.now(UTC)
    session.flush()
    score = latest_score(session, application.id)
    return _execute(session, actor, application, request, maker, score, confirmed_by=officer)


def reject_request(
    session: Session, actor: Actor, officer: User, request_id: int, as_of: date
) -> ApprovalRequest:
    """A second officer turns a pending approval down; the application goes back to the queue."""
    pending = _pending_for(session, officer, request_id)
    pending.status = "rejected"
    pending.resolved_by = officer.id
    pending.resolved_at = datetime.now(UTC)
    session.flush()
    record(
        session,
        actor,
        "application.approval_rejected",
        "application",
        pending.application_id,
        after={"request_id": pending.id},
        as_of=as_of,
    )
    return pending


@dataclass(frozen=True)
class Terms:
    """The program's limits for an application, for the form and its checks."""

    plafond_min: int
    plafond_max: int
    max_tenor: int
    max_grace: int
    annual_rate: Decimal
    method: Method


def terms_for(session: Session, application: Application, on: date | None = None) -> Terms:
    """The limits and the rate an approval of ``application`` on ``on`` would get.

    The program's version in force on ``on`` (default: the application's date) sets them;
    approval checks against the version of its own decision date.
    """
    program = session.get(CreditProgram, application.program_id)
    enterprise = session.get(Enterprise, application.enterprise_id)
    assert program is not None and enterprise is not None  # foreign keys
    version = terms_in_force(session, program.id, on or application.applied_on)
    t: CreditProgram | ProgramTerms = version or program
    max_tenor = (
        t.max_tenor_investment
        if application.purpose == "investment"
        else t.max_tenor_working_capital
    )
    rates = t.rate_by_access
    rate = Decimal(rates[min(max(enterprise.kur_access_count, 0), len(rates) - 1)])
    return Terms(
        t.plafond_min,
        t.plafond_max,
        max_tenor,
        t.max_grace_months,
        rate,
        t.interest_method,
    )


def term_errors(terms: Terms, amount: int, tenor: int, grace: int) -> dict[str, list[str]]:
    """Field error codes for terms outside the program's rules."""
    errors: dict[str, list[str]] = {}
    if not terms.plafond_min <= amount <= terms.plafond_max:
        errors["amount"] = ["outside_plafond"]
    if not 1 <= tenor <= terms.max_tenor:
        errors["tenor"] = ["outside_tenor"]
    if not 0 <= grace <= terms.max_grace:
        errors["grace_principal"] = ["outside_grace"]
    elif grace >= tenor:
        errors["grace_principal"] = ["grace_not_shorter"]
    return errors


def preview_schedule(
    terms: Terms, amount: int, tenor: int, grace: int, decided_on: date
) -> tuple[Installment, ...]:
    """The schedule an approval on ``decided_on`` creates (the same call as the approval)."""
    return build_schedule(
        amount,
        terms.annual_rate,
        tenor,
        add_months(decided_on, 1),
        method=terms.method,
        grace_principal=grace,
    )
