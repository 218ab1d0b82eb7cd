"""API fixtures: KUR programs, two lenders with keys, the demo model as champion."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from creditapp.commands.demo import DEMO_MODEL_DIR, PROGRAMS_FROM
from creditapp.models import User
from creditapp.services import access, models, programs
from creditapp.services import loans as loan_services
from creditapp.services.audit import Actor
from fixtures import generate_population
from fixtures.payloads import application_payload
from fixtures.tables import Population


@pytest.fixture(scope="session")
def population() -> Population:
    return generate_population(40, seed=11)


@pytest.fixture
def payload(population: Population) -> dict[str, Any]:
    """A fresh copy of a realistic application (tests may change it)."""
    return copy.deepcopy(application_payload(population, 3))


@dataclass
class Tenant:
    lender_id: int
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass
class ApiEnv:
    a: Tenant
    b: Tenant


def register_demo_model(session: Session, model_dir: Path) -> None:
    target = models.install_bundle(DEMO_MODEL_DIR, model_dir)
    mv = models.register(session, Actor.system(), target)
    models.promote(session, Actor.system(), mv.name, mv.version)


def make_env(session: Session, model_dir: Path) -> ApiEnv:
    actor = Actor.system()
    programs.seed_kur_programs(session, actor, PROGRAMS_FROM)
    tenants = []
    for code in ("BANK-A", "KSP-B"):
        lender = access.create_lender(session, actor, code, f"Lender {code}", "bank")
        key = access.issue_api_key(session, actor, lender, "tests")
        tenants.append(Tenant(lender.id, key.secret))
    register_demo_model(session, model_dir)
    session.commit()
    return ApiEnv(*tenants)


@pytest.fixture
def env(app: Flask, session: Session) -> ApiEnv:
    return make_env(session, Path(app.config["MODEL_DIR"]))


@pytest.fixture
def api(client: FlaskClient) -> FlaskClient:
    return client


def today() -> date:
    return date.today()


def officer(session: Session, lender_id: int, email: str) -> User:
    user = User(
        email=email, name=email, password_hash="x", role="loan_officer", lender_id=lender_id
    )
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def loan_id(api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]) -> int:
    """A loan of lender A, approved and disbursed (maker: the API key, checker: a user)."""
    payload["request"].update(program="KUR-MIKRO", amount=50_000_000, tenor_months=24)
    app_id = api.post("/api/v1/applications", json=payload, headers=env.a.headers).json["id"]
    approver = officer(session, env.a.lender_id, "approver@bank-a.id")
    decided = date.fromisoformat(payload["as_of"])
    loan = loan_services.approve_application(
        session,
        Actor("user", approver.id),
        app_id,
        amount=50_000_000,
        tenor=24,
        decided_by=approver.id,
        decided_on=decided,
    )
    session.commit()
    resp = api.post(
        f"/api/v1/loans/{loan.id}/disbursements",
        json={"amount": 50_000_000, "disbursed_on": decided.isoformat()},
        headers={**env.a.headers, "Idempotency-Key": "disb-1"},
    )
    assert resp.status_code == 201, resp.json
    assert resp.json["status"] == "pending"
    checker = officer(session, env.a.lender_id, "checker@bank-a.id")
    loan_services.confirm_disbursement(
        session, Actor("user", checker.id), resp.json["id"], checker.id, decided
    )
    session.commit()
    return loan.id
