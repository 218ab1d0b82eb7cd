"""Alternative data submitted with an application: the evidence the score is built on.

Every row belongs to the application it came with, so a past score can be reproduced from
exactly the data it saw, even when the enterprise later applies again with newer data.

The tables are not declared here: each mapped class is built from its one declaration in
``scoring.input_tables`` (columns, CHECK constraints, indexes), so storage cannot drift from
what the parser reads and the scorer sees. ``tests/integration/test_migrations.py`` holds the
result equal to the migrations.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import mapped_column

from scoring.input_tables import EVENT_TABLES, MEMBERSHIP, InputColumn, InputTable, TextColumn

from .base import Base, check_in, check_non_negative, check_positive

_PARENT_TABLE = {"application": "applications.id", "membership": f"{MEMBERSHIP.stored_in}.id"}


def _type(c: InputColumn) -> Any:
    if c.kind in ("day", "month"):  # a month is stored as its first day
        return Date
    if c.kind == "int":
        return BigInteger if c.money else Integer
    if c.kind == "ratio":
        return Float
    return String(c.stored_length)


def _checks(table: InputTable) -> list[Any]:
    """CHECKs of the declared codes and lower bounds (caps are the parser's: they may move)."""
    checks: list[Any] = []
    for c in table.columns:
        if c.kind == "code":
            checks.append(check_in(c.stored_as, c.codes))
        elif c.kind == "int":
            checks.extend((check_positive if c.minimum >= 1 else check_non_negative)(c.stored_as))
    return checks


def _text(t: TextColumn) -> Any:
    return mapped_column(String(t.max_length), nullable=True)


def _mapped(table: InputTable) -> Any:
    """Build the mapped class of one declared table."""
    key = f"{table.parent}_id"
    args = _checks(table)
    if table.index is not None:
        name, column, unique = table.index
        args.append(Index(name, key, column, unique=unique))
    parent = ForeignKey(_PARENT_TABLE[table.parent], ondelete="CASCADE")
    namespace: dict[str, Any] = {
        "__doc__": table.doc,
        "__module__": __name__,
        "__tablename__": table.stored_in,
        "__table_args__": tuple(args),
        "id": mapped_column(Integer, primary_key=True),
        key: mapped_column(Integer, parent, index=table.index is None, nullable=False),
    }
    for c in table.columns:
        namespace[c.stored_as] = mapped_column(_type(c), nullable=c.nullable)
    for t in table.texts:
        namespace[t.stored_as] = _text(t)
    return type(table.model, (Base,), namespace)


CooperativeMembership: Any = type(
    MEMBERSHIP.model,
    (Base,),
    {
        "__doc__": MEMBERSHIP.doc,
        "__module__": __name__,
        "__tablename__": MEMBERSHIP.stored_in,
        "id": mapped_column(Integer, primary_key=True),
        "application_id": mapped_column(
            Integer, ForeignKey("applications.id", ondelete="CASCADE"), unique=True, nullable=False
        ),
        MEMBERSHIP.since.stored_as: mapped_column(_type(MEMBERSHIP.since), nullable=False),
        **{t.stored_as: _text(t) for t in MEMBERSHIP.texts},
    },
)
# The mapped class of each declared table, by ``InputTable.name``.
MODELS: dict[str, Any] = {t.name: _mapped(t) for t in EVENT_TABLES}
Transaction: Any = MODELS["transactions"]
MarketplaceMonth: Any = MODELS["marketplace"]
CooperativeSaving: Any = MODELS["savings"]
CooperativeLoan: Any = MODELS["coop_loans"]
Certification: Any = MODELS["certifications"]
Partnership: Any = MODELS["partnerships"]
ExportRecord: Any = MODELS["exports"]
