"""Programs as lenders see them: rules and remaining quota."""

from __future__ import annotations

from marshmallow import Schema, fields


class ProgramSchema(Schema):
    code = fields.String(metadata={"example": "KUR-MIKRO"})
    name = fields.String(metadata={"example": "KUR Mikro"})
    segment = fields.String(metadata={"example": "mikro"})
    plafond_min = fields.Integer(metadata={"description": "Rupiah", "example": 10_000_001})
    plafond_max = fields.Integer(metadata={"description": "Rupiah", "example": 100_000_000})
    rate_by_access = fields.List(
        fields.String(),
        metadata={
            "description": "Effective annual rate for the 1st, 2nd, 3rd, 4th+ access",
            "example": ["0.06", "0.07", "0.08", "0.09"],
        },
    )
    max_tenor_working_capital = fields.Integer(metadata={"description": "months"})
    max_tenor_investment = fields.Integer(metadata={"description": "months"})
    max_grace_months = fields.Integer()
    min_business_age_months = fields.Integer()
    min_business_age_months_trained = fields.Integer()
    allow_other_productive_credit = fields.Boolean()
    eligible_kbli_divisions = fields.List(fields.Integer(), metadata={"description": "empty = all"})
    collateral_threshold = fields.Integer(
        metadata={"description": "No extra collateral may be demanded up to this amount"}
    )
    max_installment_share = fields.String(
        metadata={"description": "Largest installment / average monthly net inflow"}
    )
    guarantee_coverage = fields.String(metadata={"example": "0.70"})
    interest_method = fields.String(metadata={"example": "annuity"})
    active_from = fields.Date()
    active_to = fields.Date(allow_none=True)
    quota_total = fields.Integer(allow_none=True)
    remaining_total = fields.Integer(allow_none=True)
    lender_quota = fields.Integer(allow_none=True)
    remaining_for_lender = fields.Integer(allow_none=True)


class ProgramArgsSchema(Schema):
    as_of = fields.Date(load_default=None, metadata={"description": "Default: today"})


class ChampionSchema(Schema):
    name = fields.String(metadata={"example": "imk-demo"})
    version = fields.String(metadata={"example": "2026.11.1"})
    feature_spec_version = fields.String()
    trained_on = fields.Date(allow_none=True)
    promoted_at = fields.DateTime(allow_none=True)
    metrics = fields.Dict(metadata={"description": "Headline holdout metrics (AUC, KS, Brier)"})
