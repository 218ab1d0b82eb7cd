"""The posting API refuses bad entries before anything reaches the session."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from creditapp.models import Account, JournalEntry, JournalLine
from creditapp.services.books import LedgerError, Line, post_entry, reverse_entry, seed_chart
from creditapp.services.books.chart import DEFAULT_CHART, UnknownAccount
from tests.factories import core

ON = date(2026, 11, 30)


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_seed_chart_creates_each_account_once(session: Session) -> None:
    program = core.program(session)
    created = seed_chart(session)
    per_program = sum(1 for t in DEFAULT_CHART if t.per_program)
    assert created == len(DEFAULT_CHART)  # one program: one account per template
    assert seed_chart(session) == 0
    codes = set(session.scalars(select(Account.code)))
    assert f"1201-{program.code}" in codes and "1101" in codes
    assert per_program == 5


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([Line("cash", debit=100), Line("penalty_income", credit=99)], "lines"),
        ([Line("cash", debit=100, credit=100)], "lines"),
        ([Line("cash", debit=-5), Line("penalty_income", credit=-5)], "lines"),
        ([Line("cash", debit=1.5), Line("penalty_income", credit=1.5)], "lines"),  # type: ignore[arg-type]  # the bad input under test
        ([Line("cash", debit=10), Line("petty_cash", credit=10)], "role"),
        ([Line("cash", debit=10), Line("loans_receivable", credit=10)], "program_id"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_stored(
    session: Session, lines: list[Line], field: str
) -> None:
    with pytest.raises((LedgerError, UnknownAccount)) as err:
        post_entry(session, entry_date=ON, event="test", source_ref="t:1", lines=lines)
    assert field in err.value.errors
    session.flush()
    assert count(session, JournalEntry) == count(session, JournalLine) == 0


def test_the_same_source_posts_once(session: Session) -> None:
    lines = [Line("cash", debit=10), Line("penalty_income", credit=10)]
    post_entry(session, entry_date=ON, event="test", source_ref="t:1", lines=lines)
    session.flush()
    nested = session.begin_nested()
    with pytest.raises(IntegrityError):
        post_entry(session, entry_date=ON, event="test", source_ref="t:1", lines=lines)
        session.flush()
    nested.rollback()
    assert count(session, JournalEntry) == 1


def test_a_reversal_mirrors_the_entry_once(session: Session) -> None:
    entry = post_entry(
        session,
        entry_date=ON,
        event="test",
        source_ref="t:2",
        lines=[Line("cash", debit=70), Line("penalty_income", credit=70)],
    )
    assert entry is not None
    session.flush()
    mirror = reverse_entry(session, entry, entry_date=ON)
    session.flush()
    assert sorted((x.debit, x.credit) for x in mirror.lines) == [(0, 70), (70, 0)]
    with pytest.raises(LedgerError):
        reverse_entry(session, entry, entry_date=ON)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    debits=st.lists(st.integers(0, 10**12), min_size=1, max_size=4),
    credits=st.lists(st.integers(0, 10**12), min_size=1, max_size=4),
)
def test_an_entry_posts_only_when_its_sides_are_equal(
    session: Session, debits: list[int], credits: list[int]
) -> None:
    lines = [Line("cash", debit=d) for d in debits] + [
        Line("borrower_credit", credit=c) for c in credits
    ]
    nested = session.begin_nested()
    try:
        if sum(debits) != sum(credits):
            with pytest.raises(LedgerError):
                post_entry(session, entry_date=ON, event="t", source_ref="h", lines=lines)
        else:
            entry = post_entry(session, entry_date=ON, event="t", source_ref="h", lines=lines)
            session.flush()
            if sum(debits) == 0:
                assert entry is None
            else:
                assert entry is not None
                kept = [x for x in lines if x.debit or x.credit]
                assert len(entry.lines) == len(kept)
    finally:
        nested.rollback()
