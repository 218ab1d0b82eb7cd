"""Loans as lenders see them, and the money movements they post."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import PageMetaSchema


class InstallmentSchema(Schema):
    number = fields.Integer()
    due_on = fields.Date()
    principal_due = fields.Integer()
    interest_due = fields.Integer()
    penalty_due = fields.Integer()
    principal_paid = fields.Integer()
    interest_paid = fields.Integer()
    penalty_paid = fields.Integer()
    settled_on = fields.Date(allow_none=True)


class CollectibilitySchema(Schema):
    grade = fields.Integer(metadata={"example": 1})
    name = fields.String(metadata={"example": "Lancar"})


class LoanSchema(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    program = fields.String()
    status = fields.String(metadata={"example": "active"})
    principal = fields.Integer()
    annual_rate = fields.String(metadata={"example": "0.06"})
    interest_method = fields.String()
    tenor = fields.Integer(metadata={"description": "installments in the current schedule"})
    approved_on = fields.Date()
    first_due_on = fields.Date(allow_none=True)
    maturity_on = fields.Date(allow_none=True)
    disbursed_amount = fields.Integer()
    outstanding_principal = fields.Integer()
    arrears = fields.Integer(metadata={"description": "Due and unpaid, Rupiah"})
    dpd = fields.Integer(metadata={"description": "Days past due at the last ageing"})
    collectibility = fields.Nested(CollectibilitySchema)
    last_aged_on = fields.Date(allow_none=True)
    restructured = fields.Boolean(metadata={"description": "restructured at least once"})
    restructure_count = fields.Integer()
    restructure_floor_grade = fields.Integer(
        allow_none=True,
        metadata={"description": "best collectibility a restructured loan may show (POJK 40/2019)"},
    )
    credit_balance = fields.Integer(metadata={"description": "overpayment held for the borrower"})
    day_count = fields.String(metadata={"example": "30/360"})
    kur_access_count = fields.Integer(
        allow_none=True, metadata={"description": "earlier KUR loans the rate was set by"}
    )
    kur_access_mismatch = fields.Boolean(
        metadata={"description": "the platform saw more earlier KUR loans than declared"}
    )
    schedule = fields.List(fields.Nested(InstallmentSchema))


class LoanListArgsSchema(Schema):
    cursor = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    status = fields.String(validate=validate.OneOf(["approved", "active", "closed", "written_off"]))


class LoanSummarySchema(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    status = fields.String()
    principal = fields.Integer()
    outstanding_principal = fields.Integer()
    dpd = fields.Integer()
    collectibility = fields.Integer()
    restructured = fields.Boolean()


class LoanPageSchema(Schema):
    items = fields.List(fields.Nested(LoanSummarySchema))
    page = fields.Nested(PageMetaSchema)


class DisbursementInSchema(Schema):
    amount = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1), metadata={"example": 50_000_000}
    )
    disbursed_on = fields.Date(required=True, metadata={"example": "2026-11-05"})


class DisbursementSchema(Schema):
    id = fields.Integer()
    loan_id = fields.Integer()
    amount = fields.Integer()
    disbursed_on = fields.Date()
    status = fields.String(
        metadata={"description": "pending until a second person confirms it (maker-checker)"}
    )


class RepaymentInSchema(Schema):
    amount = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1), metadata={"example": 2_216_031}
    )
    paid_on = fields.Date(required=True, metadata={"example": "2026-12-05"})
    channel = fields.String(
        load_default=None,
        validate=validate.OneOf(["bank_transfer", "qris", "ewallet", "cash_deposit", "auto_debit"]),
    )
    apply_as = fields.String(
        load_default="auto",
        validate=validate.OneOf(["auto", "advance", "prepayment"]),
        metadata={
            "description": "money beyond what is due: auto = settle the next instalment in "
            "advance, prepay the rest; advance = settle later instalments in order; "
            "prepayment = prepay principal (after the interest it accrued)"
        },
    )


class RepaymentSchema(Schema):
    id = fields.Integer()
    loan_id = fields.Integer()
    amount = fields.Integer()
    paid_on = fields.Date()
    principal_part = fields.Integer()
    interest_part = fields.Integer()
    penalty_part = fields.Integer()
    excess_part = fields.Integer(metadata={"description": "Applied as principal prepayment"})
    credit_part = fields.Integer(metadata={"description": "Held as the borrower's credit"})
    apply_as = fields.String()
    reversed_on = fields.Date(allow_none=True)
    loan_status = fields.String()
    outstanding_principal = fields.Integer()
