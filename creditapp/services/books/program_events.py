"""Journal entries of the program cycles: subsidy claims, subrogation and the loss allowance.

| event | debit | credit |
|---|---|---|
| subsidy claim paid | cash (paid) | subsidy receivable (paid) |
| short payment (verified - paid) | subsidy income | subsidy receivable |
| subsidy claim line rejected | subsidy income | subsidy receivable |
| subrogation paid over to the guarantor | guarantor payable | cash |
| allowance up at a provisioning run | provision expense | allowance |
| allowance down (release) | allowance | provision expense |

The subsidy was recognised as income and receivable when it accrued (``journal_subsidy``);
what the government rejects or does not pay is taken back out of income, so the receivable
holds only what is still to be paid. The guarantee fee (IJP) of government-backed programs
is paid by the state to the guarantor: it is a memorandum figure on the guarantor statement,
not an entry in the lender's books. A guarantee claim makes its entry when it is paid
(``journal_claim_payment``); a rejected one made none and makes none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from sqlalchemy.orm import Session

from ...models import JournalEntry
from .journal import Line, post_entry


class _Claim(Protocol):  # read-only: a SubsidyClaim row fits
    @property
    def id(self) -> int: ...
    @property
    def program_id(self) -> int: ...
    @property
    def lender_id(self) -> int: ...
    @property
    def verified_total(self) -> int: ...


class _Change(Protocol):  # read-only: provisioning's frozen AllowanceChange fits
    @property
    def program_id(self) -> int: ...
    @property
    def change(self) -> int: ...


def journal_subsidy_claim_payment(
    session: Session, claim: _Claim, paid_amount: int, paid_on: date
) -> JournalEntry | None:
    """Cash in for a paid subsidy claim; a short payment's rest leaves income."""
    p = claim.program_id
    short = claim.verified_total - paid_amount
    return post_entry(
        session,
        entry_date=paid_on,
        event="subsidy_claim_paid",
        source_ref=f"subsidy-claim:{claim.id}:paid",
        program_id=p,
        lender_id=claim.lender_id,
        lines=[
            Line("cash", debit=paid_amount),
            Line("subsidy_income", debit=short, program_id=p),
            Line("subsidy_receivable", credit=paid_amount + short, program_id=p),
        ],
    )


def journal_subsidy_line_rejection(
    session: Session, claim: _Claim, line_id: int, amount: int, rejected_on: date
) -> JournalEntry | None:
    """A line the government rejected: its accrued subsidy leaves income and receivable."""
    p = claim.program_id
    return post_entry(
        session,
        entry_date=rejected_on,
        event="subsidy_line_rejected",
        source_ref=f"subsidy-claim-line:{line_id}:rejected",
        program_id=p,
        lender_id=claim.lender_id,
        lines=[
            Line("subsidy_income", debit=amount, program_id=p),
            Line("subsidy_receivable", credit=amount, program_id=p),
        ],
    )


def journal_subrogation(
    session: Session,
    recovery_id: int,
    amount: int,
    paid_on: date,
    *,
    loan_id: int,
    program_id: int,
    lender_id: int,
) -> JournalEntry | None:
    """The guarantor's share of a recovery paid over: the payable is settled in cash."""
    return post_entry(
        session,
        entry_date=paid_on,
        event="subrogation_paid",
        source_ref=f"subrogation:{recovery_id}",
        loan_id=loan_id,
        program_id=program_id,
        lender_id=lender_id,
        lines=[Line("guarantor_payable", debit=amount), Line("cash", credit=amount)],
    )


def journal_allowance_changes(
    session: Session, as_of: date, changes: Sequence[_Change]
) -> list[JournalEntry]:
    """One entry per program whose allowance moved at the run of ``as_of``."""
    posted = []
    for c in changes:
        up, down = max(c.change, 0), max(-c.change, 0)
        entry = post_entry(
            session,
            entry_date=as_of,
            event="provision" if up else "provision_release",
            source_ref=f"provision:{as_of.isoformat()}:{c.program_id}",
            program_id=c.program_id,
            lines=[
                Line("provision_expense", debit=up),
                Line("allowance", credit=up),
                Line("allowance", debit=down),
                Line("provision_expense", credit=down),
            ],
        )
        if entry is not None:
            posted.append(entry)
    return posted
