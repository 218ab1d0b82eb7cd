"""GET /subsidy-claims, GET /subsidy-claims/{id}: a lender's own subsidy claims, read-only."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask.views import MethodView
from sqlalchemy import select

from ..db import get_session
from ..models import SubsidyAccrual, SubsidyClaimLine
from ..schemas.claims import (
    SubsidyClaimArgsSchema,
    SubsidyClaimDetailSchema,
    SubsidyClaimListSchema,
)
from ..schemas.common import ErrorSchema
from ..services.claims.statements import subsidy_claims_list
from .auth import current_lender_id, protect
from .parsing import ApiBlueprint

blp = protect(
    ApiBlueprint(
        "subsidy_claims",
        __name__,
        url_prefix="/api/v1/subsidy-claims",
        description="Your monthly interest-subsidy claims, their lines and payments.",
    ),
    "loans",
)


@blp.route("")
class SubsidyClaims(MethodView):
    @blp.arguments(SubsidyClaimArgsSchema, location="query")
    @blp.response(200, SubsidyClaimListSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid API key")
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List your subsidy claims, newest month first, with their reconciliation."""
        rows = subsidy_claims_list(
            get_session(), lender_id=current_lender_id(), status=args.get("status")
        )
        return {"items": rows}


@blp.route("/<int(max=2147483647):claim_id>")
class SubsidyClaimById(MethodView):
    @blp.response(200, SubsidyClaimDetailSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Not found (or not yours)")
    def get(self, claim_id: int) -> dict[str, Any]:
        """Show one of your claims with every line."""
        session = get_session()
        rows = subsidy_claims_list(session, lender_id=current_lender_id(), claim_id=claim_id)
        if not rows:
            abort(404)  # missing and another lender's alike
        claim = rows[0]
        line, acc = SubsidyClaimLine, SubsidyAccrual
        lines = session.execute(
            select(
                line.id,
                line.loan_id,
                acc.period_start,
                acc.period_end,
                line.amount,
                line.status,
                line.rejection_reason,
            )
            .join(acc, acc.id == line.accrual_id)
            .where(line.claim_id == claim_id)
            .order_by(line.loan_id, line.id)
        ).mappings()
        return {**claim, "claim_lines": [dict(r) for r in lines]}
