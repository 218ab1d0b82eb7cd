"""Errors are JSON under /api and HTML pages elsewhere, and never show a traceback."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient


def test_api_404_is_json(client: FlaskClient) -> None:
    resp = client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404
    assert resp.is_json
    assert set(resp.json) == {"code", "message", "errors"}
    assert resp.json["code"] == "not_found"


def test_web_404_is_an_html_page_in_the_visitors_language(client: FlaskClient) -> None:
    resp = client.get("/no-such-page")
    assert resp.status_code == 404
    assert resp.mimetype == "text/html"
    assert "Halaman tidak ditemukan" in resp.get_data(as_text=True)
    resp = client.get("/no-such-page", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert resp.status_code == 404
    assert "Page not found" in resp.get_data(as_text=True)


def test_api_405_is_json(client: FlaskClient) -> None:
    resp = client.post("/healthz")
    assert resp.status_code == 405
    assert resp.json["code"] == "method_not_allowed"


def test_oversized_body_gives_413(app: Flask) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024

    @app.post("/api/echo")
    def echo() -> str:
        from flask import request

        return str(len(request.get_data()))

    resp = app.test_client().post("/api/echo", data=b"x" * 4096)
    assert resp.status_code == 413
    assert resp.json["code"] == "request_entity_too_large"


def test_unexpected_failure_hides_the_traceback(app: Flask) -> None:
    secret = "nik 3201234567890001 in a message"

    @app.get("/api/boom")
    def boom() -> str:
        raise RuntimeError(secret)

    @app.get("/boom")
    def boom_page() -> str:
        raise RuntimeError(secret)

    client = app.test_client()
    api = client.get("/api/boom")
    assert api.status_code == 500
    assert api.json["code"] == "internal_server_error"
    page = client.get("/boom")
    assert page.status_code == 500
    for resp in (api, page):
        text = resp.get_data(as_text=True)
        assert secret not in text and "Traceback" not in text
