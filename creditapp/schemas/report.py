"""Portfolio reports as lenders fetch them: arguments and the report bodies."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..reports.volume import VOLUME_DIMENSIONS

CODE = validate.Regexp(r"^[A-Za-z0-9_.-]{1,32}$", error="a program code: letters, digits, -_.")


class ReportArgsSchema(Schema):
    as_of = fields.Date(
        required=True,
        metadata={"description": "Report date; not after the last end-of-day run or today"},
    )
    program = fields.String(load_default=None, validate=CODE, metadata={"example": "KUR-MIKRO"})


class PeriodArgsSchema(ReportArgsSchema):
    period_start = fields.Date(
        load_default=None, metadata={"description": "Default: the first day of the as-of month"}
    )


class VolumeArgsSchema(ReportArgsSchema):
    by = fields.String(load_default="program", validate=validate.OneOf(VOLUME_DIMENSIONS))


class ScopeSchema(Schema):
    as_of = fields.String(metadata={"example": "2026-11-30"})
    snapshot = fields.String(
        allow_none=True, metadata={"description": "Date of the end-of-day run the report reads"}
    )
    program = fields.String(allow_none=True)
    lender = fields.String(allow_none=True)


class PortfolioSchema(ScopeSchema):
    gross_outstanding = fields.Integer(metadata={"description": "Rupiah"})
    loans_active = fields.Integer()
    par1 = fields.Float(metadata={"description": "Outstanding of loans > 0 dpd / gross"})
    par30 = fields.Float()
    par60 = fields.Float()
    par90 = fields.Float()
    npl_ratio = fields.Float(metadata={"description": "Kol 3-5 outstanding / gross"})
    par30_restructured = fields.Float()
    restructured_outstanding = fields.Integer()
    collectibility = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "Kol 1-5 balance"}
    )
    collectibility_count = fields.Dict(keys=fields.String(), values=fields.Integer())
    written_off_total = fields.Integer()
    written_off_loans = fields.Integer()


class RowsSchema(ScopeSchema):
    rows = fields.List(fields.Dict(), metadata={"description": "One object per table row"})


class VolumeSchema(RowsSchema):
    by = fields.String()


class RollRatesSchema(RowsSchema):
    from_date = fields.String(allow_none=True)


class CollectionRateSchema(ScopeSchema):
    period_start = fields.String()
    fallen_due = fields.Integer()
    collected_on_time = fields.Integer()
    collected_late = fields.Integer()
    collection_rate = fields.Float()
    on_time_rate = fields.Float()
    late_rate = fields.Float()


class WriteOffSchema(ScopeSchema):
    period_start = fields.String()
    written_off = fields.Integer()
    average_gross = fields.Integer()
    write_off_ratio = fields.Float()
    recovered = fields.Integer()
    written_off_total = fields.Integer()
    recovered_total = fields.Integer()
    recovery_rate = fields.Float()


class GuaranteeSchema(ScopeSchema):
    cover_exposure = fields.Integer()
    claims = fields.List(fields.Dict())
