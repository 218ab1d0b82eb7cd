"""Repayment allocation, prepayment re-amortisation and the early payoff amount."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loanmath.allocation import (
    COMPONENTS,
    AllocationError,
    Due,
    allocate_payment,
    apply_prepayment,
    payoff_amount,
)
from loanmath.dates import add_months
from loanmath.schedule import build_schedule
from tests.unit.loanmath.reference import half_up, methods, periodic, principals, rates

START = date(2027, 3, 10)


@st.composite
def dues_lists(draw: st.DrawFn) -> list[Due]:
    count = draw(st.integers(0, 6))
    amounts = st.integers(0, 2_000_000)
    dues = [
        Due(k + 1, START + timedelta(days=30 * k), draw(amounts), draw(amounts), draw(amounts))
        for k in range(count)
    ]
    return draw(st.permutations(dues))  # the caller's order must not matter


@settings(max_examples=300)
@given(
    dues_lists(),
    st.integers(0, 15_000_000),
    st.sampled_from(list(permutations(COMPONENTS))),
    st.booleans(),
)
def test_allocation_properties(
    dues: list[Due], amount: int, order: tuple[str, ...], oldest_first: bool
) -> None:
    result = allocate_payment(amount, dues, order, oldest_first=oldest_first)
    total_due = sum(d.penalty_due + d.interest_due + d.principal_due for d in dues)
    assert result.total_applied == min(amount, total_due)
    assert result.total_applied + result.excess == amount
    assert result.excess == max(0, amount - total_due)
    by_no = {d.installment_no: d for d in dues}
    oldest = sorted(dues, key=lambda d: d.due_date)
    assert [a.installment_no for a in result.applied] == [d.installment_no for d in oldest]
    for a in result.applied:
        due = by_no[a.installment_no]
        assert 0 <= a.penalty <= due.penalty_due
        assert 0 <= a.interest <= due.interest_due
        assert 0 <= a.principal <= due.principal_due
    # Order respected: along the service sequence, fully paid slots, at most one partial
    # slot, then untouched slots -- i.e. nothing later is paid while something earlier is open.
    applied = {a.installment_no: a for a in result.applied}
    slots = (
        [(d, c) for d in oldest for c in order]
        if oldest_first
        else [(d, c) for c in order for d in oldest]
    )
    open_seen = False
    for due, component in slots:
        got = getattr(applied[due.installment_no], component)
        owed = getattr(due, f"{component}_due")
        if open_seen:
            assert got == 0
        if got < owed:
            open_seen = True


def test_allocation_hand_example() -> None:
    dues = [
        Due(2, date(2027, 2, 10), 0, 50_000, 400_000),
        Due(1, date(2027, 1, 10), 10_000, 60_000, 400_000),
    ]
    result = allocate_payment(600_000, dues)
    assert [(a.installment_no, a.penalty, a.interest, a.principal) for a in result.applied] == [
        (1, 10_000, 60_000, 400_000),
        (2, 0, 50_000, 80_000),
    ]
    assert result.excess == 0
    across = allocate_payment(
        600_000, dues, ("interest", "principal", "penalty"), oldest_first=False
    )
    # all interest (110,000) first, then principal oldest first, penalty last
    assert [(a.interest, a.principal, a.penalty) for a in across.applied] == [
        (60_000, 400_000, 0),
        (50_000, 90_000, 0),
    ]
    assert allocate_payment(2_000_000, dues).excess == 2_000_000 - 920_000


@pytest.mark.parametrize(
    ("amount", "dues", "order", "name"),
    [
        (-1, [], COMPONENTS, "amount"),
        (10, [], ("penalty", "interest"), "order"),
        (10, [Due(1, START, 0, -5, 0)], COMPONENTS, "interest_due"),
    ],
)
def test_allocation_validation(
    amount: int, dues: list[Due], order: tuple[str, ...], name: str
) -> None:
    with pytest.raises(AllocationError, match=name):
        allocate_payment(amount, dues, order)


@st.composite
def prepayments(draw: st.DrawFn) -> tuple[object, ...]:
    tenor = draw(st.integers(2, 60))
    paid = draw(st.integers(0, tenor - 1))
    method = draw(methods)
    rate = draw(rates)
    principal = draw(principals)
    grace = draw(st.integers(0, min(3, tenor - 1)))
    rows = build_schedule(principal, rate, tenor, START, method=method, grace_principal=grace)
    remaining = rows[paid:]
    amount = draw(st.integers(1, remaining[0].opening_balance))
    mode = draw(st.sampled_from(["shorten_tenor", "reduce_installment"]))
    return remaining, amount, rate, method, mode


@settings(max_examples=200, deadline=None)
@given(prepayments())
def test_prepayment_properties(case: tuple[object, ...]) -> None:
    remaining, amount, rate, method, mode = case
    new = apply_prepayment(remaining, amount, rate, mode=mode, method=method)  # type: ignore
    outstanding = remaining[0].opening_balance  # type: ignore[index]
    if amount == outstanding:
        assert new == ()
        return
    assert sum(row.principal for row in new) == outstanding - amount
    assert new[0].opening_balance == outstanding - amount and new[-1].closing_balance == 0
    assert [r.number for r in new] == [r.number for r in remaining[: len(new)]]  # type: ignore
    assert [r.due_date for r in new] == [r.due_date for r in remaining[: len(new)]]  # type: ignore
    assert all(r.closing_balance <= r.opening_balance for r in new)
    if mode == "reduce_installment":
        assert len(new) == len(remaining)  # type: ignore[arg-type]
    else:
        assert len(new) <= len(remaining)  # type: ignore[arg-type]


def test_prepayment_hand_example() -> None:
    """12 million over 12 months at 12 %; after 6 installments, prepay 3 million."""
    rows = build_schedule(12_000_000, Decimal("0.12"), 12, START, method="annuity")
    remaining = rows[6:]
    left = remaining[0].opening_balance - 3_000_000
    lower = apply_prepayment(
        remaining, 3_000_000, Decimal("0.12"), mode="reduce_installment", method="annuity"
    )
    closed = left * 0.01 / (1 - 1.01**-6)
    assert lower[0].total == round(closed) and len(lower) == 6
    shorter = apply_prepayment(
        remaining, 3_000_000, Decimal("0.12"), mode="shorten_tenor", method="annuity"
    )
    old = remaining[0].total
    # fewest n with P*r/(1-(1+r)^-n) <= old installment, found by the float closed form
    n = next(n for n in range(1, 7) if round(left * 0.01 / (1 - 1.01**-n)) <= old)
    assert len(shorter) == n == 4
    assert shorter[0].total <= old
    assert (
        apply_prepayment(
            remaining,
            remaining[0].opening_balance,
            Decimal("0.12"),
            mode="shorten_tenor",
            method="annuity",
        )
        == ()
    )
    with pytest.raises(AllocationError, match="prepayment"):
        apply_prepayment(remaining, 0, Decimal("0.12"), mode="shorten_tenor", method="annuity")


@settings(max_examples=100, deadline=None)
@given(principals, rates, st.dates(date(2020, 1, 1), date(2040, 1, 1)), st.integers(0, 40))
def test_payoff_accrues_the_period_interest_pro_rata(
    principal: int, rate: Decimal, disbursed: date, elapsed: int
) -> None:
    """A whole period costs the schedule's period interest, whatever the month length."""
    first_due = add_months(disbursed, 1)
    rows = build_schedule(principal, rate, 12, first_due, method="annuity")
    full = payoff_amount(principal, [], rate, disbursed, first_due, first_due)
    assert full.interest == rows[0].interest == half_up(principal * periodic(rate))
    assert full.total == principal + rows[0].interest
    as_of = min(disbursed + timedelta(days=elapsed), first_due)
    part = payoff_amount(principal, [], rate, disbursed, first_due, as_of)
    days = Fraction((as_of - disbursed).days, (first_due - disbursed).days)
    assert part.interest == half_up(principal * periodic(rate) * days) <= full.interest


