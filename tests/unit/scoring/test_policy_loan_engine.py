"""The policy's installment agrees to the Rupiah with the loan engine's schedules.

The scoring library may not import ``creditapp`` (import boundaries), so the agreement is
checked here, where a test may import both.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from creditapp.loanmath.schedule import annuity_installment as engine_installment
from scoring.policy import annuity_installment

RATES = st.integers(0, 2500).map(lambda bp: Decimal(bp) / 10_000)  # 0% to 25% in basis points


@given(st.integers(1_000_000, 500_000_000), RATES, st.integers(1, 120))
@example(50_000_000, Decimal("0.06"), 24)
@example(10_000_000, Decimal("0.07"), 36)
def test_installment_equals_the_loan_engine(principal: int, rate: Decimal, tenor: int) -> None:
    ours = annuity_installment(principal, rate, tenor)
    assert ours == engine_installment(principal, rate, tenor, "monthly", ROUND_HALF_UP)


@given(st.integers(1, 5_000), RATES, st.integers(1, 120))
def test_tiny_loans_take_the_same_lowered_payment(principal: int, rate: Decimal,
                                                   tenor: int) -> None:  # fmt: skip
    # where rounding could clear the balance early, both lower the payment the same way
    ours = annuity_installment(principal, rate, tenor)
    assert ours == engine_installment(principal, rate, tenor, "monthly", ROUND_HALF_UP)
