"""Two transactions creating the same per-program account at once: one inserts it, the other
waits and finds it (a plain INSERT answered the second with a unique violation, a 500 in a
repayment burst)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from creditapp.models import Account
from creditapp.services.books import chart
from creditapp.services.books.chart import account_id
from tests.factories import core
from tests.integration.loans.test_concurrency import engine, pytestmark  # noqa: F401


def test_a_new_programs_account_is_created_once_under_racing_transactions(
    engine: Engine,  # noqa: F811
) -> None:
    with Session(engine) as setup:
        program_id = core.program(setup).id
        setup.commit()
    first = Session(engine)
    got: dict[str, object] = {}
    try:
        made = account_id(first, "loans_receivable", program_id)  # inserted, not committed

        def second() -> None:
            with Session(engine) as other:
                try:
                    got["id"] = account_id(other, "loans_receivable", program_id)
                    other.commit()
                except Exception as exc:  # asserted on below
                    got["error"] = exc

        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.5)  # the second now waits on the first's uncommitted row
        assert thread.is_alive()
        first.commit()
        thread.join(timeout=30)
    finally:
        first.close()
    assert "error" not in got, got.get("error")
    assert got["id"] == made
    with Session(engine) as check:
        count = check.scalar(
            select(func.count()).select_from(Account).where(Account.program_id == program_id)
        )
    assert count == 1


def test_only_ids_of_a_real_commit_are_remembered_for_the_engine(
    engine: Engine,  # noqa: F811
) -> None:
    with Session(engine) as setup:
        program_id = core.program(setup).id
        setup.commit()
    key = ("loans_receivable", program_id)
    with Session(engine) as session:
        session.begin()
        savepoint = session.begin_nested()
        account_id(session, "loans_receivable", program_id)
        savepoint.commit()  # a savepoint released is not a commit
        assert key not in chart._COMMITTED.get(engine, {})
        session.rollback()  # and the account is gone with the transaction
        assert key not in chart._COMMITTED.get(engine, {})
        made = account_id(session, "loans_receivable", program_id)
        session.commit()
    assert chart._COMMITTED[engine][key] == made
    with Session(engine) as later:
        stored = later.scalar(select(Account.id).where(Account.program_id == program_id))
        assert stored == made  # what is remembered is a row that exists
        assert account_id(later, "loans_receivable", program_id) == made
