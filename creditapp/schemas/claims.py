"""Subsidy claims as a lender sees its own (read-only)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class SubsidyClaimArgsSchema(Schema):
    status = fields.String(validate=validate.OneOf(["submitted", "verified", "paid"]))


class SubsidyClaimSchema(Schema):
    id = fields.Integer()
    month = fields.Date(metadata={"description": "first day of the claimed month"})
    program = fields.String()
    status = fields.String(metadata={"example": "verified"})
    lines = fields.Integer()
    lines_rejected = fields.Integer()
    accrued_total = fields.Integer(metadata={"description": "Σ all lines as claimed, Rupiah"})
    rejected = fields.Integer(metadata={"description": "Σ rejected lines"})
    verified_total = fields.Integer(metadata={"description": "Σ lines left after verification"})
    paid_amount = fields.Integer()
    shortfall = fields.Integer(metadata={"description": "verified - paid, once paid"})
    submitted_on = fields.Date()
    verified_on = fields.Date(allow_none=True)
    paid_on = fields.Date(allow_none=True)


class SubsidyClaimLineSchema(Schema):
    id = fields.Integer()
    loan_id = fields.Integer()
    period_start = fields.Date()
    period_end = fields.Date()
    amount = fields.Integer()
    status = fields.String(metadata={"example": "claimed"})
    rejection_reason = fields.String(allow_none=True)


class SubsidyClaimListSchema(Schema):
    items = fields.List(fields.Nested(SubsidyClaimSchema))


class SubsidyClaimDetailSchema(SubsidyClaimSchema):
    claim_lines = fields.List(fields.Nested(SubsidyClaimLineSchema))
