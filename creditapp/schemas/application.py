"""Applications: the alternative-data payload lenders submit, and what they get back.

Small nested objects are validated here field by field. The record lists of the
alternative-data tables (transactions, up to tens of thousands of rows) are only checked to be
lists of objects here and then validated row by row by ``scoring.parse``, which names the field
of every bad row (``transactions[12].amount``) at a fraction of marshmallow's per-object cost.
Their record schemas, which document them in the OpenAPI, are built from the same declarations
(``scoring.input_tables``) the parser reads.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from scoring.input_tables import (
    CERTIFICATIONS,
    COOP_LOANS,
    EVENT_TABLES,
    EXPORTS,
    MARKETPLACE,
    PARTNERSHIPS,
    SAVINGS,
    TRANSACTIONS,
    InputColumn,
    InputTable,
    TextColumn,
)

from ..pii import nik_problem
from .common import PageMetaSchema


def validate_nik(value: str) -> None:
    """Refuse an implausible NIK with the reason, without echoing the number."""
    problem = nik_problem(value)
    if problem:
        raise ValidationError(problem)


MONTH = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="must be a month YYYY-MM")
MAX_RECORDS = max(t.max_records for t in EVENT_TABLES)  # the per-table caps: scoring.parse


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


def _field(c: InputColumn) -> fields.Field[Any]:
    """The documented marshmallow field of one declared column (scoring validates it)."""
    common: dict[str, Any] = {"required": not c.nullable, "allow_none": c.nullable}
    if c.kind == "day":
        return fields.Date(**common)
    if c.kind == "month":
        return fields.String(validate=MONTH, **common)
    if c.kind == "code":
        return fields.String(validate=validate.OneOf(c.codes), **common)
    if c.kind == "ratio":
        return fields.Float(validate=validate.Range(c.minimum, c.maximum), **common)
    return fields.Integer(
        strict=True, validate=validate.Range(int(c.minimum), int(c.maximum)), **common
    )


def _text(t: TextColumn) -> fields.Field[Any]:
    size = (
        validate.Length(equal=t.max_length) if t.exact_length else validate.Length(max=t.max_length)
    )
    return fields.String(validate=size, allow_none=True)


def _record_schema(table: InputTable) -> type[Schema]:
    """The schema of one record of a declared table: its OpenAPI documentation."""
    declared = {c.key: _field(c) for c in table.columns} | {t.key: _text(t) for t in table.texts}
    schema: type[Schema] = Schema.from_dict(declared, name=f"{table.model}Schema")
    return schema


RECORD_SCHEMAS = {t.name: _record_schema(t) for t in EVENT_TABLES}


def _records(table: InputTable) -> RecordList:
    return RecordList(
        fields.Nested(RECORD_SCHEMAS[table.name]),
        load_default=list,
        metadata={"description": f"At most {table.max_records} records"},
    )


class EnterpriseSchema(Schema):
    reference = fields.String(validate=validate.Length(max=64), metadata={"description": "Your id"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    owner_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    owner_nik = fields.String(
        required=True,
        validate=validate_nik,
        metadata={
            "description": "NIK: 16 digits, a real province code and birth date; "
            "stored encrypted, returned masked",
            "example": "3273014107900011",
        },
    )
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
    certifications = _records(CERTIFICATIONS)
    partnerships = _records(PARTNERSHIPS)
    exports = _records(EXPORTS)


class CooperativeSchema(Schema):
    name = fields.String(validate=validate.Length(max=200))
    member_since = fields.Date(required=True)
    savings = _records(SAVINGS)
    loans = _records(COOP_LOANS)


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
    transactions = _records(TRANSACTIONS)
    marketplace = _records(MARKETPLACE)
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
    status = fields.String(
        validate=validate.OneOf(
            ["submitted", "scored", "approved", "declined", "referred", "withdrawn"]
        )
    )
    band = fields.String(validate=validate.OneOf(["A", "B", "C", "D", "E"]))
    program = fields.String()
    applied_from = fields.Date()
    applied_to = fields.Date()


class ApplicationPageSchema(Schema):
    items = fields.List(fields.Nested(ApplicationOutSchema))
    page = fields.Nested(PageMetaSchema)


class ScoreOnlySchema(Schema):
    score = fields.Nested(ScoreSchema)
