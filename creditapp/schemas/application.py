"""Applications: the alternative-data payload lenders submit, and what they get back.

Small nested objects are validated here field by field. The long record lists
(transactions, up to tens of thousands of rows) are only checked to be lists of objects
here and then validated row by row by ``scoring.payload``, which names the field of every
bad row (``transactions[12].amount``) at a fraction of marshmallow's per-object cost.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from ..pii import nik_problem
from .common import PageMetaSchema


def validate_nik(value: str) -> None:
    """Refuse an implausible NIK with the reason, without echoing the number."""
    problem = nik_problem(value)
    if problem:
        raise ValidationError(problem)


MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="must be a month YYYY-MM")
MAX_RECORDS = 20_000


class RecordList(fields.List[Any]):
    """A list of records documented by ``inner`` but validated in bulk by the scorer."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, list):
            raise ValidationError("must be a list")
        if len(value) > MAX_RECORDS:
            raise ValidationError(f"at most {MAX_RECORDS} records")
        if set(map(type, value)) <= {dict}:  # the usual case, checked at C speed
            return value
        bad = [i for i, item in enumerate(value) if not isinstance(item, dict)]
        if bad:
            raise ValidationError({i: ["must be an object"] for i in bad[:20]})
        return value


class CertificationSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["PIRT", "HALAL", "SNI", "BPOM"]))
    issued_on = fields.Date(required=True)
    expires_on = fields.Date(allow_none=True, load_default=None)


class PartnershipSchema(Schema):
    partner_name = fields.String(validate=validate.Length(max=200))
    partner_size = fields.String(required=True, validate=validate.OneOf(["medium", "large"]))
    since = fields.Date(required=True)
    until = fields.Date(allow_none=True, load_default=None)
    annual_value = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class ExportSchema(Schema):
    month = fields.String(required=True, validate=MONTH)
    destination = fields.String(validate=validate.Length(equal=2))
    value = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class EnterpriseSchema(Schema):
    reference = fields.String(validate=validate.Length(max=64), metadata={"description": "Your id"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    owner_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    owner_nik = fields.String(
        required=True,
        validate=validate_nik,
        metadata={"description": "NIK: 16 digits, a real province code and birth date; "
                  "stored encrypted, returned masked", "example": "3273014107900011"},
    )  # fmt: skip
    owner_gender = fields.String(
        required=True,
        validate=validate.OneOf(["F", "M"]),
        metadata={"description": "For fairness reporting only; never a model input"},
    )
    kbli = fields.String(
        required=True,
        validate=validate.Regexp(r"^\d{2,5}$", error="must be a KBLI code of 2 to 5 digits"),
        metadata={"example": "10792"},
    )
    province = fields.String(required=True, validate=validate.Regexp(r"^\d{2}$"))
    regency = fields.String(required=True, validate=validate.Regexp(r"^\d{4}$"))
    village = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Desa/kelurahan name (optional); groups collection sheets"},
    )
    founded_on = fields.Date(required=True)
    workers = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10_000))
    assets = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    annual_sales = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    other_productive_credit = fields.Boolean(load_default=False)
    entrepreneurship_training = fields.Boolean(load_default=False)
    kur_access_count = fields.Integer(strict=True, load_default=0, validate=validate.Range(0, 50))
    certifications = fields.List(fields.Nested(CertificationSchema), load_default=list)
    partnerships = fields.List(fields.Nested(PartnershipSchema), load_default=list)
    exports = fields.List(fields.Nested(ExportSchema), load_default=list)


class TransactionSchema(Schema):
    date = fields.Date(required=True)
    amount = fields.Integer(required=True, validate=validate.Range(min=1))
    direction = fields.String(required=True, validate=validate.OneOf(["in", "out"]))
    channel = fields.String(
        required=True, validate=validate.OneOf(["bank_transfer", "qris", "ewallet", "cash_deposit"])
    )


class MarketplaceMonthSchema(Schema):
    month = fields.String(required=True, validate=MONTH)
    gmv = fields.Integer(required=True, validate=validate.Range(min=0))
    orders = fields.Integer(required=True, validate=validate.Range(min=0))
    rating = fields.Float(allow_none=True, validate=validate.Range(min=0, max=5))
    return_rate = fields.Float(required=True, validate=validate.Range(min=0, max=1))


class SavingSchema(Schema):
    month = fields.String(required=True, validate=MONTH)
    status = fields.String(required=True, validate=validate.OneOf(["on_time", "late", "missed"]))


class CoopLoanSchema(Schema):
    disbursed_on = fields.Date(required=True)
    amount = fields.Integer(required=True, validate=validate.Range(min=1))
    status = fields.String(
        required=True,
        validate=validate.OneOf(["repaid_on_time", "repaid_late", "defaulted", "active"]),
    )
    max_dpd = fields.Integer(load_default=0, validate=validate.Range(min=0))


