"""Schedules: exact Rupiah invariants, the annuity bound, due dates, validation, the CLI."""

from __future__ import annotations

import calendar
import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from loanmath.__main__ import main
from loanmath.schedule import (
    Installment,
    ScheduleError,
    build_schedule,
)
from loanmath.table import format_schedule_table
from tests.unit.loanmath.reference import (
    accumulation,
    annuity_exact,
    frequencies,
    half_up,
    methods,
    periodic,
    principals,
    rates,
)

FIRST_DUE = date(2027, 1, 31)


@st.composite
def loans(draw: st.DrawFn) -> dict[str, object]:
    tenor = draw(st.integers(1, 120))
    grace_interest = draw(st.integers(0, min(tenor - 1, 12)))
    grace_principal = draw(st.integers(0, min(tenor - 1 - grace_interest, 12)))
    return {
        "principal": draw(principals),
        "annual_rate": draw(rates),
        "tenor": tenor,
        "first_due": draw(st.dates(date(2020, 1, 1), date(2040, 12, 31))),
        "method": draw(methods),
        "frequency": draw(frequencies),
        "grace_principal": grace_principal,
        "grace_interest": grace_interest,
    }


def accrued(row: Installment) -> int:
    return row.interest + row.deferred_interest


@settings(max_examples=300, deadline=None)
@given(loans())
def test_schedule_invariants(loan: dict[str, object]) -> None:
    rows = build_schedule(**loan)  # type: ignore[arg-type]
    principal, tenor = loan["principal"], loan["tenor"]
    grace = loan["grace_interest"] + loan["grace_principal"]  # type: ignore[operator]
    r = periodic(loan["annual_rate"], loan["frequency"])  # type: ignore[arg-type]
    assert len(rows) == tenor
    assert [row.number for row in rows] == list(range(1, tenor + 1))  # type: ignore[arg-type]
    assert sum(row.principal for row in rows) == principal
    assert rows[0].opening_balance == principal
    assert rows[-1].closing_balance == 0
    for k, row in enumerate(rows):
        for value in (
            row.principal,
            row.interest,
            row.total,
            row.opening_balance,
            row.closing_balance,
            row.deferred_interest,
        ):
            assert type(value) is int
        assert row.total == row.principal + row.interest
        assert row.closing_balance == row.opening_balance - row.principal
        assert 0 <= row.closing_balance <= row.opening_balance
        assert row.principal >= 0 and row.interest >= 0
        if k > 0:
            assert row.opening_balance == rows[k - 1].closing_balance
        base = principal if loan["method"] == "flat" else row.opening_balance
        assert accrued(row) == half_up(base * r)  # type: ignore[operator]
        if k < loan["grace_interest"]:  # type: ignore[operator]
            assert row.total == 0 and row.deferred_interest == accrued(row)
        elif k < grace:
            assert row.principal == 0 and row.deferred_interest == 0
        else:
            assert row.deferred_interest <= 0
    # deferred interest is paid back in full, never more
    assert sum(row.deferred_interest for row in rows) == 0
    assert sum(row.interest for row in rows) == sum(accrued(row) for row in rows)
    assert rows[-1].principal > 0


@settings(max_examples=300, deadline=None)
@given(loans())
def test_annuity_totals_equal_and_last_within_proven_bound(loan: dict[str, object]) -> None:
    """Totals are equal but the last; |last - A| <= (|A - A*| + 1/2) * s_m (see below).

    Proof sketch: with e_k the interest rounding error (|e_k| <= 1/2, half-up) and
    d = A - A*, the balance error obeys D_k = D_{k-1}(1 + r) + e_k - d, and the last
    installment minus A equals D_m = sum_k (1 + r)^(m-k) (e_k - d), so
    |last - A| <= (1/2 + |d|) * s_m with s_m = ((1 + r)^m - 1) / r (= m when r = 0).
    With A = round(A*) this is <= s_m; "less than the tenor" holds only at r = 0.
    """
    loan["method"] = "annuity"
    rows = build_schedule(**loan)  # type: ignore[arg-type]
    grace = loan["grace_interest"] + loan["grace_principal"]  # type: ignore[operator]
    amortising = rows[grace:]
    m = len(amortising)
    r = periodic(loan["annual_rate"], loan["frequency"])  # type: ignore[arg-type]
    payment = amortising[0].principal + accrued(amortising[0])
    assert all(row.principal + accrued(row) == payment for row in amortising[:-1])
    # the deferred-interest share is equal on every row but the last, so totals are too
    assert len({row.total for row in amortising[:-1]}) <= 1
    last = amortising[-1].principal + accrued(amortising[-1])
    exact = annuity_exact(loan["principal"], r, m)  # type: ignore[arg-type]
    bound = (abs(payment - exact) + Fraction(1, 2)) * accumulation(r, m)
    assert abs(last - payment) <= bound
    if r == 0:
        assert abs(last - payment) < m or m == 1


