"""The closed historic book: money adds up, month-end states match a plain per-loan replay,
and defaulters are written off by the demo policy."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures import Population, generate_population
from fixtures.loan_history import ClosedHistory, closed_history, grade, month_ends_between
from loanmath.dates import add_months
from scoring.raw import day_number

AS_OF = date(2026, 10, 31)
CLOSED_BY = day_number(AS_OF) - 31


@pytest.fixture(scope="module")
def book() -> tuple[Population, ClosedHistory]:
    pop = generate_population(400, 3, AS_OF, applied_months=(84, 36))
    lo = pop.loans
    return pop, closed_history(lo, pop.loan_payments, pop.defaulted[lo.app], CLOSED_BY)


def _day(n: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(n))


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _next_month_end(d: date) -> date:
    return _month_end(_month_end(d) + timedelta(days=1))


def _fixture_dues(pop: Population, i: int) -> list[date]:
    """Due date of every fixture installment of loan row ``i`` (grace pushes later ones)."""
    lo = pop.loans
    n = int(lo.tenor_months[i]) + int(lo.extension_months[i])
    r, g = int(lo.restructured_at_installment[i]), int(lo.grace_months[i])
    start = _day(lo.disbursed[i])
    return [add_months(start, j + (g if 0 < r <= j else 0)) for j in range(1, n + 1)]


def _settled_days(pop: Population, i: int, n: int) -> list[date | None]:
    """Day each installment's payments reached its whole amount (None: never)."""
    lp = pop.loan_payments
    rows = np.flatnonzero(lp.loan_id == pop.loans.loan_id[i])
    share = [0.0] * n
    out: list[date | None] = [None] * n
    for k in sorted(rows, key=lambda k: (int(lp.paid_day[k]), int(lp.installment_no[k]))):
        j = int(lp.installment_no[k]) - 1
        share[j] += float(lp.fraction[k])
        if out[j] is None and share[j] > 0.999:
            out[j] = _day(lp.paid_day[k])
    return out


def test_money_adds_up(book: tuple[Population, ClosedHistory]) -> None:
    pop, h = book
    m = pop.loans.loan_id.size
    scheduled = np.bincount(h.inst_loan, h.inst_principal, m).astype(np.int64)
    assert np.array_equal(scheduled, pop.loans.principal)
    repaid = np.bincount(h.pay_loan, h.pay_principal, m).astype(np.int64)
    closed = ~h.written_off
    assert np.array_equal(repaid[closed], h.principal[closed])
    assert np.array_equal(repaid[~closed] + h.write_off_amount[~closed], h.principal[~closed])
    assert (h.write_off_amount[h.written_off] > 0).all()
    assert (h.inst_principal_paid <= h.inst_principal).all()
    assert (h.inst_interest_paid <= h.inst_interest).all()
    allocated = np.bincount(h.pay_inst, h.pay_principal, h.inst_loan.size).astype(np.int64)
    assert np.array_equal(allocated, h.inst_principal_paid)
    assert (h.st_outstanding >= 0).all() and (h.st_arrears >= 0).all()
    assert (h.closed_day <= CLOSED_BY).all()
    assert (h.pay_day <= h.closed_day[h.pay_loan]).all()


def test_every_defaulter_is_written_off_by_the_policy(
    book: tuple[Population, ClosedHistory],
) -> None:
    pop, h = book
    assert np.array_equal(h.written_off, pop.defaulted[pop.loans.app])
    assert h.written_off.sum() >= 10
    for i in np.flatnonzero(h.written_off)[:40]:
        rows = np.flatnonzero(h.st_loan == i)
        over = [k for k in rows if h.st_dpd[k] > 180]
        assert over, "written off without ever being Macet"
        first_over = _day(h.st_day[over[0]])
        assert _day(h.closed_day[i]) == _next_month_end(first_over)
        assert _day(h.st_day[rows[-1]]) == first_over  # no status row once written off


def test_month_end_states_match_a_plain_replay(book: tuple[Population, ClosedHistory]) -> None:
    pop, h = book
    checked = 0
    for i in range(0, pop.loans.loan_id.size, 7):
        dues = _fixture_dues(pop, i)
        settled = _settled_days(pop, i, len(dues))
        close = _day(h.closed_day[i])
        ends, e = [], _month_end(_day(pop.loans.disbursed[i]))
        while e < close:
            ends.append(e)
            e = _next_month_end(e)
        rows = np.flatnonzero(h.st_loan == i)
        assert [_day(d) for d in h.st_day[rows]] == ends
        for k, e in zip(rows, ends, strict=True):
            unpaid = next(
                (j for j, s in enumerate(settled) if s is None or s > e), len(dues)
            )  # the oldest installment not settled by the end of day e
            dpd = (e - dues[unpaid]).days if unpaid < len(dues) and dues[unpaid] < e else 0
            assert h.st_dpd[k] == dpd, (i, e)
            checked += 1
    assert checked > 1000


def test_grades_and_month_ends() -> None:
    assert grade(np.array([0, 1, 90, 91, 120, 121, 180, 181])).tolist() == [1, 2, 2, 3, 3, 4, 4, 5]
    jan31, mar15 = day_number(date(2024, 1, 31)), day_number(date(2024, 3, 15))
    row, day = month_ends_between(np.array([jan31]), np.array([mar15]))
    assert [_day(d) for d in day] == [date(2024, 1, 31), date(2024, 2, 29)]
    assert row.tolist() == [0, 0]


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), cut_months=st.integers(0, 12))
def test_the_ledger_balances_for_any_population(seed: int, cut_months: int) -> None:
    """Any population and closing date: the principal is scheduled, repaid or written off
    exactly once, and a loan's month-end balance never rises."""
    pop = generate_population(120, seed, AS_OF, applied_months=(84, 36))
    lo = pop.loans
    closed_by = day_number(add_months(AS_OF, -1 - cut_months))
    h = closed_history(lo, pop.loan_payments, pop.defaulted[lo.app], closed_by)
    m = lo.loan_id.size
    repaid = np.bincount(h.pay_loan, h.pay_principal, m).astype(np.int64)
    assert np.array_equal(repaid + h.write_off_amount, lo.principal)
    assert np.array_equal(
        np.bincount(h.inst_loan, h.inst_principal, m).astype(np.int64), lo.principal
    )
    assert (h.closed_day <= closed_by).all()
    same_loan = h.st_loan[1:] == h.st_loan[:-1]
    assert (np.diff(h.st_outstanding)[same_loan] <= 0).all()
