"""The database: one engine per app, one session per request or command.

Services receive the session and only flush; the request or CLI command that opened the
session commits once, so a failure part-way leaves nothing stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

# PostgreSQL session limits (milliseconds) of the app's connections; see the README's
# Configuration section. lock_timeout is short: a loan locked by a stalled worker answers
# 409 quickly instead of queueing every request behind it. statement_timeout stays under
# gunicorn's worker timeout (gunicorn.conf.py), so the database gives up before gunicorn
# kills a worker, and a worker that stalls inside a transaction loses it (and its locks)
# after idle_in_transaction_session_timeout.
TIMEOUT_SETTINGS = {
    "lock_timeout": ("DB_LOCK_TIMEOUT_MS", 2_000),
    "statement_timeout": ("DB_STATEMENT_TIMEOUT_MS", 20_000),
    "idle_in_transaction_session_timeout": ("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", 25_000),
}


def timeouts_from(config: Mapping[str, Any]) -> dict[str, int]:
    """Return the session limits configured in ``config`` (0 switches one off)."""
    return {
        name: int(config.get(key, default)) for name, (key, default) in TIMEOUT_SETTINGS.items()
    }


def make_engine(url: str, timeouts: Mapping[str, int] | None = None) -> Engine:
    """Create an engine; SQLite gets foreign keys and real transactions.

    ``timeouts`` (PostgreSQL setting -> milliseconds) are set on every new connection;
    migrations, tests and benches leave them off.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling breaks SAVEPOINT; take it over (SQLAlchemy
            # documents this recipe) and switch on foreign keys, which SQLite leaves off.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    # hide_parameters: a failed statement's values (names, NIK) never reach logs or errors.
    connect_args: dict[str, Any] = {}
    if timeouts:
        connect_args["options"] = " ".join(f"-c {k}={int(v)}" for k, v in timeouts.items())
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args)


class Database:
    """The engine and session factory of one app."""

    def __init__(self, url: str, timeouts: Mapping[str, int] | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, timeouts)
        self.sessionmaker: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)

    def bind_to(self, connection: Connection) -> None:
        """Make every session join ``connection``'s transaction through savepoints (tests)."""
        self.sessionmaker = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )


def get_db(app: Flask | None = None) -> Database:
    """Return the app's database."""
    db: Database = (app or current_app).extensions["db"]
    return db


def get_session() -> Session:
    """Return the session of the current request or command, opening it on first use."""
    if "db_session" not in g:
        g.db_session = get_db().sessionmaker()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    """Create the engine and close the session after each request."""
    app.extensions["db"] = Database(app.config["DATABASE_URL"], timeouts_from(app.config))
    app.teardown_appcontext(_close_session)
