"""The loan page, its maker-checker actions and the collection sheet, through HTTP forms."""

from __future__ import annotations

import gzip
import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import (
    Disbursement,
    Enterprise,
    Loan,
    Repayment,
    RestructuringRequest,
    WriteOff,
)
from tests.factories import loans as lf
from tests.web.conftest import People, sign_in

TODAY = date(2027, 1, 3)  # 3 Dec is overdue, 3 Jan due today on the factory loans
PAYMENT = 2_216_031  # 50 juta over 24 months at 6 %, annuity (see the loan services' tests)
TOKEN = re.compile(
    r'name="token" type="hidden" value="([0-9a-f]{32})"|name="token" value="([0-9a-f]{32})"'
)
CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def first(pattern: re.Pattern[str], html: str) -> str:
    match = pattern.search(html)
    assert match, pattern.pattern
    return match.group(1) or match.group(2)


@pytest.fixture
def loan(app: Flask, session: Session, people: People) -> Loan:
    app.config["BUSINESS_DATE"] = TODAY
    item = lf.active_loan(session, lender_obj=people.lender)
    ent = session.get(Enterprise, item.enterprise_id)
    assert ent is not None
    ent.village = "Cibiru Wetan"
    session.commit()
    return item


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def form_of(client: FlaskClient, path: str) -> tuple[str, str | None]:
    html = client.get(path).get_data(as_text=True)
    token = TOKEN.search(html)
    return first(CSRF, html), (token.group(1) or token.group(2)) if token else None


