"""Read models for applications: one query per page, scoped to one lender."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Application, CreditProgram, Decision, Enterprise, Loan, ScoreRecord


@dataclass(frozen=True)
class ApplicationView:
    application: Application
    program_code: str
    enterprise_name: str
    score: ScoreRecord | None
    decision: Decision | None
    loan_id: int | None


def _latest(model: type[ScoreRecord] | type[Decision]) -> Select[int, int]:
    return select(model.application_id, func.max(model.id).label("id")).group_by(
        model.application_id
    )


def _views(session: Session, stmt: Select[Application]) -> list[ApplicationView]:
    latest_score = _latest(ScoreRecord).subquery()
    latest_decision = _latest(Decision).subquery()
    q = (
        stmt.add_columns(CreditProgram.code, Enterprise.name, ScoreRecord, Decision, Loan.id)
        .join(CreditProgram, CreditProgram.id == Application.program_id)
        .join(Enterprise, Enterprise.id == Application.enterprise_id)
        .outerjoin(latest_score, latest_score.c.application_id == Application.id)
        .outerjoin(ScoreRecord, ScoreRecord.id == latest_score.c.id)
        .outerjoin(latest_decision, latest_decision.c.application_id == Application.id)
        .outerjoin(Decision, Decision.id == latest_decision.c.id)
        .outerjoin(Loan, Loan.application_id == Application.id)
    )
    return [ApplicationView(*row) for row in session.execute(q)]


def application_view(session: Session, lender_id: int, application_id: int) -> ApplicationView:
    """Return one application of ``lender_id``; another lender's id is simply not found."""
    stmt = select(Application).where(
        Application.id == application_id, Application.lender_id == lender_id
    )
    views = _views(session, stmt)
    if not views:
        raise NotFound("application not found", {"id": [f"no application {application_id}"]})
    return views[0]


def list_applications(
    session: Session,
    lender_id: int,
    *,
    after_id: int | None,
    limit: int,
    status: str | None = None,
    band: str | None = None,
    program: str | None = None,
    applied_from: date | None = None,
    applied_to: date | None = None,
) -> list[ApplicationView]:
    """Return a page of the lender's applications, newest first (keyset pagination)."""
    stmt = select(Application).where(Application.lender_id == lender_id)
    if after_id is not None:
        stmt = stmt.where(Application.id < after_id)
    if status:
        stmt = stmt.where(Application.status == status)
    if program:
        stmt = stmt.where(
            Application.program_id.in_(
                select(CreditProgram.id).where(CreditProgram.code == program)
            )
        )
    if applied_from:
        stmt = stmt.where(Application.applied_on >= applied_from)
    if applied_to:
        stmt = stmt.where(Application.applied_on <= applied_to)
    if band:
        latest = _latest(ScoreRecord).subquery()
        stmt = stmt.where(
            Application.id.in_(
                select(latest.c.application_id)
                .join(ScoreRecord, ScoreRecord.id == latest.c.id)
                .where(ScoreRecord.band == band)
            )
        )
    stmt = stmt.order_by(Application.id.desc()).limit(limit)
    return _views(session, stmt)
