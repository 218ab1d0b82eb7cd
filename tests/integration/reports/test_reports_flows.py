"""Collection rate, write-offs, roll rates and vintages against hand computations."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError
from creditapp.models import Repayment
from creditapp.reports import resolve_scope
from creditapp.reports.flows import collection_rate, write_off_ratio
from creditapp.reports.migration import roll_rates, vintages
from tests.factories.reports import Book

M = 1_000_000
JAN, FEB, MAR = date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)


def test_collection_rate_on_time_and_late(session: Session) -> None:
    book = Book.new(session)
    loan = book.loan(30 * M)
    early = book.installment(loan, 1, date(2026, 2, 10), 1_000_000, 100_000)  # before March
    i2 = book.installment(loan, 2, date(2026, 3, 10), 1_000_000, 100_000)
    i3 = book.installment(loan, 3, date(2026, 3, 25), 2_000_000, 200_000)
    later = book.installment(loan, 4, date(2026, 4, 10), 1_000_000, 100_000)  # after as_of
    book.pay(loan, early, date(2026, 2, 10), 1_000_000, 100_000)
    book.pay(loan, i2, date(2026, 3, 10), 1_000_000, 100_000)  # on time: 1.1 juta
    book.pay(loan, i3, date(2026, 3, 28), 500_000, 200_000)  # late: 0.7 juta
    book.pay(loan, i3, date(2026, 4, 2), 100_000, 0)  # after as_of: not counted
    book.pay(loan, later, date(2026, 3, 30), 50_000, 0)  # due after the period
    book.run(MAR)
    book.run(date(2026, 4, 30))
    result = collection_rate(session, resolve_scope(session, MAR))
    due = 1_100_000 + 2_200_000
    assert result["fallen_due"] == due
    assert result["collected_on_time"] == 1_100_000
    assert result["collected_late"] == 700_000
    assert result["collection_rate"] == pytest.approx(1_800_000 / due)
    assert result["on_time_rate"] == pytest.approx(1_100_000 / due)
    assert result["late_rate"] == pytest.approx(700_000 / due)
    # a repayment reversed later (in April) still counted in March; once reversed on or
    # before the as-of date it was never collected: 0.7 juta late comes off
    rep = session.scalars(select(Repayment).where(Repayment.paid_on == date(2026, 3, 28))).one()
    rep.reversed_on = date(2026, 4, 5)
    session.flush()
    assert collection_rate(session, resolve_scope(session, MAR))["collected_late"] == 700_000
    april = collection_rate(session, resolve_scope(session, date(2026, 4, 30)), date(2026, 3, 1))
    # April 30: due in [Mar 1, Apr 30] = i2, i3, later (1.1 + 2.2 + 1.1 juta); collected: i2 on
    # time 1.1, i3's 0.1 juta of Apr 2 late, `later`'s 50 rb early (on time); the reversed
    # 0.7 juta is gone
    assert april["fallen_due"] == 1_100_000 + 2_200_000 + 1_100_000
    assert april["collected_on_time"] == 1_100_000 + 50_000
    assert april["collected_late"] == 100_000
    rep.reversed_on = None
    session.flush()
    whole = collection_rate(session, resolve_scope(session, MAR), date(2026, 2, 1))
    assert whole["fallen_due"] == due + 1_100_000
    assert whole["collected_on_time"] == 2_200_000
    with pytest.raises(DomainError):
        collection_rate(session, resolve_scope(session, MAR), date(2026, 4, 1))


def test_write_off_ratio_and_recovery_rate(session: Session) -> None:
    book = Book.new(session)
    a, b, w = book.loan(100 * M), book.loan(50 * M), book.loan(20 * M)
    for loan, bal in ((a, 100 * M), (b, 50 * M), (w, 20 * M)):
        book.status(loan, FEB, 0, bal)
    book.status(a, MAR, 0, 90 * M)
    book.status(b, MAR, 0, 40 * M)
    book.write_off(w, date(2026, 3, 20), 20 * M)
    book.move(w, "recovery", 5 * M, 0, date(2026, 3, 25))
    book.run(FEB)
    book.run(MAR)
    result = write_off_ratio(session, resolve_scope(session, MAR))
    average = ((100 + 50 + 20) * M + (90 + 40) * M) / 2  # opening (February run) and closing
    assert result["written_off"] == 20 * M
    assert result["average_gross"] == average
    assert result["write_off_ratio"] == pytest.approx(20 * M / average)
    assert result["recovered"] == 5 * M
    assert result["recovery_rate"] == pytest.approx(5 / 20)


def test_roll_rates_of_balances(session: Session) -> None:
    book = Book.new(session)
    # (February dpd, February balance, March dpd or None, what happened)
    cases = [
        (0, 10 * M, 0, None),
        (0, 30 * M, 20, None),
        (10, 20 * M, 40, None),
        (10, 20 * M, 0, None),
        (150, 40 * M, None, "written_off"),
        (0, 5 * M, None, "closed"),
    ]
    for dpd0, bal, dpd1, end in cases:
        loan = book.loan(bal)
        book.status(loan, FEB, dpd0, bal)
        if dpd1 is not None:
            book.status(loan, MAR, dpd1, bal - M)
        elif end == "written_off":
            book.write_off(loan, date(2026, 3, 15), bal)
        else:
            loan.status, loan.closed_on = "closed", date(2026, 3, 5)
    book.run(FEB)
    book.run(MAR)
    result = roll_rates(session, resolve_scope(session, MAR))
    rows = {r["from"]: r for r in result["rows"]}
    assert result["from_date"] == "2026-02-28"
    current = rows["current"]  # 10 + 30 + 5 juta at the start
    assert current["balance"] == 45 * M
    assert current["current"] == pytest.approx(10 / 45)
    assert current["1-30"] == pytest.approx(30 / 45)
    assert current["closed"] == pytest.approx(5 / 45)
    assert rows["1-30"]["31-60"] == pytest.approx(0.5)
    assert rows["1-30"]["current"] == pytest.approx(0.5)
    assert rows["91-180"]["written_off"] == 1.0
    for row in result["rows"]:
        shares = [v for k, v in row.items() if k not in ("from", "loans", "balance")]
        assert sum(shares) == pytest.approx(1.0)


def test_roll_rates_compare_month_ends(session: Session) -> None:
    """As of 30 April the start is the run of 31 March (not 30 March's latest, 28 February)."""
    book = Book.new(session)
    loan = book.loan(10 * M)
    book.status(loan, FEB, 0, 10 * M)
    book.status(loan, MAR, 0, 9 * M)
    book.status(loan, date(2026, 4, 30), 45, 9 * M)
    for day in (FEB, MAR, date(2026, 4, 30)):
        book.run(day)
    result = roll_rates(session, resolve_scope(session, date(2026, 4, 30)))
    assert result["from_date"] == "2026-03-31"
    (row,) = result["rows"]
    assert (row["from"], row["balance"], row["31-60"]) == ("current", 9 * M, 1.0)


def test_vintage_curves(session: Session) -> None:
    book = Book.new(session)
    a = book.loan(10 * M, disbursed_on=date(2026, 1, 5))
    b = book.loan(30 * M, disbursed_on=date(2026, 1, 20))
    c = book.loan(60 * M, disbursed_on=date(2026, 1, 25))
    d = book.loan(50 * M, disbursed_on=date(2026, 2, 3))
    # a: 45 dpd in February, cured in March; b: 95 dpd in March; c: written off in March.
    history = {a: (0, 45, 0), b: (0, 35, 95), c: (20, 25, None), d: (None, 0, 31)}
    for loan, dpds in history.items():
        for day, dpd in zip((JAN, FEB, MAR), dpds, strict=True):
            if dpd is not None:
                book.status(loan, day, dpd, loan.principal)
    book.write_off(c, date(2026, 3, 10), 60 * M)
    for day in (JAN, FEB, MAR):
        book.run(day)
    rows = vintages(session, resolve_scope(session, MAR))["rows"]
    jan = {r["mob"]: r for r in rows if r["cohort"] == "2026-01"}
    feb = {r["mob"]: r for r in rows if r["cohort"] == "2026-02"}
    assert sorted(jan) == [0, 1, 2] and sorted(feb) == [0, 1]
    total = 100 * M
    assert jan[0]["dpd30"] == 0.0
    assert jan[1]["dpd30"] == pytest.approx((10 + 30) / 100)  # a and b passed 30 dpd
    assert jan[2]["dpd30"] == pytest.approx((10 + 30 + 60) / 100)  # c written off
    assert jan[1]["dpd90"] == 0.0
    assert jan[2]["dpd90"] == pytest.approx((30 + 60) / 100)
    assert jan[2]["written_off"] == pytest.approx(60 / 100)
    assert jan[0]["disbursed"] == total
    assert feb[1]["dpd30"] == 1.0 and feb[0]["dpd30"] == 0.0
    for cohort in (jan, feb):
        for key in ("dpd30", "dpd90", "written_off"):
            curve = [cohort[m][key] for m in sorted(cohort)]
            assert curve == sorted(curve)


def test_empty_portfolio_has_empty_tables(session: Session) -> None:
    scope = resolve_scope(session, MAR)
    assert roll_rates(session, scope)["rows"] == []
    assert vintages(session, scope)["rows"] == []
    assert collection_rate(session, scope)["collection_rate"] == 0.0
    assert write_off_ratio(session, scope)["write_off_ratio"] == 0.0
