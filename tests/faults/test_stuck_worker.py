"""A transaction that holds a loan's row lock and stalls does not freeze the API: other
loans are served, and that loan's requests fail fast with 409 + Retry-After (issue 16 item 3)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from creditapp.db import make_engine
from fixtures.tables import Population
from tests.faults.world import build_world


def _libpq(url: str) -> str:
    u = make_url(url)
    return f"host={u.host} port={u.port or 5432} user={u.username} dbname={u.database}"


def _in_thread(call: Any, timeout: float) -> Any:
    """Run ``call`` and return its result, or None when it is still waiting after ``timeout``."""
    out: list[Any] = []
    t = threading.Thread(target=lambda: out.append(call()), daemon=True)
    t.start()
    t.join(timeout)
    return out[0] if out else None


def test_a_held_loan_lock_fails_fast_and_other_loans_go_on(
    fresh_postgres_url: str, tmp_path: Path, population: Population
) -> None:
    world = build_world(fresh_postgres_url, tmp_path, population, loans=2, DB_LOCK_TIMEOUT_MS=500)
    locked, free = world.loan_ids
    client = world.client
    stuck = psycopg.connect(_libpq(fresh_postgres_url))  # a worker paused mid-transaction
    try:
        stuck.execute("SELECT id FROM loans WHERE id = %s FOR UPDATE", (locked,))

        ok = _in_thread(
            lambda: client.post(
                f"/api/v1/loans/{free}/repayments",
                json=world.repay_body(free),
                headers=world.repayment_headers("free-1"),
            ),
            timeout=10,
        )
        assert ok is not None and ok.status_code == 201, ok and ok.json

        started = time.monotonic()
        busy = _in_thread(
            lambda: client.post(
                f"/api/v1/loans/{locked}/repayments",
                json=world.repay_body(locked),
                headers=world.repayment_headers("lk-1"),
            ),
            timeout=10,
        )
        assert busy is not None, "the request waited on the lock instead of failing fast"
        assert time.monotonic() - started < 5
        assert busy.status_code in (409, 503)
        assert busy.is_json and busy.json["code"] in ("locked", "database_timeout")
        assert int(busy.headers["Retry-After"]) >= 1
    finally:
        stuck.rollback()
        stuck.close()
    # Once the lock is gone the same request (same key) goes through, exactly once.
    again = client.post(
        f"/api/v1/loans/{locked}/repayments",
        json=world.repay_body(locked),
        headers=world.repayment_headers("lk-1"),
    )
    assert again.status_code == 201, again.json
    world.app.extensions["db"].engine.dispose()


def test_postgres_sessions_carry_the_configured_timeouts(fresh_postgres_url: str) -> None:
    engine = make_engine(
        fresh_postgres_url,
        timeouts={
            "lock_timeout": 1500,
            "statement_timeout": 20000,
            "idle_in_transaction_session_timeout": 25000,
        },
    )
    with engine.connect() as conn:
        got = {
            name: conn.exec_driver_sql(f"SHOW {name}").scalar_one()
            for name in ("lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout")
        }
    engine.dispose()
    assert got == {
        "lock_timeout": "1500ms",
        "statement_timeout": "20s",
        "idle_in_transaction_session_timeout": "25s",
    }
