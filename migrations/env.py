"""Alembic environment: the URL comes from the caller (creditapp.migrate) or DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context

from creditapp.db import make_engine
from creditapp.models import Base

config = context.config
url = config.attributes.get("database_url") or os.environ["DATABASE_URL"]
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Our UTCDateTime is a TypeDecorator over DateTime(timezone=True): render the plain type
    # so generated migrations do not import application code.
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def _run(conn: object) -> None:
    context.configure(
        render_item=_render_item,
        connection=conn,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=conn.dialect.name == "sqlite",  # type: ignore[attr-defined]
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
