"""KUR rate tables and the interest subsidy of a period."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loanmath.subsidy import (
    kur_borrower_rate,
    kur_segment,
    kur_subsidy_rate,
    subsidy_for_period,
)


@pytest.mark.parametrize(
    ("segment", "rates"),
    [
        ("super_mikro", ["0.15", "0.15", "0.15", "0.15", "0.15"]),
        ("mikro", ["0.10", "0.09", "0.08", "0.07", "0.07"]),
        ("kecil", ["0.055", "0.045", "0.035", "0.025", "0.025"]),
    ],
)
def test_kur_subsidy_table(segment: str, rates: list[str]) -> None:
    assert [kur_subsidy_rate(segment, n) for n in range(1, 6)] == [Decimal(r) for r in rates]


@pytest.mark.parametrize(
    ("segment", "rates"),
    [
        ("super_mikro", ["0.03"] * 5),
        ("mikro", ["0.06", "0.07", "0.08", "0.09", "0.09"]),
        ("kecil", ["0.06", "0.07", "0.08", "0.09", "0.09"]),
    ],
)
def test_kur_borrower_table(segment: str, rates: list[str]) -> None:
    assert [kur_borrower_rate(segment, n) for n in range(1, 6)] == [Decimal(r) for r in rates]


def test_kur_tables_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match="access_count"):
        kur_borrower_rate("mikro", 0)  # the raw kur_access_count needs + 1
    with pytest.raises(ValueError, match="segment"):
        kur_subsidy_rate("menengah", 1)


@pytest.mark.parametrize(
    ("plafond", "segment"),
    [
        (1, "super_mikro"),
        (10_000_000, "super_mikro"),
        (10_000_001, "mikro"),
        (100_000_000, "mikro"),
        (100_000_001, "kecil"),
        (500_000_000, "kecil"),
    ],
)
def test_kur_segment(plafond: int, segment: str) -> None:
    assert kur_segment(plafond) == segment


def test_kur_segment_above_kecil() -> None:
    with pytest.raises(ValueError, match="plafond"):
        kur_segment(500_000_001)


def test_subsidy_hand_examples() -> None:
    # 50 juta Mikro first access (10 %), a 30-day month on a 360 basis: 50e6 * 0.1 / 12
    assert subsidy_for_period(50_000_000, Decimal("0.10"), days=30) == 416_666  # .67 down
    # daily balances: 10 days at 20 juta, then 20 days at 18 juta, Kecil 5.5 %
    daily = [20_000_000] * 10 + [18_000_000] * 20
    expected = (10 * 20_000_000 + 20 * 18_000_000) * Fraction(55, 1000) / 360  # 85,555.55
    assert subsidy_for_period(daily, Decimal("0.055")) == int(expected) == 85_555
    assert subsidy_for_period(daily, Decimal("0.055"), days=30) == 85_555
    assert subsidy_for_period(50_000_000, Decimal("0.10"), days=31, day_basis=365) == 424_657
    with pytest.raises(ValueError, match="days"):
        subsidy_for_period(daily, Decimal("0.055"), days=31)
    with pytest.raises(ValueError, match="days"):
        subsidy_for_period(1_000, Decimal("0.1"))
    with pytest.raises(ValueError, match="outstanding"):
        subsidy_for_period([1, -1], Decimal("0.1"))


rates = st.integers(0, 2_000).map(lambda bp: Decimal(bp).scaleb(-4))


@given(
    st.integers(0, 10**11),
    st.integers(0, 10**11),
    rates,
    st.integers(0, 366),
    st.sampled_from([360, 365]),
)
def test_subsidy_property(a: int, b: int, rate: Decimal, days: int, basis: int) -> None:
    def exact(balance: int) -> Fraction:
        return Fraction(balance) * Fraction(rate) * days / basis

    s_a = subsidy_for_period(a, rate, days, basis)
    s_b = subsidy_for_period(b, rate, days, basis)
    s_ab = subsidy_for_period(a + b, rate, days, basis)
    assert s_a == int(exact(a)) >= 0  # floor of the exact value
    # linear in the balance up to the one rounding down
    assert s_ab - (s_a + s_b) in (0, 1)
    # daily balances with the same sum give the same subsidy as the average form
    assert subsidy_for_period([a] * min(days, 5), rate, None, basis) == subsidy_for_period(
        a, rate, min(days, 5), basis
    )
