"""Walk every operation of the OpenAPI document with two lenders: B never sees A's data."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from creditapp.services.audit import Actor
from creditapp.services.claims import build_subsidy_claims
from creditapp.services.loans import accrue_subsidy, age_loans

from .conftest import ApiEnv

# Minimal valid bodies for POSTs on another lender's resource: must be refused as not found.
BODIES = {
    "/api/v1/loans/{loan_id}/repayments": {"amount": 1000, "paid_on": "2026-12-01"},
    "/api/v1/loans/{loan_id}/disbursements": {"amount": 1000, "disbursed_on": "2026-12-01"},
    "/api/v1/applications/{application_id}/decision": {
        "officer": "officer@bank-b.id",
        "outcome": "refer",
        "decided_on": "2026-12-01",
        "text": "x",
    },
}
# Collection endpoints and what identifies an item in them.
LISTS = {"/api/v1/applications": "id", "/api/v1/loans": "id", "/api/v1/subsidy-claims": "id"}
# Portfolio reports: aggregates of the caller's own loans only.
REPORTS = "/api/v1/reports/"
# Operations that neither take an id nor list tenant data.
SHARED = {
    ("post", "/api/v1/applications"),
    ("post", "/api/v1/score"),
    ("get", "/api/v1/programs"),
    ("get", "/api/v1/models/champion"),
}


def test_every_operation_is_tenant_safe(
    api: FlaskClient, env: ApiEnv, loan_id: int, payload: dict[str, Any], session: Session
) -> None:
    a_app = api.get(f"/api/v1/loans/{loan_id}", headers=env.a.headers).json["application_id"]
    # an end-of-day run, so A's loan is in the portfolio snapshot that reports read
    as_of = date.fromisoformat(payload["as_of"])
    age_loans(session, as_of)
    # A's subsidy claim for the month its loan was paid out in
    month = as_of.replace(day=1)
    month_end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    accrue_subsidy(session, month, month_end.fromordinal(month_end.toordinal() - 1))
    [claim] = build_subsidy_claims(session, Actor.system(), month, month_end)
    session.commit()
    ids = {"loan_id": loan_id, "application_id": a_app, "claim_id": claim.id}
    spec = api.get("/api/v1/openapi.json").json
    walked = reports = 0
    for path, item in spec["paths"].items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method not in item:
                continue
            params = re.findall(r"{(\w+)}", path)
            if params:
                url = path
                for p in params:
                    assert p in ids, f"{method.upper()} {path}: no tenancy fixture for {p}"
                    url = url.replace(f"{{{p}}}", str(ids[p]))
                headers = {**env.b.headers, "Idempotency-Key": f"walk-{walked}"}
                resp = api.open(url, method=method, json=BODIES.get(path), headers=headers)
                assert resp.status_code == 404, f"B reached A's {method.upper()} {path}"
                # A itself still reaches it.
                if method == "get":
                    assert api.get(url, headers=env.a.headers).status_code == 200
            elif method == "get" and path.startswith(REPORTS):
                # B's reports hold nothing of A's: not its 50 jt loan, not its lender code
                resp = api.get(f"{path}?as_of={as_of}", headers=env.b.headers)
                assert resp.status_code == 200, (path, resp.json)
                text = resp.get_data(as_text=True)
                assert "50000000" not in text and "BANK-A" not in text, f"B sees A in {path}"
                reports += 1
            elif method == "get" and path in LISTS:
                items = api.get(path, headers=env.b.headers).json["items"]
                assert items == [], f"B sees A's items in {path}"
                assert api.get(path, headers=env.a.headers).json["items"]
            else:
                assert (method, path) in SHARED, f"{method.upper()} {path} is not classified"
            walked += 1
    assert walked >= 9 and reports >= 1
    mine = api.get(f"/api/v1/reports/portfolio?as_of={as_of}", headers=env.a.headers).json
    theirs = api.get(f"/api/v1/reports/portfolio?as_of={as_of}", headers=env.b.headers).json
    assert (mine["gross_outstanding"], theirs["gross_outstanding"]) == (50_000_000, 0)