class CooperativeSchema(Schema):
    name = fields.String(validate=validate.Length(max=200))
    member_since = fields.Date(required=True)
    savings = RecordList(fields.Nested(SavingSchema), load_default=list)
    loans = RecordList(fields.Nested(CoopLoanSchema), load_default=list)


class LoanRequestSchema(Schema):
    program = fields.String(required=True, metadata={"example": "KUR-MIKRO"})
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    tenor_months = fields.Integer(required=True, strict=True, validate=validate.Range(1, 360))
    purpose = fields.String(
        required=True, validate=validate.OneOf(["working_capital", "investment"])
    )


class ApplicationInSchema(Schema):
    """An application with its alternative data (see README for a full example)."""

    reference = fields.String(validate=validate.Length(max=64))
    as_of = fields.Date(required=True, metadata={"description": "Application date"})
    enterprise = fields.Nested(EnterpriseSchema, required=True)
    transactions = RecordList(fields.Nested(TransactionSchema), load_default=list)
    marketplace = RecordList(fields.Nested(MarketplaceMonthSchema), load_default=list)
    cooperative = fields.Nested(CooperativeSchema, allow_none=True, load_default=None)
    request = fields.Nested(LoanRequestSchema, required=True)


class ReasonSchema(Schema):
    code = fields.String(metadata={"example": "inflow_cv"})
    characteristic = fields.String()
    text = fields.String(metadata={"example": "Pemasukan bulanan tidak stabil (CV 0,62)"})
    contribution = fields.Float(metadata={"description": "log-odds added to the risk"})
    value = fields.Float(allow_none=True)


class RecourseSchema(Schema):
    code = fields.String()
    text = fields.String()
    effort = fields.Integer(metadata={"description": "Relative size of the change (lower first)"})
    pd = fields.Float()
    score = fields.Integer()
    band = fields.String()


class RuleSchema(Schema):
    rule = fields.String()
    passed = fields.Boolean()
    reason = fields.String()


class PolicySchema(Schema):
    program = fields.String()
    rules = fields.List(fields.Nested(RuleSchema))
    recommendation = fields.String(metadata={"example": "approve"})
    recommended_amount = fields.Integer()
    recommended_tenor_months = fields.Integer()
    rate = fields.String()
    installment = fields.Integer()
    installment_share = fields.String(allow_none=True)
    collateral_may_be_required = fields.Boolean()


class ScoreSchema(Schema):
    model_name = fields.String()
    model_version = fields.String()
    input_hash = fields.String()
    pd = fields.Float(metadata={"description": "Calibrated probability of default"})
    score = fields.Integer(metadata={"example": 612})
    band = fields.String(metadata={"example": "B"})
    expected_bad_rate = fields.Float()
    reasons = fields.List(fields.Nested(ReasonSchema))
    positive_factors = fields.List(fields.Nested(ReasonSchema))
    recourse = fields.List(fields.Nested(RecourseSchema), allow_none=True)
    policy = fields.Nested(PolicySchema)
    data_quality = fields.Dict()


class DecisionSchema(Schema):
    outcome = fields.String()
    reason_code = fields.String(allow_none=True)
    reason_text = fields.String(allow_none=True)
    approved_amount = fields.Integer(allow_none=True)
    approved_tenor = fields.Integer(allow_none=True)
    decided_on = fields.Date()


class ApplicationOutSchema(Schema):
    id = fields.Integer()
    reference = fields.String(allow_none=True)
    status = fields.String(metadata={"example": "scored"})
    program = fields.String()
    applied_on = fields.Date()
    requested_amount = fields.Integer()
    tenor_months = fields.Integer()
    purpose = fields.String()
    enterprise_name = fields.String()
    created_at = fields.DateTime()
    score = fields.Nested(ScoreSchema, allow_none=True)
    decision = fields.Nested(DecisionSchema, allow_none=True)
    loan_id = fields.Integer(allow_none=True)


class ApplicationListArgsSchema(Schema):
    cursor = fields.String(load_default=None)
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    status = fields.String(validate=validate.OneOf(
        ["submitted", "scored", "approved", "declined", "referred", "withdrawn"]))  # fmt: skip
    band = fields.String(validate=validate.OneOf(["A", "B", "C", "D", "E"]))
    program = fields.String()
    applied_from = fields.Date()
    applied_to = fields.Date()


class ApplicationPageSchema(Schema):
    items = fields.List(fields.Nested(ApplicationOutSchema))
    page = fields.Nested(PageMetaSchema)


class ScoreOnlySchema(Schema):
    score = fields.Nested(ScoreSchema)
