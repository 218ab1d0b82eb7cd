"""Throttling of failed sign-ins, per account and per client address.

Failures are rows in ``sign_in_failures`` (shared by every gunicorn worker). Within a
15-minute window an account may fail 5 times and an address 20 times; past that, sign-in is
refused without checking the password until the oldest failure leaves the window, and the
page says how many minutes to wait. A success clears the account's failures (not the
address's). Rows older than the window are deleted as new ones are written, so the table
stays small.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from ..models import SignInFailure

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_CLIENT = 20


@dataclass(frozen=True)
class Lockout:
    """Sign-in is refused until ``until``."""

    until: datetime

    def minutes_left(self, now: datetime) -> int:
        seconds = (self.until - now).total_seconds()
        return max(1, int(-(-seconds // 60)))


def _lock(session: Session, column: Any, value: str, limit: int, now: datetime) -> Lockout | None:
    since = now - WINDOW
    times = session.scalars(
        select(SignInFailure.at)
        .where(column == value, SignInFailure.at > since)
        .order_by(SignInFailure.at.desc())
        .limit(limit)
    ).all()
    if len(times) < limit:
        return None
    return Lockout(until=min(times) + WINDOW)


def check(session: Session, account: str, client: str, now: datetime) -> Lockout | None:
    """Return the lockout in force for this account or address, or None."""
    by_account = _lock(session, SignInFailure.account, account, MAX_PER_ACCOUNT, now)
    by_client = _lock(session, SignInFailure.client, client, MAX_PER_CLIENT, now)
    found = [lock for lock in (by_account, by_client) if lock is not None]
    return max(found, key=lambda lock: lock.until) if found else None


def record_failure(session: Session, account: str, client: str, now: datetime) -> None:
    """Count one failure (and forget the ones that left the window)."""
    session.execute(delete(SignInFailure).where(SignInFailure.at <= now - WINDOW))
    session.add(SignInFailure(account=account[:254], client=client[:64], at=now))
    session.flush()


def clear_account(session: Session, account: str) -> None:
    """Forget an account's failures after it signed in."""
    session.execute(delete(SignInFailure).where(SignInFailure.account == account))


def failures(session: Session, account: str, client: str, now: datetime) -> int:
    """Failures in the window for this account or address (for tests and the audit)."""
    since = now - WINDOW
    return int(
        session.scalar(
            select(func.count(SignInFailure.id)).where(
                SignInFailure.at > since,
                or_(SignInFailure.account == account, SignInFailure.client == client),
            )
        )
        or 0
    )
