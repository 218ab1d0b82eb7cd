"""The read-only lists behind the guarantee pages, hand-worked: a guarantor's claims newest
first and filtered, the IJP preview agreeing with what ``record_ijp_payment`` then pays,
the subrogation still owed, and the programs' guarantee rows. None of them writes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import GuaranteeClaim
from creditapp.services.claims import (
    create_guarantor,
    pay_subrogation_share,
    record_ijp_payment,
    set_program_guarantee,
)
from creditapp.services.claims.guarantee_lists import (
    guarantee_claim,
    guarantee_claims,
    ijp_due,
    program_guarantee_rows,
    subrogation_owed,
)
from creditapp.services.loans import (
    age_loans,
    approve_write_off,
    record_claim_payment,
    record_recovery,
    request_write_off,
)
from tests.factories import core
from tests.factories import loans as lf
from tests.integration.claims.test_guarantees import guaranteed_program


def test_claims_newest_first_filtered_and_capped(session: Session) -> None:
    program, guarantor_id = guaranteed_program(session)
    other = create_guarantor(session, lf.SYSTEM, "JAMKRINDO", "Perum Jamkrindo")
    big = lf.active_loan(session, program_obj=program)  # 50 jt
    small = lf.active_loan(session, program_obj=program, amount=20_000_000)
    age_loans(session, date(2027, 4, 3))  # Kol 4: a claim each, 70 % of the principal
    claims = {c.loan_id: c for c in session.scalars(select(GuaranteeClaim))}
    record_claim_payment(
        session, lf.SYSTEM, claims[small.id].id, paid_amount=13_000_000, paid_on=date(2027, 4, 9)
    )
    rows, total = guarantee_claims(session, guarantor_id)
    assert total == 2
    # one day: the later claim id first (the ageing run's insert order, not the loans')
    expected = [(small.id, 14_000_000, "paid"), (big.id, 35_000_000, "submitted")]
    expected.sort(key=lambda row: claims[row[0]].id, reverse=True)
    assert [(r["loan_id"], r["amount"], r["status"]) for r in rows] == expected
    paid_row = next(r for r in rows if r["loan_id"] == small.id)
    assert paid_row["paid_amount"] == 13_000_000 and paid_row["paid_on"] == date(2027, 4, 9)
    paid, paid_total = guarantee_claims(session, guarantor_id, status="paid")
    assert ([r["id"] for r in paid], paid_total) == ([claims[small.id].id], 1)
    capped, capped_total = guarantee_claims(session, guarantor_id, limit=1)
    assert (len(capped), capped_total) == (1, 2)
    assert guarantee_claims(session, other.id) == ([], 0)
    assert guarantee_claim(session, guarantor_id, claims[big.id].id) is not None
    assert guarantee_claim(session, other.id, claims[big.id].id) is None  # not its cover


def test_the_ijp_preview_is_what_the_payment_pays(session: Session) -> None:
    program, guarantor_id = guaranteed_program(session)
    lf.active_loan(session, program_obj=program)  # IJP 50 jt x 1.5 % = 750.000
    lf.active_loan(session, program_obj=program, amount=12_000_000, tenor=6)  # x 6/12 = 90.000
    assert ijp_due(session, guarantor_id, date(2026, 11, 2)) == (0, 0)  # opened on 3 Nov
    assert ijp_due(session, guarantor_id, date(2026, 11, 3)) == (2, 840_000)  # the day counts
    assert ijp_due(session, guarantor_id, date(2026, 11, 30)) == (2, 840_000)
    assert ijp_due(session, guarantor_id, date(2026, 11, 30)) == (2, 840_000)  # wrote nothing
    assert record_ijp_payment(
        session, lf.SYSTEM, guarantor_id, started_to=date(2026, 11, 30), paid_on=date(2026, 12, 1)
    ) == (2, 840_000)
    assert ijp_due(session, guarantor_id, date(2026, 12, 31)) == (0, 0)


def test_subrogation_owed_until_paid_over(session: Session) -> None:
    program, guarantor_id = guaranteed_program(session)
    loan = lf.active_loan(session, program_obj=program)
    age_loans(session, date(2027, 4, 3))
    claim = session.scalar(select(GuaranteeClaim).where(GuaranteeClaim.loan_id == loan.id))
    assert claim is not None
    record_claim_payment(
        session, lf.SYSTEM, claim.id, paid_amount=35_000_000, paid_on=date(2027, 5, 1)
    )
    maker, checker = lf.user(session), lf.user(session)
    item = request_write_off(session, lf.SYSTEM, loan.id, requested_by=maker.id,
                             requested_on=date(2027, 7, 1), reason="Macet")  # fmt: skip
    approve_write_off(
        session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=date(2027, 7, 2)
    )
    first = record_recovery(
        session, lf.SYSTEM, loan.id, amount=10_000_000, recovered_on=date(2027, 8, 1)
    )
    second = record_recovery(
        session, lf.SYSTEM, loan.id, amount=2_000_000, recovered_on=date(2027, 9, 1)
    )
    owed = subrogation_owed(session, guarantor_id)
    # 70 % of each principal part: 7.000.000 and 1.400.000, oldest first
    assert [(r["id"], r["guarantor_share"]) for r in owed] == [
        (first.id, 7_000_000),
        (second.id, 1_400_000),
    ]
    pay_subrogation_share(session, lf.SYSTEM, first.id, paid_on=date(2027, 8, 15))
    assert [r["id"] for r in subrogation_owed(session, guarantor_id)] == [second.id]


def test_the_programs_guarantee_rows(session: Session) -> None:
    program, guarantor_id = guaranteed_program(session)
    set_program_guarantee(
        session,
        lf.SYSTEM,
        program_id=program.id,
        guarantor_id=guarantor_id,
        ijp_rate=Decimal("0.0125"),
        effective_from=date(2027, 1, 1),
    )
    core.program(session)  # a program without a guarantor has no row
    rows = program_guarantee_rows(session)
    assert [(r["program_code"], r["guarantor_code"], r["ijp_rate"], r["effective_from"])
            for r in rows] == [
        (program.code, "ASKRINDO", Decimal("0.0125"), date(2027, 1, 1)),
        (program.code, "ASKRINDO", Decimal("0.015"), date(2026, 1, 1)),
    ]  # fmt: skip