@settings(max_examples=200, deadline=None)
@given(st.integers(1_000_000, 5_000_000_000), rates, st.integers(1, 120), frequencies)
def test_annuity_payment_is_the_rounded_closed_form(
    principal: int, rate: Decimal, tenor: int, frequency: str
) -> None:
    """Reference in float: P * r / (1 - (1 + r)^-n), rounded; ties are left out."""
    r = float(rate) / (12 if frequency == "monthly" else 52)
    # 1 - (1 + r)^-n written as -expm1(-n log1p(r)): the naive float form loses ~6 digits
    # to cancellation when r is tiny (0.01 % p.a. weekly) and then misses by a Rupiah.
    closed = principal / tenor if r == 0 else principal * r / -math.expm1(-tenor * math.log1p(r))
    assume(abs(closed - int(closed) - 0.5) > 1e-4)
    rows = build_schedule(principal, rate, tenor, FIRST_DUE, method="annuity", frequency=frequency)  # type: ignore[arg-type]
    assert rows[0].total == round(closed)


def test_worked_example_50_million_6_percent_24_months() -> None:
    rows = build_schedule(50_000_000, Decimal("0.06"), 24, FIRST_DUE, method="annuity")
    closed = 50_000_000 * 0.005 / (1 - 1.005**-24)  # 2,216,030.51...
    assert rows[0].total == round(closed) == 2_216_031  # not 2,216,033 as once quoted
    assert {row.total for row in rows[:-1]} == {2_216_031}
    total_interest = sum(row.interest for row in rows)
    # exact annuity interest is 24 * A* - P = 3,184,732.30; rounding moves it < 24 Rupiah
    assert abs(total_interest - (24 * closed - 50_000_000)) < 24
    assert total_interest == 3_184_732
    assert rows[0].interest == 250_000  # 0.5 % of 50 million
    assert rows[-1].total == rows[-1].principal + rows[-1].interest == 2_216_019


def test_equal_principal_and_flat_shapes() -> None:
    eq = build_schedule(1_000_000, Decimal("0.12"), 3, FIRST_DUE, method="equal_principal")
    assert [row.principal for row in eq] == [333_333, 333_333, 333_334]
    assert [row.interest for row in eq] == [10_000, 6_667, 3_333]
    flat = build_schedule(1_000_000, Decimal("0.12"), 3, FIRST_DUE, method="flat")
    assert [row.interest for row in flat] == [10_000, 10_000, 10_000]
    assert [row.principal for row in flat] == [333_333, 333_333, 333_334]


def test_grace_rows_and_deferred_interest_hand_computed() -> None:
    rows = build_schedule(
        1_200_000,
        Decimal("0.12"),
        5,
        FIRST_DUE,
        method="equal_principal",
        grace_interest=1,
        grace_principal=1,
    )
    assert [(r.principal, r.interest, r.deferred_interest) for r in rows] == [
        (0, 0, 12_000),  # nothing due, 1 % accrues and is deferred
        (0, 12_000, 0),  # interest only
        (400_000, 12_000 + 4_000, -4_000),  # deferred 12,000 paid back in three parts
        (400_000, 8_000 + 4_000, -4_000),
        (400_000, 4_000 + 4_000, -4_000),
    ]


def test_monthly_due_dates_keep_the_anchor_day() -> None:
    rows = build_schedule(1_000_000, Decimal("0.1"), 5, date(2028, 1, 31), method="annuity")
    assert [r.due_date for r in rows] == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
        date(2028, 4, 30),
        date(2028, 5, 31),
    ]


