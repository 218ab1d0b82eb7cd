"""GET /api/v1/reports/...: a lender sees only its own portfolio; bad input is refused."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from creditapp.models import Lender
from creditapp.services import access
from creditapp.services.audit import Actor
from tests.factories.reports import Book

M = 1_000_000
MAR = "2026-03-31"


@pytest.fixture
def keys(session: Session) -> dict[str, dict[str, str]]:
    """Two lenders with API keys; lender A holds one current and one 100-dpd loan."""
    out = {}
    lenders = {}
    for code in ("BANK-A", "BANK-B"):
        lender = access.create_lender(session, Actor.system(), code, code, "bank")
        issued = access.issue_api_key(session, Actor.system(), lender, "tests")
        out[code] = {"Authorization": f"Bearer {issued.secret}"}
        lenders[code] = lender
    book = Book.new(session)
    book.lender = lenders["BANK-A"]
    a1, a2 = book.loan(10 * M), book.loan(30 * M)
    b1 = book.loan(50 * M, lender=lenders["BANK-B"])
    book.status(a1, date(2026, 3, 31), 0, 10 * M)
    book.status(a2, date(2026, 3, 31), 100, 30 * M)
    book.status(b1, date(2026, 3, 31), 200, 50 * M)
    book.run(date(2026, 3, 31))
    out["program"] = {"code": book.program.code}
    session.commit()
    return out


def test_portfolio_of_own_loans_only(client: FlaskClient, keys: dict[str, dict[str, str]]) -> None:
    resp = client.get(f"/api/v1/reports/portfolio?as_of={MAR}", headers=keys["BANK-A"])
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["gross_outstanding"] == 40 * M  # BANK-B's 50 juta is not in it
    assert body["npl_ratio"] == pytest.approx(30 / 40)
    assert body["collectibility"]["3"] == 30 * M
    assert body["lender"] is None or body["lender"] == "BANK-A"
    other = client.get(f"/api/v1/reports/portfolio?as_of={MAR}", headers=keys["BANK-B"])
    assert other.get_json()["gross_outstanding"] == 50 * M


def test_every_report_answers(client: FlaskClient, keys: dict[str, dict[str, str]]) -> None:
    for path in (
        "collectibility",
        "par-by-program-province",
        "collection-rate",
        "write-offs",
        "roll-rates",
        "vintages",
        "volume?by=gender&",
        "quota",
        "subsidy",
        "guarantee",
    ):
        sep = "" if path.endswith("&") else "?"
        resp = client.get(f"/api/v1/reports/{path}{sep}as_of={MAR}", headers=keys["BANK-A"])
        assert resp.status_code == 200, (path, resp.get_json())


def test_bad_input(client: FlaskClient, keys: dict[str, dict[str, str]]) -> None:
    a = keys["BANK-A"]
    late = client.get("/api/v1/reports/portfolio?as_of=2026-04-01", headers=a)
    assert late.status_code == 422
    assert "2026-03-31" in late.get_json()["errors"]["as_of"][0]
    future = client.get("/api/v1/reports/portfolio?as_of=2999-01-01", headers=a)
    assert future.status_code == 422 and "as_of" in future.get_json()["errors"]
    unknown = client.get(f"/api/v1/reports/portfolio?as_of={MAR}&program=NOPE", headers=a)
    assert unknown.status_code == 404 and "program" in unknown.get_json()["errors"]
    assert client.get("/api/v1/reports/portfolio", headers=a).status_code == 422
    bad = client.get(f"/api/v1/reports/volume?as_of={MAR}&by=shoe", headers=a)
    assert bad.status_code == 422 and "by" in bad.get_json()["errors"]
    nul = client.get(f"/api/v1/reports/portfolio?as_of={MAR}&program=%00", headers=a)
    assert nul.status_code == 422
    assert client.get(f"/api/v1/reports/portfolio?as_of={MAR}").status_code == 401


def test_documented(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/reports/portfolio" in spec["paths"]
    op = spec["paths"]["/api/v1/reports/portfolio"]["get"]
    assert op["summary"] and {"200", "404", "422"} <= set(op["responses"])


def test_empty_portfolio_of_a_new_lender(client: FlaskClient, session: Session) -> None:
    lender: Lender = access.create_lender(session, Actor.system(), "NEW", "New", "bank")
    key = access.issue_api_key(session, Actor.system(), lender, "tests").secret
    session.commit()
    resp = client.get(
        "/api/v1/reports/vintages?as_of=2026-01-01", headers={"Authorization": f"Bearer {key}"}
    )
    assert resp.status_code == 200 and resp.get_json()["rows"] == []
