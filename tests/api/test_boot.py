"""A serving process loads the champion while it boots, and boots even when it cannot."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from creditapp import create_app
from creditapp.boot import warm
from creditapp.services import models

from .conftest import ApiEnv


def test_the_champion_is_loaded_before_the_first_request(
    app: Flask,
    env: ApiEnv,
    session: Session,
    api: FlaskClient,
    payload: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(models, "_cache", {})
    warm(app)

    def no_disk(*_: object) -> None:
        raise AssertionError("a request loaded the bundle from disk")

    monkeypatch.setattr(models, "load_bundle", no_disk)
    assert api.post("/api/v1/score", json=payload, headers=env.a.headers).status_code == 200


def test_no_champion_yet_is_not_fatal(
    app: Flask, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(models, "_cache", {})
    with caplog.at_level(logging.INFO, logger="creditapp.boot"):
        warm(app)  # returns instead of raising
    assert not any("loaded" in r.getMessage() for r in caplog.records)


def test_an_unreachable_database_is_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}"
    with caplog.at_level(logging.WARNING, logger="creditapp.boot"):
        warm(create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "x"}))
    assert [r.getMessage() for r in caplog.records] == ["champion not preloaded: OperationalError"]
