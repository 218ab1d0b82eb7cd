"""The monthly interest-subsidy claim: built from the accruals, verified line by line, paid.

One claim per program x lender x month (the database's unique key guards it too), with one
line per subsidy accrual of that month (``services.loans.subsidy``), for its exact amount.
Statuses move forward only: ``submitted`` -> ``verified`` -> ``paid``. While a claim is
submitted, the verifier may reject single lines with a reason; verifying fixes the
``verified_total`` (the lines left). The payment:

- more than the verified total is refused (an overpayment is a typing mistake or somebody
  else's money);
- less is recorded, as *short-paid*: the money arrived and the books must show it, and the
  shortfall (verified - paid) stays visible on the claim and in the reconciliation;
- a second payment of the same claim is refused (409).

Money events (the ledger posts each, one function each): ``reject_subsidy_claim_line`` (a
claimed receivable the government will not pay) and ``record_subsidy_claim_payment``.
Nothing here reads the clock: every date is an argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from loanmath.dates import add_months

from ...errors import Conflict, DomainError, NotFound
from ...models import (
    CreditProgram,
    Lender,
    Loan,
    SubsidyAccrual,
    SubsidyClaim,
    SubsidyClaimLine,
)
from ..audit import Actor, record
from ..books.program_events import (
    journal_subsidy_claim_payment,
    journal_subsidy_line_rejection,
)
from .common import refuse, require_positive_amount, require_reason


@dataclass(frozen=True)
class ClaimLineInput:
    """A line as the lender claims it: the loan, the accrual period's first day, the amount."""

    loan_id: int
    period_start: date
    amount: int


def month_end(month: date) -> date:
    """The last day of the month starting on ``month``."""
    return add_months(month, 1) - timedelta(days=1)


def check_month(month: date, field: str = "month") -> date:
    """Return ``month`` if it is the first day of a month, else refuse."""
    if month.day != 1:
        raise refuse(field, "must be the first day of a month (YYYY-MM-01)")
    return month


def _accruals(
    session: Session, program_id: int, lender_id: int, month: date
) -> dict[tuple[int, date], tuple[int, int]]:
    """(loan, period start) -> (accrual id, amount) of the program x lender x month."""
    rows = session.execute(
        select(
            SubsidyAccrual.loan_id,
            SubsidyAccrual.period_start,
            SubsidyAccrual.id,
            SubsidyAccrual.amount,
        )
        .join(Loan, Loan.id == SubsidyAccrual.loan_id)
        .where(
            SubsidyAccrual.program_id == program_id,
            Loan.lender_id == lender_id,
            SubsidyAccrual.period_start.between(month, month_end(month)),
        )
    ).all()
    return {(loan, start): (int(i), int(amount)) for loan, start, i, amount in rows}


def _check_lines(
    session: Session,
    lines: Sequence[ClaimLineInput],
    accruals: dict[tuple[int, date], tuple[int, int]],
) -> dict[str, list[str]]:
    """Every refused line, named ``lines[i].field`` (all of them, not only the first)."""
    errors: dict[str, list[str]] = {}
    seen: set[tuple[int, date]] = set()
    for i, line in enumerate(lines):
        key = (line.loan_id, line.period_start)
        if key in seen:
            errors[f"lines[{i}]"] = ["appears twice in the claim"]
            continue
        seen.add(key)
        accrual = accruals.get(key)
        if accrual is None:
            errors[f"lines[{i}].loan_id"] = [
                "matches no subsidy accrual of this program, lender and month"
            ]
        elif not isinstance(line.amount, int) or isinstance(line.amount, bool):
            errors[f"lines[{i}].amount"] = ["must be a whole number of Rupiah"]
        elif line.amount != accrual[1]:
            errors[f"lines[{i}].amount"] = [f"does not match the accrual, Rp{accrual[1]}"]
    wanted = [
        accruals[(ln.loan_id, ln.period_start)][0]
        for ln in lines
        if (ln.loan_id, ln.period_start) in accruals
    ]
    if wanted:
        claimed = set(
            session.scalars(
                select(SubsidyClaimLine.accrual_id).where(SubsidyClaimLine.accrual_id.in_(wanted))
            )
        )
        for i, line in enumerate(lines):
            accrual = accruals.get((line.loan_id, line.period_start))
            if accrual is not None and accrual[0] in claimed:
                errors.setdefault(f"lines[{i}].loan_id", []).append("is already claimed")
    return errors


