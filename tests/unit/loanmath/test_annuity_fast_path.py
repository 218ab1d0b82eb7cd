"""The annuity's shortcut (skip the period loop when rounding cannot clear the loan early)
gives the same payment as the full search on every loan, realistic or tiny."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from loanmath.schedule import (
    _annuity_runs_clean,
    annuity_installment,
    exact_annuity_payment,
    period_interest,
    round_rupiah,
)

RATES = st.integers(0, 2500).map(lambda bp: Decimal(bp) / 10_000)  # 0% to 25% in basis points


def searched(principal: int, rate: Decimal, periods: int) -> int:
    """The payment by the full search alone, with no shortcut."""
    payment = round_rupiah(exact_annuity_payment(principal, rate, periods), ROUND_HALF_UP)
    floor = period_interest(principal, rate)
    while payment > floor and not _annuity_runs_clean(
        principal, payment, periods, rate, "monthly", ROUND_HALF_UP
    ):
        payment -= 1
    return payment


@given(st.integers(1_000_000, 500_000_000), RATES, st.integers(1, 120))
@example(50_000_000, Decimal("0.06"), 24)
@example(10_000_000, Decimal("0.07"), 36)
def test_realistic_loans_take_the_searched_payment(
    principal: int, rate: Decimal, tenor: int
) -> None:
    assert annuity_installment(principal, rate, tenor) == searched(principal, rate, tenor)


@given(st.integers(1, 5_000), RATES, st.integers(1, 120))
def test_tiny_loans_take_the_searched_payment(principal: int, rate: Decimal, tenor: int) -> None:
    # where rounding could clear the balance early, the payment is lowered the same way
    assert annuity_installment(principal, rate, tenor) == searched(principal, rate, tenor)
