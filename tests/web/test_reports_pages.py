"""The program manager's report pages and the data scientist's model page: figures as the
reports compute them, filters that refuse bad input, downloads that open in a spreadsheet,
the monthly PDF, and the roles that may open each."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from creditapp.services import access
from creditapp.services.audit import Actor
from tests.factories.reports import Book
from tests.web.conftest import PASSWORD, People, sign_in
from tests.web.report_pages import PAGES, element

M = 1_000_000
MAR = date(2026, 3, 31)


@pytest.fixture
def book(session: Session, people: People) -> Book:
    book = Book.new(session)
    a, b = book.loan(20 * M), book.loan(60 * M)
    book.status(a, MAR, 0, 20 * M)
    book.status(b, MAR, 100, 60 * M)  # Kol 3: NPL 75%
    book.run(MAR)
    access.create_user(
        session,
        Actor.system(),
        email="scientist@p.test",
        name="scientist",
        role="data_scientist",
        password=PASSWORD,
        lender=None,
    )
    session.commit()
    return book


def test_manager_sees_the_portfolio(client: FlaskClient, people: People, book: Book) -> None:
    sign_in(client, people.manager.email)
    resp = client.get("/reports/?as_of=2026-03-31")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    assert "Rp\u00a080.000.000" in html  # gross outstanding, Indonesian by default
    assert "75,0%" in html  # NPL = 60 / 80
    assert "<svg" in html and 'role="img"' in html
    assert client.get("/home").headers["Location"].endswith("/reports/")


def test_bad_filters_are_named(client: FlaskClient, people: People, book: Book) -> None:
    sign_in(client, people.manager.email)
    late = client.get("/reports/?as_of=2026-04-30")
    assert late.status_code == 422 and "2026-03-31" in late.get_data(as_text=True)
    unknown = client.get("/reports/?as_of=2026-03-31&program=NOPE")
    assert unknown.status_code == 404 and "NOPE" in unknown.get_data(as_text=True)
    bad = client.get("/reports/?as_of=31-03-2026")
    assert bad.status_code == 422 and 'href="#as_of"' in bad.get_data(as_text=True)


def test_downloads_and_monthly_pdf(client: FlaskClient, people: People, book: Book) -> None:
    sign_in(client, people.manager.email)
    xlsx = client.get("/reports/download/collectibility.xlsx?as_of=2026-03-31")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data))["rows"]
    header = [c.value for c in sheet[1]]
    balances = [
        r[header.index("outstanding")] for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert balances == [20 * M, 0, 60 * M, 0, 0]  # numbers, not text
    csv = client.get("/reports/download/portfolio.csv?as_of=2026-03-31").get_data(as_text=True)
    assert "gross_outstanding,80000000" in csv
    pdf = client.get("/reports/monthly.pdf?month=2026-03")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "2026-03" in text and "75,0%" in text
    assert client.get("/reports/download/nothing.csv?as_of=2026-03-31").status_code == 404
    assert client.get("/reports/download/model-psi.csv?as_of=2026-03-31").status_code == 403


def test_roles(client: FlaskClient, people: People, book: Book) -> None:
    sign_in(client, people.officer.email)
    assert client.get("/reports/").status_code == 403
    assert client.get("/models/").status_code == 403
    client.post("/signout")
    scientist = client.application.test_client()
    sign_in(scientist, "scientist@p.test")
    page = scientist.get("/models/?as_of=2026-03-31")
    assert page.status_code == 200, page.get_data(as_text=True)
    assert scientist.get("/reports/download/model-psi.csv?as_of=2026-03-31").status_code == 200
    assert scientist.get("/reports/download/portfolio.csv?as_of=2026-03-31").status_code == 403
    assert scientist.get("/reports/").status_code == 403


def test_every_managers_page_by_role(client: FlaskClient, people: People, book: Book) -> None:
    sign_in(client, people.officer.email)
    for path in PAGES:
        assert client.get(path).status_code == 403, path
    scientist = client.application.test_client()
    sign_in(scientist, "scientist@p.test")
    for path in PAGES:
        assert scientist.get(path).status_code == 403, path
    manager = client.application.test_client()
    sign_in(manager, people.manager.email)
    for path in PAGES:
        resp = manager.get(f"{path}?as_of=2026-03-31&program={book.program.code}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, (path, html[:2000])
        # the sub-navigation keeps the filters and marks this page
        assert f'as_of=2026-03-31&amp;program={book.program.code}" aria-current="page"' in html
        assert manager.get(f"{path}?as_of=2026-03-31&program=NOPE").status_code == 404
        assert manager.get(f"{path}?as_of=2026-04-01").status_code == 422
        assert manager.get(f"{path}?as_of=2999-01-01").status_code == 422


def test_empty_portfolio_shows_zeros(client: FlaskClient, people: People) -> None:
    """No program, loan or end-of-day run yet: every page answers with zeros, never an error."""
    sign_in(client, people.manager.email)
    for path in PAGES:
        resp = client.get(path)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, (path, html[:2000])
        assert "Traceback" not in html
    assert "Rp\u00a00" in client.get("/reports/").get_data(as_text=True)
    volume = client.get("/reports/volume").get_data(as_text=True)
    assert "Belum ada penyaluran" in volume
    cost = client.get("/reports/cost").get_data(as_text=True)
    assert 'id="subsidy-total">Rp\u00a00<' in cost and 'id="cover">Rp\u00a00<' in cost
    graduation = client.get("/reports/graduation").get_data(as_text=True)
    assert "0 0 0,0% 0,0% 0 0,0% 0,0%" in element(graduation, "total-financed")
    for name in (
        "volume",
        "quota",
        "subsidy",
        "guarantee",
        "graduation",
        "inclusion",
        "size-transitions",
        "strategy-indicators",
    ):
        assert client.get(f"/reports/download/{name}.xlsx").status_code == 200, name
        assert client.get(f"/reports/download/{name}.csv").status_code == 200, name


def test_the_pages_take_today_in_wib_not_the_machines_date(
    client: FlaskClient, session: Session, people: People, app: Flask
) -> None:
    # From 17:00 UTC Jakarta is already on the next day: the business date runs one day ahead
    # of a UTC machine's calendar, and the end-of-day run of that date must be readable.
    ahead = date.today() + timedelta(days=1)
    app.config["BUSINESS_DATE"] = ahead.isoformat()
    book = Book.new(session)
    book.status(book.loan(20 * M), ahead, 0, 20 * M)
    book.run(ahead)
    session.commit()
    sign_in(client, people.manager.email)
    for page in PAGES:
        resp = client.get(page)
        assert resp.status_code == 200, (page, resp.get_data(as_text=True)[-3000:])
    assert ahead.isoformat() in client.get("/reports/").get_data(as_text=True)
    assert client.get(f"/reports/monthly.pdf?month={ahead:%Y-%m}").status_code == 200
