"""Web fixtures: users with known passwords, and a client that signs in through the form."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from creditapp.models import Lender, User
from creditapp.services import access
from creditapp.services.audit import Actor
from tests.factories import core

PASSWORD = "a-long-test-password"
_TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client: FlaskClient, path: str = "/signin") -> str:
    """The CSRF token of the form at ``path`` (the session keeps the matching secret)."""
    html = client.get(path).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD, **kw: str) -> object:
    token = csrf_token(client)
    return client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": token}, **kw
    )


@dataclass
class People:
    lender: Lender
    other_lender: Lender
    officer: User
    checker: User
    foreign_officer: User
    manager: User


@pytest.fixture
def people(session: Session) -> People:
    actor = Actor.system()
    lender, other = core.lender(session), core.lender(session)

    def user(email: str, role: str, lender_obj: Lender | None) -> User:
        return access.create_user(
            session,
            actor,
            email=email,
            name=email.split("@")[0],
            role=role,
            password=PASSWORD,
            lender=lender_obj,
        )

    found = People(
        lender=lender,
        other_lender=other,
        officer=user("officer@a.test", "loan_officer", lender),
        checker=user("checker@a.test", "loan_officer", lender),
        foreign_officer=user("officer@b.test", "loan_officer", other),
        manager=user("manager@p.test", "program_manager", None),
    )
    session.commit()
    return found
