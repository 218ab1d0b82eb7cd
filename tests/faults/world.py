"""A live app on its own PostgreSQL database (real commits, several connections) with two
lenders, the demo champion and disbursed loans: the stage for the fault tests."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from creditapp import create_app
from creditapp.services import loans as loan_services
from creditapp.services.audit import Actor
from fixtures.payloads import application_payload
from fixtures.tables import Population
from tests.api.conftest import ApiEnv, make_env, officer


@dataclass
class World:
    app: Flask
    env: ApiEnv
    loan_ids: list[int]
    first_due: dict[int, str]  # loan id -> its first due date (ISO)
    installment: dict[int, int]  # loan id -> its first instalment (principal + interest)

    @property
    def client(self) -> FlaskClient:
        return self.app.test_client()

    def repay_body(self, loan_id: int, amount: int | None = None) -> dict[str, Any]:
        paid_on = self.app.config["BUSINESS_DATE"]
        return {
            "amount": amount or self.installment[loan_id],
            "paid_on": paid_on,
            "channel": "qris",
        }

    def repayment_headers(self, key: str) -> dict[str, str]:
        return {**self.env.a.headers, "Idempotency-Key": key}


def live_app(url: str, tmp_path: Path, **config: Any) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "test-only-secret",
            "MODEL_DIR": str(tmp_path / "models"),
            "CONFIG_CACHE_SECONDS": 0,
            "API_RATE_LIMIT_PER_MINUTE": 100_000,
            **config,
        }
    )


def build_world(
    url: str, tmp_path: Path, population: Population, loans: int, **config: Any
) -> World:
    """Commit ``loans`` disbursed KUR loans of lender A, each Rp 50.000.000 over 24 months."""
    app = live_app(url, tmp_path, **config)
    client = app.test_client()
    with app.extensions["db"].sessionmaker() as s:
        env = make_env(s, Path(app.config["MODEL_DIR"]))
        approver = officer(s, env.a.lender_id, "approver@bank-a.id")
        checker = officer(s, env.a.lender_id, "checker@bank-a.id")
        s.commit()
        loan_ids, decided = [], date.today()
        for i in range(loans):
            payload = copy.deepcopy(application_payload(population, i))
            payload["request"].update(program="KUR-MIKRO", amount=50_000_000, tenor_months=24)
            resp = client.post("/api/v1/applications", json=payload, headers=env.a.headers)
            assert resp.status_code == 201, resp.json
            decided = date.fromisoformat(payload["as_of"])
            loan = loan_services.approve_application(
                s,
                Actor("user", approver.id),
                resp.json["id"],
                amount=50_000_000,
                tenor=24,
                decided_by=approver.id,
                decided_on=decided,
            )
            s.commit()
            disb = client.post(
                f"/api/v1/loans/{loan.id}/disbursements",
                json={"amount": 50_000_000, "disbursed_on": decided.isoformat()},
                headers={**env.a.headers, "Idempotency-Key": f"disb-{loan.id}"},
            )
            assert disb.status_code == 201, disb.json
            loan_services.confirm_disbursement(
                s, Actor("user", checker.id), disb.json["id"], checker.id, decided
            )
            s.commit()
            loan_ids.append(loan.id)
    first_due, installment = {}, {}
    for loan_id in loan_ids:
        first = client.get(f"/api/v1/loans/{loan_id}", headers=env.a.headers).json["schedule"][0]
        first_due[loan_id] = first["due_on"]
        installment[loan_id] = first["principal_due"] + first["interest_due"]
    app.config["BUSINESS_DATE"] = max(first_due.values())
    return World(app, env, loan_ids, first_due, installment)
