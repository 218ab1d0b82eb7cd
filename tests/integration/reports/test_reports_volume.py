"""Volume, quota, subsidy and guarantee cover against hand computations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from creditapp.errors import DomainError
from creditapp.models import GuaranteeClaim, ProgramLenderQuota, SubsidyAccrual
from creditapp.reports import resolve_scope
from creditapp.reports.volume import guarantee, quota, subsidy, volume
from tests.factories import core
from tests.factories.reports import Book

M = 1_000_000
MAR = date(2026, 3, 31)


def test_volume_by_gender_province_and_month(session: Session) -> None:
    book = Book.new(session)
    a = book.loan(10 * M, gender="F", province="32", disbursed_on=date(2026, 1, 5))
    b = book.loan(30 * M, gender="F", province="35", disbursed_on=date(2026, 2, 5), access_count=1)
    c = book.loan(20 * M, gender="M", province="32", disbursed_on=date(2026, 2, 9))
    book.status(a, MAR, 0, 8 * M)
    book.status(b, MAR, 0, 25 * M)  # c has been repaid: no status row
    c.status = "closed"
    book.run(MAR)
    scope = resolve_scope(session, MAR)
    by_gender = {r["gender"]: r for r in volume(session, scope, "gender")}
    assert by_gender["F"]["disbursed"] == 40 * M and by_gender["F"]["loans"] == 2
    assert by_gender["F"]["outstanding"] == 33 * M and by_gender["F"]["debtors"] == 2
    assert by_gender["F"]["average_loan"] == 20 * M
    assert by_gender["F"]["first_time_share"] == pytest.approx(0.5)
    assert by_gender["M"]["outstanding"] == 0 and by_gender["M"]["debtors"] == 0
    by_month = {r["month"]: r["disbursed"] for r in volume(session, scope, "month")}
    assert by_month == {"2026-01": 10 * M, "2026-02": 50 * M}
    by_size = volume(session, scope, "size_class")
    assert [r["size_class"] for r in by_size] == ["micro"]  # 600 juta sales <= 2 miliar
    with pytest.raises(DomainError):
        volume(session, scope, "shoe_size")


def test_quota_used_and_left(session: Session) -> None:
    book = Book.new(session)
    book.program.quota_total = 100 * M
    session.add(
        ProgramLenderQuota(
            program_id=book.program.id,
            lender_id=book.lender.id,
            segment="mikro",
            year=2026,
            quota=60 * M,
        )
    )
    other = core.lender(session)
    book.loan(25 * M).approved_on = date(2026, 2, 1)
    book.loan(15 * M, lender=other).approved_on = date(2026, 3, 1)
    book.loan(40 * M).approved_on = date(2025, 12, 1)  # last year's quota
    session.flush()
    rows = quota(session, resolve_scope(session, MAR, program=book.program.code))
    total = next(r for r in rows if r["lender"] is None)
    assert total["used"] == 40 * M and total["left"] == 60 * M and total["quota"] == 100 * M
    mine = next(r for r in rows if r["lender"] == book.lender.code)
    assert mine["used"] == 25 * M and mine["left"] == 35 * M
    theirs = next(r for r in rows if r["lender"] == other.code)
    assert theirs["quota"] is None and theirs["used"] == 15 * M


def test_subsidy_and_guarantee(session: Session) -> None:
    book = Book.new(session)
    a, b = book.loan(10 * M), book.loan(33 * M)
    for loan, start, amount in (
        (a, date(2026, 2, 1), 70_000),
        (a, date(2026, 3, 1), 65_000),
        (b, date(2026, 3, 1), 200_000),
        (b, date(2026, 4, 1), 1),
    ):
        end = date(start.year, start.month, 28)
        session.add(
            SubsidyAccrual(
                loan_id=loan.id,
                program_id=book.program.id,
                period_start=start,
                period_end=end,
                average_outstanding=M,
                subsidy_rate=Decimal("0.1"),
                amount=amount,
            )
        )
    book.status(a, MAR, 0, 10 * M)
    book.status(b, MAR, 130, 33 * M)
    session.add(
        GuaranteeClaim(
            loan_id=b.id,
            trigger="collectibility_4",
            claimed_on=MAR,
            outstanding_principal=33 * M,
            coverage=Decimal("0.7"),
            amount=23_100_000,
            status="submitted",
            paid_amount=0,
        )
    )
    book.run(MAR)
    scope = resolve_scope(session, MAR)
    rows = subsidy(session, scope)
    assert [(r["month"], r["accrued"]) for r in rows] == [("2026-02", 70_000), ("2026-03", 265_000)]
    cover = guarantee(session, scope)
    assert cover["cover_exposure"] == (10 * M + 33 * M) * 7 // 10  # coverage 0.70
    assert cover["claims"] == [
        {"status": "submitted", "claims": 1, "amount": 23_100_000, "paid_amount": 0}
    ]
