"""Issue 15 item 4: cover per loan with a one-off IJP, claim decisions, subrogation, and the
guarantor's statement, hand-worked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.errors import Conflict, DomainError
from creditapp.models import CreditProgram, GuaranteeClaim, GuaranteeCover, Loan
from creditapp.services.claims import (
    create_guarantor,
    pay_subrogation_share,
    record_ijp_payment,
    reject_guarantee_claim,
    set_program_guarantee,
)
from creditapp.services.claims.statements import guarantor_statement
from creditapp.services.loans import (
    age_loans,
    approve_write_off,
    record_claim_payment,
    record_recovery,
    request_write_off,
)
from tests.factories import core
from tests.factories import loans as lf
from tests.integration.books.books_helpers import by_role


def guaranteed_program(session: Session, rate: str = "0.015") -> tuple[CreditProgram, int]:
    program = core.program(session)
    guarantor = create_guarantor(session, lf.SYSTEM, "askrindo", "PT Askrindo")
    set_program_guarantee(
        session,
        lf.SYSTEM,
        program_id=program.id,
        guarantor_id=guarantor.id,
        ijp_rate=Decimal(rate),
        effective_from=date(2026, 1, 1),
    )
    return program, guarantor.id


def cover(session: Session, loan: Loan) -> GuaranteeCover:
    found = session.scalar(select(GuaranteeCover).where(GuaranteeCover.loan_id == loan.id))
    assert found is not None
    return found


def test_the_first_disbursement_opens_a_cover_with_the_one_off_ijp(session: Session) -> None:
    program, guarantor_id = guaranteed_program(session)
    loan = lf.active_loan(session, program_obj=program)  # 50 jt, 24 months, 70 % cover
    c = cover(session, loan)
    # 50,000,000 x 70 % = 35,000,000 covered; IJP 1.5 % of the plafond for a tenor >= 1 year.
    assert (c.guarantor_id, c.covered_amount, c.ijp_amount) == (guarantor_id, 35_000_000, 750_000)
    assert c.started_on == lf.DECIDED_ON
    short = lf.active_loan(session, program_obj=program, amount=12_000_000, tenor=6)
    # Under a year, pro rata: 12,000,000 x 1.5 % x 6 / 12 = 90,000.
    assert cover(session, short).ijp_amount == 90_000


def test_a_later_rate_does_not_change_a_loan_approved_before_it(session: Session) -> None:
    program, guarantor_id = guaranteed_program(session)
    set_program_guarantee(
        session,
        lf.SYSTEM,
        program_id=program.id,
        guarantor_id=guarantor_id,
        ijp_rate=Decimal("0.03"),
        effective_from=date(2026, 11, 4),  # the day after the factory's approval date
    )
    loan = lf.active_loan(session, program_obj=program)
    assert cover(session, loan).ijp_amount == 750_000  # still 1.5 %
    with pytest.raises(DomainError) as err:
        set_program_guarantee(
            session,
            lf.SYSTEM,
            program_id=program.id,
            guarantor_id=guarantor_id,
            ijp_rate=Decimal("1.5"),
            effective_from=date(2027, 1, 1),
        )
    assert "ijp_rate" in err.value.errors


def test_a_program_without_a_guarantor_opens_no_cover(session: Session) -> None:
    loan = lf.active_loan(session)
    assert session.scalar(select(GuaranteeCover).where(GuaranteeCover.loan_id == loan.id)) is None


def _claimed(session: Session, program: CreditProgram) -> tuple[Loan, GuaranteeClaim]:
    loan = lf.active_loan(session, program_obj=program)
    age_loans(session, date(2027, 4, 3))  # Kol 4: a claim of 70 % of 50 jt
    claim = session.scalar(select(GuaranteeClaim).where(GuaranteeClaim.loan_id == loan.id))
    assert claim is not None and claim.amount == 35_000_000
    return loan, claim


def test_a_rejected_claim_keeps_its_reason_and_cannot_be_paid(session: Session) -> None:
    program, _ = guaranteed_program(session)
    loan, claim = _claimed(session, program)
    with pytest.raises(DomainError) as err:
        reject_guarantee_claim(
            session, lf.SYSTEM, claim.id, reason="", rejected_on=date(2027, 5, 1)
        )
    assert "reason" in err.value.errors
    reject_guarantee_claim(
        session, lf.SYSTEM, claim.id, reason="dokumen tidak lengkap", rejected_on=date(2027, 5, 1)
    )
    assert (claim.status, claim.rejected_on) == ("rejected", date(2027, 5, 1))
    with pytest.raises(Conflict):
        record_claim_payment(session, lf.SYSTEM, claim.id, paid_amount=1, paid_on=date(2027, 5, 2))


def test_subrogation_owed_and_paid_and_the_guarantor_statement(session: Session) -> None:
    program, guarantor_id = guaranteed_program(session)
    loan, claim = _claimed(session, program)
    record_claim_payment(
        session, lf.SYSTEM, claim.id, paid_amount=35_000_000, paid_on=date(2027, 5, 1)
    )
    maker, checker = lf.user(session), lf.user(session)
    item = request_write_off(
        session,
        lf.SYSTEM,
        loan.id,
        requested_by=maker.id,
        requested_on=date(2027, 7, 1),
        reason="Macet",
    )
    approve_write_off(
        session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=date(2027, 7, 2)
    )
    first = record_recovery(
        session, lf.SYSTEM, loan.id, amount=10_000_000, recovered_on=date(2027, 8, 1)
    )
    second = record_recovery(
        session, lf.SYSTEM, loan.id, amount=2_000_000, recovered_on=date(2027, 9, 1)
    )
    # 35 jt paid of 35 jt claimed on 50 jt principal: the guarantor gets 70 % of principal parts.
    assert (first.guarantor_share, second.guarantor_share) == (7_000_000, 1_400_000)
    pay_subrogation_share(session, lf.SYSTEM, first.id, paid_on=date(2027, 8, 15))
    # The books: both shares were owed to the guarantor; the first is paid over in cash.
    books = by_role(session)
    assert books["guarantor_payable"] == -1_400_000
    assert books["cash"] == -50_000_000 + 35_000_000 + 10_000_000 + 2_000_000 - 7_000_000
    with pytest.raises(Conflict):
        pay_subrogation_share(session, lf.SYSTEM, first.id, paid_on=date(2027, 8, 16))
    with pytest.raises(DomainError) as err:
        pay_subrogation_share(session, lf.SYSTEM, second.id, paid_on=date(2027, 8, 31))
    assert "paid_on" in err.value.errors
    assert record_ijp_payment(
        session, lf.SYSTEM, guarantor_id, started_to=date(2026, 11, 30), paid_on=date(2026, 12, 10)
    ) == (1, 750_000)
    year = guarantor_statement(session, guarantor_id, date(2026, 11, 1), date(2027, 10, 31))
    assert year["covers_opened"] == 1 and year["covered_amount_opened"] == 35_000_000
    assert (year["ijp_charged"], year["ijp_paid"], year["ijp_unpaid"]) == (750_000, 750_000, 0)
    assert year["claims"] == [
        {"status": "paid", "claims": 1, "amount": 35_000_000, "paid_amount": 35_000_000}
    ]
    assert (year["claims_paid_in_period"], year["claims_paid_amount"]) == (1, 35_000_000)
    assert (year["subrogation_owed"], year["subrogation_paid"]) == (8_400_000, 7_000_000)
    assert year["subrogation_outstanding"] == 1_400_000
    # August alone: only the first recovery and its payment; nothing opened or claimed, and
    # the cover ended with the write-off on 2 July.
    august = guarantor_statement(session, guarantor_id, date(2027, 8, 1), date(2027, 8, 31))
    assert (august["covers_opened"], august["covers_in_force"], august["claims"]) == (0, 0, [])
    june = guarantor_statement(session, guarantor_id, date(2027, 6, 1), date(2027, 6, 30))
    assert june["covers_in_force"] == 1
    assert (august["subrogation_owed"], august["subrogation_paid"]) == (7_000_000, 7_000_000)
    assert august["subrogation_outstanding"] == 0
    assert august["ijp_unpaid"] == 0
