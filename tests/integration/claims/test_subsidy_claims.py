"""Issue 15 item 3: the monthly subsidy claim, hand-worked, and its refusals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.errors import Conflict, DomainError
from creditapp.models import AuditEvent, SubsidyAccrual, SubsidyClaim, SubsidyClaimLine
from creditapp.services.claims import (
    ClaimLineInput,
    build_subsidy_claims,
    record_subsidy_claim_payment,
    reject_subsidy_claim_line,
    submit_subsidy_claim,
    verify_subsidy_claim,
)
from creditapp.services.claims.export import COLUMNS, claims_csv
from creditapp.services.claims.statements import (
    subsidy_claims_list,
    subsidy_reconciliation_by_program,
)
from creditapp.services.loans import accrue_subsidy
from tests.factories import core
from tests.factories import loans as lf
from tests.integration.books.books_helpers import by_role

NOV = date(2026, 11, 1)
SUBMITTED = date(2026, 12, 5)
# Loans paid out 3 Nov 2026 hold their whole principal 3..30 Nov (28 days); 10 % a year /360,
# rounded down once: 50 jt -> 50e6 * 28 * 0.10 / 360 = 388,888.89; 20 jt -> 155,555.56.
FIFTY_NOV = 388_888
TWENTY_NOV = 155_555


def _book(session: Session) -> tuple:
    program = core.program(session)
    bank, coop = core.lender(session), core.lender(session)
    a = lf.active_loan(session, program_obj=program, lender_obj=bank)
    b = lf.active_loan(session, program_obj=program, lender_obj=bank, amount=20_000_000)
    c = lf.active_loan(session, program_obj=program, lender_obj=coop)
    accrue_subsidy(session, NOV, date(2026, 11, 30))
    return program, bank, coop, a, b, c


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_month_builds_one_claim_per_program_and_lender_with_a_line_per_accrual(
    session: Session,
) -> None:
    program, bank, coop, a, b, c = _book(session)
    claims = build_subsidy_claims(session, lf.SYSTEM, NOV, SUBMITTED)
    by_lender = {claim.lender_id: claim for claim in claims}
    assert set(by_lender) == {bank.id, coop.id}
    assert by_lender[bank.id].accrued_total == FIFTY_NOV + TWENTY_NOV
    assert by_lender[coop.id].accrued_total == FIFTY_NOV
    lines = session.scalars(
        select(SubsidyClaimLine).where(SubsidyClaimLine.claim_id == by_lender[bank.id].id)
    ).all()
    assert sorted((ln.loan_id, ln.amount) for ln in lines) == sorted(
        [(a.id, FIFTY_NOV), (b.id, TWENTY_NOV)]
    )
    # Building the month again claims nothing twice.
    assert build_subsidy_claims(session, lf.SYSTEM, NOV, SUBMITTED) == []


def test_reject_a_line_verify_and_a_short_payment_reconcile(session: Session) -> None:
    program, bank, coop, a, b, c = _book(session)
    claim = build_subsidy_claims(session, lf.SYSTEM, NOV, SUBMITTED, lender_id=bank.id)[0]
    line_b = session.scalar(
        select(SubsidyClaimLine).where(
            SubsidyClaimLine.claim_id == claim.id, SubsidyClaimLine.loan_id == b.id
        )
    )
    assert line_b is not None
    reject_subsidy_claim_line(
        session,
        lf.SYSTEM,
        line_b.id,
        reason="debitur tidak terdaftar di SIKP",
        rejected_on=SUBMITTED,
    )
    verify_subsidy_claim(session, lf.SYSTEM, claim.id, verified_on=date(2026, 12, 20))
    assert (claim.status, claim.verified_total) == ("verified", FIFTY_NOV)
    with pytest.raises(DomainError) as err:
        record_subsidy_claim_payment(
            session, lf.SYSTEM, claim.id, paid_amount=FIFTY_NOV + 1, paid_on=date(2027, 1, 10)
        )
    assert "paid_amount" in err.value.errors
    record_subsidy_claim_payment(
        session, lf.SYSTEM, claim.id, paid_amount=388_000, paid_on=date(2027, 1, 10)
    )
    assert (claim.status, claim.paid_amount, claim.shortfall) == ("paid", 388_000, 888)
    # The books: the bank's claim is settled; what was rejected or not paid left income.
    accrued = session.scalar(select(func.sum(SubsidyAccrual.amount)))
    books = by_role(session)
    assert books["subsidy_receivable"] == accrued - FIFTY_NOV - TWENTY_NOV
    assert books["subsidy_income"] == -(accrued - TWENTY_NOV - 888)
    with pytest.raises(Conflict):  # paid twice
        record_subsidy_claim_payment(
            session, lf.SYSTEM, claim.id, paid_amount=888, paid_on=date(2027, 1, 11)
        )
    [row] = subsidy_claims_list(session, lender_id=bank.id)
    assert (row["accrued_total"], row["rejected"], row["verified_total"]) == (
        FIFTY_NOV + TWENTY_NOV,
        TWENTY_NOV,
        FIFTY_NOV,
    )
    assert (row["paid_amount"], row["shortfall"], row["lines"], row["lines_rejected"]) == (
        388_000,
        888,
        2,
        1,
    )
    [prog] = subsidy_reconciliation_by_program(session, NOV, NOV)
    # Accrued: all three loans; claimed: the bank's two; the coop's month is unclaimed.
    assert prog == {
        "program": program.code,
        "accrued": 2 * FIFTY_NOV + TWENTY_NOV,
        "claimed": FIFTY_NOV + TWENTY_NOV,
        "rejected": TWENTY_NOV,
        "verified": FIFTY_NOV,
        "paid": 388_000,
        "shortfall": 888,
        "unclaimed": FIFTY_NOV,
    }
    actions = set(
        session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id.isnot(None)))
    )
    assert {"subsidy_claim.submit", "subsidy_claim.reject_line", "subsidy_claim.verify"} <= actions
    assert "subsidy_claim.paid" in actions


def test_a_month_is_claimed_once_per_program_and_lender(session: Session) -> None:
    program, bank, coop, a, b, c = _book(session)
    build_subsidy_claims(session, lf.SYSTEM, NOV, SUBMITTED, lender_id=coop.id)
    with pytest.raises(Conflict) as err:
        submit_subsidy_claim(
            session,
            lf.SYSTEM,
            program_id=program.id,
            lender_id=coop.id,
            month=NOV,
            lines=[ClaimLineInput(c.id, date(2026, 11, 1), FIFTY_NOV)],
            submitted_on=SUBMITTED,
        )
    assert "month" in err.value.errors
    assert count(session, SubsidyClaim) == 1


def test_lines_that_match_no_accrual_are_refused_and_nothing_is_stored(session: Session) -> None:
    program, bank, coop, a, b, c = _book(session)
    with pytest.raises(DomainError) as err:
        submit_subsidy_claim(
            session,
            lf.SYSTEM,
            program_id=program.id,
            lender_id=bank.id,
            month=NOV,
            lines=[
                ClaimLineInput(a.id, NOV, FIFTY_NOV),  # fine
                ClaimLineInput(b.id, NOV, TWENTY_NOV + 1),  # amount differs
                ClaimLineInput(c.id, NOV, FIFTY_NOV),  # another lender's loan
                ClaimLineInput(a.id, NOV, FIFTY_NOV),  # twice
            ],
            submitted_on=SUBMITTED,
        )
    errors = err.value.errors
    assert set(errors) == {"lines[1].amount", "lines[2].loan_id", "lines[3]"}
    assert f"Rp{TWENTY_NOV}" in errors["lines[1].amount"][0]
    assert count(session, SubsidyClaim) == 0 and count(session, SubsidyClaimLine) == 0


def test_a_month_not_over_or_not_a_month_start_is_refused(session: Session) -> None:
    program, bank, *_ = _book(session)
    with pytest.raises(DomainError) as err:
        build_subsidy_claims(session, lf.SYSTEM, date(2026, 11, 2), SUBMITTED)
    assert "month" in err.value.errors
    with pytest.raises(DomainError) as err:
        build_subsidy_claims(session, lf.SYSTEM, NOV, date(2026, 11, 30))
    assert "submitted_on" in err.value.errors
    assert count(session, SubsidyClaim) == 0


def test_a_verified_claim_takes_no_more_rejections_and_payment_needs_verification(
    session: Session,
) -> None:
    program, bank, *_ = _book(session)
    claim = build_subsidy_claims(session, lf.SYSTEM, NOV, SUBMITTED, lender_id=bank.id)[0]
    with pytest.raises(DomainError) as err:
        record_subsidy_claim_payment(
            session, lf.SYSTEM, claim.id, paid_amount=1000, paid_on=date(2027, 1, 10)
        )
    assert "claim_id" in err.value.errors
    line = session.scalars(
        select(SubsidyClaimLine).where(SubsidyClaimLine.claim_id == claim.id)
    ).first()
    assert line is not None
    with pytest.raises(DomainError) as err:
        reject_subsidy_claim_line(session, lf.SYSTEM, line.id, reason="  ", rejected_on=SUBMITTED)
    assert "reason" in err.value.errors
    verify_subsidy_claim(session, lf.SYSTEM, claim.id, verified_on=SUBMITTED)
    with pytest.raises(Conflict):
        reject_subsidy_claim_line(session, lf.SYSTEM, line.id, reason="late", rejected_on=SUBMITTED)


def test_the_export_has_the_documented_columns_and_one_row_per_line(session: Session) -> None:
    program, bank, coop, a, b, c = _book(session)
    claim = build_subsidy_claims(session, lf.SYSTEM, NOV, SUBMITTED, lender_id=bank.id)[0]
    text = claims_csv(session, [claim.id])
    rows = [r.split(",") for r in text.strip().split("\n")]
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == 3
    amounts = sorted(int(r[COLUMNS.index("amount")]) for r in rows[1:])
    assert amounts == [TWENTY_NOV, FIFTY_NOV]
    assert {r[COLUMNS.index("month")] for r in rows[1:]} == {"2026-11-01"}
    assert "Siti" not in text  # no names in the file