def test_payoff_hand_example() -> None:
    """Outstanding 10,000,000 of which 400,000 overdue; 15 of 31 days into the period."""
    overdue = [Due(3, date(2027, 3, 10), 5_000, 60_000, 400_000)]
    payoff = payoff_amount(
        10_000_000,
        overdue,
        Decimal("0.12"),
        date(2027, 3, 10),
        date(2027, 4, 10),
        date(2027, 3, 25),
        deferred_interest=7_000,
    )
    running = Fraction(9_600_000) / 100 * 15 / 31  # 1 % a month on 9.6 million, 15/31 of it
    assert half_up(running) == 46_452
    assert payoff.principal == 10_000_000
    assert payoff.interest == 60_000 + 46_452 + 7_000
    assert payoff.penalty == 5_000
    assert payoff.total == 10_000_000 + 113_452 + 5_000
    with pytest.raises(AllocationError, match="as_of"):
        payoff_amount(1, [], Decimal("0.1"), date(2027, 3, 10), date(2027, 4, 10), date(2027, 3, 9))
    with pytest.raises(AllocationError, match="unpaid_dues"):
        payoff_amount(
            1_000_000, overdue, Decimal("0.1"), date(2027, 3, 1), date(2027, 4, 1), date(2027, 3, 5)
        )
