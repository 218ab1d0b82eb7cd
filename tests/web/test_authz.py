"""Role and lender checks: every web view is guarded; wrong role 403, foreign object 404."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from creditapp.models import Application
from creditapp.web.authz import lender_object, role_required
from tests.factories import core
from tests.web.conftest import People, sign_in


def test_every_web_view_declares_who_may_open_it(app: Flask) -> None:
    web_views = {
        endpoint: view
        for endpoint, view in app.view_functions.items()
        if getattr(view, "__module__", "").startswith("creditapp.web")
    }
    assert "home.index" in web_views
    assert [e for e, view in web_views.items() if not hasattr(view, "access")] == []
    public = sorted(e for e, view in web_views.items() if view.access == "public")
    assert public == ["account.language", "auth.signin", "auth.signout", "home.root"]


@pytest.fixture
def probe(app: Flask) -> Flask:
    bp = Blueprint("probe", __name__)

    @bp.get("/probe/<int:application_id>")
    @role_required("loan_officer")
    def show(application_id: int) -> Any:
        return str(lender_object(Application, application_id).id)

    app.register_blueprint(bp)
    return app


def test_wrong_role_gets_403(probe: Flask, client: FlaskClient, people: People) -> None:
    sign_in(client, people.manager.email)
    resp = client.get("/probe/1")
    assert resp.status_code == 403
    assert "Peran Anda tidak mengizinkan halaman ini." in resp.get_data(as_text=True)


def test_foreign_object_answers_exactly_like_a_missing_one(
    probe: Flask, client: FlaskClient, people: People, session: Session
) -> None:
    program = core.program(session)
    mine = core.application(session, people.lender, program)
    theirs = core.application(session, people.other_lender, program)
    session.commit()
    sign_in(client, people.officer.email)
    assert client.get(f"/probe/{mine.id}").get_data(as_text=True) == str(mine.id)
    foreign = client.get(f"/probe/{theirs.id}")
    missing = client.get(f"/probe/{theirs.id + 1000}")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_data() == missing.get_data().replace(
        str(theirs.id + 1000).encode(), str(theirs.id).encode()
    )