@given(st.dates(date(2000, 1, 1), date(2080, 12, 31)), st.integers(1, 60))
def test_due_dates_property(first_due: date, tenor: int) -> None:
    rows = build_schedule(1_000_000, Decimal("0.1"), tenor, first_due, method="flat")
    for k, row in enumerate(rows):
        month = first_due.month - 1 + k
        year, month = first_due.year + month // 12, month % 12 + 1
        assert row.due_date == date(
            year, month, min(first_due.day, calendar.monthrange(year, month)[1])
        )
    weekly = build_schedule(
        1_000_000, Decimal("0.1"), tenor, first_due, method="flat", frequency="weekly"
    )
    assert [r.due_date for r in weekly] == [first_due + timedelta(weeks=k) for k in range(tenor)]


def test_weekly_uses_rate_over_52() -> None:
    rows = build_schedule(
        5_200_000, Decimal("0.26"), 4, FIRST_DUE, method="equal_principal", frequency="weekly"
    )
    assert rows[0].interest == 26_000  # 0.5 % a week


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"principal": 0}, "principal"),
        ({"principal": 1.5}, "principal"),
        ({"annual_rate": Decimal("1")}, "annual_rate"),
        ({"annual_rate": Decimal("-0.01")}, "annual_rate"),
        ({"annual_rate": 0.06}, "annual_rate"),
        ({"tenor": 0}, "tenor"),
        ({"tenor": 361}, "tenor"),
        ({"grace_principal": 12}, "grace_principal"),
        ({"grace_interest": 6, "grace_principal": 6}, "grace_interest"),
        ({"grace_interest": -1}, "grace_interest"),
        ({"method": "balloon"}, "method"),
        ({"frequency": "daily"}, "frequency"),
        ({"day_count": "actual/365"}, "day_count"),  # without a start date
        ({"day_count": "actual/360"}, "day_count"),
        ({"rounding": "nearest"}, "rounding"),
    ],
)
def test_validation_names_the_argument(kwargs: dict[str, object], name: str) -> None:
    args: dict[str, object] = {
        "principal": 1_000_000,
        "annual_rate": Decimal("0.06"),
        "tenor": 12,
        "first_due": FIRST_DUE,
        "method": "annuity",
    }
    args.update(kwargs)
    with pytest.raises(ScheduleError, match=name):
        build_schedule(**args)  # type: ignore[arg-type]
    assert issubclass(ScheduleError, ValueError)


def test_table_and_cli(capsys: pytest.CaptureFixture[str]) -> None:
    rows = build_schedule(50_000_000, Decimal("0.06"), 24, FIRST_DUE, method="annuity")
    table = format_schedule_table(rows)
    assert (
        main(
            [
                "--principal",
                "50000000",
                "--rate",
                "0.06",
                "--tenor",
                "24",
                "--first-due",
                "2027-01-31",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.rstrip("\n")
    assert out == table
    lines = out.splitlines()
    assert len(lines) == 2 + 24 + 2
    assert "2.216.031" in lines[2] and lines[-1].split()[1:] == [
        "50.000.000",
        "3.184.732",
        "53.184.732",
    ]


def test_actual_365_charges_the_calendar_days_of_each_period() -> None:
    # 50 jt at 6 % over 24 months from 3 Nov 2026: the annuity keeps the 30/360 instalment
    # (2,216,031); interest is balance * 6 % * days / 365.
    start, first_due = date(2026, 11, 3), date(2026, 12, 3)
    rows = build_schedule(
        50_000_000,
        Decimal("0.06"),
        24,
        first_due,
        method="annuity",
        day_count="actual/365",
        start=start,
    )
    first = Decimal(50_000_000) * Decimal("0.06") * 30 / 365  # 246,575.34
    assert rows[0].interest == 246_575 == int(first.quantize(Decimal(1), "ROUND_HALF_UP"))
    assert rows[0].principal == 2_216_031 - 246_575
    second = Decimal(50_000_000 - rows[0].principal) * Decimal("0.06") * 31 / 365
    assert rows[1].interest == int(second.quantize(Decimal(1), "ROUND_HALF_UP"))
    assert sum(r.principal for r in rows) == 50_000_000 and rows[-1].closing_balance == 0
    thirty = build_schedule(50_000_000, Decimal("0.06"), 24, first_due, method="annuity")
    assert thirty[0].interest == 250_000  # 30/360 ignores the calendar


def test_actual_365_needs_a_start_before_the_first_due_date() -> None:
    with pytest.raises(ScheduleError, match="day_count"):
        build_schedule(
            1_000_000,
            Decimal("0.06"),
            12,
            FIRST_DUE,
            method="annuity",
            day_count="actual/365",
            start=FIRST_DUE,
        )
