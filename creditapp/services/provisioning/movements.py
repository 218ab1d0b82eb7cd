"""The allowance change per program of a run: what the ledger journals.

An increase is a provision expense (debit expense, credit allowance); a decrease a release
(debit allowance, credit income). The ledger calls ``allowance_changes`` after a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import NotFound
from ...models import CreditProgram, ProvisionMovement, ProvisionRun


@dataclass(frozen=True)
class AllowanceChange:
    program_id: int
    program: str  # code
    opening: int  # allowance at the previous run (0 before the first)
    closing: int  # allowance at this run
    change: int  # closing - opening: > 0 expense, < 0 release


def allowance_changes(session: Session, as_of: date) -> list[AllowanceChange]:
    """The allowance change per program of the run of ``as_of``, by program code.

    Raises:
        NotFound (field ``as_of``): no provisioning run on that date.
    """
    run_id = session.scalar(select(ProvisionRun.id).where(ProvisionRun.as_of == as_of))
    if run_id is None:
        raise NotFound("no provisioning run", {"as_of": [f"no run on {as_of.isoformat()}"]})
    rows = session.execute(
        select(ProvisionMovement, CreditProgram.code)
        .join(CreditProgram, CreditProgram.id == ProvisionMovement.program_id)
        .where(ProvisionMovement.run_id == run_id)
        .order_by(CreditProgram.code)
    )
    return [AllowanceChange(m.program_id, code, m.opening, m.closing, m.change) for m, code in rows]
