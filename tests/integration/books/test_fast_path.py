"""The repayment hot path's two shortcuts keep the books exact.

Movement entries are queued and written when their movement is flushed; account ids are
remembered across transactions once committed. Neither may outlive a rollback.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import Account, JournalEntry, JournalLine, LoanMovement
from creditapp.services.books import chart
from creditapp.services.books.chart import account_id
from creditapp.services.books.posting_rules import journal_movement
from creditapp.services.loans.ledger import post_movement
from tests.factories import core
from tests.factories import loans as lf

from .books_helpers import by_role, outstanding_principal
from .test_posting_rules import FIRST_DUE, PAYMENT, pay


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_every_movement_has_its_entry_written_at_the_flush(session: Session) -> None:
    loan = lf.active_loan(session)
    pay(session, loan.id, loan.lender_id, PAYMENT, FIRST_DUE)
    session.flush()
    movements = set(session.scalars(select(LoanMovement.id)))
    journaled = set(session.scalars(select(JournalEntry.movement_id)))
    assert movements and movements == journaled
    for entry in session.scalars(select(JournalEntry)):
        debits = sum(line.debit for line in entry.lines)
        assert debits == sum(line.credit for line in entry.lines) > 0
    assert by_role(session)["loans_receivable"] == outstanding_principal(session)


def test_a_rolled_back_repayment_leaves_no_entry_behind(session: Session) -> None:
    loan = lf.active_loan(session)
    entries, lines = count(session, JournalEntry), count(session, JournalLine)
    step = session.begin_nested()
    pay(session, loan.id, loan.lender_id, PAYMENT, FIRST_DUE)
    step.rollback()
    step = session.begin_nested()
    post_movement(session, loan, "penalty_repayment", 1_000, 0, FIRST_DUE)  # queued only
    step.rollback()
    session.flush()  # nothing queued may be written for movements that are gone
    assert (count(session, JournalEntry), count(session, JournalLine)) == (entries, lines)
    pay(session, loan.id, loan.lender_id, PAYMENT, FIRST_DUE)  # and posting again works
    session.flush()
    assert count(session, JournalEntry) == entries + 2  # interest and principal


def test_a_session_on_a_borrowed_connection_remembers_nothing_across_transactions(
    session: Session,
) -> None:
    # The tests' sessions join a connection whose outer transaction is rolled back later:
    # their commits are not the database's, so nothing may be promoted from them.
    program = core.program(session)
    session.commit()
    made = account_id(session, "loans_receivable", program.id)
    session.commit()
    assert session.get_bind() not in chart._COMMITTED
    account_id(session, "cash")
    session.rollback()
    again = account_id(session, "loans_receivable", program.id)
    assert (
        again
        == made
        == session.scalar(select(Account.id).where(Account.code == f"1201-{program.code}"))
    )


def test_a_disbursement_and_repayment_post_on_the_day_they_happened(session: Session) -> None:
    loan = lf.active_loan(session)
    pay(session, loan.id, loan.lender_id, PAYMENT, FIRST_DUE)
    session.flush()
    days = dict(session.execute(select(JournalEntry.event, JournalEntry.entry_date)).all())
    assert days["disbursement"] == lf.DECIDED_ON and days["interest_repayment"] == FIRST_DUE
    assert isinstance(days["principal_repayment"], date)


def test_a_movement_flushed_before_its_entry_is_journaled_at_once(session: Session) -> None:
    # Creating a program's first accounts flushes the session between the movement and its
    # entry; with nothing left to flush afterwards, a queued entry would never be written.
    loan = lf.active_loan(session)
    movement = LoanMovement(
        loan_id=loan.id, kind="penalty_repayment", amount=1_000, principal_delta=0,
        posted_on=FIRST_DUE,
    )  # fmt: skip
    session.add(movement)
    session.flush()
    journal_movement(session, loan, movement)
    assert not session.dirty and not session.new  # no flush is coming
    written = session.scalar(select(func.count()).where(JournalEntry.movement_id == movement.id))
    assert written == 1
