"""Model registry: register, promote, roll back, hot swap, and refusing bad bundles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.commands.demo import DEMO_MODEL_DIR
from creditapp.models import AuditEvent, ModelVersion
from scoring.bundle import read_verified, write_bundle
from tests.api.conftest import make_env


def second_version(tmp_path: Path, version: str) -> Path:
    """The demo model under another version number, written as a proper bundle."""
    manifest, text = read_verified(DEMO_MODEL_DIR)
    fields = {k: v for k, v in manifest.items() if k not in ("files", "format")}
    return write_bundle(tmp_path / version, text, {**fields, "version": version})


def champion(session: Session) -> str:
    session.expire_all()
    mv = session.scalar(select(ModelVersion).where(ModelVersion.is_champion))
    return mv.version if mv else ""


@pytest.fixture
def two_versions(app: Flask, session: Session, runner: FlaskCliRunner, tmp_path: Path) -> Any:
    env = make_env(session, Path(app.config["MODEL_DIR"]))  # registers + promotes the demo
    first = champion(session)
    v2 = second_version(tmp_path, "v2-test")
    result = runner.invoke(args=["models", "register", str(v2)])
    assert result.exit_code == 0, result.output
    return env, first


def score_version(app: Flask, env: Any, payload: dict[str, Any]) -> str:
    resp = app.test_client().post("/api/v1/score", json=payload, headers=env.a.headers)
    assert resp.status_code == 200, resp.json
    version: str = resp.json["score"]["model_version"]
    return version


def test_promote_and_rollback_are_served_without_restart(
    app: Flask, session: Session, runner: FlaskCliRunner, two_versions: Any
) -> None:
    from fixtures import generate_population
    from fixtures.payloads import application_payload

    env, first = two_versions
    payload = application_payload(generate_population(10, seed=3), 1)
    assert score_version(app, env, payload) == first
    name = session.scalar(select(ModelVersion.name).where(ModelVersion.is_champion))
    assert runner.invoke(args=["models", "promote", name, "v2-test"]).exit_code == 0
    assert champion(session) == "v2-test"
    assert score_version(app, env, payload) == "v2-test"  # same app, next request
    assert runner.invoke(args=["models", "rollback", name]).exit_code == 0
    assert champion(session) == first
    assert score_version(app, env, payload) == first
    actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("model.promote") >= 3


def test_tampered_bundle_is_never_served(
    app: Flask, session: Session, runner: FlaskCliRunner, two_versions: Any
) -> None:
    from fixtures import generate_population
    from fixtures.payloads import application_payload

    env, _first = two_versions
    name = session.scalar(select(ModelVersion.name).where(ModelVersion.is_champion))
    mv = session.scalar(select(ModelVersion).where(ModelVersion.version == "v2-test"))
    assert mv is not None
    model_file = Path(mv.path) / "model.txt"
    model_file.write_text(model_file.read_text().replace("shrinkage=", "shrinkage=9", 1))
    result = runner.invoke(args=["models", "promote", name, "v2-test"])
    assert result.exit_code != 0
    # Even if the files change after promotion, scoring refuses rather than guesses.
    session.execute(
        ModelVersion.__table__.update()
        .where(ModelVersion.version != "v2-test")
        .values(is_champion=False)
    )
    mv.is_champion = True
    session.commit()
    payload = application_payload(generate_population(10, seed=3), 1)
    # A worker that already verified and loaded this version keeps serving that verified copy;
    # a fresh worker (empty cache) must refuse the changed files.
    from creditapp.services import models as registry

    registry._cache.clear()
    resp = app.test_client().post("/api/v1/score", json=payload, headers=env.a.headers)
    assert resp.status_code == 503
    assert resp.json["code"] == "service_unavailable"
    assert "v2-test" in repr(resp.json["errors"])


def test_partial_bundle_is_refused_and_nothing_recorded(
    app: Flask, session: Session, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "model.txt").write_text((DEMO_MODEL_DIR / "model.txt").read_text())
    result = runner.invoke(args=["models", "register", str(partial)])
    assert result.exit_code != 0
    assert session.scalar(select(ModelVersion)) is None
    assert not any(Path(app.config["MODEL_DIR"]).rglob("model.txt"))