def test_loan_page_shows_balances_schedule_chart_and_movements(
    client: FlaskClient, loan: Loan, people: People
) -> None:
    sign_in(client, people.officer.email)
    resp = client.get(f"/loans/{loan.id}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "Rp\u00a050.000.000" in html  # principal, Indonesian grouping, no line break
    assert "<svg" in html and 'role="img"' in html
    assert html.count('class="state-overdue"') == 1 and html.count('class="state-due_today"') == 1
    assert "Cibiru Wetan" in html
    assert 'style="' not in html  # the CSP forbids inline style
    listing = client.get("/loans").get_data(as_text=True)
    assert f"/loans/{loan.id}" in listing


def test_another_lenders_loan_is_404_and_other_roles_get_403(
    client: FlaskClient, loan: Loan, people: People
) -> None:
    sign_in(client, people.foreign_officer.email)
    assert client.get(f"/loans/{loan.id}").status_code == 404
    assert client.get(f"/loans/{loan.id + 999}").status_code == 404
    assert client.get(f"/loans/{loan.id}/repayment").status_code == 404
    client.post("/signout", data={"csrf_token": form_of(client, "/loans")[0]})
    sign_in(client, people.manager.email)
    assert client.get(f"/loans/{loan.id}").status_code == 403
    assert client.get("/loans/collection-sheet").status_code == 403


def test_a_double_submitted_repayment_posts_once(
    client: FlaskClient, session: Session, loan: Loan, people: People
) -> None:
    sign_in(client, people.officer.email)
    csrf, token = form_of(client, f"/loans/{loan.id}/repayment")
    assert token is not None
    data = {"csrf_token": csrf, "token": token, "amount": "Rp 2.216.031",
            "paid_on": TODAY.isoformat(), "channel": "cash", "apply_as": "auto"}  # fmt: skip
    before = count(session, Repayment)
    first_send = client.post(f"/loans/{loan.id}/repayment", data=data)
    second_send = client.post(f"/loans/{loan.id}/repayment", data=data, follow_redirects=True)
    assert first_send.status_code == 302 and second_send.status_code == 200
    assert count(session, Repayment) == before + 1
    assert "tidak diposting lagi" in second_send.get_data(as_text=True)  # "not posted again"
    posted = session.scalar(select(Repayment).where(Repayment.loan_id == loan.id))
    assert posted is not None and posted.amount == PAYMENT


def test_a_bad_repayment_names_the_field_and_stores_nothing(
    client: FlaskClient, session: Session, loan: Loan, people: People
) -> None:
    sign_in(client, people.officer.email)
    csrf, token = form_of(client, f"/loans/{loan.id}/repayment")
    before = count(session, Repayment)
    for amount, paid_on in (("12,5", TODAY.isoformat()), ("1000", "2027-02-10")):
        resp = client.post(
            f"/loans/{loan.id}/repayment",
            data={
                "csrf_token": csrf,
                "token": token,
                "amount": amount,
                "paid_on": paid_on,
                "channel": "cash",
                "apply_as": "auto",
            },
        )
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422
        assert 'class="error-summary"' in html
        assert ("Jumlah diterima" in html) if amount == "12,5" else ("Dibayar pada" in html)
    assert count(session, Repayment) == before


def test_disbursement_needs_a_second_officer(
    app: Flask, client: FlaskClient, session: Session, people: People
) -> None:
    app.config["BUSINESS_DATE"] = lf.DECIDED_ON
    loan = lf.approved_loan(session, lender_obj=people.lender)
    session.commit()
    sign_in(client, people.officer.email)
    csrf, token = form_of(client, f"/loans/{loan.id}/disbursement")
    data = {"csrf_token": csrf, "token": token, "amount": "50.000.000",
            "disbursed_on": lf.DECIDED_ON.isoformat()}  # fmt: skip
    assert client.post(f"/loans/{loan.id}/disbursement", data=data).status_code == 302
    assert client.post(f"/loans/{loan.id}/disbursement", data=data).status_code == 302  # again
    [pending] = session.scalars(select(Disbursement).where(Disbursement.loan_id == loan.id))
    page = client.get(f"/loans/{loan.id}").get_data(as_text=True)
    assert "confirm" not in page.split("Menunggu petugas kedua")[-1].split("</ul>")[0].lower()
    # the maker's own confirmation is refused even when posted by hand
    resp = client.post(
        f"/loans/{loan.id}/disbursements/{pending.id}/confirm",
        data={"csrf_token": csrf},
        follow_redirects=True,
    )
    assert "Petugas kedua" in resp.get_data(as_text=True)
    session.refresh(pending)
    assert pending.status == "pending"
    client.post("/signout", data={"csrf_token": csrf})
    sign_in(client, people.checker.email)
    csrf2, _ = form_of(client, f"/loans/{loan.id}")
    resp = client.post(
        f"/loans/{loan.id}/disbursements/{pending.id}/confirm", data={"csrf_token": csrf2}
    )
    assert resp.status_code == 302
    session.refresh(pending)
    session.refresh(loan)
    assert (pending.status, pending.confirmed_by) == ("confirmed", people.checker.id)
    assert loan.status == "active" and loan.outstanding_principal == 50_000_000


def test_restructuring_is_asked_by_one_officer_and_approved_by_another(
    client: FlaskClient, session: Session, loan: Loan, people: People
) -> None:
    sign_in(client, people.officer.email)
    csrf, _ = form_of(client, f"/loans/{loan.id}/restructuring")
    resp = client.post(
        f"/loans/{loan.id}/restructuring",
        data={
            "csrf_token": csrf,
            "effective_on": TODAY.isoformat(),
            "grace_months": "3",
            "extension_months": "6",
            "new_rate": "5,5",
            "reason": "Gagal panen",
        },
    )
    assert resp.status_code == 302
    item = session.scalar(
        select(RestructuringRequest).where(RestructuringRequest.loan_id == loan.id)
    )
    assert item is not None and str(item.new_rate) == "0.055000"
    version = loan.schedule_version
    client.post("/signout", data={"csrf_token": csrf})
    sign_in(client, people.checker.email)
    csrf2, _ = form_of(client, f"/loans/{loan.id}/restructurings/{item.id}")
    resp = client.post(
        f"/loans/{loan.id}/restructurings/{item.id}", data={"csrf_token": csrf2, "approve": "1"}
    )
    assert resp.status_code == 302
    session.refresh(item)
    session.refresh(loan)
    assert item.status == "approved" and loan.schedule_version == version + 1


def test_collection_sheet_bulk_entry_all_or_nothing_and_once(
    client: FlaskClient, session: Session, loan: Loan, people: People
) -> None:
    sign_in(client, people.officer.email)
    html = client.get("/loans/collection-sheet").get_data(as_text=True)
    assert "Cibiru Wetan" in html and f'name="amount-{loan.id}"' in html
    token = re.search(r'name="token" value="([0-9a-f]{32})"', html)
    assert token
    csrf = first(CSRF, html)
    base = {"csrf_token": csrf, "token": token.group(1), "paid_on": TODAY.isoformat()}
    before = count(session, Repayment)
    bad = client.post("/loans/collection-sheet", data={**base, f"amount-{loan.id}": "1,5"})
    assert bad.status_code == 422
    bad_html = bad.get_data(as_text=True)
    assert f'id="amount-{loan.id}-error"' in bad_html and 'value="1,5"' in bad_html
    assert count(session, Repayment) == before
    good = {**base, f"amount-{loan.id}": "Rp 2.216.031"}
    assert client.post("/loans/collection-sheet", data=good).status_code == 302
    again = client.post("/loans/collection-sheet", data=good, follow_redirects=True)
    assert count(session, Repayment) == before + 1
    assert "tidak ada yang diposting lagi" in again.get_data(as_text=True)
    printed = client.get("/loans/collection-sheet/print")
    assert printed.status_code == 200 and "Tanda tangan" in printed.get_data(as_text=True)


def test_write_off_is_approved_by_a_second_officer_only(
    client: FlaskClient, session: Session, loan: Loan, people: People
) -> None:
    sign_in(client, people.officer.email)
    csrf, _ = form_of(client, f"/loans/{loan.id}/write-off")
    empty = client.post(f"/loans/{loan.id}/write-off", data={"csrf_token": csrf, "reason": " "})
    assert empty.status_code == 422 and "Alasan" in empty.get_data(as_text=True)
    # the loan is at Kol 2: writing it off needs an override reason, named on its field
    early = client.post(f"/loans/{loan.id}/write-off", data={"csrf_token": csrf, "reason": "Macet"})
    assert early.status_code == 422
    assert 'id="override_reason-error"' in early.get_data(as_text=True)
    why = "Usaha tutup, pemilik pindah"
    resp = client.post(
        f"/loans/{loan.id}/write-off",
        data={"csrf_token": csrf, "reason": "Macet", "override_reason": why},
    )
    assert resp.status_code == 302
    wo = session.scalar(select(WriteOff).where(WriteOff.loan_id == loan.id))
    assert wo is not None and wo.status == "pending"
    refused = client.post(
        f"/loans/{loan.id}/write-offs/{wo.id}/approve",
        data={"csrf_token": csrf},
        follow_redirects=True,
    )
    assert "Petugas kedua" in refused.get_data(as_text=True)
    session.refresh(wo)
    assert wo.status == "pending"
    client.post("/signout", data={"csrf_token": csrf})
    sign_in(client, people.checker.email)
    csrf2, _ = form_of(client, f"/loans/{loan.id}")
    client.post(f"/loans/{loan.id}/write-offs/{wo.id}/approve", data={"csrf_token": csrf2})
    session.refresh(wo)
    session.refresh(loan)
    assert wo.status == "approved" and loan.status == "written_off"


def test_restructuring_rejected_with_a_reason_leaves_the_schedule(
    client: FlaskClient, session: Session, loan: Loan, people: People
) -> None:
    sign_in(client, people.officer.email)
    csrf, _ = form_of(client, f"/loans/{loan.id}/restructuring")
    bad = client.post(
        f"/loans/{loan.id}/restructuring",
        data={
            "csrf_token": csrf,
            "effective_on": TODAY.isoformat(),
            "grace_months": "0",
            "extension_months": "0",
            "new_rate": "",
            "reason": "x",
        },
    )
    assert bad.status_code == 422  # nothing would change: named, nothing stored
    assert count(session, RestructuringRequest) == 0
    client.post(
        f"/loans/{loan.id}/restructuring",
        data={
            "csrf_token": csrf,
            "effective_on": TODAY.isoformat(),
            "grace_months": "2",
            "extension_months": "0",
            "new_rate": "",
            "reason": "Banjir",
        },
    )
    item = session.scalar(
        select(RestructuringRequest).where(RestructuringRequest.loan_id == loan.id)
    )
    assert item is not None
    client.post("/signout", data={"csrf_token": csrf})
    sign_in(client, people.checker.email)
    url = f"/loans/{loan.id}/restructurings/{item.id}"
    csrf2, _ = form_of(client, url)
    assert client.post(url, data={"csrf_token": csrf2, "note": ""}).status_code == 422
    version = loan.schedule_version
    assert client.post(url, data={"csrf_token": csrf2, "note": "Usaha jalan"}).status_code == 302
    session.refresh(item)
    session.refresh(loan)
    assert item.status == "rejected" and loan.schedule_version == version


def test_the_loan_page_in_english(
    client: FlaskClient, session: Session, loan: Loan, people: People
) -> None:
    people.officer.locale = "en"
    session.commit()
    sign_in(client, people.officer.email)
    html = client.get(f"/loans/{loan.id}").get_data(as_text=True)
    assert "Outstanding principal" in html and "Rp\u00a050,000,000" in html
    assert "Days past due and collectibility" in html  # the chart's title


def test_loan_pages_stay_within_the_weight_budget(
    app: Flask, client: FlaskClient, session: Session, loan: Loan, people: People
) -> None:
    """First load (HTML + stylesheets + icon) <= 60 KB and a repeat visit (HTML only, assets
    cached) <= 20 KB, gzip-compressed as a proxy sends them over a slow mobile link."""
    sign_in(client, people.officer.email)
    static = Path(app.static_folder or "") / "web"
    assets = sum(
        len(gzip.compress((static / name).read_bytes(), 6))
        for name in ("app.css", "loans.css", "icon.svg")
    )
    for path in (
        f"/loans/{loan.id}",
        "/loans/collection-sheet",
        "/loans",
        f"/loans/{loan.id}/repayment",
        "/loans/collection-sheet/print",
    ):
        html = client.get(path)
        assert html.status_code == 200, path
        repeat = len(gzip.compress(html.get_data(), 6))
        assert repeat <= 20_000, (path, repeat)
        assert repeat + assets <= 60_000, (path, repeat + assets)
