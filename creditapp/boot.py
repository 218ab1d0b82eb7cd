"""Work a serving process does once, before it takes requests."""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from .db import get_db
from .errors import DomainError
from .services.models import load_champion

log = logging.getLogger(__name__)


def warm(app: Flask) -> None:
    """Load the champion model now, so the first scoring request does not wait for it.

    Never fatal: a database that is not migrated yet, or a registry without a champion,
    leaves the load to the first request, which reports the problem to the caller.
    """
    with app.app_context(), get_db(app).sessionmaker() as session:
        try:
            bundle = load_champion(session)
        except (SQLAlchemyError, DomainError) as exc:
            log.warning("champion not preloaded: %s", type(exc).__name__)
            return
    if bundle is not None:
        log.info("champion %s %s loaded", bundle.name, bundle.version)
