"""The read side of the ledger: trial balance, account statement, journal export (CSV).

All three aggregate or page in SQL; none loads the journal into Python beyond the rows
it returns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from ...errors import NotFound
from ...models import Account, CreditProgram, JournalEntry, JournalLine, Lender

# The journal export's columns, in order (documented in the README, "Books").
EXPORT_COLUMNS = (
    "entry_id",
    "entry_date",
    "event",
    "source",
    "loan_id",
    "program",
    "lender",
    "account",
    "account_name",
    "debit",
    "credit",
    "memo",
    "reversal_of",
)


@dataclass(frozen=True)
class BalanceRow:
    """One account in a trial balance: its totals and the balance on its normal side."""

    code: str
    name_id: str
    name_en: str
    type: str
    normal_side: str
    role: str
    program_id: int | None
    debit: int
    credit: int

    @property
    def balance(self) -> int:
        """Debit minus credit for debit-normal accounts, credit minus debit otherwise."""
        net = self.debit - self.credit
        return net if self.normal_side == "debit" else -net


def trial_balance(session: Session, as_of: date, program_id: int | None = None) -> list[BalanceRow]:
    """Each account's debits and credits of entries dated on or before ``as_of``.

    ``program_id`` keeps the entries of that program only. Accounts without lines are left
    out. Total debits equal total credits whenever the ledger is sound.
    """
    query = (
        select(
            Account.code,
            Account.name_id,
            Account.name_en,
            Account.type,
            Account.normal_side,
            Account.role,
            Account.program_id,
            func.sum(JournalLine.debit),
            func.sum(JournalLine.credit),
        )
        .join(JournalLine, JournalLine.account_id == Account.id)
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(JournalEntry.entry_date <= as_of)
        .group_by(Account.id)
        .order_by(Account.code)
    )
    if program_id is not None:
        query = query.where(JournalEntry.program_id == program_id)
    return [
        BalanceRow(*row[:7], debit=int(row[7] or 0), credit=int(row[8] or 0))
        for row in session.execute(query)
    ]


@dataclass(frozen=True)
class StatementLine:
    """One line of an account statement with the balance after it."""

    entry_id: int
    entry_date: date
    event: str
    loan_id: int | None
    memo: str | None
    debit: int
    credit: int
    balance: int


@dataclass(frozen=True)
class Statement:
    """An account's lines in a date range, with the balance before and after."""

    code: str
    name_id: str
    name_en: str
    start: date
    end: date
    opening: int
    lines: list[StatementLine]
    closing: int


def account_statement(
    session: Session, code: str, start: date, end: date, *, limit: int = 10_000
) -> Statement:
    """The lines of account ``code`` dated ``start``..``end`` with a running balance.

    The balance is on the account's normal side; the running sum is a window function.
    """
    account = session.scalar(select(Account).where(Account.code == code))
    if account is None:
        raise NotFound("no such account", {"account": [f"no account {code!r}"]})
    sign = 1 if account.normal_side == "debit" else -1
    opening = (
        int(
            session.scalar(
                select(func.coalesce(func.sum(JournalLine.debit - JournalLine.credit), 0))
                .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                .where(JournalLine.account_id == account.id, JournalEntry.entry_date < start)
            )
            or 0
        )
        * sign
    )
    running = func.sum(JournalLine.debit - JournalLine.credit).over(
        order_by=(JournalEntry.entry_date, JournalEntry.id, JournalLine.id)
    )
    rows = session.execute(
        select(
            JournalEntry.id,
            JournalEntry.entry_date,
            JournalEntry.event,
            JournalEntry.loan_id,
            JournalEntry.memo,
            JournalLine.debit,
            JournalLine.credit,
            running,
        )
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .where(
            JournalLine.account_id == account.id,
            JournalEntry.entry_date >= start,
            JournalEntry.entry_date <= end,
        )
        .order_by(JournalEntry.entry_date, JournalEntry.id, JournalLine.id)
        .limit(limit)
    ).all()
    lines = [
        StatementLine(
            entry_id=r[0],
            entry_date=r[1],
            event=r[2],
            loan_id=r[3],
            memo=r[4],
            debit=int(r[5]),
            credit=int(r[6]),
            balance=opening + sign * int(r[7]),
        )
        for r in rows
    ]
    closing = lines[-1].balance if lines else opening
    return Statement(
        account.code, account.name_id, account.name_en, start, end, opening, lines, closing
    )


def journal_rows(session: Session, start: date, end: date) -> Iterator[tuple[object, ...]]:
    """The journal's lines dated ``start``..``end``, one tuple per line (``EXPORT_COLUMNS``)."""
    query = (
        select(
            JournalEntry.id,
            JournalEntry.entry_date,
            JournalEntry.event,
            func.coalesce(
                JournalEntry.source_ref,
                "movement:" + cast(JournalEntry.movement_id, String),
            ),
            JournalEntry.loan_id,
            CreditProgram.code,
            Lender.code,
            Account.code,
            Account.name_en,
            JournalLine.debit,
            JournalLine.credit,
            JournalEntry.memo,
            JournalEntry.reversal_of,
        )
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(Account, Account.id == JournalLine.account_id)
        .outerjoin(CreditProgram, CreditProgram.id == JournalEntry.program_id)
        .outerjoin(Lender, Lender.id == JournalEntry.lender_id)
        .where(JournalEntry.entry_date >= start, JournalEntry.entry_date <= end)
        .order_by(JournalEntry.entry_date, JournalEntry.id, JournalLine.id)
        .execution_options(yield_per=5_000)
    )
    for row in session.execute(query):
        yield tuple(row)


def journal_csv(session: Session, start: date, end: date) -> Iterator[str]:
    """The journal export as CSV text, a header then one line per journal line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for n, row in enumerate(journal_rows(session, start, end), 1):
        writer.writerow(["" if v is None else v for v in row])
        if n % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
