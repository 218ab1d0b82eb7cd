"""Refer on the application page; a non-senior officer gets a 403 page, a senior decides."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import Application, Decision
from tests.factories import core
from tests.web.conftest import People, csrf_token, sign_in

REFUSED_ID = "hanya pejabat kredit senior lembaga Anda yang boleh memutuskannya"
REFUSED_EN = "only a senior officer of your lender may decide it"


def _post(client: FlaskClient, app_id: int, **data: str) -> object:
    token = csrf_token(client, f"/applications/{app_id}")
    return client.post(f"/applications/{app_id}/decision", data={"csrf_token": token, **data})


def test_refer_then_only_the_senior_decides(
    client: FlaskClient, session: Session, people: People
) -> None:
    people.checker.senior = True  # the lender's senior officer
    application = core.application(session, people.lender, core.program(session))
    session.commit()
    url = f"/applications/{application.id}"
    sign_in(client, people.officer.email)
    page = client.get(url).get_data(as_text=True)
    assert f'<option value="{people.checker.id}">{people.checker.name}</option>' in page
    resp = _post(
        client,
        application.id,
        outcome="refer",
        text="Perlu survei lokasi",
        referred_to=str(people.checker.id),
    )
    assert resp.status_code == 302  # type: ignore[attr-defined]
    session.expire_all()
    assert session.get(Application, application.id).referred_to == people.checker.id  # type: ignore[union-attr]
    page = client.get(url).get_data(as_text=True)
    assert REFUSED_ID in page and 'name="outcome"' not in page  # no form for a non-senior
    resp = _post(client, application.id, outcome="decline", reason_code="affordability", text="x")
    assert resp.status_code == 403  # type: ignore[attr-defined]
    assert REFUSED_ID in resp.get_data(as_text=True)  # type: ignore[attr-defined]
    token = csrf_token(client, url)
    client.post("/account/language", data={"lang": "en", "next": url, "csrf_token": token})
    resp = _post(client, application.id, outcome="decline", reason_code="affordability", text="x")
    assert resp.status_code == 403  # type: ignore[attr-defined]
    assert REFUSED_EN in resp.get_data(as_text=True)  # type: ignore[attr-defined]
    assert session.scalars(select(Decision.outcome)).all() == ["refer"]
    client.post("/signout", data={"csrf_token": csrf_token(client, "/queue")})

    sign_in(client, people.checker.email)
    queue = client.get("/queue").get_data(as_text=True)
    assert 'id="referred-to-me"' in queue
    mine = client.get("/queue?referred=me").get_data(as_text=True)
    assert f"/applications/{application.id}" in mine
    resp = _post(
        client,
        application.id,
        outcome="decline",
        reason_code="affordability",
        text="Angsuran melebihi arus kas",
    )
    assert resp.status_code == 302  # type: ignore[attr-defined]
    session.expire_all()
    assert session.get(Application, application.id).status == "declined"  # type: ignore[union-attr]
    decided = session.scalars(select(Decision).order_by(Decision.id)).all()
    assert [(d.outcome, d.decided_by) for d in decided] == [
        ("refer", people.officer.id),
        ("decline", people.checker.id),
    ]


def test_refer_without_any_senior_names_the_field(
    client: FlaskClient, session: Session, people: People
) -> None:
    application = core.application(session, people.lender, core.program(session))
    session.commit()
    sign_in(client, people.officer.email)
    resp = _post(client, application.id, outcome="refer", text="Perlu survei")
    assert resp.status_code == 422  # type: ignore[attr-defined]
    body = resp.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "Lembaga Anda tidak punya pejabat kredit senior lain untuk dirujuk." in body
    assert session.scalar(select(Decision)) is None
