"""Applications, their immutable score records and the officers' decisions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, get_args

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, check_in, check_non_negative, check_positive, money, utcnow

ApplicationState = Literal["submitted", "scored", "approved", "declined", "referred", "withdrawn"]
APPLICATION_STATUSES: tuple[ApplicationState, ...] = get_args(ApplicationState)
PURPOSES = ("working_capital", "investment")
# An officer decides what the model recommends: approve, refer to a senior, or decline.
Outcome = Literal["approve", "refer", "decline"]
RECOMMENDATIONS: tuple[Outcome, ...] = get_args(Outcome)
DECISION_OUTCOMES = RECOMMENDATIONS
BANDS = ("A", "B", "C", "D", "E")

# Partial-index condition: the statuses the officers' queue shows (services.queue.AWAITING).
_AWAITING: dict[str, Any] = {
    f"{dialect}_where": text("status IN ('submitted', 'scored', 'referred')")
    for dialect in ("postgresql", "sqlite")
}


class Application(Base):
    """A loan application by an enterprise to a program, through one lender.

    The ``profile_*`` columns are the enterprise profile exactly as this application submitted
    it (the values ``scoring.parse`` parsed and the model scored). The ``Enterprise`` row holds
    only the latest profile, so an older application read through it would take facts that
    changed later (a KUR loan granted after it, new other credit): label leakage in training
    sets. NULL on rows stored before the snapshot existed (and on bulk-loaded synthetic rows);
    ``services.rawdata`` falls back to the enterprise and its size observations for those.
    Owner name, NIK and gender are deliberately not copied here: scoring never reads them.
    """

    __tablename__ = "applications"
    __table_args__ = (
        check_in("status", APPLICATION_STATUSES),
        check_in("purpose", PURPOSES),
        *check_positive("requested_amount", "tenor_months"),
        *check_non_negative(
            "profile_workers", "profile_assets", "profile_annual_sales", "profile_kur_access_count"
        ),
        Index("ix_applications_lender_created", "lender_id", "id"),
        Index("ix_applications_status", "status"),
        # The officers' queue: one lender's undecided applications in date or amount order
        # (an ordered index scan stops after one page) and counted by band (index only).
        Index("ix_applications_queue_waiting", "lender_id", "applied_on", "id", **_AWAITING),
        Index("ix_applications_queue_amount", "lender_id", "requested_amount", "id", **_AWAITING),
        Index("ix_applications_queue_score", "lender_id", "score", "id", **_AWAITING),
        Index("ix_applications_queue_band", "lender_id", "band", **_AWAITING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lender_id: Mapped[int] = mapped_column(ForeignKey("lenders.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("credit_programs.id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(64))
    applied_on: Mapped[date] = mapped_column(Date)
    requested_amount: Mapped[int] = money()
    tenor_months: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(16))
    status: Mapped[ApplicationState] = mapped_column(String(12), default="submitted")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    profile_founded_on: Mapped[date | None] = mapped_column(Date)
    profile_kbli_division: Mapped[int | None] = mapped_column(SmallInteger)
    profile_province: Mapped[int | None] = mapped_column(SmallInteger)  # BPS code, as parsed
    profile_workers: Mapped[int | None] = mapped_column(Integer)
    profile_assets: Mapped[int | None] = money(nullable=True)
    profile_annual_sales: Mapped[int | None] = money(nullable=True)
    profile_other_productive_credit: Mapped[bool | None] = mapped_column(Boolean)
    profile_entrepreneurship_training: Mapped[bool | None] = mapped_column(Boolean)
    profile_kur_access_count: Mapped[int | None] = mapped_column(SmallInteger)
    # The latest score's points and band, copied when the score record is stored, so the
    # officers' queue filters, counts and sorts a lender's applications from this table's
    # indexes alone (the score record stays the full, immutable result). NULL: not scored.
    score: Mapped[int | None] = mapped_column(Integer)
    band: Mapped[str | None] = mapped_column(String(1))
    # While referred: the senior officer it was referred to by name (NULL: any senior
    # officer of the lender). Only a senior officer decides a referred application.
    referred_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ScoreRecord(Base):
    """The full result of scoring an application, stored once and never changed, so any
    past decision can be reproduced from its model version and input hash."""

    __tablename__ = "score_records"
    __table_args__ = (
        check_in("band", BANDS),
        check_in("recommendation", RECOMMENDATIONS),
        Index("ix_score_records_application", "application_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    model_name: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(64))
    feature_spec_version: Mapped[str] = mapped_column(String(32))
    input_hash: Mapped[str] = mapped_column(String(64))
    features: Mapped[dict[str, Any]] = mapped_column(JSON)
    quality: Mapped[dict[str, Any]] = mapped_column(JSON)
    margin: Mapped[float] = mapped_column(Float)
    pd: Mapped[float] = mapped_column(Float)
    score: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(1))
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    recourse: Mapped[list[Any] | None] = mapped_column(JSON)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    recommendation: Mapped[Outcome] = mapped_column(String(8))
    recommended_amount: Mapped[int] = money()
    recommended_tenor: Mapped[int] = mapped_column(SmallInteger)
    result_json: Mapped[str] = mapped_column(String)  # the exact bytes returned to the lender
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)


class Decision(Base):
    """A loan officer's decision; overriding the recommendation needs a reason."""

    __tablename__ = "decisions"
    __table_args__ = (check_in("outcome", DECISION_OUTCOMES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    score_record_id: Mapped[int | None] = mapped_column(ForeignKey("score_records.id"))
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[Outcome] = mapped_column(String(8))
    overrides_recommendation: Mapped[bool] = mapped_column(default=False)
    reason_code: Mapped[str | None] = mapped_column(String(32))
    reason_text: Mapped[str | None] = mapped_column(String(1000))
    approved_amount: Mapped[int | None] = money(nullable=True)
    approved_tenor: Mapped[int | None] = mapped_column(SmallInteger)
    decided_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What the officer saw and why they departed from it (services.decisions fills these):
    recommendation: Mapped[Outcome | None] = mapped_column(String(8))
    model_version: Mapped[str | None] = mapped_column(String(64))
    override_reason_code: Mapped[str | None] = mapped_column(String(32))
    # The second officer who confirmed an approval above the lender's four-eyes amount.
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A referral to a named senior officer (NULL on a refer: to all seniors of the lender).
    referred_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class IdempotencyRecord(Base):
    """The first response to a POST carrying an ``Idempotency-Key``; a replay returns it."""

    __tablename__ = "idempotency_records"
    __table_args__ = (Index("uq_idempotency_lender_key", "lender_id", "key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lender_id: Mapped[int] = mapped_column(ForeignKey("lenders.id"))
    key: Mapped[str] = mapped_column(String(128))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(SmallInteger)
    response_body: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
