"""Restructuring (2020 Covid relief shape): grace, extension, new rate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loanmath.restructure import restructure
from loanmath.schedule import ScheduleError
from tests.unit.loanmath.reference import half_up, methods, periodic, principals, rates

FIRST_DUE = date(2020, 4, 25)


@settings(max_examples=200, deadline=None)
@given(
    principals,
    rates,
    st.integers(1, 60),
    st.integers(0, 12),
    st.integers(0, 24),
    st.one_of(st.none(), rates),
    methods,
)
def test_restructure_properties(
    principal: int,
    rate: Decimal,
    remaining: int,
    grace: int,
    extend: int,
    new_rate: Decimal | None,
    method: str,
) -> None:
    if grace >= remaining + extend:
        with pytest.raises(ScheduleError, match="extra_grace"):
            restructure(
                principal,
                rate,
                FIRST_DUE,
                remaining_tenor=remaining,
                extra_grace=grace,
                extend_by=extend,
            )
        return
    rows = restructure(
        principal,
        rate,
        FIRST_DUE,
        remaining_tenor=remaining,
        extra_grace=grace,
        extend_by=extend,
        new_rate=new_rate,
        method=method,
    )  # type: ignore
    applied = rate if new_rate is None else new_rate
    assert len(rows) == remaining + extend
    assert sum(r.principal for r in rows) == principal
    assert rows[-1].closing_balance == 0 and rows[0].due_date == FIRST_DUE
    assert all(r.principal == 0 for r in rows[:grace])
    assert all(r.interest == half_up(principal * periodic(applied)) for r in rows[:grace])
    assert all(r.principal > 0 for r in rows[grace:] if method != "annuity")


def test_covid_relief_hand_example() -> None:
    """24 million left over 12 months at 6 %; 6 months principal grace, +12 months, 3 %."""
    rows = restructure(
        24_000_000,
        Decimal("0.06"),
        FIRST_DUE,
        remaining_tenor=12,
        extra_grace=6,
        extend_by=12,
        new_rate=Decimal("0.03"),
        method="equal_principal",
    )
    assert len(rows) == 24
    assert [r.total for r in rows[:6]] == [60_000] * 6  # 0.25 % a month, interest only
    assert [r.principal for r in rows[6:]] == [1_333_333] * 17 + [24_000_000 - 17 * 1_333_333]
    assert rows[6].interest == 60_000 and rows[7].interest == half_up(
        (24_000_000 - 1_333_333) * periodic(Decimal("0.03"))
    )
    assert rows[1].due_date == date(2020, 5, 25)


def test_restructure_validation() -> None:
    with pytest.raises(ScheduleError, match="remaining_tenor"):
        restructure(1_000, Decimal("0.1"), FIRST_DUE, remaining_tenor=0)
    with pytest.raises(ScheduleError, match="extend_by"):
        restructure(1_000, Decimal("0.1"), FIRST_DUE, remaining_tenor=3, extend_by=-1)
    with pytest.raises(ScheduleError, match="annual_rate"):
        restructure(1_000, Decimal("0.1"), FIRST_DUE, remaining_tenor=3, new_rate=Decimal(2))
