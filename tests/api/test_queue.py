"""The queue service: only my lender's undecided applications, keyset pages, band counts."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import Application, ScoreRecord
from creditapp.services import queue
from tests.api.conftest import ApiEnv


@pytest.fixture
def submitted(
    api: FlaskClient, env: ApiEnv, session: Session, payload: dict[str, Any]
) -> list[int]:
    ids = []
    for i, amount in enumerate((12_000_000, 40_000_000, 25_000_000, 60_000_000, 33_000_000)):
        body = copy.deepcopy(payload)
        body["request"].update(program="KUR-MIKRO", amount=amount, tenor_months=24)
        body["enterprise"]["owner_nik"] = (
            f"320101010190{i + 1:04d}"  # born 01-01-90, serial from 0001
        )
        tenant = env.a if i < 4 else env.b
        resp = api.post("/api/v1/applications", json=body, headers=tenant.headers)
        assert resp.status_code == 201, resp.json
        ids.append(resp.json["id"])
    return ids


def test_pages_by_amount_cover_my_applications_once(
    session: Session, env: ApiEnv, submitted: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue, "PAGE_SIZE", 3)
    seen: list[int] = []
    cursor = None
    while True:
        page = queue.queue_page(
            session, env.a.lender_id, queue.QueueFilters(sort="amount", after=cursor)
        )
        seen += [r.amount for r in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [60_000_000, 40_000_000, 25_000_000, 12_000_000]  # lender B's 33 jt is not mine
    assert page.total == 4


def test_band_counts_and_band_filter(session: Session, env: ApiEnv, submitted: list[int]) -> None:
    bands = dict(
        session.execute(
            select(ScoreRecord.application_id, ScoreRecord.band).where(
                ScoreRecord.application_id.in_(submitted[:4])
            )
        ).all()
    )
    page = queue.queue_page(session, env.a.lender_id, queue.QueueFilters())
    expected: dict[str, int] = {}
    for band in bands.values():
        expected[band] = expected.get(band, 0) + 1
    assert page.band_counts == expected
    band = next(iter(expected))
    only = queue.queue_page(session, env.a.lender_id, queue.QueueFilters(band=band))
    assert {r.id for r in only.rows} == {i for i, b in bands.items() if b == band}


def test_decided_applications_leave_the_queue(
    session: Session, env: ApiEnv, submitted: list[int]
) -> None:
    application = session.get(Application, submitted[0])
    assert application is not None
    application.status = "declined"
    session.flush()
    page = queue.queue_page(session, env.a.lender_id, queue.QueueFilters())
    assert submitted[0] not in {r.id for r in page.rows}
