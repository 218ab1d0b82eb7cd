"""The OpenAPI document describes every operation, and the docs page needs no network."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def test_every_operation_is_documented(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    ops = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(ops) >= 5
    for path, method, op in ops:
        where = f"{method.upper()} {path}"
        assert op.get("summary"), f"{where} has no summary"
        codes = set(op["responses"])
        assert any(c.startswith("2") for c in codes), f"{where} documents no success"
        assert codes - {c for c in codes if c.startswith("2")}, f"{where} documents no error"
        if method == "post":
            assert "requestBody" in op, f"{where} has no request schema"


def test_docs_page_serves_assets_from_the_installed_package(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert not re.search(r"(src|href)=\"https?://", html), "no CDN links"
    for asset in re.findall(r"(?:src|href)=\"(/api/v1/docs/assets/[^\"]+)\"", html):
        with client.get(asset) as resp:  # closes the file the response streams
            assert resp.status_code == 200, asset
