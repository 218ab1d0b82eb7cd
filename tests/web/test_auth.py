"""Sign-in, throttling, idle expiry, password change and CSRF through the Flask client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import AuditEvent, SignInFailure
from creditapp.web import throttle
from tests.web.conftest import PASSWORD, People, csrf_token, sign_in


def test_sign_in_and_out(client: FlaskClient, people: People, session: Session) -> None:
    resp = sign_in(client, people.officer.email)
    assert resp.status_code == 302
    assert client.get("/account/password").status_code == 200
    events = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id == people.officer.id)
    ).all()
    assert "user.sign_in" in events
    token = csrf_token(client, "/account/password")
    assert client.post("/signout", data={"csrf_token": token}).status_code == 302
    resp = client.get("/account/password")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/signin?next=/account/password")


def test_wrong_password_says_so_and_is_counted(
    client: FlaskClient, people: People, session: Session
) -> None:
    resp = sign_in(client, people.officer.email, "wrong-password")
    assert resp.status_code == 401
    assert "Alamat e-mail atau kata sandi salah." in resp.get_data(as_text=True)
    count = session.scalar(select(func.count(SignInFailure.id)))
    assert count == 1


def test_account_is_locked_after_five_failures(client: FlaskClient, people: People) -> None:
    for _ in range(throttle.MAX_PER_ACCOUNT):
        assert sign_in(client, people.officer.email, "wrong-password").status_code == 401
    # the right password no longer helps while the lock lasts
    resp = sign_in(client, people.officer.email, PASSWORD)
    assert resp.status_code == 429
    assert "Coba lagi dalam 15 menit" in resp.get_data(as_text=True)
    # another account from the same address is not locked yet
    assert sign_in(client, people.checker.email).status_code == 302


def test_client_address_is_locked_after_twenty_failures(
    client: FlaskClient, people: People
) -> None:
    for i in range(throttle.MAX_PER_CLIENT):
        assert sign_in(client, f"nobody{i}@x.test", "wrong-password").status_code == 401
    assert sign_in(client, people.checker.email).status_code == 429


def test_lock_ends_when_the_failures_leave_the_window(session: Session) -> None:
    now = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    for minute in range(5):
        throttle.record_failure(session, "a@x.test", "10.0.0.1", now + timedelta(minutes=minute))
    last = now + timedelta(minutes=4)
    lock = throttle.check(session, "a@x.test", "10.0.0.9", last)
    assert lock is not None and lock.until == now + throttle.WINDOW
    assert lock.minutes_left(last) == 11
    assert throttle.check(session, "a@x.test", "10.0.0.9", now + throttle.WINDOW) is None
    assert throttle.check(session, "b@x.test", "10.0.0.9", last) is None


def test_idle_session_expires_and_returns_to_the_page(
    app: Flask, client: FlaskClient, people: People
) -> None:
    sign_in(client, people.officer.email)
    assert client.get("/account/password").status_code == 200
    with client.session_transaction() as sess:
        sess["_seen"] = sess["_seen"] - app.config["IDLE_TIMEOUT"].total_seconds() - 1
    resp = client.get("/account/password")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/signin?next=/account/password"
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Sesi Anda berakhir setelah 30 menit" in page
    token = csrf_token(client, "/signin?next=/account/password")
    resp = client.post(
        "/signin?next=/account/password",
        data={"email": people.officer.email, "password": PASSWORD, "csrf_token": token},
    )
    assert resp.headers["Location"] == "/account/password"


def test_next_is_followed_only_within_the_site(client: FlaskClient, people: People) -> None:
    token = csrf_token(client)
    data = {"email": people.officer.email, "password": PASSWORD, "csrf_token": token}
    resp = client.post("/signin?next=/account/password", data=data)
    assert resp.headers["Location"] == "/account/password"
    client.get("/")  # keep the session
    client.post("/signout", data={"csrf_token": csrf_token(client, "/account/password")})
    token = csrf_token(client)
    data["csrf_token"] = token
    resp = client.post("/signin?next=//evil.example/x", data=data)
    assert resp.headers["Location"] == "/home"


def test_password_change_ends_other_sessions(
    app: Flask, client: FlaskClient, people: People
) -> None:
    other = app.test_client()
    sign_in(other, people.officer.email)
    sign_in(client, people.officer.email)
    token = csrf_token(client, "/account/password")
    new = "another-long-password"
    resp = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": new, "repeat": new, "csrf_token": token},
    )
    assert resp.status_code == 302
    assert client.get("/account/password").status_code == 200  # this session goes on
    assert other.get("/account/password").status_code == 302  # the other one is over
    client.post("/signout", data={"csrf_token": csrf_token(client, "/account/password")})
    assert sign_in(client, people.officer.email, new).status_code == 302


def test_password_change_names_the_bad_field(client: FlaskClient, people: People) -> None:
    sign_in(client, people.officer.email)
    token = csrf_token(client, "/account/password")
    resp = client.post(
        "/account/password",
        data={"current": PASSWORD, "new": "short", "repeat": "short", "csrf_token": token},
    )
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'href="#new"' in html and "Gunakan paling sedikit 10 karakter." in html


def test_form_without_csrf_token_is_refused(client: FlaskClient, people: People) -> None:
    resp = client.post("/signin", data={"email": people.officer.email, "password": PASSWORD})
    assert resp.status_code == 400
    assert "Formulir sudah kedaluwarsa" in resp.get_data(as_text=True)


def test_language_is_stored_on_the_user(
    client: FlaskClient, people: People, session: Session
) -> None:
    sign_in(client, people.officer.email)
    token = csrf_token(client, "/account/password")
    resp = client.post(
        "/account/language", data={"lang": "en", "next": "/account/password", "csrf_token": token}
    )
    assert resp.headers["Location"] == "/account/password"
    session.refresh(people.officer)
    assert people.officer.locale == "en"
    assert "Change password" in client.get("/account/password").get_data(as_text=True)
