"""Days past due, OJK collectibility boundaries, PAR flags, penalty and guarantee."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loanmath.ageing import (
    COLLECTIBILITY,
    collectibility,
    collectibility_info,
    days_past_due,
    guarantee_claim_amount,
    is_guarantee_claimable,
    par_flags,
    penalty_for,
)
from loanmath.allocation import Due

AS_OF = date(2027, 6, 30)


@pytest.mark.parametrize(
    ("dpd", "grade", "name_id"),
    [
        (0, 1, "Lancar"),
        (1, 2, "Dalam Perhatian Khusus"),
        (90, 2, "Dalam Perhatian Khusus"),
        (91, 3, "Kurang Lancar"),
        (120, 3, "Kurang Lancar"),
        (121, 4, "Diragukan"),
        (180, 4, "Diragukan"),
        (181, 5, "Macet"),
        (5_000, 5, "Macet"),
    ],
)
def test_collectibility_boundaries(dpd: int, grade: int, name_id: str) -> None:
    assert collectibility(dpd) == grade
    assert collectibility_info(dpd).name_id == name_id


def test_collectibility_table_is_contiguous_and_bilingual() -> None:
    assert [g.grade for g in COLLECTIBILITY] == [1, 2, 3, 4, 5]
    for before, after in zip(COLLECTIBILITY, COLLECTIBILITY[1:], strict=False):
        assert before.max_dpd is not None and after.min_dpd == before.max_dpd + 1
    assert [g.name_en for g in COLLECTIBILITY] == [
        "Current",
        "Special mention",
        "Substandard",
        "Doubtful",
        "Loss",
    ]
    with pytest.raises(ValueError, match="dpd"):
        collectibility(-1)


@given(st.integers(0, 2_000), st.integers(0, 2_000))
def test_collectibility_monotone(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert collectibility(low) <= collectibility(high)


@pytest.mark.parametrize(
    ("dpd", "flags"),
    [
        (0, {30: False, 60: False, 90: False}),
        (30, {30: False, 60: False, 90: False}),
        (31, {30: True, 60: False, 90: False}),
        (61, {30: True, 60: True, 90: False}),
        (90, {30: True, 60: True, 90: False}),
        (91, {30: True, 60: True, 90: True}),
    ],
)
def test_par_flags(dpd: int, flags: dict[int, bool]) -> None:
    assert par_flags(dpd) == flags


def test_days_past_due() -> None:
    dues = [
        Due(1, date(2027, 3, 31), 0, 0, 0),  # fully paid
        Due(2, date(2027, 4, 30), 0, 0, 100),  # principal left: the oldest unpaid
        Due(3, date(2027, 5, 31), 0, 5_000, 0),
        Due(4, date(2027, 6, 30), 0, 5_000, 100_000),  # due today: not late
    ]
    assert days_past_due(dues, AS_OF) == (AS_OF - date(2027, 4, 30)).days == 61
    assert days_past_due(dues[3:], AS_OF) == 0
    assert days_past_due([], AS_OF) == 0
    penalty_only = [Due(1, date(2027, 3, 31), 2_500, 0, 0)]
    assert days_past_due(penalty_only, AS_OF) == 0
    assert days_past_due(penalty_only, AS_OF, include_penalty=True) == 91


@given(
    st.lists(st.tuples(st.integers(-400, 400), st.integers(0, 3), st.integers(0, 3)), max_size=8)
)
def test_days_past_due_property(rows: list[tuple[int, int, int]]) -> None:
    dues = [Due(k, AS_OF + timedelta(days=o), 0, i, p) for k, (o, i, p) in enumerate(rows)]
    late = [-o for o, i, p in rows if o < 0 and i + p > 0]
    assert days_past_due(dues, AS_OF) == (max(late) if late else 0)


def test_penalty() -> None:
    assert penalty_for(1_000_000, 10, Decimal("0.001")) == 10_000
    assert penalty_for(333_333, 7, Decimal("0.0005")) == 1_166  # 1,166.66 rounded down
    assert penalty_for(1_000_000, 10, Decimal(0)) == 0  # KUR: no penalty
    assert penalty_for(1_000_000, 0, Decimal("0.001")) == 0
    with pytest.raises(ValueError, match="daily_rate"):
        penalty_for(1, 1, Decimal("-0.1"))


@given(st.integers(0, 10**10), st.integers(-5, 400), st.integers(0, 100))
def test_penalty_property(amount: int, days: int, per_10k: int) -> None:
    rate = Decimal(per_10k).scaleb(-4)
    expected = int(Fraction(amount) * Fraction(per_10k, 10_000) * max(days, 0))
    assert penalty_for(amount, days, rate) == expected >= 0


def test_guarantee() -> None:
    assert [is_guarantee_claimable(g, False) for g in range(1, 6)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    assert is_guarantee_claimable(2, True)
    assert guarantee_claim_amount(10_000_001, Decimal("0.70")) == 7_000_000  # 7,000,000.7
    assert guarantee_claim_amount(0, Decimal("0.70")) == 0
    with pytest.raises(ValueError, match="coverage"):
        guarantee_claim_amount(1, Decimal("1.1"))
    with pytest.raises(ValueError, match="collectibility_grade"):
        is_guarantee_claimable(6, False)


@given(st.integers(0, 10**12), st.integers(0, 100))
def test_guarantee_claim_property(outstanding: int, percent: int) -> None:
    claim = guarantee_claim_amount(outstanding, Decimal(percent) / 100)
    assert claim == outstanding * percent // 100
    assert 0 <= claim <= outstanding
