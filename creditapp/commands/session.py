"""One database session per command, and business-rule refusals as clear CLI errors.

Each command opens one session and commits once at the end, so a failure stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from sqlalchemy.orm import Session

from ..db import get_db
from ..errors import DomainError


@contextmanager
def command_session() -> Iterator[Session]:
    """One session per command; commit on success, roll back on any failure."""
    session = get_db().sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def domain_errors(fn: Callable[..., None]) -> Callable[..., None]:
    """Turn a refused business rule into a clear CLI error (exit code 1)."""

    def wrapper(*args: object, **kwargs: object) -> None:
        try:
            fn(*args, **kwargs)
        except DomainError as exc:
            details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.errors.items())
            raise click.ClickException(
                f"{exc.message}" + (f" ({details})" if details else "")
            ) from exc

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper
