"""The graduation and inclusion pages on enterprises worked out by hand: rates financed
against the comparison group (and the page's own all-groups line), the transition matrix, the
strategy indicators, the not-causal statement in both languages, the four-fifths flag, and
the province filter reaching the comparison group and the decisions."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from creditapp.models import Application, Certification, Enterprise, SizeObservation, User
from creditapp.reports import resolve_scope
from creditapp.reports.graduation import graduation_rate, size_transitions
from creditapp.reports.inclusion import inclusion
from creditapp.web.report_graduation import overall
from tests.factories import core
from tests.factories.loans import user
from tests.factories.reports import Book, decided, scored
from tests.web.conftest import People, sign_in
from tests.web.report_pages import element, rows_of, rp, sheet_rows, text

AS_OF = date(2026, 3, 31)
Q = "as_of=2026-03-31"
MILIAR = 1_000_000_000
M = 1_000_000


def observe(session: Session, enterprise_id: int, on: date, sales: int, workers: int) -> None:
    """A size observation with its classes written out by hand (PP 7/2021 and BPS)."""
    session.add(
        SizeObservation(
            enterprise_id=enterprise_id,
            observed_on=on,
            source="survey",
            annual_sales=sales,
            assets=None,
            workers=workers,
            size_class_sales="micro" if sales <= 2 * MILIAR else "small",
            size_class_workers="micro" if workers <= 4 else "small",
        )
    )
    session.flush()


@pytest.fixture
def world(session: Session, people: People) -> Book:
    """Financed E1-E3 (Jan 2024) and E4 (Dec 2025), comparison C1 (followed) and C2 (not),
    as in the graduation report's own test; C2 lives in province 35, the rest in 32."""
    book = Book.new(session)
    jan24 = date(2024, 1, 10)
    loans = {k: book.loan(50 * M, disbursed_on=jan24) for k in ("E1", "E2", "E3")}
    loans["E4"] = book.loan(50 * M, disbursed_on=date(2025, 12, 1), gender="M")
    ids = {k: loan.enterprise_id for k, loan in loans.items()}
    for key in ("E1", "E2", "E3"):
        observe(session, ids[key], date(2024, 1, 2), int(1.5 * MILIAR), 3)
    observe(session, ids["E1"], date(2024, 10, 1), 3 * MILIAR, 3)  # small by sales, 9 months
    observe(session, ids["E2"], date(2025, 6, 1), 3 * MILIAR, 6)  # small by both, 17 months
    observe(session, ids["E3"], date(2024, 6, 1), int(1.8 * MILIAR), 3)  # still micro
    observe(session, ids["E4"], date(2025, 11, 20), int(1.5 * MILIAR), 3)
    observe(session, ids["E4"], date(2026, 2, 1), 3 * MILIAR, 3)
    for follow_up, province in ((True, "32"), (False, "35")):  # C1, C2
        app = core.application(session, book.lender, book.program)
        app.applied_on = date(2024, 2, 1)
        enterprise = session.get(Enterprise, app.enterprise_id)
        assert enterprise is not None
        enterprise.province = province
        observe(session, app.enterprise_id, date(2024, 2, 1), int(1.5 * MILIAR), 3)
        if follow_up:
            observe(session, app.enterprise_id, date(2024, 12, 1), 3 * MILIAR, 3)
    later = Application(
        lender_id=book.lender.id,
        enterprise_id=ids["E1"],
        program_id=book.program.id,
        applied_on=date(2024, 11, 1),
        requested_amount=60 * M,
        tenor_months=24,
        purpose="working_capital",
        profile_other_productive_credit=True,
    )
    session.add(later)
    session.flush()
    session.add(Certification(application_id=later.id, kind="HALAL", issued_on=date(2024, 5, 1)))
    session.commit()
    return book


def test_graduation_page(client: FlaskClient, people: People, world: Book) -> None:
    sign_in(client, people.manager.email)
    resp = client.get(f"/reports/graduation?{Q}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    # all cohorts together, financed: followed 12 = E1, E3 (1 graduated by sales: 50%, none
    # by workers); followed 24 = E1, E2, E3 (sales E1, E2: 66.7%; workers E2: 33.3%)
    assert "4 2 50,0% 0,0% 3 66,7% 33,3%" in element(html, "total-financed")
    # comparison: C1 followed both windows and became small by sales; C2 never seen again
    assert "2 1 100,0% 0,0% 1 100,0% 0,0%" in element(html, "total-comparison")
    cohorts = rows_of(html, "graduation")
    assert cohorts[0].split()[:3] == ["2024-01", "Dibiayai", "3"]
    assert "Deskriptif, bukan kausal." in text(html)
    sales = rows_of(html, "transitions-sales")
    # observed more than once: E1-E4 and C1; E1, E2, E4, C1 became small by sales
    assert sales[0].split()[:4] == ["Mikro", "5", "20,0%", "80,0%"]
    halal = next(r for r in rows_of(html, "indicators") if "halal" in r.lower())
    assert halal.split()[-6:-3] == ["0,0%", "25,0%", "25,0%"]  # financed: E1 after, new
    commercial = next(r for r in rows_of(html, "indicators") if "komersial" in r)
    assert "25,0%" in commercial
    assert html.count('role="img"') >= 3  # overall, by cohort, indicators


def test_all_groups_line_matches_one_group(session: Session, world: Book) -> None:
    """The page's all-groups line (summed over cohorts) equals the report's own figures when
    every enterprise falls in one group (one program)."""
    scope = resolve_scope(session, AS_OF)
    summed = overall(graduation_rate(session, scope, "cohort"))
    single = {r["group"]: r for r in graduation_rate(session, scope, "program")}
    for group in ("financed", "comparison"):
        for key, value in summed[group].items():
            assert single[group][key] == pytest.approx(value), (group, key)


def test_graduation_in_english_and_by_gender(
    client: FlaskClient, people: People, world: Book, session: Session
) -> None:
    manager = session.get(User, people.manager.id)
    assert manager is not None
    manager.locale = "en"
    session.commit()
    sign_in(client, people.manager.email)
    html = client.get(f"/reports/graduation?{Q}&by=gender").get_data(as_text=True)
    assert "Descriptive, not causal." in text(html)
    assert "not the effect of the credit" in text(html)
    lines = [r.split()[:3] for r in rows_of(html, "graduation")]
    # each gender: the financed line, then the comparison line (men: no comparison enterprise)
    assert lines == [
        ["Women", "Financed", "3"],
        ["Women", "Comparison", "group"],
        ["Men", "Financed", "1"],
        ["Men", "Comparison", "group"],
    ]
    assert rows_of(html, "graduation")[3].split()[3:5] == ["0", "0"]
    rows = sheet_rows(client, f"/reports/download/graduation.xlsx?{Q}&by=gender")
    women = next(r for r in rows if r["group"] == "financed" and r["gender"] == "F")
    assert women["followed_24"] == 3 and isinstance(women["rate_24_sales"], float)
    indicators = sheet_rows(client, f"/reports/download/strategy-indicators.xlsx?{Q}")
    assert any(r["indicator"] == "certification_HALAL" for r in indicators)


def test_province_filter_reaches_the_comparison_group(session: Session, world: Book) -> None:
    in_35 = resolve_scope(session, AS_OF, province="35")
    rows = graduation_rate(session, in_35, "program")
    assert [(r["group"], r["enterprises"]) for r in rows] == [("comparison", 1)]  # C2 only
    assert size_transitions(session, in_35)["rows"] == []  # C2 was observed once
    in_32 = size_transitions(session, resolve_scope(session, AS_OF, province="32"))["rows"]
    assert next(r for r in in_32 if r["basis"] == "sales")["enterprises"] == 5
    other = core.program(session)
    by_program = size_transitions(session, resolve_scope(session, AS_OF, program=other.code))
    assert by_program["rows"] == []


@pytest.fixture
def decisions(session: Session, people: People) -> Book:
    """Women: 3 approvals of 4 decisions; men: 2 of 5 (one man in province 35)."""
    book = Book.new(session)
    officer = user(session, book.lender)
    plan = {
        "F": ["approve", "approve", "approve", "decline"],
        "M": ["approve", "approve", "decline", "decline", "refer"],
    }
    for gender, outcomes in plan.items():
        for i, outcome in enumerate(outcomes):
            app = core.application(session, book.lender, book.program)
            enterprise = session.get(Enterprise, app.enterprise_id)
            assert enterprise is not None
            enterprise.owner_gender = gender
            enterprise.province = "35" if (gender, i) == ("M", 4) else "32"
            record = scored(session, app.id, pd=0.1 if gender == "F" else 0.2)
            decided(
                session, app.id, officer.id, outcome, date(2025, 1, 5), score_record_id=record.id
            )
    book.loan(10 * M, gender="F", disbursed_on=date(2025, 1, 10))
    book.loan(30 * M, gender="F", disbursed_on=date(2025, 1, 10))
    book.run(AS_OF)
    session.commit()
    return book


def test_inclusion_page_flags_below_four_fifths(
    client: FlaskClient, people: People, decisions: Book
) -> None:
    sign_in(client, people.manager.email)
    resp = client.get(f"/reports/inclusion?{Q}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    women, men = rows_of(html, "inclusion-gender")
    # women 3/4 = 75% approved; men 2/5 = 40%, 0.40 / 0.75 = 0.53 of the women's rate
    assert women.split()[:4] == ["Perempuan", "4", "75,0%", "1,00"]
    assert "di bawah 0,8" not in women
    assert men.split()[:5] == ["Laki-laki", "5", "40,0%", "0,53", "⚠"] and "di bawah 0,8" in men
    assert f"2 {rp(20 * M)}" in women  # two loans, average (10 + 30) / 2
    provinces = rows_of(html, "inclusion-province")
    assert [r.split()[0] for r in provinces] == ["32", "35"]
    assert 'class="flag"' in html and 'aria-labelledby="ffg-t ffg-d"' in html
    rows = sheet_rows(client, f"/reports/download/inclusion.xlsx?{Q}&by=gender")
    assert {r["gender"]: r["below_four_fifths"] for r in rows} == {"F": False, "M": True}


def test_inclusion_province_filter(session: Session, decisions: Book) -> None:
    rows = inclusion(session, resolve_scope(session, AS_OF, province="35"), "gender")
    assert [(r["gender"], r["decisions"]) for r in rows] == [("M", 1)]


def test_monthly_pdf_leads_with_graduation(
    client: FlaskClient, people: People, world: Book
) -> None:
    sign_in(client, people.manager.email)
    pdf = client.get("/reports/monthly.pdf?month=2026-03")
    assert pdf.status_code == 200
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    words = " ".join(words.split())
    # financed: 1 of the 2 followed for 12 months grew by sales (E1), none by workers;
    # comparison: C1, the one followed, did; and the caveat comes with it
    assert "Dibiayai 50,0% / 0,0% dari 2 yang diikuti" in words
    assert "Kelompok pembanding 100,0% / 0,0% dari 1 yang diikuti" in words
    assert "Deskriptif, bukan kausal" in words
    # E1-E3 are women's loans, E4 a man's: 150 of 200 juta went to women
    assert "Porsi usaha milik perempuan dari jumlah yang disalurkan 75,0%" in words


def test_monthly_pdf_flags_four_fifths(
    client: FlaskClient, people: People, decisions: Book
) -> None:
    sign_in(client, people.manager.email)
    pdf = client.get("/reports/monthly.pdf?month=2026-03")
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    words = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "Tingkat persetujuan: Perempuan 75,0%" in words
    assert "Tingkat persetujuan: Laki-laki 40,0%" in words
    assert "Rasio empat-perlima terendah (Laki-laki) 0,53 - di bawah 0,8" in words
