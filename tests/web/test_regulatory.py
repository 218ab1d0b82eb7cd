"""The regulatory files page and the debtor-check panel: who sees what, and what they get."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import AuditEvent, Lender, Loan, User
from creditapp.services import access
from creditapp.services.audit import Actor
from tests.factories.regulatory import NIK1, Book, application_for, two_lender_book
from tests.web.conftest import PASSWORD, csrf_token, sign_in


@dataclass
class Users:
    officer_a: User
    officer_b: User
    manager: User
    scientist: User


@pytest.fixture
def book(session: Session) -> Book:
    return two_lender_book(session)


@pytest.fixture
def users(session: Session, book: Book) -> Users:
    def user(email: str, role: str, lender: Lender | None) -> User:
        return access.create_user(
            session, Actor.system(), email=email, name=email.split("@")[0], role=role,
            password=PASSWORD, lender=lender,
        )  # fmt: skip

    found = Users(
        user("officer@a.test", "loan_officer", book.a),
        user("officer@b.test", "loan_officer", book.b),
        user("manager@p.test", "program_manager", None),
        user("scientist@p.test", "data_scientist", None),
    )
    session.commit()
    return found


def _slik(client: FlaskClient, lender: str = "BANK-A", month: str = "2026-12") -> object:
    return client.get(f"/regulatory/download?file=slik&lender={lender}&month={month}")


def test_a_manager_downloads_any_lenders_file_and_it_is_audited(
    client: FlaskClient, users: Users, book: Book, session: Session
) -> None:
    sign_in(client, users.manager.email)
    assert client.get("/regulatory/").status_code == 200
    resp = client.get("/regulatory/download?file=slik&lender=BANK-B&month=2026-12")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"] == 'attachment; filename="slik-BANK-B-2026-12.csv"'
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    # Lender B holds one facility of NIK1 (L4), current: grade 1.
    assert [(r["no_rekening"], r["nik"], r["kolektibilitas"]) for r in rows] == [
        (str(book.l4.id), NIK1, "1")
    ]
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "regulatory.export")
    ).one()
    assert (event.actor_type, event.actor_id, event.entity_id) == (
        "user",
        users.manager.id,
        book.b.id,
    )
    assert event.after == {"file": "slik", "month": "2026-12", "via": "web"}


def test_an_officer_gets_only_their_own_lenders_files(
    client: FlaskClient, users: Users, book: Book
) -> None:
    sign_in(client, users.officer_a.email)
    page = client.get("/regulatory/").get_data(as_text=True)
    assert "BANK-A" in page and "BANK-B" not in page
    resp = _slik(client)
    assert resp.status_code == 200  # type: ignore[attr-defined]
    assert len(resp.get_data(as_text=True).strip().splitlines()) == 1 + 3  # type: ignore[attr-defined]
    assert _slik(client, "BANK-B").status_code == 404  # type: ignore[attr-defined]


def test_other_roles_and_strangers_are_refused(
    client: FlaskClient, users: Users, book: Book
) -> None:
    resp = _slik(client)
    assert resp.status_code == 302 and "/signin" in resp.headers["Location"]  # type: ignore[attr-defined]
    sign_in(client, users.scientist.email)
    assert client.get("/regulatory/").status_code == 403
    assert _slik(client).status_code == 403  # type: ignore[attr-defined]


def test_a_bad_month_is_shown_beside_the_form_and_sends_no_file(
    client: FlaskClient, users: Users, book: Book
) -> None:
    sign_in(client, users.manager.email)
    for month in ("2026-13", "2026-11"):  # not a month; a month without an end-of-day run
        resp = _slik(client, month=month)
        assert resp.status_code == 422  # type: ignore[attr-defined]
        assert resp.mimetype == "text/html"  # type: ignore[attr-defined]
        assert 'href="#month"' in resp.get_data(as_text=True)  # type: ignore[attr-defined]


def test_the_application_page_shows_the_same_niks_loans_with_foreign_lenders_masked(
    client: FlaskClient, users: Users, book: Book, session: Session
) -> None:
    application = application_for(session, book.a, book.kur, NIK1)
    session.commit()
    sign_in(client, users.officer_a.email)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    panel = html[html.index('id="debtor-check"') :]
    panel = panel[: panel.index("</section>")]
    # A's own loans L1 (KUR, Kol 4) and L2 link to their pages; B's L4 shows without B.
    assert f"/loans/{book.l1.id}" in panel and f"/loans/{book.l2.id}" in panel
    assert f"/loans/{book.l4.id}" not in panel and "BANK-B" not in html
    assert panel.count("<tr>") == 1 + 3
    assert "Kol 4" in panel and 'class="fail"' in panel  # L1 is a live KUR: refused


def test_an_approval_the_check_stops_is_refused_on_the_page_and_the_refusal_audited(
    client: FlaskClient, users: Users, book: Book, session: Session
) -> None:
    application = application_for(session, book.a, book.kur, NIK1)  # NIK1 holds KUR L1 at A
    session.commit()
    sign_in(client, users.officer_a.email)
    url = f"/applications/{application.id}"
    token = csrf_token(client, url)
    resp = client.post(
        f"{url}/decision",
        data={"csrf_token": token, "outcome": "approve", "amount": "20.000.000", "tenor": "12",
              "confirm": "1", "override_reason_code": "policy_exception", "text": "x"},
    )  # fmt: skip
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "hanya satu KUR dalam satu waktu" in html  # the refusal, in Bahasa Indonesia
    session.expire_all()
    assert session.scalar(select(Loan.id).where(Loan.application_id == application.id)) is None
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "application.debtor_check_refused")
    ).one()
    assert (event.actor_id, event.entity_id) == (users.officer_a.id, application.id)
    assert event.after is not None
    assert event.after["refused"] == ["debtor_has_kur", "debtor_has_other_credit"]
    assert event.after["live_loan_ids"] == [book.l1.id, book.l2.id]  # A's own; B's not named
    assert event.after["foreign_live_facilities"] == 1
    assert NIK1 not in str(event.after)
