"""Every error the API can return is JSON with the security headers; HSTS behind TLS
(issue 16 item 6)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import ApiEnv


def test_an_over_long_url_gets_a_json_414(api: FlaskClient, env: ApiEnv) -> None:
    resp = api.get("/api/v1/applications?program=" + "K" * 5000, headers=env.a.headers)
    assert resp.status_code == 414
    assert resp.is_json and resp.json["code"] == "request_uri_too_long"


def test_api_errors_are_json_with_headers(api: FlaskClient, env: ApiEnv) -> None:
    cases = [
        api.get("/api/v1/no-such-thing", headers=env.a.headers),  # 404
        api.delete("/api/v1/programs", headers=env.a.headers),  # 405
        api.post("/api/v1/applications", data=b"x" * (9 * 1024 * 1024),
                 headers={**env.a.headers, "Content-Type": "application/json"}),  # 413
        api.get("/api/v1/programs"),  # 401
    ]  # fmt: skip
    assert [r.status_code for r in cases] == [404, 405, 413, 401]
    for resp in cases:
        assert resp.is_json and set(resp.json) >= {"code", "message", "errors"}
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]


def test_api_answers_are_not_cached(api: FlaskClient, env: ApiEnv) -> None:
    # Applications carry names and NIKs: no shared cache may keep them.
    resp = api.get("/api/v1/programs", headers=env.a.headers)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"


def test_hsts_only_behind_tls(app: Flask, client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/signin").headers
    tls = client.get("/signin", base_url="https://kredit.example")
    assert tls.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # Behind a TLS proxy that speaks plain HTTP to gunicorn, HSTS_MAX_AGE switches it on.
    app.config["HSTS_MAX_AGE"] = 600
    assert client.get("/signin").headers["Strict-Transport-Security"] == "max-age=600"
