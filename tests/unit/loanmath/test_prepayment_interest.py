"""Issue item 2: a prepayment first pays the interest its principal accrued to its date."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loanmath.accrual import AccrualError, accrued_interest, split_prepayment
from loanmath.allocation import payoff_amount


def test_the_issue_example_all_but_one_rupiah_on_day_29() -> None:
    # 50 jt at 6 % a year, day 29 of a 30-day period: 50 jt * 0.005 * 29/30 = 241,666.67.
    payoff = 50_000_000 + 241_667
    principal, interest = split_prepayment(payoff - 1, Decimal("0.06"), 29, 30)
    # 49,999,999 * 0.005 * 29/30 = 241,666.66 -> 241,667; 49,999,999 + 241,667 = payoff - 1.
    assert (principal, interest) == (49_999_999, 241_667)
    rest = 1 + accrued_interest(1, Decimal("0.06"), 29, 30)  # Rp 1 accrues nothing yet
    assert principal + interest + rest == payoff


def test_on_a_due_date_nothing_has_accrued() -> None:
    assert split_prepayment(10_000_000, Decimal("0.06"), 0, 31) == (10_000_000, 0)


@pytest.mark.parametrize(("elapsed", "length"), [(-1, 30), (31, 30), (0, 0)])
def test_days_outside_the_period_are_refused(elapsed: int, length: int) -> None:
    with pytest.raises(AccrualError):
        split_prepayment(1_000, Decimal("0.06"), elapsed, length)


@given(
    balance=st.integers(1, 10**10),
    rate=st.decimals(min_value=0, max_value=Decimal("0.3"), places=4),
    length=st.integers(28, 31),
    day_count=st.sampled_from(["30/360", "actual/365"]),
    data=st.data(),
)
def test_paying_in_parts_never_costs_less_than_paying_off_at_once(
    balance: int, rate: Decimal, length: int, day_count: str, data: st.DataObject
) -> None:
    elapsed = data.draw(st.integers(0, length))
    start = date(2027, 1, 1)
    once = payoff_amount(
        balance,
        [],
        rate,
        start,
        start + timedelta(days=length),
        start + timedelta(days=elapsed),
        day_count=day_count,
    ).total
    amount = data.draw(st.integers(0, once - 1))
    principal, interest = split_prepayment(amount, rate, elapsed, length, day_count=day_count)
    assert principal + interest == amount and 0 <= principal <= balance and interest >= 0
    # The interest is what the principal accrued, to the Rupiah (rounding may add one).
    per = 365 if day_count == "actual/365" else 12 * length
    exact = Fraction(principal) * Fraction(rate) * elapsed / per
    assert exact - Fraction(1, 2) <= interest <= exact + Fraction(3, 2)
    rest = balance - principal
    rest_cost = rest + accrued_interest(rest, rate, elapsed, length, day_count=day_count)
    # Rounding happens once per part: at most one Rupiah per part in the borrower's favour.
    assert amount + rest_cost >= once - 1
