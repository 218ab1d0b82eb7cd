"""POST/GET /applications and POST /score."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView

from ..db import get_session
from ..regulatory.debtor_check import MESSAGES, check_debtor
from ..schemas.application import (
    ApplicationInSchema,
    ApplicationListArgsSchema,
    ApplicationOutSchema,
    ApplicationPageSchema,
    ScoreOnlySchema,
)
from ..schemas.common import ErrorSchema
from ..schemas.debtor_check import DebtorCheckSchema
from ..services import applications, decisions, queries
from ..services.audit import Actor
from ..services.loans.value_dates import business_date
from ..services.lookup import Lookup
from .auth import current_api_key_id, current_lender_id, protect
from .idempotency import idempotent
from .parsing import ApiBlueprint, request_json
from .presenters import (
    decode_cursor,
    encode_cursor,
    language,
    present_application,
    present_score,
)

blp = protect(
    ApiBlueprint(
        "applications",
        __name__,
        url_prefix="/api/v1",
        description="Submit and follow loan applications; scoring with reasons.",
    ),
    "applications",
)

IDEMPOTENCY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    # What idempotency.py accepts: 1-128 printable ASCII characters, not only spaces.
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 128,
        "pattern": "^[ -~]*[!-~][ -~]*$",
    },
    "description": "Send the same key to retry safely; a replay returns the first response.",
}
LANGUAGE_HEADER = {
    "name": "Accept-Language",
    "in": "header",
    "required": False,
    # Any value is accepted (a browser sends e.g. "en-US,en;q=0.9"); unknown ones get id.
    "schema": {"type": "string"},
    "description": "Language of reasons: id (default) or en; any other value gets id.",
}


def lookup() -> Lookup:
    """The app's cached view of programs and the champion model."""
    cached: Lookup = current_app.extensions["lookup"]
    return cached


def _view(v: queries.ApplicationView) -> dict[str, Any]:
    return present_application(
        v.application, v.program_code, v.enterprise_name, v.score, v.decision, v.loan_id, language()
    )


@blp.route("/applications")
class Applications(MethodView):
    @idempotent(required=False)
    @blp.arguments(ApplicationInSchema)
    @blp.response(201, ApplicationOutSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid API key")
    @blp.alt_response(409, schema=ErrorSchema, description="No champion model")
    @blp.alt_response(413, schema=ErrorSchema, description="Body too large")
    @blp.doc(parameters=[IDEMPOTENCY_HEADER, LANGUAGE_HEADER])
    def post(self, _data: dict[str, Any]) -> dict[str, Any]:
        """Submit an application with its alternative data; it is scored and stored."""
        # The schema has checked the body's shape; the body itself is parsed once, by scoring.
        session = get_session()
        submitted = applications.submit(
            session,
            Actor("api_key", current_api_key_id()),
            current_lender_id(),
            request_json(),
            lookup=lookup(),
        )
        session.flush()
        return _view(
            queries.application_view(session, current_lender_id(), submitted.application.id)
        )

    @blp.arguments(ApplicationListArgsSchema, location="query")
    @blp.response(200, ApplicationPageSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid API key")
    @blp.doc(parameters=[LANGUAGE_HEADER])
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List your applications, newest first; filter by status, band, program, dates."""
        limit = args["limit"]
        views = queries.list_applications(
            get_session(),
            current_lender_id(),
            after_id=decode_cursor(args.get("cursor")),
            limit=limit,
            status=args.get("status"),
            band=args.get("band"),
            program=args.get("program"),
            applied_from=args.get("applied_from"),
            applied_to=args.get("applied_to"),
        )
        next_cursor = encode_cursor(views[-1].application.id) if len(views) == limit else None
        return {
            "items": [_view(v) for v in views],
            "page": {"next_cursor": next_cursor, "limit": limit},
        }


@blp.route("/applications/<int(max=2147483647):application_id>")
class ApplicationById(MethodView):
    @blp.response(200, ApplicationOutSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Not found (or not yours)")
    @blp.doc(parameters=[LANGUAGE_HEADER])
    def get(self, application_id: int) -> dict[str, Any]:
        """Show one of your applications with its score, reasons and decision."""
        return _view(queries.application_view(get_session(), current_lender_id(), application_id))


@blp.route("/applications/<int(max=2147483647):application_id>/debtor-check")
class ApplicationDebtorCheck(MethodView):
    @blp.response(200, DebtorCheckSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Not found (or not yours)")
    def get(self, application_id: int) -> dict[str, Any]:
        """The debtor check of one of your applications: the same NIK's loans on the platform.

        Another lender's facilities show without its code or loan id. ``passed`` false means
        an approval would be refused (one KUR at a time; no other productive credit unless
        the program allows it).
        """
        session = get_session()
        application = decisions.application_of(session, current_lender_id(), application_id)
        check = check_debtor(session, application, business_date(current_app.config))
        body = check.to_dict()
        body["messages"] = [MESSAGES[code] for code in check.refusals]
        return body


@blp.route("/score")
class Score(MethodView):
    @blp.arguments(ApplicationInSchema)
    @blp.response(200, ScoreOnlySchema)
    @blp.alt_response(409, schema=ErrorSchema, description="No champion model")
    @blp.doc(parameters=[LANGUAGE_HEADER])
    def post(self, _data: dict[str, Any]) -> Response:
        """Score an application without storing anything (what-if)."""
        with_recourse = request.args.get("recourse") in ("1", "true")
        result, _program = applications.score_payload(
            get_session(), request_json(), with_recourse=with_recourse, lookup=lookup()
        )
        # The presented dict already is ScoreOnlySchema's dump (a test holds the two equal),
        # so it goes out as is: marshmallow re-dumping it cost ~0.2 ms of every what-if.
        body = current_app.json.dumps({"score": present_score(result.to_dict(), language())})
        return Response(body, mimetype="application/json")
