"""Reading the books back in tests: balances by role, straight from the journal lines."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import Account, JournalLine, Loan


def by_role(session: Session) -> dict[str, int]:
    """Debit minus credit per account role, all programs together (credit-normal < 0)."""
    session.flush()
    rows = session.execute(
        select(Account.role, func.sum(JournalLine.debit - JournalLine.credit))
        .join(JournalLine, JournalLine.account_id == Account.id)
        .group_by(Account.role)
    ).all()
    return {role: int(net) for role, net in rows if int(net) != 0}


def totals(session: Session) -> tuple[int, int]:
    """Total debits and credits of the whole journal."""
    session.flush()
    debit, credit = session.execute(
        select(
            func.coalesce(func.sum(JournalLine.debit), 0),
            func.coalesce(func.sum(JournalLine.credit), 0),
        )
    ).one()
    return int(debit), int(credit)


def outstanding_principal(session: Session) -> int:
    """The sum of every loan's outstanding principal (written-off loans hold 0)."""
    session.flush()
    return int(session.scalar(select(func.coalesce(func.sum(Loan.outstanding_principal), 0))) or 0)
