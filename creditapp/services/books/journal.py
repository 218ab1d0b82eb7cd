"""The posting API: the one way journal lines are written.

Call ``post_entry`` with lines addressed by account *role* (and program, for roles kept per
program, see ``chart.py``)::

    post_entry(session, entry_date=on, event="subsidy_paid", source_ref=f"subsidy-claim:{id}",
               program_id=p, lender_id=l,
               lines=[Line("cash", debit=amount, program_id=p),
                      Line("subsidy_receivable", credit=amount, program_id=p)])

It raises ``LedgerError`` before anything is added to the session when the entry is
unbalanced, a line has a negative, fractional or two-sided amount, or a role is unknown.
``source_ref`` (or the loan movement) is unique, so one event never posts twice: a second
post of the same reference or movement fails on the unique constraint at flush. Zero lines
are dropped; an entry left with no lines posts nothing and returns ``None``.
``reverse_entry`` posts the mirror of an entry.

Loan movements, the hot path (every repayment posts two or three), go through
``post_movement_entry`` instead: the same checks at once, but the entry is queued on the
session and written with two Core statements when the movement itself is flushed (its id is
only known then). Building ORM entry and line objects cost more than the rest of the
repayment's journaling together (issue 15's bar: journaling <= 1.3x posting without it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Table, event, insert, select
from sqlalchemy.orm import Session

from ...errors import DomainError
from ...models import JournalEntry, JournalLine, LoanMovement
from ...models.base import utcnow
from .chart import account_id


class LedgerError(DomainError):
    """An entry the ledger refuses (unbalanced, bad amount, unknown account, posted before)."""


@dataclass(frozen=True)
class Line:
    """One side of an entry on the account of ``role`` (and ``program_id``)."""

    role: str
    debit: int = 0
    credit: int = 0
    program_id: int | None = None


def _whole(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise LedgerError(f"{what} must be a whole Rupiah amount >= 0", {"lines": [what]})
    return value


def checked_lines(lines: Sequence[Line]) -> list[Line]:
    """The non-zero lines, after checking amounts and balance (nothing touches the session)."""
    kept = []
    for n, line in enumerate(lines):
        debit = _whole(line.debit, f"lines[{n}].debit")
        credit = _whole(line.credit, f"lines[{n}].credit")
        if debit and credit:
            raise LedgerError("a line is a debit or a credit", {"lines": [f"lines[{n}]: both"]})
        if debit or credit:
            kept.append(line)
    debits = sum(line.debit for line in kept)
    credits = sum(line.credit for line in kept)
    if debits != credits:
        raise LedgerError(
            f"unbalanced entry: debits Rp{debits} != credits Rp{credits}",
            {"lines": [f"debits {debits} != credits {credits}"]},
        )
    return kept


def post_entry(
    session: Session,
    *,
    entry_date: date,
    event: str,
    source_ref: str | None,
    lines: Sequence[Line],
    movement: LoanMovement | None = None,
    loan_id: int | None = None,
    program_id: int | None = None,
    lender_id: int | None = None,
    memo: str | None = None,
    reversal_of: int | None = None,
) -> JournalEntry | None:
    """Post one balanced entry (flushed with the caller's unit of work, never committed).

    Returns:
        The entry, or ``None`` when every line was zero.

    Raises:
        LedgerError: unbalanced, bad amounts or unknown role (before anything is added).
        IntegrityError: at flush, when ``source_ref`` or ``movement`` was journaled before.
    """
    kept = checked_lines(lines)
    if not kept:
        return None
    ids = [account_id(session, line.role, line.program_id) for line in kept]
    entry = JournalEntry(
        entry_date=entry_date,
        event=event,
        source_ref=source_ref,
        loan_id=loan_id,
        program_id=program_id,
        lender_id=lender_id,
        memo=memo,
        reversal_of=reversal_of,
        movement=movement,
        lines=[
            JournalLine(account_id=i, debit=line.debit, credit=line.credit)
            for i, line in zip(ids, kept, strict=True)
        ],
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class _QueuedEntry:
    """A movement's entry waiting for the movement's id (see ``post_movement_entry``)."""

    movement: LoanMovement
    values: dict[str, object]
    lines: list[tuple[int, int, int]]  # account id, debit, credit


_QUEUE_KEY = "books.queued_movement_entries"
ENTRIES = cast(Table, JournalEntry.__table__)
LINES = cast(Table, JournalLine.__table__)


def post_movement_entry(
    session: Session,
    movement: LoanMovement,
    *,
    lines: Sequence[Line],
    loan_id: int,
    program_id: int | None,
    lender_id: int | None,
    memo: str | None = None,
) -> None:
    """Journal ``movement`` (pending in ``session``) with ``lines``, written at its flush.

    Raises:
        LedgerError: unbalanced, bad amounts or unknown role (nothing is queued).
        IntegrityError: at flush, when the movement was journaled before.
    """
    kept = checked_lines(lines)
    if not kept:
        return
    ids = [account_id(session, line.role, line.program_id) for line in kept]
    session.info.setdefault(_QUEUE_KEY, []).append(
        _QueuedEntry(
            movement,
            {
                "entry_date": movement.posted_on,
                "event": movement.kind,
                "loan_id": loan_id,
                "program_id": program_id,
                "lender_id": lender_id,
                "memo": memo,
            },
            [(i, line.debit, line.credit) for i, line in zip(ids, kept, strict=True)],
        )
    )
    if movement.id is not None:
        # Already flushed (creating a program's first accounts flushes the session): no
        # later flush is sure to come, so write it now.
        _write_queued_entries(session)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: object) -> None:
    # The flush has just inserted the queued entries' movements, so their ids are known; the
    # entries go out in the same transaction, and a failure here fails the flush.
    _write_queued_entries(session)


def _write_queued_entries(session: Session) -> None:
    queued: list[_QueuedEntry] = session.info.get(_QUEUE_KEY) or []
    ready = [q for q in queued if q.movement.id is not None]
    if not ready:
        return
    session.info[_QUEUE_KEY] = [q for q in queued if q.movement.id is None]
    connection = session.connection()
    created_at = utcnow()
    entry_ids: dict[int, int] = {
        movement_id: entry_id
        for movement_id, entry_id in connection.execute(
            insert(ENTRIES).returning(ENTRIES.c.movement_id, ENTRIES.c.id),
            [{**q.values, "movement_id": q.movement.id, "created_at": created_at} for q in ready],
        )
    }
    connection.execute(
        insert(LINES),
        [
            {"entry_id": entry_ids[q.movement.id], "account_id": a, "debit": d, "credit": c}
            for q in ready
            for a, d, c in q.lines
        ],
    )


@event.listens_for(Session, "after_soft_rollback")
def _forget_queued_entries(session: Session, _previous: object) -> None:
    # A savepoint flushes on entry, so anything still queued at a rollback was queued inside
    # the rolled-back part, with movements that are gone with it.
    session.info.pop(_QUEUE_KEY, None)


def reverse_entry(
    session: Session, entry: JournalEntry, *, entry_date: date, event: str | None = None
) -> JournalEntry:
    """Post the mirror of ``entry`` (each debit becomes a credit) on ``entry_date``."""
    reversal = JournalEntry(
        entry_date=entry_date,
        event=event or f"{entry.event}_reversal",
        source_ref=f"reversal:{entry.id}",
        loan_id=entry.loan_id,
        program_id=entry.program_id,
        lender_id=entry.lender_id,
        memo=f"reverses entry {entry.id}",
        reversal_of=entry.id,
        lines=[
            JournalLine(account_id=line.account_id, debit=line.credit, credit=line.debit)
            for line in entry.lines
        ],
    )
    if session.scalar(
        select(JournalEntry.id).where(JournalEntry.source_ref == reversal.source_ref)
    ):
        raise LedgerError(f"entry {entry.id} is already reversed", {"entry_id": ["reversed"]})
    session.add(reversal)
    return reversal
