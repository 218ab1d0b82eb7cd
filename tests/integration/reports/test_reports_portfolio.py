"""Portfolio quality against hand computations on a small portfolio built row by row."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from creditapp.errors import DomainError, NotFound
from creditapp.reports import resolve_scope
from creditapp.reports.portfolio import collectibility, par_by_program_province, portfolio
from tests.factories import core
from tests.factories.reports import Book

FEB, MAR = date(2026, 2, 28), date(2026, 3, 31)
M = 1_000_000

# (name, outstanding at the March run, dpd at the March run)
MARCH = [
    ("A", 10 * M, 0),
    ("B", 20 * M, 5),
    ("C", 30 * M, 45),
    ("D", 40 * M, 75),
    ("E", 50 * M, 100),
    ("F", 60 * M, 200),
    ("G", 70 * M, 0),  # restructured on 15 February: counts in "PAR30 + restructured"
    ("H", 5 * M, 0),  # restructured only on 10 April: not yet as of March
]


@pytest.fixture
def book(session: Session) -> tuple[Book, dict[str, object]]:
    book = Book.new(session)
    loans = {name: book.loan(bal + 10 * M) for name, bal, _ in MARCH}
    for name, bal, dpd in MARCH:
        book.status(loans[name], FEB, 0, bal + M)  # February: all current
        book.status(loans[name], MAR, dpd, bal)
    book.restructure(loans["G"], date(2026, 2, 15))
    book.restructure(loans["H"], date(2026, 4, 10))
    w = book.loan(15 * M)
    book.status(w, FEB, 170, 15 * M)
    book.write_off(w, date(2026, 3, 20), 15 * M)  # out of gross, reported apart
    book.run(FEB)
    book.run(MAR)
    return book, loans


def test_portfolio_matches_hand_computation(session: Session, book: object) -> None:
    figures = portfolio(session, resolve_scope(session, MAR))
    gross = (10 + 20 + 30 + 40 + 50 + 60 + 70 + 5) * M
    assert figures["gross_outstanding"] == gross == 285 * M
    assert figures["loans_active"] == 8
    assert figures["par1"] == pytest.approx((20 + 30 + 40 + 50 + 60) * M / gross)
    assert figures["par30"] == pytest.approx((30 + 40 + 50 + 60) * M / gross)
    assert figures["par60"] == pytest.approx((40 + 50 + 60) * M / gross)
    assert figures["par90"] == pytest.approx((50 + 60) * M / gross)
    assert figures["npl_ratio"] == pytest.approx((50 + 60) * M / gross)  # Kol 3 (E), Kol 5 (F)
    assert figures["par30_restructured"] == pytest.approx((30 + 40 + 50 + 60 + 70) * M / gross)
    assert figures["restructured_outstanding"] == 70 * M
    assert figures["collectibility"] == {
        "1": (10 + 70 + 5) * M,
        "2": (20 + 30 + 40) * M,
        "3": 50 * M,
        "4": 0,
        "5": 60 * M,
    }
    assert figures["collectibility_count"] == {"1": 3, "2": 3, "3": 1, "4": 0, "5": 1}
    assert figures["written_off_total"] == 15 * M
    assert figures["written_off_loans"] == 1


def test_a_past_date_reads_the_run_on_or_before_it(session: Session, book: object) -> None:
    figures = portfolio(session, resolve_scope(session, date(2026, 3, 15)))
    # The February run: 8 loans at balance + 1 juta, all current, plus W at 170 dpd.
    gross = sum(bal + M for _, bal, _ in MARCH) + 15 * M
    assert figures["snapshot"] == "2026-02-28"
    assert figures["gross_outstanding"] == gross
    assert figures["par90"] == pytest.approx(15 * M / gross)
    assert figures["collectibility"]["4"] == 15 * M
    assert figures["written_off_total"] == 0  # written off on 20 March


def test_collectibility_by_balance_and_count(session: Session, book: object) -> None:
    rows = collectibility(session, resolve_scope(session, MAR))
    assert [r["loans"] for r in rows] == [3, 3, 1, 0, 1]
    assert rows[1]["share_balance"] == pytest.approx(90 / 285)
    assert rows[0]["share_count"] == pytest.approx(3 / 8)
    assert sum(r["share_balance"] for r in rows) == pytest.approx(1.0)


def test_par_by_program_and_province(session: Session) -> None:
    book = Book.new(session)
    other = core.program(session, "ZZ-OTHER")
    a = book.loan(10 * M, province="32")
    b = book.loan(30 * M, province="32")
    c = book.loan(50 * M, province="35")
    d = book.loan(40 * M, province="32", program=other)
    for loan, dpd in ((a, 0), (b, 40), (c, 95), (d, 10)):
        book.status(loan, MAR, dpd, loan.principal)
    book.run(MAR)
    rows = par_by_program_province(session, resolve_scope(session, MAR))
    by_key = {(r["program"], r["province"]): r for r in rows}
    first = by_key[(book.program.code, "32")]
    assert first["gross_outstanding"] == 40 * M
    assert first["par30"] == pytest.approx(30 / 40)
    assert first["par90"] == 0.0
    assert by_key[(book.program.code, "35")]["npl_ratio"] == 1.0
    assert by_key[("ZZ-OTHER", "32")]["par1"] == 1.0
    assert by_key[("ZZ-OTHER", "32")]["par30"] == 0.0
    filtered = par_by_program_province(session, resolve_scope(session, MAR, program="ZZ-OTHER"))
    assert [(r["program"], r["province"]) for r in filtered] == [("ZZ-OTHER", "32")]


def test_program_and_lender_filters(session: Session) -> None:
    book = Book.new(session)
    other_lender = core.lender(session)
    mine = book.loan(10 * M)
    theirs = book.loan(30 * M, lender=other_lender)
    book.status(mine, MAR, 0, 10 * M)
    book.status(theirs, MAR, 100, 30 * M)
    book.run(MAR)
    scope = resolve_scope(session, MAR, lender=other_lender.code)
    figures = portfolio(session, scope)
    assert figures["gross_outstanding"] == 30 * M and figures["npl_ratio"] == 1.0
    mine_only = portfolio(session, resolve_scope(session, MAR, lender_id=book.lender.id))
    assert mine_only["gross_outstanding"] == 10 * M and mine_only["par1"] == 0.0
    with pytest.raises(NotFound):  # another tenant's lender code looks like a missing one
        resolve_scope(session, MAR, lender=other_lender.code, lender_id=book.lender.id)


def test_empty_portfolio_gives_zeros(session: Session) -> None:
    figures = portfolio(session, resolve_scope(session, date(2026, 3, 31)))
    assert figures["gross_outstanding"] == 0 and figures["loans_active"] == 0
    for name in ("par1", "par30", "par60", "par90", "npl_ratio", "par30_restructured"):
        assert figures[name] == 0.0
    assert figures["collectibility"] == {str(g): 0 for g in range(1, 6)}
    assert par_by_program_province(session, resolve_scope(session, MAR)) == []


def test_bad_input_is_refused(session: Session, book: object) -> None:
    with pytest.raises(DomainError) as after:
        resolve_scope(session, date(2026, 4, 1))
    assert after.value.status_code == 422
    assert "2026-03-31" in after.value.errors["as_of"][0]
    with pytest.raises(DomainError) as future:
        resolve_scope(session, date(2026, 3, 31), today=date(2026, 3, 30))
    assert "after today" in future.value.errors["as_of"][0]
    with pytest.raises(NotFound):
        resolve_scope(session, MAR, program="NOPE")
    with pytest.raises(NotFound):
        resolve_scope(session, MAR, lender="NOPE")
