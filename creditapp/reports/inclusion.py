"""Inclusion: who gets credit and how it goes, by owner gender or province, on production
decisions (not only the model card's holdout)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import DomainError
from ..models import Application, Decision, ScoreRecord
from .outcomes_sql import loan_outcomes
from .scope import ENTERPRISES, LOANS, Scope, ratio

APPS = Application.__table__
DECISIONS = Decision.__table__
SCORES = ScoreRecord.__table__
FOUR_FIFTHS = 0.8
GROUPS = {"gender": ENTERPRISES.c.owner_gender, "province": ENTERPRISES.c.province}


def inclusion(session: Session, scope: Scope, by: str = "gender") -> list[dict[str, Any]]:
    """Approval rate, average PD, bad rate and loan size per owner gender (or province).

    approval_rate = approve decisions / decisions made up to as_of
    average_pd = mean PD of the score records the decisions were made on
    bad_rate = bad / observed loans (90+ dpd or written off within 12 months; see outcomes)
    average_loan = mean principal of the group's loans
    four_fifths_ratio = approval_rate / the highest group approval_rate; flag below 0.8
    """
    if by not in GROUPS:
        raise DomainError("unknown grouping", {"by": [f"{by!r} is not one of {sorted(GROUPS)}"]})
    group = GROUPS[by].label("grp")
    app_filters = []
    if scope.program_id is not None:
        app_filters.append(APPS.c.program_id == scope.program_id)
    if scope.lender_id is not None:
        app_filters.append(APPS.c.lender_id == scope.lender_id)
    if scope.province is not None:
        app_filters.append(ENTERPRISES.c.province == scope.province)
    decided = (
        select(
            group,
            func.count().label("decisions"),
            func.count().filter(DECISIONS.c.outcome == "approve").label("approved"),
            func.avg(SCORES.c.pd).label("average_pd"),
        )
        .select_from(
            DECISIONS.join(APPS, APPS.c.id == DECISIONS.c.application_id)
            .join(ENTERPRISES, ENTERPRISES.c.id == APPS.c.enterprise_id)
            .outerjoin(SCORES, SCORES.c.id == DECISIONS.c.score_record_id)
        )
        .where(DECISIONS.c.decided_on <= scope.as_of, *app_filters)
        .group_by(group)
    )
    outcomes = loan_outcomes(scope)
    performed = (
        select(
            group,
            func.count(LOANS.c.id).label("loans"),
            func.avg(LOANS.c.principal).label("average_loan"),
            func.coalesce(func.sum(outcomes.c.observed), 0).label("observed"),
            func.coalesce(func.sum(outcomes.c.bad * outcomes.c.observed), 0).label("bad"),
        )
        .select_from(
            outcomes.join(LOANS, LOANS.c.id == outcomes.c.loan_id).join(
                ENTERPRISES, ENTERPRISES.c.id == LOANS.c.enterprise_id
            )
        )
        .group_by(group)
    )
    rows: dict[str, dict[str, Any]] = {}
    for g, n, approved, avg_pd in session.execute(decided):
        rows[str(g)] = {
            by: str(g),
            "decisions": int(n),
            "approval_rate": ratio(int(approved), int(n)),
            "average_pd": float(avg_pd) if avg_pd is not None else None,
        }
    for g, loans, avg_loan, observed, bad in session.execute(performed):
        row = rows.setdefault(
            str(g), {by: str(g), "decisions": 0, "approval_rate": 0.0, "average_pd": None}
        )
        row.update(
            loans=int(loans),
            average_loan=round(float(avg_loan or 0)),
            observed_loans=int(observed),
            bad_rate=ratio(int(bad), int(observed)),
        )
    best = max((r["approval_rate"] for r in rows.values()), default=0.0)
    out = []
    for key in sorted(rows):
        row = {"loans": 0, "average_loan": 0, "observed_loans": 0, "bad_rate": 0.0, **rows[key]}
        row["four_fifths_ratio"] = ratio(row["approval_rate"], best)
        row["below_four_fifths"] = bool(best) and row["four_fifths_ratio"] < FOUR_FIFTHS
        out.append(row)
    return out
