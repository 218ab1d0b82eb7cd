"""Program administration pages: who may read and edit, the two-step change, CSRF, errors."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import AuditEvent, CreditProgram, ProgramLenderQuota, ProgramTerms, User
from creditapp.services import access
from creditapp.services.audit import Actor
from tests.factories import loans as lf
from tests.integration.programs.terms import kur_mikro, program
from tests.web.conftest import PASSWORD, People, csrf_token, sign_in

TODAY = date(2026, 6, 15)
ASKS = 'name="confirmed" type="hidden" value="yes"'  # the confirmation step (any language)


@pytest.fixture
def admin(session: Session, app: Flask) -> User:
    app.config["BUSINESS_DATE"] = TODAY.isoformat()
    user = access.create_user(
        session, Actor.system(), email="admin@p.test", name="admin", role="admin",
        password=PASSWORD, lender=None,
    )  # fmt: skip
    session.commit()
    return user


def _form(terms: dict[str, object], **extra: str) -> dict[str, str]:
    data = {}
    for name, value in terms.items():
        if isinstance(value, bool):
            if value:
                data[name] = "y"
        elif isinstance(value, list):
            data[name] = ", ".join(str(v) for v in value)
        else:
            data[name] = str(value)
    return data | extra


def test_managers_read_admins_edit_officers_are_refused(
    client: FlaskClient, session: Session, people: People, admin: User
) -> None:
    program(session, "PW-1")
    session.commit()
    sign_in(client, people.manager.email)
    assert client.get("/admin/programs/").status_code == 200
    page = client.get("/admin/programs/PW-1")
    assert page.status_code == 200 and "/versions/new" not in page.get_data(True)
    assert client.get("/admin/programs/PW-1/versions/new").status_code == 403
    assert client.get("/admin/programs/PW-1/quota").status_code == 403
    assert client.get("/admin/programs/new").status_code == 403
    token = csrf_token(client, "/account/password")
    refused = client.post("/admin/programs/PW-1/quota", data={"csrf_token": token})
    assert refused.status_code == 403
    client.post("/signout", data={"csrf_token": token})
    sign_in(client, people.officer.email)
    assert client.get("/admin/programs/").status_code == 403
    assert client.get("/admin/programs/PW-1").status_code == 403
    client.post("/signout", data={"csrf_token": csrf_token(client, "/account/password")})
    assert client.get("/admin/programs/").status_code == 302  # to sign-in
    sign_in(client, admin.email)
    assert client.get("/admin/programs/NOPE").status_code == 404


def test_a_new_version_is_checked_then_confirmed_and_audited(
    client: FlaskClient, session: Session, people: People, admin: User
) -> None:
    p = program(session, "PW-2")
    session.commit()
    sign_in(client, admin.email)
    path = "/admin/programs/PW-2/versions/new"
    form = client.get(path).get_data(True)
    assert 'value="2026-06-15"' in form  # today: no loan approved yet
    token = csrf_token(client, path)
    data = _form(kur_mikro(rate_by_access=["0.05"]), effective_from="2026-07-01", csrf_token=token)
    check = client.post(path, data=data)
    assert check.status_code == 200 and ASKS in check.get_data(True)
    assert (
        session.scalar(
            select(ProgramTerms).where(
                ProgramTerms.program_id == p.id, ProgramTerms.effective_from == date(2026, 7, 1)
            )
        )
        is None
    )
    done = client.post(path, data=data | {"confirmed": "yes"})
    assert done.status_code == 302
    session.expire_all()
    saved = session.scalar(
        select(ProgramTerms).where(
            ProgramTerms.program_id == p.id, ProgramTerms.effective_from == date(2026, 7, 1)
        )
    )
    assert saved is not None and saved.rate_by_access == ["0.05"]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "program.terms_version"))
    assert event is not None and event.actor_id == admin.id
    detail = client.get("/admin/programs/PW-2").get_data(True)
    assert "5%" in detail and 'class="badge"' in detail


def test_bad_terms_and_a_reach_into_loans_are_named_beside_the_field(
    client: FlaskClient, session: Session, people: People, admin: User
) -> None:
    p = program(session, "PW-3")
    lf.approved_loan(session, program_obj=p, decided_on=date(2026, 6, 20))
    session.commit()
    sign_in(client, admin.email)
    path = "/admin/programs/PW-3/versions/new"
    assert 'value="2026-06-21"' in client.get(path).get_data(True)  # the day after
    token = csrf_token(client, path)
    bad = client.post(
        path, data=_form(kur_mikro(claim_grade=7), effective_from="2026-06-20", csrf_token=token)
    )
    html = bad.get_data(True)
    assert bad.status_code == 422
    assert 'id="claim_grade-error"' in html and "from 2 to 5" in html
    late = client.post(path, data=_form(kur_mikro(), effective_from="2026-06-20", csrf_token=token))
    assert late.status_code == 422 and "approved on 2026-06-20" in late.get_data(True)
    no_token = client.post(path, data=_form(kur_mikro(), effective_from="2026-07-01"))
    assert no_token.status_code in (400, 422) and ASKS not in no_token.get_data(True)
    assert (
        len(list(session.scalars(select(ProgramTerms).where(ProgramTerms.program_id == p.id)))) == 1
    )


def test_quota_below_use_is_refused_and_a_program_is_created(
    client: FlaskClient, session: Session, people: People, admin: User
) -> None:
    p = program(session, "PW-4")
    lf.approved_loan(session, program_obj=p, lender_obj=people.lender, amount=60_000_000,
                     decided_on=date(2026, 6, 1))  # fmt: skip
    session.commit()
    sign_in(client, admin.email)
    path = "/admin/programs/PW-4/quota"
    token = csrf_token(client, path)
    data = {"csrf_token": token, "lender": people.lender.code, "segment": "mikro",
            "year": "2026", "quota": "Rp 50.000.000"}  # fmt: skip
    low = client.post(path, data=data)
    assert low.status_code == 422
    assert "Rp 50.000.000" in low.get_data(True) and "Rp 60.000.000" in low.get_data(True)
    data["quota"] = "75.000.000"
    assert ASKS in client.post(path, data=data).get_data(True)
    assert client.post(path, data=data | {"confirmed": "yes"}).status_code == 302
    row = session.scalar(select(ProgramLenderQuota).where(ProgramLenderQuota.program_id == p.id))
    assert row is not None and row.quota == 75_000_000
    left = "Rp\u00a015.000.000"  # 75 juta less the 60 juta approved; no-break space
    assert left in client.get("/admin/programs/PW-4").get_data(True)

    new = "/admin/programs/new"
    token = csrf_token(client, new)
    fields = _form(
        kur_mikro(),
        code="PW-NEW",
        name="Kredit Koperasi",
        segment="mikro",
        active_from="2026-07-01",
        active_to="",
        quota_total="",
        csrf_token=token,
    )
    assert ASKS in client.post(new, data=fields).get_data(True)
    assert client.post(new, data=fields | {"confirmed": "yes"}).status_code == 302
    created = session.scalar(select(CreditProgram).where(CreditProgram.code == "PW-NEW"))
    assert created is not None


def test_the_program_page_shows_rates_as_percentages_and_choices_by_name(
    client: FlaskClient, session: Session, people: People, admin: User
) -> None:
    program(session, "PW-R", penalty_daily_rate="0.0005")
    session.commit()
    sign_in(client, people.manager.email)
    page = client.get("/admin/programs/PW-R").get_data(True)
    # Indonesian first (the default): decimal comma. The figures are kur_mikro's own terms.
    assert "6%, 7%, 8%, 9%" in page and "10%, 9%, 8%, 7%" in page
    assert "35%" in page and "70%" in page and "0,05%" in page
    assert "0.06" not in page and "0.70" not in page and "0.0005" not in page
    token = csrf_token(client, "/account/password")
    client.post("/account/language", data={"lang": "en", "next": "/", "csrf_token": token})
    page = client.get("/admin/programs/PW-R").get_data(True)
    assert "0.05%" in page and "Annuity (equal instalments)" in page
