"""The debtor check as the lender's API shows it (regulatory.debtor_check)."""

from __future__ import annotations

from marshmallow import Schema, fields


class FacilitySchema(Schema):
    own_lender = fields.Boolean(metadata={"description": "The loan is yours"})
    lender = fields.String(
        allow_none=True, metadata={"description": "Your lender code; null for another lender"}
    )
    loan_id = fields.Integer(
        allow_none=True, metadata={"description": "Your loan id; null for another lender"}
    )
    program = fields.String()
    kur = fields.Boolean(metadata={"description": "Under a KUR program"})
    status = fields.String(metadata={"description": "approved, active or written_off"})
    outstanding_principal = fields.Integer(metadata={"description": "Rupiah"})
    collectibility = fields.Integer(metadata={"description": "OJK grade 1-5"})
    dpd = fields.Integer(metadata={"description": "Days past due"})
    approved_on = fields.String(metadata={"description": "Approval date YYYY-MM-DD"})


class DebtorCheckSchema(Schema):
    application_id = fields.Integer()
    passed = fields.Boolean(metadata={"description": "False: an approval would be refused"})
    refusals = fields.List(
        fields.String(),
        metadata={"description": "debtor_has_kur and/or debtor_has_other_credit"},
    )
    messages = fields.List(fields.String(), metadata={"description": "The refusals in words"})
    program = fields.String()
    program_is_kur = fields.Boolean()
    allows_other_productive_credit = fields.Boolean()
    facilities = fields.List(fields.Nested(FacilitySchema))
