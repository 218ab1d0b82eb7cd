"""GET /programs and GET /models/champion."""

from __future__ import annotations

from datetime import date

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

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


def test_programs_show_the_version_in_force_on_as_of(
    api: FlaskClient, env: ApiEnv, session: Session
) -> None:
    """A version from 1 Jan 2030 with a 5 % first rate: listed from that day, not before."""
    from creditapp.services import program_admin
    from creditapp.services.audit import Actor
    from creditapp.services.program_terms import as_plain, terms_in_force
    from creditapp.services.programs import program_by_code

    mikro = program_by_code(session, "KUR-MIKRO")
    current = terms_in_force(session, mikro.id, date(2029, 12, 31))
    assert current is not None
    terms = as_plain(current) | {"rate_by_access": ["0.05", "0.06"]}
    program_admin.add_version(
        session, Actor.system(), "KUR-MIKRO", "2030-01-01", terms, today=date(2029, 12, 1)
    )
    session.commit()

    def first_rate(as_of: str) -> str:
        resp = api.get("/api/v1/programs", query_string={"as_of": as_of}, headers=env.a.headers)
        return {p["code"]: p for p in resp.json}["KUR-MIKRO"]["rate_by_access"][0]

    assert first_rate("2029-12-31") == "0.06"
    assert first_rate("2030-01-01") == "0.05"
