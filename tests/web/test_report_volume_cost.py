"""The volume-and-quota and subsidy-and-guarantee pages on a portfolio small enough to work
out by hand: the figures the page adds itself (totals, per-program sums, months without a
disbursement), the names it puts on codes, filters, errors and downloads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from creditapp.models import GuaranteeClaim, Loan, ProgramLenderQuota, SubsidyAccrual
from creditapp.web.report_volume import month_series
from tests.factories import core
from tests.factories.reports import Book
from tests.web.conftest import People, sign_in
from tests.web.report_pages import element, rows_of, rp, sheet_rows, text

M = 1_000_000
MAR = date(2026, 3, 31)
Q = "as_of=2026-03-31"
P1 = "MIKRO-T"


@pytest.fixture
def book(session: Session, people: People) -> dict[str, Loan]:
    """Three loans: a (P1, L1, woman, 32, Jan, first-time), b (P1, L1, woman, 35, Mar, second
    access), c (P2 Kecil, L2, man, 32, Mar, first-time, repaid); quota P1 100 jt, L1 50 jt."""
    book = Book.new(session)
    other_program, other_lender = core.program(session, "KECIL-T"), core.lender(session, "L2-T")
    other_program.segment = "kecil"
    book.program.code = P1
    book.program.quota_total = 100 * M
    session.add(
        ProgramLenderQuota(
            program_id=book.program.id,
            lender_id=book.lender.id,
            segment="mikro",
            year=2026,
            quota=50 * M,
        )
    )
    a = book.loan(10 * M, gender="F", province="32", disbursed_on=date(2026, 1, 5))
    b = book.loan(30 * M, gender="F", province="35", disbursed_on=date(2026, 3, 5), access_count=1)
    c = book.loan(
        20 * M,
        gender="M",
        province="32",
        disbursed_on=date(2026, 3, 9),
        program=other_program,
        lender=other_lender,
    )
    a.approved_on, b.approved_on, c.approved_on = date(2026, 1, 3), date(2026, 3, 1), MAR
    book.status(a, MAR, 0, 8 * M)
    book.status(b, MAR, 0, 25 * M)
    c.status = "closed"  # repaid: no status row
    accruals = ((a, date(2026, 2, 1), 70_000), (a, date(2026, 3, 1), 65_000),
                (c, date(2026, 3, 1), 200_000), (c, date(2026, 4, 1), 1))  # fmt: skip
    for loan, start, amount in accruals:
        session.add(
            SubsidyAccrual(
                loan_id=loan.id,
                program_id=loan.program_id,
                period_start=start,
                period_end=start.replace(day=28),
                average_outstanding=M,
                subsidy_rate=Decimal("0.1"),
                amount=amount,
            )
        )
    for loan, status, claimed, paid in (
        (b, "submitted", 17_500_000, 0),
        (c, "paid", 14_000_000, 14_000_000),
    ):
        session.add(
            GuaranteeClaim(
                loan_id=loan.id,
                trigger="collectibility_4",
                claimed_on=MAR,
                outstanding_principal=claimed * 10 // 7,
                coverage=Decimal("0.7"),
                amount=claimed,
                status=status,
                paid_amount=paid,
            )
        )
    book.run(MAR)
    session.commit()
    return {"a": a, "b": b, "c": c}


def test_volume_by_program_with_totals_and_months(
    client: FlaskClient, people: People, book: dict[str, Loan]
) -> None:
    sign_in(client, people.manager.email)
    html = client.get(f"/reports/volume?{Q}").get_data(as_text=True)
    rows = rows_of(html, "volume")
    p1 = next(r for r in rows if r.strip().startswith(P1))
    # P1: a and b: 40 jt out, 33 jt outstanding, 2 debtors, average 20 jt, 1 of 2 first-time
    assert f"{rp(40 * M)} {rp(33 * M)} 2 {rp(20 * M)} 50,0%" in p1
    total = element(html, "volume-total")
    # all three loans: 60 jt, 33 jt outstanding, average 60/3 = 20 jt, first-time a and c: 2/3
    assert f"3 {rp(60 * M)} {rp(33 * M)} – {rp(20 * M)} 66,7%" in total
    # the month chart has February at zero between January and March
    assert "<title>2026-02: Rp 0</title>" in html
    assert "<title>2026-01: Rp 10 jt</title>" in html and "2026-03: Rp 50 jt" in html


def test_volume_groupings_name_their_values(
    client: FlaskClient, people: People, book: dict[str, Loan]
) -> None:
    sign_in(client, people.manager.email)
    by_segment = text(client.get(f"/reports/volume?{Q}&by=segment").get_data(as_text=True))
    assert "Mikro" in by_segment and "Kecil" in by_segment
    by_province = client.get(f"/reports/volume?{Q}&by=province").get_data(as_text=True)
    provinces = rows_of(by_province, "volume")
    assert provinces[0].strip().startswith("32 Jawa Barat 2 ")  # a and c
    assert provinces[1].strip().startswith("35 Jawa Timur 1 ")
    by_gender = rows_of(
        client.get(f"/reports/volume?{Q}&by=gender").get_data(as_text=True), "volume"
    )
    assert by_gender[0].strip().startswith("Perempuan") and by_gender[1].strip().startswith("Laki")
    by_sector = client.get(f"/reports/volume?{Q}&by=sector").get_data(as_text=True)
    assert "10 Industri makanan" in text(by_sector)
    by_month = rows_of(client.get(f"/reports/volume?{Q}&by=month").get_data(as_text=True), "volume")
    assert [r.split()[0] for r in by_month] == ["2026-01", "2026-03"]


def test_quota_used_and_left(client: FlaskClient, people: People, book: dict[str, Loan]) -> None:
    sign_in(client, people.manager.email)
    html = client.get(f"/reports/volume?{Q}").get_data(as_text=True)
    rows = rows_of(html, "quota")
    p1 = P1
    mine = [r.strip() for r in rows if r.strip().startswith(p1)]
    # P1 in 2026: a (10 jt) and b (30 jt) approved: 40 of 100 used; L1's 50 jt: 10 left
    assert f"{p1} Semua penyalur {rp(100 * M)} {rp(40 * M)} {rp(60 * M)} 40,0%" in mine[0]
    assert f"{rp(50 * M)} {rp(40 * M)} {rp(10 * M)} 80,0%" in mine[1]
    assert any("KECIL-T" in r and "tanpa kuota" in r for r in rows)
    assert 'aria-labelledby="qt-t qt-d"' in html  # the used-vs-left chart


def test_volume_filters_and_downloads(
    client: FlaskClient, people: People, book: dict[str, Loan]
) -> None:
    sign_in(client, people.manager.email)
    html = client.get(f"/reports/volume?{Q}&province=35&by=gender").get_data(as_text=True)
    assert len(rows_of(html, "volume")) == 1  # only b's enterprise is in 35
    assert 'value="35" selected' in html and 'value="gender" selected' in html
    bad = client.get(f"/reports/volume?{Q}&by=shoe_size")
    assert bad.status_code == 422 and 'href="#by"' in bad.get_data(as_text=True)
    assert client.get(f"/reports/volume?{Q}&lender=NOPE").status_code == 404
    late = client.get("/reports/volume?as_of=2026-04-30")
    assert late.status_code == 422 and "2026-03-31" in late.get_data(as_text=True)
    future = client.get("/reports/volume?as_of=2999-01-01")
    assert future.status_code == 422 and 'href="#as_of"' in future.get_data(as_text=True)
    assert "by=segment" in client.get(f"/reports/volume?{Q}&by=segment").get_data(as_text=True)
    rows = sheet_rows(client, f"/reports/download/volume.xlsx?{Q}&by=segment")
    assert {r["segment"]: r["disbursed"] for r in rows} == {"mikro": 40 * M, "kecil": 20 * M}
    assert all(isinstance(r["loans"], int) for r in rows)
    quota = sheet_rows(client, f"/reports/download/quota.xlsx?{Q}")
    assert next(r for r in quota if r["lender"] is None and r["quota"])["left"] == 60 * M
    assert client.get(f"/reports/download/volume.csv?{Q}&by=shoe").status_code == 422


def test_subsidy_and_guarantee(client: FlaskClient, people: People, book: dict[str, Loan]) -> None:
    sign_in(client, people.manager.email)
    html = client.get(f"/reports/cost?{Q}").get_data(as_text=True)
    # periods ending by 31 March: a 70 000 + 65 000, c 200 000 (April's 1 is not over)
    assert element(html, "subsidy-total", "dd").strip() == rp(335_000)
    facts = text(html)
    assert f"KECIL-T {rp(200_000)}" in facts and f"{P1} {rp(135_000)}" in facts
    assert len(rows_of(html, "subsidy")) == 3
    # cover: 70% of a's 8 jt and b's 25 jt outstanding
    assert element(html, "cover", "dd").strip() == rp(5_600_000 + 17_500_000)
    total = element(html, "claims-total")
    assert f"2 {rp(31_500_000)} {rp(14_000_000)}" in total
    statuses = [r.split()[0] for r in rows_of(html, "claims")]
    assert statuses == ["Dibayar", "Diajukan"]
    since = client.get(f"/reports/cost?{Q}&period_start=2026-03-01").get_data(as_text=True)
    assert element(since, "subsidy-total", "dd").strip() == rp(265_000)
    rows = sheet_rows(client, f"/reports/download/subsidy.xlsx?{Q}&period_start=2026-03-01")
    assert sorted(r["accrued"] for r in rows) == [65_000, 200_000]
    claims = sheet_rows(client, f"/reports/download/guarantee.xlsx?{Q}", sheet="claims")
    assert sum(r["amount"] for r in claims) == 31_500_000
    bad = client.get(f"/reports/cost?{Q}&period_start=2026-04-01")
    assert bad.status_code == 422 and 'href="#period_start"' in bad.get_data(as_text=True)


def test_month_series_fills_gaps_across_a_year_end() -> None:
    rows = [{"month": "2025-11", "disbursed": 5}, {"month": "2026-02", "disbursed": 7}]
    assert month_series(rows) == [("2025-11", 5), ("2025-12", 0), ("2026-01", 0), ("2026-02", 7)]
    assert month_series([]) == []
