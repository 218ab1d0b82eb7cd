"""Lenders, users and API keys: who may see and do what."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import JSON, Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, check_in, money, utcnow

LenderKind = Literal["bank", "cooperative", "fintech", "program_office"]
LENDER_KINDS: tuple[LenderKind, ...] = get_args(LenderKind)
Role = Literal["loan_officer", "program_manager", "data_scientist", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
LOCALES = ("id", "en")


class Lender(Base):
    """A bank, cooperative or fintech that channels program credit (a tenant)."""

    __tablename__ = "lenders"
    __table_args__ = (check_in("kind", LENDER_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[LenderKind] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Approvals above this amount need a second officer (four eyes); NULL: never.
    four_eyes_amount: Mapped[int | None] = money(nullable=True)
    # Printed on decision letters: address, phone, e-mail of the office applicants contact.
    contact: Mapped[str | None] = mapped_column(String(300))


class User(Base):
    """A person who signs in to the web UI; loan officers belong to one lender."""

    __tablename__ = "users"
    __table_args__ = (check_in("role", ROLES), check_in("locale", LOCALES))

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(16))
    lender_id: Mapped[int | None] = mapped_column(ForeignKey("lenders.id"), index=True)
    locale: Mapped[str] = mapped_column(String(2), default="id")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A senior loan officer decides the applications other officers refer to seniors.
    senior: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ApiKey(Base):
    """A lender's API key. Only a hash is stored; the key is shown once when issued.

    ``prefix`` is the public first part of the key, used to find the row without scanning.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    lender_id: Mapped[int] = mapped_column(ForeignKey("lenders.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
