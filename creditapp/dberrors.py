"""What a database failure means for the client: wait and retry, never a 500.

A database that cannot be reached (refused, killed, restarting) is a 503 with
``Retry-After``; a row lock that was not granted within ``lock_timeout`` is a 409 (another
request is changing the same loan: retry in a moment); a statement cut off by
``statement_timeout`` is a 503. Anything else (a constraint, a bug) stays a real error.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# PostgreSQL SQLSTATEs (Appendix A of its manual).
LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout
QUERY_CANCELED = "57014"  # statement_timeout
IDLE_IN_TRANSACTION_TIMEOUT = "25P03"
SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
# Class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot
# connect now): the server or the connection is gone.
GONE_PREFIXES = ("08", "57P01", "57P02", "57P03")


@dataclass(frozen=True)
class DatabaseFault:
    """How to answer one database failure."""

    status: int
    code: str
    message: str
    retry_after: int


def sqlstate(exc: DBAPIError) -> str | None:
    """Return the driver's SQLSTATE (psycopg) when there is one."""
    state = getattr(exc.orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def classify(
    exc: DBAPIError, unavailable_retry_after: int, busy_retry_after: int
) -> DatabaseFault | None:
    """Return how to answer ``exc``, or None when it is not a fault of availability."""
    state = sqlstate(exc)
    if state == LOCK_NOT_AVAILABLE:
        return DatabaseFault(
            409,
            "locked",
            "This record is being changed by another request; retry shortly.",
            busy_retry_after,
        )
    if state in (SERIALIZATION_FAILURE, DEADLOCK_DETECTED):
        return DatabaseFault(
            409,
            "conflict",
            "A concurrent change conflicted with this one; retry it.",
            busy_retry_after,
        )
    if state in (QUERY_CANCELED, IDLE_IN_TRANSACTION_TIMEOUT):
        return DatabaseFault(
            503,
            "database_timeout",
            "The database took too long to answer; retry shortly.",
            busy_retry_after,
        )
    if "database is locked" in str(exc.orig):  # SQLite's busy timeout ran out
        return DatabaseFault(
            503, "database_busy", "The database is busy; retry shortly.", busy_retry_after
        )
    gone = state is not None and state.startswith(GONE_PREFIXES)
    if gone or exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
        return DatabaseFault(
            503,
            "database_unavailable",
            "The database cannot be reached; retry shortly.",
            unavailable_retry_after,
        )
    return None
