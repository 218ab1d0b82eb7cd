"""Training rows read each application's profile as it was submitted, not the enterprise's
latest: an enterprise that applies again with changed facts must not rewrite the training row
of its earlier application (label leakage, train/serve skew)."""

from __future__ import annotations

import copy
from dataclasses import fields
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from creditapp.models import Application, Enterprise, ScoreRecord
from creditapp.services import rawdata
from creditapp.services.rawdata import raw_batch_for
from fixtures.payloads import application_payload
from fixtures.tables import Population
from scoring.features import compute_features
from scoring.parse import parse_applications
from scoring.raw import Profiles
from tests.api.conftest import ApiEnv
from tests.factories import core
from tests.integration.conftest import submit

SNAPSHOT_COLUMNS = [c for c in Application.__table__.c.keys() if c.startswith("profile_")]
# Features the changed facts feed (scoring.features._profile_and_request).
PROFILE_FEATURES = ("kur_access_count", "other_productive_credit", "entrepreneurship_training",
                    "workers", "log_assets", "log_annual_sales", "business_age_months")  # fmt: skip


def _changed(payload: dict[str, Any], days_later: int) -> dict[str, Any]:
    """The same enterprise ``days_later`` with every profile fact the snapshot keeps changed:
    one more KUR loan, other credit and training now, grown, a corrected founding date, moved
    to another province and sector."""
    again = copy.deepcopy(payload)
    again["as_of"] = (date.fromisoformat(payload["as_of"]) + timedelta(days_later)).isoformat()
    ent = again["enterprise"]
    ent.update(
        kur_access_count=ent["kur_access_count"] + 1,
        other_productive_credit=not ent["other_productive_credit"],
        entrepreneurship_training=not ent["entrepreneurship_training"],
        workers=ent["workers"] + 6,
        assets=ent["assets"] * 2 + 1,
        annual_sales=ent["annual_sales"] * 2 + 1,
        founded_on=(date.fromisoformat(ent["founded_on"]) - timedelta(400)).isoformat(),
        kbli=("31" if not ent["kbli"].startswith("31") else "10") + ent["kbli"][2:],
        province="35" if ent["province"] != "35" else "33",
    )
    return again


def _stored_features(session: Session) -> dict[int, dict[str, Any]]:
    rows = session.execute(select(ScoreRecord.application_id, ScoreRecord.features)).all()
    return {int(a): f for a, f in rows}


def _recomputed(session: Session, ids: list[int]) -> list[dict[str, float | None]]:
    """The features of ``ids`` from the database, rounded as score records store them."""
    fm = compute_features(raw_batch_for(session, ids))
    return [
        {n: None if np.isnan(v) else round(float(v), 6) for n, v in zip(fm.names, row, strict=True)}
        for row in fm.values.tolist()
    ]


def _assert_same_profiles(got: Profiles, want: Profiles) -> None:
    for f in fields(want):
        a, b = getattr(got, f.name), getattr(want, f.name)
        assert a.dtype == b.dtype, (f.name, a.dtype, b.dtype)
        np.testing.assert_array_equal(a, b, err_msg=f"profiles.{f.name}")


