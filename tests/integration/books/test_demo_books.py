"""``seed-demo``'s books: the live replay journals through the services, the bulk-loaded
history in monthly sums; the whole journal balances and loans receivable equals outstanding."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import (
    GuaranteeClaim,
    JournalEntry,
    LoanMovement,
    ProvisionRun,
    Recovery,
    Repayment,
    SubrogationPayment,
    SubsidyAccrual,
    SubsidyClaim,
    SubsidyClaimLine,
)
from tests.integration.test_seed_demo import ARGS

from .books_helpers import by_role, outstanding_principal, totals


def test_the_demo_books_balance_and_match_the_loans(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    debit, credit = totals(session)
    assert debit == credit > 0
    books = by_role(session)
    assert books["loans_receivable"] == outstanding_principal(session) > 0
    # Every Rupiah disbursed, live or historic, reached loans receivable.
    disbursed = session.scalar(
        select(func.sum(LoanMovement.amount)).where(LoanMovement.kind == "disbursement")
    )
    journaled = session.scalar(
        select(func.count(JournalEntry.id)).where(JournalEntry.source_ref.like("bulk:%"))
    )
    assert journaled and journaled > 0
    written_off = session.scalar(
        select(func.sum(LoanMovement.amount)).where(LoanMovement.kind == "write_off")
    )
    assert books["write_off_expense"] == int(written_off or 0)
    # Cash from the business tables, independently of the journal.
    repaid = session.scalar(
        select(func.coalesce(func.sum(Repayment.amount), 0)).where(Repayment.reversed_on.is_(None))
    )
    recovered = session.scalar(select(func.coalesce(func.sum(Recovery.amount), 0)))
    claims = session.scalar(select(func.coalesce(func.sum(GuaranteeClaim.paid_amount), 0)))
    refunded = session.scalar(
        select(func.coalesce(func.sum(LoanMovement.amount), 0)).where(LoanMovement.kind == "refund")
    )
    subsidy_paid = session.scalar(select(func.coalesce(func.sum(SubsidyClaim.paid_amount), 0)))
    subrogated = session.scalar(select(func.coalesce(func.sum(SubrogationPayment.amount), 0)))
    assert subsidy_paid  # the demo runs the subsidy cycle
    expected_cash = (
        -int(disbursed or 0)
        + int(repaid)
        + int(recovered)
        + int(claims)
        - int(refunded)
        + int(subsidy_paid)
        - int(subrogated)
    )
    assert books["cash"] == expected_cash
    # The subsidy still receivable: accrued, less rejected lines and settled (paid) claims.
    accrued = session.scalar(select(func.coalesce(func.sum(SubsidyAccrual.amount), 0)))
    rejected = session.scalar(
        select(func.coalesce(func.sum(SubsidyClaimLine.amount), 0)).where(
            SubsidyClaimLine.status == "rejected"
        )
    )
    settled = session.scalar(
        select(func.coalesce(func.sum(SubsidyClaim.verified_total), 0)).where(
            SubsidyClaim.status == "paid"
        )
    )
    assert books.get("subsidy_receivable", 0) == int(accrued) - int(rejected) - int(settled)
    # What is owed to guarantors: their shares of recoveries not yet paid over.
    shares = session.scalar(select(func.coalesce(func.sum(Recovery.guarantor_share), 0)))
    assert books.get("guarantor_payable", 0) == -(int(shares) - int(subrogated))
    # The allowance account holds the latest provisioning run's total (a credit balance).
    latest = session.scalars(select(ProvisionRun).order_by(ProvisionRun.as_of.desc())).first()
    assert latest is not None and latest.total_amount > 0
    assert books["allowance"] == -latest.total_amount
    assert books["interest_income"] < 0 and books.get("interest_receivable", 0) >= 0
