"""Schemas shared by every resource: errors and pagination."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class ErrorSchema(Schema):
    """Every error response: a stable code, a message and the reasons per field."""

    code = fields.String(required=True, metadata={"example": "unprocessable_entity"})
    message = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        metadata={
            "description": "Reasons by field path",
            "example": {"transactions[3].amount": ["must be greater than 0"]},
        },
    )


class PageArgsSchema(Schema):
    """Cursor pagination: pass the ``next_cursor`` of the previous page."""

    cursor = fields.String(load_default=None, metadata={"description": "Opaque cursor"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class PageMetaSchema(Schema):
    next_cursor = fields.String(allow_none=True)
    limit = fields.Integer()
