"""No CSRF on the key-authenticated API (web forms: tests/web/test_csrf.py); no personal data
in SQL errors."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from creditapp.models import Enterprise


def test_api_posts_need_no_csrf_token(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    resp = app.test_client().post("/api/v1/score", json={})
    assert resp.status_code == 401  # reached the key check, not a CSRF refusal


def test_sql_errors_do_not_carry_personal_data(session: Session) -> None:
    nik = "3201234567890001"
    session.add(
        Enterprise(
            lender_id=987654,  # no such lender: the insert fails
            name="UD Rahasia",
            owner_name="Siti Aminah",
            owner_nik=nik,
            owner_gender="F",
            kbli="10792",
            kbli_division=10,
            province="32",
            regency="3204",
            founded_on=date(2019, 3, 1),
            workers=3,
            assets=1,
            annual_sales=1,
        )
    )
    try:
        session.flush()
    except IntegrityError as exc:
        text = str(exc)
        assert nik not in text and "Siti Aminah" not in text
    else:
        raise AssertionError("the foreign key should have refused the row")
