"""The loss allowance page: figures of the hand-priced book (tests/integration/provisioning),
the chart, the movement table, filters and the CSV/XLSX downloads."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from creditapp.services.provisioning import run_provisioning
from tests.integration.provisioning.world import OCT, World, build
from tests.web.conftest import People, sign_in
from tests.web.report_pages import element, rows_of, rp, sheet_rows, text

Q = "as_of=2026-10-31"


def _world(session: Session) -> World:
    world = build(session)
    run_provisioning(session, OCT)
    session.commit()
    return world


def test_page_shows_stages_programs_and_movement(
    client: FlaskClient, people: People, session: Session
) -> None:
    world = _world(session)
    sign_in(client, people.manager.email)
    resp = client.get(f"/reports/provisions?{Q}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html[:2000]
    assert element(html, "allowance", "dd") == rp(1_602_001)
    stages = rows_of(html, "by-stage")
    assert rp(270_001) in stages[0] and rp(657_000) in stages[1] and rp(675_000) in stages[2]
    assert "<svg" in html and "ckpn" in html  # the chart by stage
    moves = rows_of(html, "movements")
    main = world.book.program.code
    assert any(main in r and rp(1_467_001) in r for r in moves)
    one = client.get(f"/reports/provisions?{Q}&program={world.other.code}").get_data(as_text=True)
    assert element(one, "allowance", "dd") == rp(135_000)
    assert "Cadangan kerugian penurunan nilai (CKPN)" in text(html)  # Indonesian by default


def test_downloads_carry_the_filters(client: FlaskClient, people: People, session: Session) -> None:
    world = _world(session)
    sign_in(client, people.manager.email)
    raw = client.get(f"/reports/provisions.csv?{Q}&program={world.other.code}")
    assert raw.status_code == 200 and raw.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(raw.get_data(as_text=True))))
    assert [(r["program"], r["stage"], r["allowance"]) for r in rows] == [
        (world.other.code, "1", "135000")
    ]
    sheet = sheet_rows(client, f"/reports/provisions.xlsx?{Q}", "by_stage")
    assert [r["allowance"] for r in sheet] == [270_001, 657_000, 675_000]
    assert client.get(f"/reports/provisions.pdf?{Q}").status_code == 404
    assert client.get("/reports/provisions.csv?as_of=2026-13-01").status_code == 422


def test_only_managers_download(client: FlaskClient, people: People, session: Session) -> None:
    _world(session)
    sign_in(client, people.officer.email)
    assert client.get(f"/reports/provisions.csv?{Q}").status_code == 403
    assert client.get(f"/reports/provisions?{Q}").status_code == 403
