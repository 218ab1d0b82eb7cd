"""A backup taken while the service runs restores into a fresh database with the same
balances (README: Backup and restore)."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from creditapp.db import make_engine
from fixtures.tables import Population
from tests.faults.world import build_world

BALANCES = text(
    "SELECT l.id, l.outstanding_principal, "
    "(SELECT coalesce(sum(m.principal_delta), 0) FROM loan_movements m WHERE m.loan_id = l.id) "
    "FROM loans l ORDER BY l.id"
)


def _balances(url: str) -> list[tuple[int, int, int]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [(int(a), int(b), int(c)) for a, b, c in conn.execute(BALANCES)]
    engine.dispose()
    return rows


def _world_with_repayments(url: str, tmp_path: Path, population: Population) -> None:
    world = build_world(url, tmp_path, population, loans=2)
    client = world.client
    for loan_id in world.loan_ids:
        resp = client.post(
            f"/api/v1/loans/{loan_id}/repayments",
            json=world.repay_body(loan_id),
            headers=world.repayment_headers(f"bk-{loan_id}"),
        )
        assert resp.status_code == 201, resp.json
    world.app.extensions["db"].engine.dispose()


def test_sqlite_backup_restores_the_same_balances(tmp_path: Path, population: Population) -> None:
    from creditapp.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(url)
    _world_with_repayments(url, tmp_path, population)
    before = _balances(url)
    out = tmp_path / "backups" / "copy.db"
    done = subprocess.run(
        [".venv/bin/creditapp", "backup", "--out", str(out)],
        env={"DATABASE_URL": url, "CREDITAPP_INSTANCE": str(tmp_path / "inst"), "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o077 == 0  # personal data: owner only
    restored = _balances(f"sqlite:///{out}")
    assert len(before) == 2 and all(b == c for _, b, c in before)  # balance == ledger
    assert restored == before


def test_postgres_dump_restores_into_a_fresh_database(
    fresh_postgres_url: str, tmp_path: Path, population: Population
) -> None:
    _world_with_repayments(fresh_postgres_url, tmp_path, population)
    before = _balances(fresh_postgres_url)
    out = tmp_path / "dump.pgc"
    done = subprocess.run(
        [".venv/bin/creditapp", "backup", "--out", str(out)],
        env={
            "DATABASE_URL": fresh_postgres_url,
            "CREDITAPP_INSTANCE": str(tmp_path / "inst"),
            "PATH": "/usr/bin",
        },
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    u = make_url(fresh_postgres_url)
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = make_engine(fresh_postgres_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "-h",
                u.host or "127.0.0.1",
                "-p",
                str(u.port or 5432),
                "-U",
                u.username or "postgres",
                "-d",
                name,
                str(out),
            ],
            check=True,
            capture_output=True,
        )
        restored_url = u.set(database=name).render_as_string(hide_password=False)
        assert _balances(restored_url) == before
        assert len(before) == 2 and all(b == c for _, b, c in before)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()
