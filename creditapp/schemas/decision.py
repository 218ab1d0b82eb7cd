"""A lender's system records an officer's decision: the same rules as the web form."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..services.decisions import DECLINE_REASONS, OUTCOMES, OVERRIDE_REASONS


class DecisionInSchema(Schema):
    officer = fields.Email(
        required=True,
        metadata={"description": "E-mail of the deciding loan officer of your lender"},
    )
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    decided_on = fields.Date(required=True, metadata={"description": "Business date"})
    amount = fields.Integer(
        strict=True, validate=validate.Range(min=1), metadata={"description": "Rupiah (approve)"}
    )
    tenor = fields.Integer(strict=True, validate=validate.Range(min=1, max=360))
    grace_principal = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0))
    reason_code = fields.String(
        validate=validate.OneOf(DECLINE_REASONS), metadata={"description": "Required to decline"}
    )
    override_reason_code = fields.String(
        validate=validate.OneOf(OVERRIDE_REASONS),
        metadata={"description": "Required when the outcome differs from the recommendation"},
    )
    text = fields.String(validate=validate.Length(max=1000))
    referred_to = fields.Email(
        metadata={
            "description": "To refer to one senior officer of your lender by e-mail "
            "(without it a refer goes to all of them)"
        }
    )
    confirms_request = fields.Integer(
        strict=True,
        metadata={
            "description": "Id of a pending four-eyes approval to confirm (a different "
            "officer than the one who asked; the other fields are then ignored)"
        },
    )


class DecisionOutSchema(Schema):
    status = fields.String(
        metadata={"description": "decided, or pending_second_officer (four eyes)"}
    )
    decision_id = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True)
    overrides_recommendation = fields.Boolean(allow_none=True)
    recommendation = fields.String(allow_none=True)
    model_version = fields.String(allow_none=True)
    loan_id = fields.Integer(allow_none=True)
    approval_request_id = fields.Integer(allow_none=True)
