"""Issue 15 item 1's invariant, over random sequences of operations through the services.

After every operation: total debits equal total credits; loans receivable (all programs)
equals the sum of every loan's outstanding principal; accrued interest receivable equals
the loans' accrued-but-unpaid interest; borrower credit equals the loans' credit balances.
Written-off loans count with outstanding principal 0: the write-off credits loans
receivable (write-off expense), and what is recovered later is income, not receivable.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError
from creditapp.models import GuaranteeClaim, InterestAccrual, Loan, Repayment
from creditapp.services.books.accrual import accrue_interest
from creditapp.services.loans import (
    age_loans,
    approve_reversal,
    approve_write_off,
    post_repayment,
    record_claim_payment,
    record_recovery,
    request_reversal,
    request_write_off,
    restructure_loan,
)
from tests.factories import loans as lf

from .books_helpers import by_role, outstanding_principal, totals

loan_index = st.integers(0, 3)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("disburse"), st.sampled_from([5_000_000, 20_000_000, 75_000_000])),
        st.tuples(st.just("repay"), loan_index, st.integers(1, 8_000_000)),
        st.tuples(st.just("prepay"), loan_index, st.integers(1, 30_000_000)),
        st.tuples(st.just("restructure"), loan_index, st.integers(0, 3), st.integers(0, 6)),
        st.tuples(st.just("age"), st.integers(1, 150)),
        st.tuples(st.just("write_off"), loan_index, st.integers(0, 10_000_000)),
        st.tuples(st.just("recover"), loan_index, st.integers(1, 10_000_000)),
        st.tuples(st.just("claim"), loan_index),
        st.tuples(st.just("reverse"), loan_index),
        st.tuples(st.just("accrue"), st.integers(1, 40)),
    ),
    min_size=1,
    max_size=12,
)


def assert_books(session: Session) -> None:
    debit, credit = totals(session)
    assert debit == credit
    books = by_role(session)
    assert books.get("loans_receivable", 0) == outstanding_principal(session)
    accrued = session.scalar(select(func.coalesce(func.sum(InterestAccrual.amount), 0)))
    assert books.get("interest_receivable", 0) == int(accrued or 0)
    held = session.scalar(select(func.coalesce(func.sum(Loan.credit_balance), 0)))
    assert -books.get("borrower_credit", 0) == int(held or 0)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_any_sequence_of_operations_keeps_the_books_balanced(
    session: Session, ops: list[tuple[object, ...]]
) -> None:
    example = session.begin_nested()  # ageing and accrual are portfolio-wide: undo per example
    try:
        _run(session, ops)
    finally:
        example.rollback()


def _run(session: Session, ops: list[tuple[object, ...]]) -> None:
    loans = [lf.active_loan(session, amount=30_000_000, tenor=12)]
    on = lf.DECIDED_ON
    assert_books(session)
    for n, op in enumerate(ops):
        step = session.begin_nested()
        try:
            on = _apply(session, loans, op, on, n)
        except DomainError:
            step.rollback()  # a refused operation stores nothing
            event(f"{op[0]} refused")
        else:
            step.commit()
            event(f"{op[0]} done")
        assert_books(session)


def _apply(
    session: Session, loans: list[Loan], op: tuple[object, ...], on: object, n: int
) -> object:
    kind = op[0]
    day = on  # type: ignore[assignment]
    loan = loans[int(op[1]) % len(loans)] if kind not in ("disburse", "age", "accrue") else None
    if kind == "disburse":
        loans.append(lf.active_loan(session, amount=int(op[1]), tenor=12, disbursed_on=day))
    elif kind in ("repay", "prepay"):
        assert loan is not None
        post_repayment(
            session,
            lf.SYSTEM,
            loan.id,
            lender_id=loan.lender_id,
            amount=int(op[2]),
            paid_on=day,
            idempotency_key=f"inv-{n}-{loan.id}",
            apply_as="prepayment" if kind == "prepay" else "auto",
        )
    elif kind == "restructure":
        assert loan is not None
        restructure_loan(
            session,
            lf.SYSTEM,
            loan.id,
            effective_on=day,
            grace_months=int(op[2]),
            extension_months=int(op[3]),
            new_rate=Decimal("0.05") if n % 2 else None,
            reason="relief",
            approved_by=lf.user(session).id,
        )
    elif kind == "age":
        day = day + timedelta(days=int(op[1]))
        age_loans(session, day)
    elif kind == "accrue":
        day = day + timedelta(days=int(op[1]))
        accrue_interest(session, day)
    elif kind == "write_off":
        assert loan is not None
        maker, checker = lf.user(session), lf.user(session)
        item = request_write_off(
            session,
            lf.SYSTEM,
            loan.id,
            requested_by=maker.id,
            requested_on=day,
            reason="Macet",
            override_reason="borrower absconded",  # any grade, so write-offs happen often
        )
        approve_write_off(session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=day)
        if int(op[2]):  # recovered at once: recoveries need a written-off loan
            record_recovery(session, lf.SYSTEM, loan.id, amount=int(op[2]), recovered_on=day)
    elif kind == "recover":
        assert loan is not None
        record_recovery(session, lf.SYSTEM, loan.id, amount=int(op[2]), recovered_on=day)
    elif kind == "claim":
        assert loan is not None
        claim = session.scalar(
            select(GuaranteeClaim).where(
                GuaranteeClaim.loan_id == loan.id, GuaranteeClaim.status == "submitted"
            )
        )
        if claim is not None:
            record_claim_payment(
                session, lf.SYSTEM, claim.id, paid_amount=claim.amount, paid_on=day
            )
    elif kind == "reverse":
        assert loan is not None
        latest = session.scalar(
            select(Repayment)
            .where(Repayment.loan_id == loan.id, Repayment.reversed_on.is_(None))
            .order_by(Repayment.id.desc())
        )
        if latest is not None:
            maker, checker = lf.user(session), lf.user(session)
            item = request_reversal(
                session,
                lf.SYSTEM,
                latest.id,
                requested_by=maker.id,
                requested_on=day,
                reason="bounced",
            )
            approve_reversal(session, lf.SYSTEM, item.id, approved_by=checker.id, approved_on=day)
    return day
