"""Repayments: allocation, prepayment, payoff, idempotency, refusals; ledger == caches."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError, NotFound
from creditapp.models import Installment, Loan, Repayment, RepaymentAllocation
from creditapp.services.loans import (
    age_loans,
    approve_write_off,
    post_repayment,
    rebuild_balances,
    request_write_off,
)
from tests.factories import loans as lf

PAYMENT = 2_216_031  # the worked example's annuity (see test_approval)
FIRST_DUE = date(2026, 12, 3)


def pay(
    session: Session,
    loan: Loan,
    amount: int,
    on: date,
    key: str | None = None,
    apply_as: str = "auto",
) -> Repayment:
    result = post_repayment(
        session,
        lf.SYSTEM,
        loan.id,
        lender_id=loan.lender_id,
        amount=amount,
        paid_on=on,
        idempotency_key=key or f"k-{loan.id}-{on}-{amount}",
        apply_as=apply_as,
    )
    assert not result.replayed
    return result.repayment


def current(session: Session, loan: Loan) -> list[Installment]:
    return list(
        session.scalars(
            select(Installment)
            .where(Installment.loan_id == loan.id, Installment.superseded.is_(False))
            .order_by(Installment.due_on, Installment.number)
        )
    )


def assert_ledger(session: Session, loan: Loan) -> None:
    balances = rebuild_balances(session, loan.id)
    assert balances.consistent, balances
    unpaid = sum(r.principal_due - r.principal_paid for r in current(session, loan))
    assert unpaid == loan.outstanding_principal


def test_installment_paid_on_its_due_date(session: Session) -> None:
    loan = lf.active_loan(session)
    repayment = pay(session, loan, PAYMENT, FIRST_DUE)
    assert (repayment.interest_part, repayment.principal_part) == (250_000, PAYMENT - 250_000)
    assert repayment.excess_part == repayment.penalty_part == 0
    first = current(session, loan)[0]
    assert first.settled_on == FIRST_DUE and first.principal_paid == PAYMENT - 250_000
    assert loan.outstanding_principal == 50_000_000 - (PAYMENT - 250_000)
    assert_ledger(session, loan)


def test_partial_payments_serve_the_oldest_installment_interest_first(session: Session) -> None:
    loan = lf.active_loan(session)
    on = date(2027, 1, 10)  # installments of 3 Dec and 3 Jan are due
    r1 = pay(session, loan, 300_000, on)
    rows = current(session, loan)
    assert (rows[0].interest_paid, rows[0].principal_paid) == (250_000, 50_000)
    assert (rows[1].interest_paid, rows[1].principal_paid) == (0, 0)
    assert (r1.interest_part, r1.principal_part) == (250_000, 50_000)
    r2 = pay(session, loan, PAYMENT, on)
    rows = current(session, loan)
    assert rows[0].settled_on == on and rows[1].settled_on is None
    # r2 finishes installment 1's principal (1,966,031 - 50,000), then installment 2's
    # interest (48,033,969 * 0.5 % = 240,169.85 -> 240,170), the rest goes to its principal.
    assert rows[1].interest_due == rows[1].interest_paid == 240_170
    assert rows[1].principal_paid == PAYMENT - (1_966_031 - 50_000) - 240_170
    assert r2.amount == r2.principal_part + r2.interest_part
    allocations = session.scalars(
        select(RepaymentAllocation).where(RepaymentAllocation.repayment_id == r2.id)
    ).all()
    assert sorted(a.installment_id for a in allocations) == [rows[0].id, rows[1].id]
    assert_ledger(session, loan)


def test_penalty_is_served_before_interest_and_principal(session: Session) -> None:
    loan = lf.active_loan(session, penalty_daily_rate=Decimal("0.0005"))
    assert loan.penalty_daily_rate == Decimal("0.0005")
    summary = age_loans(session, date(2026, 12, 13))  # 10 days late on the first installment
    expected_penalty = PAYMENT * 5 * 10 // 10_000  # 0.05 % a day, rounded down
    assert summary.penalty_charged == expected_penalty
    repayment = pay(session, loan, expected_penalty + 100_000, date(2026, 12, 13))
    assert repayment.penalty_part == expected_penalty
    assert (repayment.interest_part, repayment.principal_part) == (100_000, 0)
    assert_ledger(session, loan)


@pytest.mark.parametrize("mode", ["shorten_tenor", "reduce_installment"])
def test_a_requested_prepayment_prepays_principal_by_the_loan_mode(
    session: Session, mode: str
) -> None:
    loan = lf.active_loan(session, prepayment_mode=mode)
    # Paid on a due date: no day of the next period has run, so no accrued interest.
    repayment = pay(session, loan, PAYMENT + 10_000_000, FIRST_DUE, apply_as="prepayment")
    assert repayment.excess_part == 10_000_000
    assert loan.outstanding_principal == 50_000_000 - (PAYMENT - 250_000) - 10_000_000
    assert loan.schedule_version == 2
    rows = current(session, loan)
    ahead = [r for r in rows if r.due_on > FIRST_DUE]
    superseded = session.scalar(
        select(func.count()).where(Installment.loan_id == loan.id, Installment.superseded)
    )
    assert superseded == 23  # the 23 installments not yet due were replaced, kept
    totals = {r.principal_due + r.interest_due for r in ahead[:-1]}
    if mode == "shorten_tenor":
        assert len(ahead) < 23 and max(totals) <= PAYMENT
    else:
        assert len(ahead) == 23 and max(totals) < PAYMENT
    assert sum(r.principal_due for r in ahead) == loan.outstanding_principal
    assert_ledger(session, loan)


def test_exact_payoff_closes_the_loan_and_more_is_held_as_credit(session: Session) -> None:
    loan = lf.active_loan(session)
    pay(session, loan, PAYMENT, FIRST_DUE)
    outstanding = 50_000_000 - (PAYMENT - 250_000)
    on = date(2026, 12, 18)
    # Running period 3 Dec..3 Jan (31 days), 15 days elapsed, 30/360 monthly interest.
    accrued = int(
        (Decimal(outstanding) * Decimal("0.06") / 12 * 15 / 31).quantize(
            Decimal(1), "ROUND_HALF_UP"
        )
    )
    repayment = pay(session, loan, outstanding + accrued + 5_000, on)
    assert (repayment.principal_part, repayment.interest_part) == (outstanding, accrued)
    assert repayment.credit_part == 5_000 and repayment.excess_part == 0
    assert loan.status == "closed" and loan.closed_on == on and loan.outstanding_principal == 0
    assert loan.credit_balance == 5_000
    assert_ledger(session, loan)
    with pytest.raises(DomainError) as err:
        pay(session, loan, 1_000, on + timedelta(days=1))
    assert "closed" in err.value.errors["loan_id"][0]


def test_a_prepayment_pays_the_interest_its_principal_accrued_first(session: Session) -> None:
    """Issue item 2: all but Rp 1 on day 29 cost 241,667 less than the payoff itself."""
    loan = lf.active_loan(session)
    on = FIRST_DUE - timedelta(days=1)  # 3 Nov .. 3 Dec is 30 days: day 29
    payoff = 50_000_000 + 241_667  # 50 jt * 0.5 % * 29/30 = 241,666.67
    repayment = pay(session, loan, payoff - 1, on, apply_as="prepayment")
    # p + round(p * 0.005 * 29 / 30) = 50,241,666 -> p = 49,999,999, interest 241,667.
    assert (repayment.excess_part, repayment.interest_part) == (49_999_999, 241_667)
    assert loan.outstanding_principal == 1
    rest = sum(
        r.principal_due - r.principal_paid + r.interest_due - r.interest_paid
        for r in current(session, loan)
    )
    pay(session, loan, rest, FIRST_DUE)
    assert loan.status == "closed"
    assert payoff - 1 + rest >= payoff
    assert_ledger(session, loan)


def test_paying_every_installment_closes_the_loan(session: Session) -> None:
    loan = lf.active_loan(session, tenor=3, amount=12_000_000)
    for row in current(session, loan):
        pay(session, loan, row.principal_due + row.interest_due, row.due_on)
    assert loan.status == "closed" and loan.outstanding_principal == 0
    assert_ledger(session, loan)


def test_replay_returns_the_first_repayment_and_changes_nothing(session: Session) -> None:
    loan = lf.active_loan(session)
    first = pay(session, loan, PAYMENT, FIRST_DUE, key="abc")
    again = post_repayment(
        session,
        lf.SYSTEM,
        loan.id,
        lender_id=loan.lender_id,
        amount=PAYMENT,
        paid_on=FIRST_DUE,
        idempotency_key="abc",
    )
    assert again.replayed and again.repayment.id == first.id
    assert session.scalar(select(func.count()).select_from(Repayment)) == 1
    assert loan.outstanding_principal == 50_000_000 - (PAYMENT - 250_000)
    with pytest.raises(DomainError) as err:
        post_repayment(
            session,
            lf.SYSTEM,
            loan.id,
            lender_id=loan.lender_id,
            amount=PAYMENT + 1,
            paid_on=FIRST_DUE,
            idempotency_key="abc",
        )
    assert err.value.status_code == 422 and "Idempotency-Key" in err.value.errors
    assert_ledger(session, loan)


def test_another_lenders_loan_looks_missing(session: Session) -> None:
    loan = lf.active_loan(session)
    other = lf.active_loan(session)
    with pytest.raises(NotFound) as foreign:
        post_repayment(
            session,
            lf.SYSTEM,
            loan.id,
            lender_id=other.lender_id,
            amount=1_000,
            paid_on=FIRST_DUE,
            idempotency_key="x",
        )
    with pytest.raises(NotFound) as missing:
        post_repayment(
            session,
            lf.SYSTEM,
            10**9,
            lender_id=other.lender_id,
            amount=1_000,
            paid_on=FIRST_DUE,
            idempotency_key="x",
        )
    assert foreign.value.message == missing.value.message
    assert foreign.value.errors.keys() == missing.value.errors.keys() == {"loan_id"}


@pytest.mark.parametrize(
    ("amount", "on", "field"),
    [
        (0, FIRST_DUE, "amount"),
        (-5, FIRST_DUE, "amount"),
        (1_000, date(2026, 11, 2), "paid_on"),  # before the disbursement on 3 Nov
    ],
)
def test_bad_repayments_are_refused_and_nothing_changes(
    session: Session, amount: int, on: date, field: str
) -> None:
    loan = lf.active_loan(session)
    with pytest.raises(DomainError) as err:
        pay(session, loan, amount, on)
    assert field in err.value.errors
    assert session.scalar(select(func.count()).select_from(Repayment)) == 0
    assert loan.outstanding_principal == 50_000_000
    assert_ledger(session, loan)


def test_written_off_and_undisbursed_loans_refuse_repayments(session: Session) -> None:
    loan = lf.active_loan(session)
    maker, checker = lf.user(session), lf.user(session)
    item = request_write_off(
        session,
        lf.SYSTEM,
        loan.id,
        requested_by=maker.id,
        requested_on=date(2027, 6, 1),
        reason="macet",
        override_reason="debitur meninggal",
    )
    approve_write_off(
        session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=date(2027, 6, 2)
    )
    with pytest.raises(DomainError) as err:
        pay(session, loan, 1_000, date(2027, 6, 3))
    assert "written off" in err.value.errors["loan_id"][0]
    approved = lf.approved_loan(session)
    with pytest.raises(DomainError) as err:
        pay(session, approved, 1_000, date(2027, 6, 3))
    assert "not been disbursed" in err.value.errors["loan_id"][0]


payments = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=40),
        st.integers(1, 6_000_000),
        st.sampled_from(["auto", "advance", "prepayment"]),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=20,
    deadline=None,
    # The session fixture is one transaction per test; each example makes its own loan.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=payments, mode=st.sampled_from(["shorten_tenor", "reduce_installment"]))
def test_any_sequence_of_payments_keeps_the_ledger_and_caches_equal(
    session: Session, steps: list[tuple[int, int, str]], mode: str
) -> None:
    example = session.begin_nested()  # ageing runs are portfolio-wide: undo them per example
    try:
        _payments_keep_the_books(session, steps, mode)
    finally:
        example.rollback()


def _payments_keep_the_books(
    session: Session, steps: list[tuple[int, int, str]], mode: str
) -> None:
    loan = lf.active_loan(session, tenor=12, amount=20_000_000, prepayment_mode=mode)
    on = lf.DECIDED_ON
    received = 0
    for gap, amount, apply_as in steps:
        on += timedelta(days=gap)
        try:
            repayment = pay(
                session,
                loan,
                amount,
                on,
                key=f"{loan.id}-{on}-{amount}-{received}",
                apply_as=apply_as,
            )
        except DomainError as exc:
            assert set(exc.errors) <= {"loan_id"}  # closed: nothing else is refused
            continue
        received += amount
        parts = (
            repayment.principal_part
            + repayment.interest_part
            + repayment.penalty_part
            + repayment.excess_part
            + repayment.credit_part
        )
        assert parts == amount  # every Rupiah is allocated somewhere
        assert_ledger(session, loan)
        rows = current(session, loan)
        assert loan.outstanding_principal >= 0 and loan.credit_balance >= 0
        assert all(
            0 <= r.principal_paid <= r.principal_due and 0 <= r.interest_paid <= r.interest_due
            for r in rows
        )
        # Days past due count from the oldest instalment not settled, never a settled one.
        age_loans(session, on)
        session.refresh(loan)
        late = [r.due_on for r in current(session, loan) if r.settled_on is None and r.due_on < on]
        if loan.status == "active":
            assert loan.dpd == ((on - min(late)).days if late else 0)
    principal_received = session.scalar(
        select(func.sum(Repayment.principal_part + Repayment.excess_part)).where(
            Repayment.loan_id == loan.id
        )
    )
    assert (principal_received or 0) == loan.disbursed_amount - loan.outstanding_principal


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    day=st.integers(1, 29),
    amount=st.integers(1, 50_000_000),
    apply_as=st.sampled_from(["auto", "prepayment", "advance"]),
)
def test_paying_in_parts_never_costs_less_than_paying_off_at_once(
    session: Session, day: int, amount: int, apply_as: str
) -> None:
    on = lf.DECIDED_ON + timedelta(days=day)
    everything = 60_000_000  # more than any payoff: the rest is held as credit
    once = lf.active_loan(session)
    r = pay(session, once, everything, on)
    payoff = everything - r.credit_part
    # Independently: 50 jt, 6 %, `day` days of the 30-day period 3 Nov .. 3 Dec.
    accrued = Decimal(50_000_000) * Decimal("0.06") / 12 * day / 30
    assert payoff == 50_000_000 + int(accrued.quantize(Decimal(1), "ROUND_HALF_UP"))
    parts = lf.active_loan(session)
    first = pay(session, parts, amount, on, apply_as=apply_as)
    if parts.status == "closed":
        cost = amount - first.credit_part
    else:
        second = pay(session, parts, everything, on, key=f"rest-{parts.id}")
        cost = amount + everything - second.credit_part
    assert parts.status == "closed" and parts.credit_balance >= 0
    assert cost >= payoff - 1  # one Rupiah of rounding per part at most
    assert_ledger(session, parts)
