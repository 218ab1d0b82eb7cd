"""GET /loans, GET /loans/{id}, POST /loans/{id}/disbursements and /repayments."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask.views import MethodView

from ..db import get_session
from ..schemas.common import ErrorSchema
from ..schemas.loan import (
    DisbursementInSchema,
    DisbursementSchema,
    LoanListArgsSchema,
    LoanPageSchema,
    LoanSchema,
    RepaymentInSchema,
    RepaymentSchema,
)
from ..services import loan_views
from ..services import loans as loan_services
from ..services.audit import Actor
from ..services.loans.value_dates import business_date
from .applications import LANGUAGE_HEADER
from .auth import current_api_key_id, current_lender_id, protect
from .idempotency import HEADER, idempotent
from .parsing import ApiBlueprint
from .presenters import decode_cursor, encode_cursor, language

blp = protect(
    ApiBlueprint(
        "loans",
        __name__,
        url_prefix="/api/v1/loans",
        description="Loans, their schedules, disbursements and repayments.",
    ),
    "loans",
)

REQUIRED_IDEMPOTENCY = {
    "name": HEADER,
    "in": "header",
    "required": True,
    "schema": {"type": "string", "maxLength": 128},
    "description": "Required: a retry with the same key and body is applied once.",
}


def _actor() -> Actor:
    return Actor("api_key", current_api_key_id())


@blp.route("")
class Loans(MethodView):
    @blp.arguments(LoanListArgsSchema, location="query")
    @blp.response(200, LoanPageSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid API key")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List your loans, newest first."""
        limit = args["limit"]
        items = loan_views.list_loans(
            get_session(),
            current_lender_id(),
            after_id=decode_cursor(args.get("cursor")),
            limit=limit,
            status=args.get("status"),
        )
        cursor = encode_cursor(items[-1].id) if len(items) == limit else None
        return {"items": items, "page": {"next_cursor": cursor, "limit": limit}}


@blp.route("/<int(max=2147483647):loan_id>")
class LoanById(MethodView):
    @blp.response(200, LoanSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Not found (or not yours)")
    @blp.doc(parameters=[LANGUAGE_HEADER])
    def get(self, loan_id: int) -> dict[str, Any]:
        """Show a loan: schedule, balances, days past due and collectibility."""
        session = get_session()
        loan = loan_views.owned_loan(session, current_lender_id(), loan_id)
        as_of = loan_views.last_ageing_date(session) or business_date(current_app.config)
        return loan_views.loan_detail(session, loan, language(), as_of)


@blp.route("/<int(max=2147483647):loan_id>/disbursements")
class Disbursements(MethodView):
    @idempotent(required=True)
    @blp.arguments(DisbursementInSchema)
    @blp.response(201, DisbursementSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Not found (or not yours)")
    @blp.alt_response(422, schema=ErrorSchema, description="Refused, with the reason")
    @blp.doc(parameters=[REQUIRED_IDEMPOTENCY])
    def post(self, data: dict[str, Any], loan_id: int) -> Any:
        """Request a disbursement; a second person confirms it before money moves."""
        session = get_session()
        loan_views.owned_loan(session, current_lender_id(), loan_id)
        disbursement = loan_services.request_disbursement(
            session,
            _actor(),
            loan_id,
            data["amount"],
            data["disbursed_on"],
            idempotency_key=request.headers[HEADER],
            requested_by_api_key=current_api_key_id(),
            business_date=business_date(current_app.config),
        )
        return disbursement


@blp.route("/<int(max=2147483647):loan_id>/repayments")
class Repayments(MethodView):
    @idempotent(required=True)
    @blp.arguments(RepaymentInSchema)
    @blp.response(201, RepaymentSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Not found (or not yours)")
    @blp.alt_response(422, schema=ErrorSchema, description="Refused, with the reason")
    @blp.doc(parameters=[REQUIRED_IDEMPOTENCY])
    def post(self, data: dict[str, Any], loan_id: int) -> dict[str, Any]:
        """Post a repayment: what is due first (penalty, interest, principal, oldest first),
        then an advance payment of the next instalment, then a prepayment; above the early
        payoff the rest is held as the borrower's credit balance. A value date after the
        business date (plus one day) is refused."""
        session = get_session()
        result = loan_services.post_repayment(
            session,
            _actor(),
            loan_id,
            lender_id=current_lender_id(),
            amount=data["amount"],
            paid_on=data["paid_on"],
            idempotency_key=request.headers[HEADER],
            channel=data.get("channel"),
            apply_as=data["apply_as"],
            business_date=business_date(current_app.config),
        )
        rep = result.repayment
        loan = loan_views.owned_loan(session, current_lender_id(), loan_id)
        return {
            **{c.key: getattr(rep, c.key) for c in rep.__table__.columns},
            "loan_status": loan.status,
            "outstanding_principal": loan.outstanding_principal,
        }
