"""POST /applications/{id}/decision: an officer's decision sent by the lender's own system."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from ..db import get_session
from ..errors import DomainError
from ..models import User
from ..regulatory import debtor_check
from ..schemas.common import ErrorSchema
from ..schemas.decision import DecisionInSchema, DecisionOutSchema
from ..services import decisions
from ..services.audit import Actor
from .auth import current_api_key_id, current_lender_id, protect
from .idempotency import idempotent
from .parsing import ApiBlueprint

blp = protect(
    ApiBlueprint(
        "decisions",
        __name__,
        url_prefix="/api/v1",
        description="Officers' decisions on applications (the rules of the web workspace).",
    ),
    "applications",
)
MESSAGES = {
    "required": "required",
    "required_for_override": "required when the outcome differs from the recommendation",
    "invalid_choice": "not one of the allowed values",
    "four_eyes_same_officer": "a different officer of the lender must confirm",
    "outside_plafond": "outside the program's plafond",
    "outside_tenor": "outside the program's tenor",
    "outside_grace": "outside the program's grace",
    "grace_not_shorter": "must be shorter than the tenor",
    "senior_required": "the application is referred: only a senior officer of the lender "
    "may decide it",
    "no_senior": "the lender has no other active senior officer to refer to",
    "not_a_senior": "not an active senior officer of the lender",
    **debtor_check.MESSAGES,
}


def _worded(exc: DomainError) -> DomainError:
    """The service's field codes as sentences (service sentences pass unchanged)."""
    errors = {k: [MESSAGES.get(c, c) for c in v] for k, v in exc.errors.items()}
    worded = type(exc)(exc.message, errors)
    return worded


def _present(outcome: decisions.DecisionOutcome) -> tuple[dict[str, Any], int]:
    if outcome.pending is not None:
        return {"status": "pending_second_officer", "approval_request_id": outcome.pending.id}, 202
    d = outcome.decision
    assert d is not None
    return {
        "status": "decided",
        "decision_id": d.id,
        "outcome": d.outcome,
        "overrides_recommendation": d.overrides_recommendation,
        "recommendation": d.recommendation,
        "model_version": d.model_version,
        "loan_id": outcome.loan.id if outcome.loan else None,
    }, 201


def _senior_id(session: Any, email: str | None) -> int | None:
    """The user id behind ``referred_to`` (0, never a user id, when no one has it)."""
    if not email:
        return None
    user_id = session.scalar(select(User.id).where(User.email == email.lower()))
    return user_id if user_id is not None else 0


@blp.route("/applications/<int(max=2147483647):application_id>/decision")
class ApplicationDecision(MethodView):
    @idempotent(required=False)
    @blp.arguments(DecisionInSchema)
    @blp.response(201, DecisionOutSchema)
    @blp.alt_response(202, schema=DecisionOutSchema, description="Waits for a second officer")
    @blp.alt_response(403, schema=ErrorSchema, description="Referred: a senior officer decides")
    @blp.alt_response(404, schema=ErrorSchema, description="Not found (or not yours)")
    @blp.alt_response(409, schema=ErrorSchema, description="Already decided or pending")
    @blp.alt_response(422, schema=ErrorSchema, description="A rule refused the decision")
    def post(self, data: dict[str, Any], application_id: int) -> Any:
        """Record an officer's decision: approve (terms within the program), decline (a
        reason code), refer (to the lender's senior officers, or to one by ``referred_to``;
        a referred application is decided by a senior officer only). Against the model's
        recommendation an override reason code and a text are required; above the lender's
        four-eyes amount an approval waits for a second officer, who confirms it with
        ``confirms_request``."""
        session = get_session()
        lender_id = current_lender_id()
        decisions.application_of(session, lender_id, application_id)  # 404 before anything
        officer = session.scalar(select(User).where(User.email == data["officer"].lower()))
        try:
            officer = decisions.officer_of(session, officer, lender_id)
            actor = Actor("api_key", current_api_key_id())
            if data.get("confirms_request"):
                pending = decisions.pending_request(session, application_id)
                if pending is None or pending.id != data["confirms_request"]:
                    raise DomainError(
                        "no such pending approval",
                        {"confirms_request": ["no pending approval with this id here"]},
                    )
                outcome = decisions.confirm_request(
                    session, actor, officer, pending.id, data["decided_on"]
                )
            else:
                request = decisions.DecisionRequest(
                    outcome=data["outcome"],
                    decided_on=data["decided_on"],
                    amount=data.get("amount"),
                    tenor=data.get("tenor"),
                    grace_principal=data["grace_principal"],
                    reason_code=data.get("reason_code"),
                    override_reason_code=data.get("override_reason_code"),
                    text=data.get("text"),
                    referred_to=_senior_id(session, data.get("referred_to")),
                )
                application = decisions.application_of(session, lender_id, application_id)
                if request.outcome == "approve" and request.amount and request.tenor:
                    terms = decisions.terms_for(session, application)
                    errors = decisions.term_errors(
                        terms, request.amount, request.tenor, request.grace_principal
                    )
                    if errors:
                        raise DomainError("approval refused", errors)
                outcome = decisions.decide(session, actor, officer, application_id, request)
        except DomainError as exc:
            session.rollback()
            refused_by = Actor("api_key", current_api_key_id())
            if debtor_check.record_refusal(
                session, refused_by, application_id, exc, data["decided_on"]
            ):
                session.commit()  # the refusal's audit record; the approval stored nothing
            raise _worded(exc) from None
        return _present(outcome)
