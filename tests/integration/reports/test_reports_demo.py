"""The demo portfolio as a manager would see it: the population's outcome mix, and loans past
the write-off policy's days written off (maker-checker) instead of sitting in the gross
portfolio."""

from __future__ import annotations

import json

import numpy as np
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.commands.demo_loans import MIN_PER_OUTCOME, WRITE_OFF_AFTER_DPD, pick_loans
from creditapp.models import AgeingRun, LoanMovement, LoanStatus, WriteOff


def test_a_capped_demo_keeps_the_outcome_mix() -> None:
    outcome = np.array([0] * 80 + [1] * 15 + [2] * 5, dtype=np.int8)
    picked = pick_loans(outcome, 20)
    counts = np.bincount(outcome[picked], minlength=3).tolist()
    # 20 of 100 in the mix 80/15/5 is 16/3/1; outcome 2 is lifted to the minimum of 2 and the
    # largest outcome gives the seat back.
    assert counts == [15, 3, MIN_PER_OUTCOME]
    assert len(set(picked)) == 20


def test_long_defaulted_loans_are_written_off(runner: FlaskCliRunner, session: Session) -> None:
    result = runner.invoke(
        args=["seed-demo", "--enterprises", "150", "--max-loans", "40", "--historic", "200"]
    )
    assert result.exit_code == 0, result.output
    runs = list(session.scalars(select(AgeingRun.as_of).order_by(AgeingRun.as_of)))
    # A loan past the threshold at one run is gone by the next.
    for before, after in zip(runs, runs[1:], strict=False):
        late = select(LoanStatus.loan_id).where(
            LoanStatus.as_of == before, LoanStatus.dpd > WRITE_OFF_AFTER_DPD
        )
        still = session.scalar(
            select(func.count()).where(LoanStatus.as_of == after, LoanStatus.loan_id.in_(late))
        )
        assert still == 0, (before, after)
    # Never in the gross portfolio and in the write-offs on the same date.
    written = select(LoanMovement.loan_id, LoanMovement.posted_on).where(
        LoanMovement.kind == "write_off"
    )
    for loan_id, day in session.execute(written):
        row = session.scalar(
            select(func.count()).where(LoanStatus.loan_id == loan_id, LoanStatus.as_of >= day)
        )
        assert row == 0, loan_id
    by_policy = session.scalar(
        select(func.count()).select_from(WriteOff).where(WriteOff.reason.like("demo policy%"))
    )
    assert by_policy and by_policy > 0  # the check above is not vacuous
    approved = session.scalar(
        select(func.count()).select_from(WriteOff).where(WriteOff.approved_by.is_not(None))
    )
    assert approved == session.scalar(select(func.count()).select_from(WriteOff))
    figures = json.loads(
        runner.invoke(args=["reports", "portfolio", "--as-of", runs[-1].isoformat()]).output
    )
    assert 0.0 <= figures["par90"] <= figures["par30"] <= 1.0
