"""The one-off IJP: rate x plafond, pro rata under a year, rounded down, against integer
arithmetic in millionths (an independent computation)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from creditapp.services.claims.guarantees import ijp_amount


def test_hand_worked() -> None:
    assert ijp_amount(50_000_000, Decimal("0.015"), 24) == 750_000
    assert ijp_amount(12_000_000, Decimal("0.015"), 6) == 90_000
    # 10,000,001 x 1.25 % x 7 / 12 = 72,916.67 -> 72,916
    assert ijp_amount(10_000_001, Decimal("0.0125"), 7) == 72_916


@given(
    principal=st.integers(1, 500_000_000),
    micro_rate=st.integers(0, 200_000),
    tenor=st.integers(1, 120),
)
def test_matches_integer_millionths(principal: int, micro_rate: int, tenor: int) -> None:
    rate = Decimal(micro_rate) / 1_000_000
    months = min(tenor, 12)
    expected = principal * micro_rate * months // (12 * 1_000_000)
    got = ijp_amount(principal, rate, tenor)
    assert got == expected
    assert 0 <= got <= principal * micro_rate // 1_000_000  # never more than a full year
