"""seed-demo runs the claim cycles: covers for every replayed loan, subsidy claims submitted,
verified and paid by the demo calendar, and a guarantor statement with figures."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import GuaranteeCover, Loan, SubsidyAccrual, SubsidyClaim, SubsidyClaimLine
from creditapp.services.claims import guarantor_by_code
from creditapp.services.claims.statements import guarantor_statement

ARGS = ["seed-demo", "--enterprises", "60", "--max-loans", "14", "--historic", "0", "--seed", "5"]


def test_the_demo_claims_its_subsidy_and_has_guarantor_statements(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    assert "subsidy claims:" in result.output
    disbursed = session.scalar(select(func.count(Loan.id)).where(Loan.disbursed_amount > 0))
    assert disbursed and session.scalar(select(func.count(GuaranteeCover.id))) == disbursed
    statuses = dict(
        session.execute(
            select(SubsidyClaim.status, func.count(SubsidyClaim.id)).group_by(SubsidyClaim.status)
        ).all()
    )
    assert statuses.get("paid", 0) > 0
    # Claims of months up to August 2026 are paid by 10 Oct; September's is submitted and
    # verified in October, paid only in November (after the demo date); October's not yet.
    latest = session.scalar(select(func.max(SubsidyClaim.month)))
    assert latest == date(2026, 9, 1)
    assert set(
        session.scalars(select(SubsidyClaim.status).where(SubsidyClaim.month == latest))
    ) == {"verified"}
    # Every accrual of a claimed month is on exactly one line.
    claimed_months = select(SubsidyClaim.month)
    unclaimed = session.scalar(
        select(func.count(SubsidyAccrual.id))
        .outerjoin(SubsidyClaimLine, SubsidyClaimLine.accrual_id == SubsidyAccrual.id)
        .where(SubsidyClaimLine.id.is_(None), SubsidyAccrual.period_start.in_(claimed_months))
    )
    assert unclaimed == 0
    askrindo = guarantor_by_code(session, "ASKRINDO")
    statement = guarantor_statement(session, askrindo.id, date(2019, 1, 1), date(2026, 10, 31))
    assert statement["covers_opened"] > 0 and statement["ijp_charged"] > 0
    assert 0 < statement["ijp_paid"] <= statement["ijp_charged"]