def test_training_rows_keep_the_profile_each_application_was_scored_with(
    client: FlaskClient, env: ApiEnv, session: Session, population: Population
) -> None:
    first = application_payload(population, 1)
    later = _changed(first, days_later=61)
    ids = [submit(client, env, first), submit(client, env, later)]

    # The premise: one enterprise, whose row now holds only the later facts.
    ent_ids = set(session.scalars(select(Application.enterprise_id).where(Application.id.in_(ids))))
    assert len(ent_ids) == 1
    enterprise = session.get(Enterprise, ent_ids.pop())
    assert enterprise is not None
    assert enterprise.kur_access_count == later["enterprise"]["kur_access_count"]
    stored = _stored_features(session)
    for name in PROFILE_FEATURES:  # else the test could not tell the two profiles apart
        assert stored[ids[0]][name] != stored[ids[1]][name], name

    # What submit stored for the first application is what it submitted.
    snap = session.execute(
        select(*(Application.__table__.c[c] for c in SNAPSHOT_COLUMNS)).where(
            Application.id == ids[0]
        )
    ).one()
    e = first["enterprise"]
    assert snap._asdict() == {
        "profile_founded_on": date.fromisoformat(e["founded_on"]),
        "profile_kbli_division": int(e["kbli"][:2]),
        "profile_province": int(e["province"]),
        "profile_workers": e["workers"],
        "profile_assets": e["assets"],
        "profile_annual_sales": e["annual_sales"],
        "profile_other_productive_credit": e["other_productive_credit"],
        "profile_entrepreneurship_training": e["entrepreneurship_training"],
        "profile_kur_access_count": e["kur_access_count"],
    }

    # The invariant: the rows rebuilt from the database are the rows that were scored.
    raw = raw_batch_for(session, ids)
    _assert_same_profiles(raw.profiles, parse_applications([first, later]).profiles)
    assert _recomputed(session, ids) == [stored[ids[0]], stored[ids[1]]]
    # ... in any order and in any chunking of the queries
    assert _recomputed(session, ids[::-1]) == [stored[ids[1]], stored[ids[0]]]


def test_rows_without_a_snapshot_fall_back_to_the_enterprise_and_its_size_observations(
    client: FlaskClient,
    env: ApiEnv,
    session: Session,
    population: Population,
    connection: Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = application_payload(population, 1)
    # Same day, another size and one more KUR loan: only the size observations can tell the
    # first application's size apart; nothing old can give back its KUR count.
    again = copy.deepcopy(first)
    kur = first["enterprise"]["kur_access_count"] + 1
    again["enterprise"].update(
        workers=17, assets=900_000_000, annual_sales=3_100_000_000, kur_access_count=kur
    )
    other = application_payload(population, 4)
    ids = [submit(client, env, p) for p in (first, again, other)]
    # Rows stored before migration 0004 carry no snapshot.
    old = [ids[0], ids[2]]
    session.execute(
        update(Application).where(Application.id.in_(old)).values(dict.fromkeys(SNAPSHOT_COLUMNS))
    )
    session.flush()

    # The old reading: size from the application's own observation, the rest from the
    # enterprise's latest row (the second application's KUR count: the leak the snapshot ends).
    as_old_code_read_it = copy.deepcopy(first)
    as_old_code_read_it["enterprise"]["kur_access_count"] = kur
    want = parse_applications([as_old_code_read_it, again, other]).profiles
    _assert_same_profiles(raw_batch_for(session, ids).profiles, want)
    monkeypatch.setattr(rawdata, "CHUNK", 1)
    _assert_same_profiles(raw_batch_for(session, ids).profiles, want)

    # Size observations are read for rows without a snapshot, and only then.
    def reads_observations(asked: list[int]) -> bool:
        statements: list[str] = []

        def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        event.listen(connection, "before_cursor_execute", seen)
        try:
            raw_batch_for(session, asked)
        finally:
            event.remove(connection, "before_cursor_execute", seen)
        assert statements
        return any("size_observations" in s for s in statements)

    assert reads_observations(ids)
    assert not reads_observations([ids[1]])
    stored = _stored_features(session)
    assert _recomputed(session, [ids[1], ids[2]]) == [stored[ids[1]], stored[ids[2]]]


@pytest.mark.parametrize(
    "column",
    ["profile_workers", "profile_assets", "profile_annual_sales", "profile_kur_access_count"],
)
def test_snapshot_sizes_and_counts_cannot_be_negative(session: Session, column: str) -> None:
    application = core.application(session, core.lender(session), core.program(session))
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            update(Application).where(Application.id == application.id).values({column: -1})
        )
    session.execute(  # NULL (no snapshot) and zero are allowed
        update(Application).where(Application.id == application.id).values({column: 0})
    )
