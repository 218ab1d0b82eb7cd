"""Property tests of the arithmetic helpers against independent references."""

from __future__ import annotations

import calendar
from datetime import date

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from fixtures.calendar import (
    add_months,
    days_in_month,
    lebaran_day,
    lebaran_days,
    month_of_day,
    ramadan_share,
)
from fixtures.risk import auc
from fixtures.transactions import segment_positions
from loanmath.dates import add_months as loanmath_add_months
from scoring.raw import day_number, from_day_number, month_number

dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(dates, st.integers(-60, 60))
def test_add_months_matches_python_calendar(d: date, k: int) -> None:
    y, m = divmod(d.month - 1 + k, 12)
    y += d.year
    last = calendar.monthrange(y, m + 1)[1]
    expect = date(y, m + 1, min(d.day, last))
    got = add_months(np.array([day_number(d)]), np.array([k]))[0]
    assert from_day_number(int(got)) == expect
    # the array form is the loan arithmetic's one month rule, applied to day numbers
    assert from_day_number(int(got)) == loanmath_add_months(d, k)


@given(dates)
def test_month_of_day_and_length(d: date) -> None:
    m = month_of_day(np.array([day_number(d)]))
    assert m[0] == month_number(d.year, d.month)
    assert days_in_month(m)[0] == calendar.monthrange(d.year, d.month)[1]


@given(st.integers(2000, 2060))
def test_lebaran_moves_a_lunar_year_and_ramadan_shares_add_up(year: int) -> None:
    leb = lebaran_day(year)
    assert from_day_number(leb).year == year
    nxt = lebaran_days(leb + 1, leb + 400)[0]
    assert 353 <= nxt - leb <= 356  # the Hijri year
    months = np.arange(month_number(year - 1, 1), month_number(year + 2, 1))
    ram, post = ramadan_share(months)
    lengths = days_in_month(months)
    # the days of this year's Ramadan (30) and post-Lebaran week (7) are all counted once
    inside = (months >= month_of_day(np.array([leb - 30]))[0]) & (
        months <= month_of_day(np.array([leb + 7]))[0]
    )
    assert abs((ram * lengths)[inside].sum() - 30) < 1e-9
    assert abs((post * lengths)[inside].sum() - 7) < 1e-9
    assert np.all((ram >= 0) & (ram <= 1) & (post >= 0) & (post <= 1))


def test_lebaran_table_dates() -> None:
    assert from_day_number(lebaran_day(2024)) == date(2024, 4, 10)
    assert from_day_number(lebaran_day(2026)) == date(2026, 3, 20)


@given(st.lists(st.integers(0, 6), min_size=1, max_size=30))
def test_segment_positions_counts_within_groups(counts: list[int]) -> None:
    c = np.array(counts, dtype=np.int64)
    expect = [k for n in counts for k in range(n)]
    assert segment_positions(c).tolist() == expect


@given(
    st.lists(st.tuples(st.integers(0, 20), st.booleans()), min_size=2, max_size=60).filter(
        lambda rows: 0 < sum(b for _, b in rows) < len(rows)
    )
)
def test_auc_equals_sklearn(rows: list[tuple[int, bool]]) -> None:
    score = np.array([s for s, _ in rows], dtype=np.float64)
    label = np.array([b for _, b in rows])
    assert abs(auc(score, label) - roc_auc_score(label, score)) < 1e-12
