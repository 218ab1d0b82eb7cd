"""POST/GET /applications and POST /score, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import Application, ScoreRecord, Transaction

from .conftest import ApiEnv


def count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_submit_scores_stores_and_explains(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> None:
    resp = api.post("/api/v1/applications", json=payload, headers=env.a.headers)
    assert resp.status_code == 201, resp.json
    body = resp.json
    score = body["score"]
    assert body["status"] == "scored"
    assert body["program"] == payload["request"]["program"]
    assert 0.0 < score["pd"] < 1.0
    assert score["band"] in "ABCDE"
    assert score["reasons"], "every score carries reasons"
    assert all(r["text"] for r in score["reasons"])
    assert score["policy"]["recommendation"] in ("approve", "refer", "decline")
    # Everything the score saw is stored with it.
    app_id = body["id"]
    stored = session.scalar(
        select(func.count()).select_from(Transaction).where(Transaction.application_id == app_id)
    )
    assert stored == len(payload["transactions"])
    record = session.scalar(select(ScoreRecord).where(ScoreRecord.application_id == app_id))
    assert record is not None and record.pd == score["pd"] and record.band == score["band"]


def test_reasons_follow_accept_language(
    api: FlaskClient, env: ApiEnv, payload: dict[str, Any]
) -> None:
    id_resp = api.post("/api/v1/score", json=payload, headers=env.a.headers)
    en_resp = api.post(
        "/api/v1/score", json=payload, headers={**env.a.headers, "Accept-Language": "en"}
    )
    assert id_resp.status_code == en_resp.status_code == 200
    id_reasons = [r["text"] for r in id_resp.json["score"]["reasons"]]
    en_reasons = [r["text"] for r in en_resp.json["score"]["reasons"]]
    assert [r["code"] for r in id_resp.json["score"]["reasons"]] == [
        r["code"] for r in en_resp.json["score"]["reasons"]
    ]
    assert id_reasons != en_reasons
    assert id_resp.json["score"]["pd"] == en_resp.json["score"]["pd"]


def test_score_endpoint_stores_nothing(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> None:
    before = count(session, Application), count(session, Transaction)
    assert api.post("/api/v1/score", json=payload, headers=env.a.headers).status_code == 200
    assert (count(session, Application), count(session, Transaction)) == before


def test_get_and_list_only_show_own_applications(
    api: FlaskClient, env: ApiEnv, payload: dict[str, Any]
) -> None:
    created = [
        api.post("/api/v1/applications", json=payload, headers=env.a.headers).json["id"]
        for _ in range(3)
    ]
    other = api.post("/api/v1/applications", json=payload, headers=env.b.headers).json["id"]
    assert api.get(f"/api/v1/applications/{created[0]}", headers=env.a.headers).status_code == 200
    # Another lender's id answers exactly as a missing id does.
    foreign = api.get(f"/api/v1/applications/{other}", headers=env.a.headers)
    missing = api.get("/api/v1/applications/999999", headers=env.a.headers)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json["code"] == missing.json["code"]
    # Pagination walks all of A's applications, newest first, and nothing of B's.
    seen: list[int] = []
    cursor = None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/applications", query_string=query, headers=env.a.headers).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["page"]["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(created, reverse=True)


def test_list_filters_by_band_and_status(
    api: FlaskClient, env: ApiEnv, payload: dict[str, Any]
) -> None:
    band = api.post("/api/v1/applications", json=payload, headers=env.a.headers).json["score"][
        "band"
    ]
    other_band = "E" if band != "E" else "A"
    hit = api.get("/api/v1/applications", query_string={"band": band}, headers=env.a.headers)
    miss = api.get("/api/v1/applications", query_string={"band": other_band}, headers=env.a.headers)
    assert len(hit.json["items"]) == 1 and miss.json["items"] == []
    declined = api.get(
        "/api/v1/applications", query_string={"status": "declined"}, headers=env.a.headers
    )
    assert declined.json["items"] == []
    bad = api.get("/api/v1/applications", query_string={"band": "Z"}, headers=env.a.headers)
    assert bad.status_code == 422 and "band" in bad.json["errors"]


def test_score_records_cannot_be_changed(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> None:
    app_id = api.post("/api/v1/applications", json=payload, headers=env.a.headers).json["id"]
    record = session.scalar(select(ScoreRecord).where(ScoreRecord.application_id == app_id))
    assert record is not None
    record.band = "A" if record.band != "A" else "B"
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()
    session.delete(session.get(ScoreRecord, record.id))
    with pytest.raises(PermissionError):
        session.flush()


@pytest.mark.parametrize("query", ["", "?recourse=1"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_score_body_is_exactly_its_documented_schema(
    api: FlaskClient, env: ApiEnv, payload: dict[str, Any], query: str, lang: str
) -> None:
    # /score skips marshmallow's dump for speed; that is only sound while dumping the body
    # through the documented schema changes nothing (no undocumented or reformatted field).
    from creditapp.schemas.application import ScoreOnlySchema

    headers = {**env.a.headers, "Accept-Language": lang}
    resp = api.post(f"/api/v1/score{query}", json=payload, headers=headers)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert ScoreOnlySchema().dump(body) == body
    if query:
        assert body["score"]["recourse"] is not None
