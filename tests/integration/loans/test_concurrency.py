"""Concurrency on PostgreSQL: row locks keep quotas and balances exact under racing commits.

These tests need real commits on separate connections, so they run in a database of their
own (created from ``TEST_DATABASE_URL``'s server, migrated, dropped afterwards) instead of
the rolled-back ``session`` fixture.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from creditapp.db import make_engine
from creditapp.errors import DomainError
from creditapp.migrate import upgrade
from creditapp.models import Loan, Repayment
from creditapp.services.loans import approve_application, post_repayment, rebuild_balances
from tests.factories import core
from tests.factories import loans as lf

URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not URL.startswith("postgresql"),
        reason="concurrency needs PostgreSQL row locks: set TEST_DATABASE_URL",
    ),
]


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """A freshly migrated database of this module's own, dropped at the end."""
    url = make_url(URL)
    name = f"{url.database}_race_{os.getpid()}"
    admin = make_engine(url.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    own = url.set(database=name).render_as_string(hide_password=False)
    upgrade(own)
    engine = make_engine(own)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.dispose()


def race(engine: Engine, jobs: list[Callable[[Session], Any]]) -> list[Any]:
    """Run each job on its own connection at the same moment; commit each; collect results."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            barrier.wait()
            try:
                results[i] = jobs[i](session)
                session.commit()
            except Exception as exc:  # collected and asserted on by the test
                session.rollback()
                results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_approvals_racing_for_the_last_quota_one_wins(engine: Engine) -> None:
    with Session(engine) as session:
        lender, program = core.lender(session), core.program(session)
        program.quota_total = 60_000_000
        ids = [core.application(session, lender, program).id for _ in range(2)]
        officer, program_id = lf.user(session).id, program.id
        session.commit()

    def approve(application_id: int) -> Callable[[Session], Any]:
        return lambda s: (
            approve_application(
                s,
                lf.SYSTEM,
                application_id,
                amount=50_000_000,
                tenor=24,
                decided_by=officer,
                decided_on=date(2026, 11, 3),
            ).id
        )

    results = race(engine, [approve(i) for i in ids])
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1 and "amount" in errors[0].errors, results
    with Session(engine) as session:
        total = session.scalar(
            select(func.sum(Loan.principal)).where(Loan.program_id == program_id)
        )
        assert total == 50_000_000


def _active_loan(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        loan = lf.active_loan(session)
        session.commit()
        return loan.id, loan.lender_id


def test_concurrent_distinct_repayments_keep_balances_exact(engine: Engine) -> None:
    loan_id, lender_id = _active_loan(engine)
    amounts = [700_000 + 13_579 * i for i in range(8)]

    def pay(i: int) -> Callable[[Session], Any]:
        return lambda s: (
            post_repayment(
                s,
                lf.SYSTEM,
                loan_id,
                lender_id=lender_id,
                amount=amounts[i],
                paid_on=date(2027, 2, 10),
                idempotency_key=f"distinct-{i}",
            ).repayment.id
        )

    results = race(engine, [pay(i) for i in range(len(amounts))])
    assert all(isinstance(r, int) for r in results), results
    with Session(engine) as session:
        loan = session.get(Loan, loan_id)
        assert loan is not None
        repayments = session.scalars(select(Repayment).where(Repayment.loan_id == loan_id)).all()
        assert sorted(r.amount for r in repayments) == amounts
        principal = sum(r.principal_part + r.excess_part for r in repayments)
        assert principal == loan.disbursed_amount - loan.outstanding_principal
        assert rebuild_balances(session, loan_id).consistent


def test_the_same_key_posted_concurrently_stores_one_repayment(engine: Engine) -> None:
    loan_id, lender_id = _active_loan(engine)

    def pay(s: Session) -> Any:
        result = post_repayment(
            s,
            lf.SYSTEM,
            loan_id,
            lender_id=lender_id,
            amount=2_216_031,
            paid_on=date(2026, 12, 3),
            idempotency_key="same-key",
        )
        return (result.repayment.id, result.replayed)

    results = race(engine, [pay] * 6)
    assert all(isinstance(r, tuple) for r in results), results
    assert len({r[0] for r in results}) == 1
    assert sorted(r[1] for r in results) == [False] + [True] * 5
    with Session(engine) as session:
        count = session.scalar(select(func.count()).where(Repayment.loan_id == loan_id))
        assert count == 1
        assert rebuild_balances(session, loan_id).consistent