def submit_subsidy_claim(
    session: Session,
    actor: Actor,
    *,
    program_id: int,
    lender_id: int,
    month: date,
    lines: Sequence[ClaimLineInput],
    submitted_on: date,
) -> SubsidyClaim:
    """Submit a program x lender x month claim whose every line matches one accrual exactly.

    Refused, storing nothing: a month not over by ``submitted_on``, a month already claimed
    for the program and lender (409), no lines, and any line that matches no accrual, differs
    from it in amount, appears twice or was claimed before (every bad line named).

    Returns:
        The submitted ``SubsidyClaim``.
    """
    check_month(month)
    if submitted_on <= month_end(month):
        raise refuse(
            "submitted_on", f"must be after the claimed month, which ends {month_end(month)}"
        )
    if session.get(CreditProgram, program_id) is None:
        raise NotFound("no such program", {"program": [f"no program {program_id}"]})
    if session.get(Lender, lender_id) is None:
        raise NotFound("no such lender", {"lender": [f"no lender {lender_id}"]})
    existing = session.scalar(
        select(SubsidyClaim.id).where(
            SubsidyClaim.program_id == program_id,
            SubsidyClaim.lender_id == lender_id,
            SubsidyClaim.month == month,
        )
    )
    if existing is not None:
        raise Conflict(
            "month already claimed",
            {"month": [f"already claimed for this program and lender (claim {existing})"]},
        )
    if not lines:
        raise refuse("lines", "a claim needs at least one line")
    accruals = _accruals(session, program_id, lender_id, month)
    errors = _check_lines(session, lines, accruals)
    if errors:
        raise DomainError("claim lines refused", errors)
    total = sum(line.amount for line in lines)
    claim = SubsidyClaim(
        program_id=program_id,
        lender_id=lender_id,
        month=month,
        status="submitted",
        accrued_total=total,
        verified_total=0,
        paid_amount=0,
        submitted_on=submitted_on,
    )
    session.add(claim)
    session.flush()
    session.execute(
        insert(SubsidyClaimLine),
        [
            {
                "claim_id": claim.id,
                "accrual_id": accruals[(ln.loan_id, ln.period_start)][0],
                "loan_id": ln.loan_id,
                "amount": ln.amount,
                "status": "claimed",
            }
            for ln in lines
        ],
    )
    record(
        session,
        actor,
        "subsidy_claim.submit",
        "subsidy_claim",
        claim.id,
        after={
            "program_id": program_id,
            "lender_id": lender_id,
            "month": month.isoformat(),
            "lines": len(lines),
            "accrued_total": total,
        },
        as_of=submitted_on,
    )
    return claim


def build_subsidy_claims(
    session: Session,
    actor: Actor,
    month: date,
    submitted_on: date,
    *,
    program_id: int | None = None,
    lender_id: int | None = None,
) -> list[SubsidyClaim]:
    """Submit one claim per program x lender with accruals in ``month`` and no claim yet.

    Each claim's lines are that month's accruals, one per loan and period, for their amounts
    (``submit_subsidy_claim`` checks them like any other claim).

    Returns:
        The claims submitted (empty when every program x lender of the month is claimed).
    """
    check_month(month)
    if submitted_on <= month_end(month):
        raise refuse(
            "submitted_on", f"must be after the claimed month, which ends {month_end(month)}"
        )
    loans = Loan.__table__
    acc = SubsidyAccrual.__table__
    claimed = select(SubsidyClaim.id).where(
        SubsidyClaim.program_id == acc.c.program_id,
        SubsidyClaim.lender_id == loans.c.lender_id,
        SubsidyClaim.month == month,
    )
    query = (
        select(acc.c.program_id, loans.c.lender_id, acc.c.loan_id, acc.c.period_start, acc.c.amount)
        .join(loans, loans.c.id == acc.c.loan_id)
        .where(acc.c.period_start.between(month, month_end(month)), ~claimed.exists())
        .order_by(acc.c.program_id, loans.c.lender_id, acc.c.loan_id, acc.c.period_start)
    )
    if program_id is not None:
        query = query.where(acc.c.program_id == program_id)
    if lender_id is not None:
        query = query.where(loans.c.lender_id == lender_id)
    groups: dict[tuple[int, int], list[ClaimLineInput]] = {}
    for program, lender, loan, start, amount in session.execute(query):
        groups.setdefault((program, lender), []).append(ClaimLineInput(loan, start, int(amount)))
    return [
        submit_subsidy_claim(
            session,
            actor,
            program_id=program,
            lender_id=lender,
            month=month,
            lines=lines,
            submitted_on=submitted_on,
        )
        for (program, lender), lines in groups.items()
    ]


