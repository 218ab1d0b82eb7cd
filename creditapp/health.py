"""Liveness and readiness: is the database reachable, which model is champion."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from .db import get_session
from .models import ModelVersion

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> Any:
    """Report whether the database answers and which model version is champion."""
    session = get_session()
    try:
        session.execute(text("SELECT 1"))
        champion = session.execute(
            select(ModelVersion.name, ModelVersion.version).where(ModelVersion.is_champion)
        ).first()
    except SQLAlchemyError as exc:
        session.rollback()
        log.warning("health check: database unreachable: %s", type(exc).__name__)
        return jsonify(
            {"status": "unavailable", "database": "unreachable", "reason": type(exc).__name__}
        ), 503
    model = {"name": champion.name, "version": champion.version} if champion else None
    return jsonify({"status": "ok", "database": "ok", "champion_model": model})
