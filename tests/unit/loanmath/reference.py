"""Independent reference arithmetic for the loan-math tests: exact fractions, no Decimal.

Nothing here calls the code under test, so a test comparing against it can fail.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import strategies as st

PERIODS = {"monthly": 12, "weekly": 52}


def half_up(value: Fraction) -> int:
    """Round half up (non-negative values only): floor(x + 1/2)."""
    assert value >= 0
    return math.floor(value + Fraction(1, 2))


def periodic(rate: Decimal, frequency: str = "monthly") -> Fraction:
    return Fraction(rate) / PERIODS[frequency]


def annuity_exact(principal: int, rate: Fraction, periods: int) -> Fraction:
    if rate == 0:
        return Fraction(principal, periods)
    return principal * rate / (1 - (1 + rate) ** -periods)


def accumulation(rate: Fraction, periods: int) -> Fraction:
    """s_n = sum_{k<n} (1 + r)^k = ((1 + r)^n - 1) / r, equal to n when r = 0."""
    if rate == 0:
        return Fraction(periods)
    return ((1 + rate) ** periods - 1) / rate


# Rates with up to four decimals, 0 .. 30 % p.a., as a lender would configure them.
rates = st.integers(0, 3000).map(lambda bp: Decimal(bp).scaleb(-4))
principals = st.integers(1_000, 5_000_000_000)
methods = st.sampled_from(["annuity", "equal_principal", "flat"])
frequencies = st.sampled_from(["monthly", "weekly"])