def get_subsidy_claim(
    session: Session, claim_id: int, *, lender_id: int | None = None, lock: bool = False
) -> SubsidyClaim:
    """The claim (of ``lender_id`` when given: another lender's answers 404 like a missing one)."""
    query = select(SubsidyClaim).where(SubsidyClaim.id == claim_id)
    if lender_id is not None:
        query = query.where(SubsidyClaim.lender_id == lender_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    claim = session.scalar(query)
    if claim is None:
        raise NotFound("no such claim", {"claim_id": [f"no subsidy claim {claim_id}"]})
    return claim


def reject_subsidy_claim_line(
    session: Session, actor: Actor, line_id: int, *, reason: str, rejected_on: date
) -> SubsidyClaimLine:
    """Reject one line of a submitted claim (money event: a claimed subsidy not paid).

    Returns:
        The rejected line.
    """
    text = require_reason(reason)
    line = session.get(SubsidyClaimLine, line_id)
    if line is None:
        raise NotFound("no such line", {"line_id": [f"no claim line {line_id}"]})
    claim = get_subsidy_claim(session, line.claim_id, lock=True)
    session.refresh(line)
    if claim.status != "submitted":
        raise Conflict("claim verified", {"line_id": [f"the claim is {claim.status}"]})
    if line.status == "rejected":
        raise Conflict("line rejected", {"line_id": ["already rejected"]})
    if rejected_on < claim.submitted_on:
        raise refuse("rejected_on", f"must not be before the claim on {claim.submitted_on}")
    line.status, line.rejection_reason, line.rejected_on = "rejected", text, rejected_on
    session.flush()
    journal_subsidy_line_rejection(session, claim, line.id, line.amount, rejected_on)
    record(
        session,
        actor,
        "subsidy_claim.reject_line",
        "subsidy_claim_line",
        line.id,
        before={"status": "claimed"},
        after={"status": "rejected", "reason": text, "amount": line.amount, "claim": claim.id},
        as_of=rejected_on,
    )
    return line


def verify_subsidy_claim(
    session: Session, actor: Actor, claim_id: int, *, verified_on: date
) -> SubsidyClaim:
    """Close verification: the verified total is the sum of the lines not rejected.

    Returns:
        The verified claim.
    """
    claim = get_subsidy_claim(session, claim_id, lock=True)
    if claim.status != "submitted":
        raise Conflict("claim verified", {"claim_id": [f"the claim is {claim.status}"]})
    if verified_on < claim.submitted_on:
        raise refuse("verified_on", f"must not be before the claim on {claim.submitted_on}")
    total = session.scalar(
        select(func.coalesce(func.sum(SubsidyClaimLine.amount), 0)).where(
            SubsidyClaimLine.claim_id == claim.id, SubsidyClaimLine.status == "claimed"
        )
    )
    claim.status, claim.verified_total, claim.verified_on = "verified", int(total or 0), verified_on
    session.flush()
    record(
        session,
        actor,
        "subsidy_claim.verify",
        "subsidy_claim",
        claim.id,
        before={"status": "submitted"},
        after={"status": "verified", "verified_total": claim.verified_total},
        as_of=verified_on,
    )
    return claim


def record_subsidy_claim_payment(
    session: Session, actor: Actor, claim_id: int, *, paid_amount: int, paid_on: date
) -> SubsidyClaim:
    """Record the government's payment of a verified claim (money event: claim paid).

    At most the verified total; less is kept as short-paid (see the module's docstring).

    Returns:
        The paid claim.
    """
    require_positive_amount(paid_amount, "paid_amount")
    claim = get_subsidy_claim(session, claim_id, lock=True)
    if claim.status == "paid":
        raise Conflict("claim paid", {"claim_id": [f"already paid on {claim.paid_on}"]})
    if claim.status != "verified":
        raise refuse("claim_id", "verify the claim before recording its payment")
    if paid_amount > claim.verified_total:
        raise refuse("paid_amount", f"exceeds the verified total, Rp{claim.verified_total}")
    assert claim.verified_on is not None  # set with the verified status
    if paid_on < claim.verified_on:
        raise refuse("paid_on", f"must not be before the verification on {claim.verified_on}")
    claim.status, claim.paid_amount, claim.paid_on = "paid", paid_amount, paid_on
    session.flush()
    journal_subsidy_claim_payment(session, claim, paid_amount, paid_on)
    record(
        session,
        actor,
        "subsidy_claim.paid",
        "subsidy_claim",
        claim.id,
        before={"status": "verified"},
        after={
            "status": "paid",
            "paid_amount": paid_amount,
            "shortfall": claim.verified_total - paid_amount,
        },
        as_of=paid_on,
    )
    return claim


def claim_lines(session: Session, claim_id: int) -> list[SubsidyClaimLine]:
    """The claim's lines in loan order."""
    return list(
        session.scalars(
            select(SubsidyClaimLine)
            .where(SubsidyClaimLine.claim_id == claim_id)
            .order_by(SubsidyClaimLine.loan_id, SubsidyClaimLine.id)
        )
    )


__all__ = [
    "ClaimLineInput",
    "build_subsidy_claims",
    "check_month",
    "claim_lines",
    "get_subsidy_claim",
    "month_end",
    "record_subsidy_claim_payment",
    "reject_subsidy_claim_line",
    "submit_subsidy_claim",
    "verify_subsidy_claim",
]
