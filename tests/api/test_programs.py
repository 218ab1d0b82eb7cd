"""GET /programs and GET /models/champion."""

from __future__ import annotations

from flask.testing import FlaskClient

from .conftest import ApiEnv


def test_programs_list_kur_with_rules_and_quota(api: FlaskClient, env: ApiEnv) -> None:
    resp = api.get("/api/v1/programs", headers=env.a.headers)
    assert resp.status_code == 200
    by_code = {p["code"]: p for p in resp.json}
    assert set(by_code) == {"KUR-SUPERMIKRO", "KUR-MIKRO", "KUR-KECIL"}
    mikro = by_code["KUR-MIKRO"]
    assert mikro["plafond_max"] == 100_000_000
    assert mikro["rate_by_access"][0] == "0.06"
    assert mikro["remaining_total"] == mikro["quota_total"]
    assert by_code["KUR-SUPERMIKRO"]["rate_by_access"] == ["0.03"]


def test_programs_before_they_start_are_not_listed(api: FlaskClient, env: ApiEnv) -> None:
    resp = api.get("/api/v1/programs", query_string={"as_of": "2000-01-01"}, headers=env.a.headers)
    assert resp.status_code == 200 and resp.json == []


def test_champion_model(api: FlaskClient, env: ApiEnv) -> None:
    resp = api.get("/api/v1/models/champion", headers=env.a.headers)
    assert resp.status_code == 200
    assert resp.json["name"] and resp.json["version"]
    assert "auc" in {k.lower() for k in resp.json["metrics"]} or resp.json["metrics"]
