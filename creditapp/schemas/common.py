"""Schemas shared by every resource: errors and pagination."""

from __future__ import annotations

from marshmallow import Schema, fields


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


class PageMetaSchema(Schema):
    next_cursor = fields.String(allow_none=True)
    limit = fields.Integer()
