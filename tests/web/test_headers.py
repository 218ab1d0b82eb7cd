"""Security headers on every response and the session cookie's flags."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.web.conftest import People, sign_in


def test_every_response_carries_the_security_headers(client: FlaskClient) -> None:
    for path in ("/signin", "/no-such-page", "/healthz", "/api/v1/programs"):
        resp = client.get(path)
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp, path
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_http_only_and_same_site(client: FlaskClient, people: People) -> None:
    resp = sign_in(client, people.officer.email)
    cookie = next(v for k, v in resp.headers.items() if k == "Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_versioned_assets_are_cached_for_a_year(client: FlaskClient) -> None:
    html = client.get("/signin").get_data(as_text=True)
    start = html.index("/static/web/app.css?v=")
    url = html[start : html.index('"', start)]
    resp = client.get(url)
    assert resp.status_code == 200
    assert "max-age=31536000" in resp.headers["Cache-Control"]
    resp.close()
