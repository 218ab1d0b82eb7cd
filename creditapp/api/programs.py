"""GET /programs and GET /models/champion."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from ..db import get_session
from ..errors import NotFound
from ..schemas.common import ErrorSchema
from ..schemas.program import ChampionSchema, ProgramArgsSchema, ProgramSchema
from ..services import models, programs
from ..services.loans.value_dates import business_date
from ..services.program_terms import PROGRAM_TERM_FIELDS
from .auth import current_lender_id, protect
from .parsing import ApiBlueprint

blp = protect(ApiBlueprint("programs", __name__, url_prefix="/api/v1/programs"), "programs")
models_blp = protect(ApiBlueprint("models", __name__, url_prefix="/api/v1/models"), "models")


@blp.route("")
class Programs(MethodView):
    @blp.arguments(ProgramArgsSchema, location="query")
    @blp.response(200, ProgramSchema(many=True))
    @blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid API key")
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """List the programs active today, with the terms in force and this year's quota left."""
        as_of = args["as_of"] or business_date(current_app.config)
        standings = programs.active_programs(get_session(), as_of, current_lender_id())
        return [
            {
                **{c.key: getattr(s.program, c.key) for c in s.program.__table__.columns},
                # The terms in force on as_of (a version), over the program's own columns.
                **{
                    c.key: getattr(s.terms, c.key)
                    for c in s.terms.__table__.columns
                    if c.key in PROGRAM_TERM_FIELDS
                },
                "rate_by_access": list(s.terms.rate_by_access),
                "max_installment_share": str(s.terms.max_installment_share),
                "guarantee_coverage": str(s.terms.guarantee_coverage),
                "remaining_total": s.remaining_total,
                "lender_quota": s.lender_quota,
                "remaining_for_lender": s.remaining_for_lender,
            }
            for s in standings
        ]


@models_blp.route("/champion")
class Champion(MethodView):
    @models_blp.response(200, ChampionSchema)
    @models_blp.alt_response(404, schema=ErrorSchema, description="No model promoted yet")
    def get(self) -> Any:
        """Show the model that scores applications now."""
        version = models.champion(get_session())
        if version is None:
            raise NotFound("no champion model", {"model": ["no model has been promoted yet"]})
        return version
