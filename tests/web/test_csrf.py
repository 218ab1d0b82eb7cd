"""Every web form refuses a post without its CSRF token, before any view runs.

Walks the real routes (no probe route of the test's own): each POST rule outside the API,
with placeholder arguments, posted by a signed-in officer without a token, gets 400 and
changes nothing.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import AuditEvent
from tests.web.conftest import People, sign_in


def _web_post_paths(app: Flask) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.rule.startswith("/api/"):
            continue
        args = {name: 1 for name in rule.arguments}
        with app.test_request_context():
            paths.append(app.url_for(rule.endpoint, **args))
    return sorted(set(paths))


def test_every_web_form_needs_its_token(
    app: Flask, client: FlaskClient, people: People, session: Session
) -> None:
    paths = _web_post_paths(app)
    assert {"/signin", "/signout", "/account/password"} <= set(paths)
    assert any(p.startswith("/applications/") for p in paths)  # the decision form
    assert any(p.startswith("/loans/") for p in paths)  # repayments, disbursements...
    sign_in(client, people.officer.email)
    audited = session.scalar(select(func.count(AuditEvent.id)))
    refused = {p: client.post(p, data={"amount": "1000", "reason": "x"}).status_code for p in paths}
    assert refused == dict.fromkeys(paths, 400)
    session.expire_all()
    assert session.scalar(select(func.count(AuditEvent.id))) == audited
