"""The subsidy claim file: one CSV row per claim line, the layout documented in README.md.

Columns (comma-separated, UTF-8, header row, dates ISO ``YYYY-MM-DD``, amounts whole Rupiah
without separators, rates as decimal fractions): ``claim_id, program, lender, month,
claim_status, line_id, loan_id, loan_reference, period_start, period_end,
average_outstanding, subsidy_rate, amount, line_status, rejection_reason``.
No names and no NIK: the loan is identified by the platform's id and the lender's own
application reference, which the lender maps to its debtor.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import (
    Application,
    CreditProgram,
    Lender,
    Loan,
    SubsidyAccrual,
    SubsidyClaim,
    SubsidyClaimLine,
)

COLUMNS = (
    "claim_id",
    "program",
    "lender",
    "month",
    "claim_status",
    "line_id",
    "loan_id",
    "loan_reference",
    "period_start",
    "period_end",
    "average_outstanding",
    "subsidy_rate",
    "amount",
    "line_status",
    "rejection_reason",
)


def claim_rows(session: Session, claim_ids: Iterable[int]) -> Iterator[tuple[object, ...]]:
    """The export's rows for the claims, in claim then loan order (streamed)."""
    line, acc, claim = SubsidyClaimLine, SubsidyAccrual, SubsidyClaim
    query = (
        select(
            claim.id,
            CreditProgram.code,
            Lender.code,
            claim.month,
            claim.status,
            line.id,
            line.loan_id,
            Application.reference,
            acc.period_start,
            acc.period_end,
            acc.average_outstanding,
            acc.subsidy_rate,
            line.amount,
            line.status,
            line.rejection_reason,
        )
        .join(line, line.claim_id == claim.id)
        .join(acc, acc.id == line.accrual_id)
        .join(CreditProgram, CreditProgram.id == claim.program_id)
        .join(Lender, Lender.id == claim.lender_id)
        .join(Loan, Loan.id == line.loan_id)
        .join(Application, Application.id == Loan.application_id)
        .where(claim.id.in_(list(claim_ids)))
        .order_by(claim.id, line.loan_id, line.id)
    )
    for row in session.execute(query).yield_per(1000):
        yield tuple(row)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def claims_csv(session: Session, claim_ids: Iterable[int]) -> str:
    """The CSV text of the claims' lines (header first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in claim_rows(session, claim_ids):
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()
