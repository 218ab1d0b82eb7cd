"""The waterfall's steps add up exactly from the base value to the score."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import ModelVersion, ScoreRecord
from creditapp.services import explanation
from tests.api.conftest import ApiEnv


def test_waterfall_adds_up_to_the_score(
    app: Flask, api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> None:
    resp = api.post("/api/v1/applications", json=payload, headers=env.a.headers)
    assert resp.status_code == 201, resp.json
    record = session.scalar(
        select(ScoreRecord).where(ScoreRecord.application_id == resp.json["id"])
    )
    assert record is not None
    with app.app_context():
        wf = explanation.waterfall(session, record)
    assert wf is not None and wf.consistent
    # the score worked out by hand from the stored PD and the bundle's scaling
    mv = session.scalar(select(ModelVersion))
    assert mv is not None
    manifest = json.loads((Path(mv.path) / "manifest.json").read_text())
    s = manifest["score_scaling"]
    odds = (1 - record.pd) / record.pd
    by_hand = s["base_points"] + s["pdo"] / math.log(2) * (
        math.log(odds) - math.log(s["base_odds"])
    )
    assert abs(wf.base + sum(step.points for step in wf.steps) - by_hand) < 0.05
    assert round(by_hand) == record.score
    assert len(wf.steps) == len({step.characteristic for step in wf.steps})


def test_monthly_flows_keep_months_without_transactions(
    app: Flask, api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> None:
    resp = api.post("/api/v1/applications", json=payload, headers=env.a.headers)
    assert resp.status_code == 201, resp.json
    flows = explanation.monthly_flows(session, resp.json["id"])
    # worked out from the payload itself: totals per month, and every month in between
    inflow: dict[str, int] = {}
    for t in payload["transactions"]:
        if t["direction"] == "in":
            inflow[t["date"][:7]] = inflow.get(t["date"][:7], 0) + t["amount"]
    months = [f.month.isoformat()[:7] for f in flows]
    assert months[0] <= min(inflow) and months[-1] >= max(inflow)
    assert len(months) == len(set(months))
    for a, b in zip(flows, flows[1:], strict=False):
        assert (b.month.year * 12 + b.month.month) - (a.month.year * 12 + a.month.month) == 1
    assert {f.month.isoformat()[:7]: f.inflow for f in flows if f.inflow} == inflow
