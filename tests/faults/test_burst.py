"""Connections killed during a burst of repayments: every answer is 2xx, 409 or 503; retries
with the same Idempotency-Key apply exactly once; balances equal the ledger (issue 16)."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import text

from creditapp.db import make_engine
from fixtures.tables import Population
from tests.faults.world import build_world

PAYMENT = 100_000  # Rp, small enough that 60 of them never exceed what four loans owe
KEYS = 60
THREADS = 6
KILL_ROUNDS = 12


def test_killed_connections_during_a_repayment_burst(
    fresh_postgres_url: str, tmp_path: Path, population: Population
) -> None:
    world = build_world(fresh_postgres_url, tmp_path, population, loans=4)
    statuses: list[int] = []
    lock = threading.Lock()
    rng = random.Random(7)
    plan = [(f"burst-{i}", rng.choice(world.loan_ids)) for i in range(KEYS)]
    stop = threading.Event()
    killed = [0]

    def killer() -> None:
        admin = make_engine(fresh_postgres_url)
        for _ in range(KILL_ROUNDS):  # an outage of a few seconds, then the database is back
            if stop.is_set():
                break
            with admin.connect() as conn:
                killed[0] += int(
                    conn.execute(
                        text(
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        )
                    ).scalar_one()
                )
                conn.commit()
            time.sleep(0.2)
        admin.dispose()

    def pay(key: str, loan_id: int) -> int:
        client = world.app.test_client()
        for _ in range(40):  # a real client retries on 409/503 with the same key
            resp = client.post(
                f"/api/v1/loans/{loan_id}/repayments",
                json=world.repay_body(loan_id, PAYMENT),
                headers=world.repayment_headers(key),
            )
            with lock:
                statuses.append(resp.status_code)
            if resp.status_code in (409, 503):
                assert int(resp.headers["Retry-After"]) >= 1
                time.sleep(0.05)
                continue
            return resp.status_code
        return -1

    k = threading.Thread(target=killer, daemon=True)
    k.start()
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            finals = list(pool.map(lambda p: pay(*p), plan))
    finally:
        stop.set()
        k.join()
    world.app.extensions["db"].engine.dispose()

    counts = Counter(statuses)
    print("burst answers", dict(counts), "connections killed", killed[0])
    assert killed[0] > 0, "the burst must actually lose connections"
    assert set(counts) <= {201, 409, 503}, counts  # never a 500
    assert finals == [201] * KEYS, counts
    engine = make_engine(fresh_postgres_url)
    with engine.connect() as conn:
        repayments = conn.execute(
            text("SELECT count(*), coalesce(sum(amount), 0) FROM repayments")
        ).one()
        balances = conn.execute(
            text(
                "SELECT l.outstanding_principal, (SELECT coalesce(sum(m.principal_delta), 0) "
                "FROM loan_movements m WHERE m.loan_id = l.id) FROM loans l"
            )
        ).all()
    engine.dispose()
    assert (repayments[0], repayments[1]) == (KEYS, KEYS * PAYMENT)  # each key exactly once
    assert all(int(a) == int(b) for a, b in balances), balances
