"""Model versions and the append-only audit log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args

from sqlalchemy import JSON, Boolean, Date, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, check_in, utcnow

ModelState = Literal["registered", "champion", "retired"]
MODEL_STATUSES: tuple[ModelState, ...] = get_args(ModelState)


class ModelVersion(Base):
    """A model bundle on disk and its standing; at most one champion per model name."""

    __tablename__ = "model_versions"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        check_in("status", MODEL_STATUSES),
        Index(
            "uq_model_versions_one_champion",
            "name",
            unique=True,
            sqlite_where=text("is_champion"),
            postgresql_where=text("is_champion"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(500))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    feature_spec_version: Mapped[str] = mapped_column(String(32))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    trained_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ModelState] = mapped_column(String(12), default="registered")
    is_champion: Mapped[bool] = mapped_column(Boolean, default=False)
    promoted_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Who did what, when, to which record, with the state before and after. Never updated."""

    __tablename__ = "audit_log"
    __table_args__ = (
        check_in("actor_type", ("user", "api_key", "system")),
        Index("ix_audit_log_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_type: Mapped[str] = mapped_column(String(8))
    actor_id: Mapped[int | None] = mapped_column()
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None] = mapped_column()
    as_of: Mapped[date | None] = mapped_column(Date)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
