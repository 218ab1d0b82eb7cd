"""Posting repayments: idempotent, row-locked, allocated by the program's rule.

Order of work (each step refuses with a named field before anything is written):
lock the loan row, check the lender owns it (another lender's loan looks exactly like a
missing one), replay an earlier repayment with the same ``Idempotency-Key``, then allocate.

Allocation (loanmath ``allocate_payment``): installments due on or before ``paid_on`` are
served oldest first, each in the loan's component order (default penalty -> interest ->
principal). Money left over is, in this order (``_plan``):

* the early payoff, when it reaches it (remaining principal + the running period's interest
  pro rata, less interest already paid in advance); anything above is held as the
  borrower's credit balance (a ``credit_balance`` movement; ``refund_credit`` pays it back);
* an advance payment: ``apply_as="auto"`` (default) settles the next instalment, ``advance``
  every later one in order, so an instalment paid a few days early is settled and never
  ages;
* a prepayment of principal for the rest (all of it with ``apply_as="prepayment"``): it
  first pays the interest the prepaid principal accrued in the running period (loanmath
  ``split_prepayment``), then re-amortises the instalments not yet touched by the loan's
  ``prepayment_mode`` (loanmath ``apply_prepayment``: a new schedule version, the replaced
  rows kept superseded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...errors import NotFound
from ...models import (
    Loan,
    LoanMovement,
    LoanStatus,
    Repayment,
    RepaymentAllocation,
)
from ...models.loan import REPAYMENT_APPLY_AS
from ..audit import Actor, record
from .common import (
    current_installments,
    get_loan,
    refuse,
    require_positive_amount,
    snapshot,
)
from .grading import count_on_time
from .ledger import post_movement
from .planning import plan_repayment
from .reageing import reage_loan, reage_same_day
from .settings import servicing_rules
from .value_dates import check_value_date


@dataclass(frozen=True)
class RepaymentResult:
    """The stored repayment; ``replayed`` is True when an earlier post was returned."""

    repayment: Repayment
    replayed: bool


def _not_found(loan_id: int) -> NotFound:
    return NotFound("no such loan", {"loan_id": [f"no loan {loan_id}"]})


def _earlier(session: Session, lender_id: int, key: str) -> Repayment | None:
    return session.scalar(
        select(Repayment).where(Repayment.lender_id == lender_id, Repayment.idempotency_key == key)
    )


def _replay(
    earlier: Repayment, loan_id: int, amount: int, paid_on: date, apply_as: str
) -> RepaymentResult:
    if (earlier.loan_id, earlier.amount, earlier.paid_on, earlier.apply_as) != (
        loan_id,
        amount,
        paid_on,
        apply_as,
    ):
        raise refuse(
            "Idempotency-Key",
            "already used for a different repayment (loan, amount, date or apply_as differ)",
        )
    return RepaymentResult(earlier, replayed=True)


def _check_postable(
    session: Session, loan: Loan, paid_on: date, business_date: date | None
) -> None:
    if business_date is not None:
        check_value_date("paid_on", paid_on, business_date)
        limit = servicing_rules(session, loan.program_id).back_value_days
        oldest = business_date - timedelta(days=limit)
        if paid_on < oldest:
            raise refuse(
                "paid_on",
                f"must not be more than {limit} days before the business date {business_date} "
                f"(the program's back-value limit): at the earliest {oldest}",
            )
    if loan.status in ("closed", "written_off"):
        raise refuse("loan_id", f"the loan is {loan.status.replace('_', ' ')}", "loan not open")
    first = session.scalar(
        select(func.min(LoanMovement.posted_on)).where(
            LoanMovement.loan_id == loan.id, LoanMovement.kind == "disbursement"
        )
    )
    if loan.status != "active" or first is None:
        raise refuse("loan_id", "the loan has not been disbursed")
    if paid_on < first:
        raise refuse("paid_on", f"must not be before the first disbursement on {first}")
    last = session.scalar(
        select(func.max(Repayment.paid_on)).where(
            Repayment.loan_id == loan.id, Repayment.reversed_on.is_(None)
        )
    )
    if last is not None and paid_on < last:
        raise refuse("paid_on", f"must not be before the last repayment on {last}")


def post_repayment(
    session: Session,
    actor: Actor,
    loan_id: int,
    *,
    lender_id: int,
    amount: int,
    paid_on: date,
    idempotency_key: str,
    channel: str | None = None,
    apply_as: str = "auto",
    business_date: date | None = None,
) -> RepaymentResult:
    """Post a repayment received from the borrower.

    Args:
        session: the unit of work (flushed, not committed).
        actor: who acts (audited).
        loan_id: the loan; a loan of another lender is reported as not found.
        lender_id: the lender posting (tenant).
        amount: Rupiah received, > 0.
        paid_on: value date; not before the first disbursement nor the last repayment.
        idempotency_key: the lender's key; the same key with the same loan, amount and date
            returns the first repayment (``replayed=True``), with other content it is refused.
        channel: how the money came (free text, e.g. ``qris``).
        apply_as: money beyond what is due: ``auto`` settles the next instalment in
            advance and prepays the rest; ``advance`` settles later instalments in order;
            ``prepayment`` prepays principal (after the interest it accrued). Money beyond
            the early payoff is held as the borrower's credit balance.
        business_date: today's business date at the edge (API, CLI, web): a ``paid_on``
            after it plus ``VALUE_DATE_TOLERANCE_DAYS`` is refused. None skips the check
            (jobs replaying history).

    Returns:
        ``RepaymentResult(repayment, replayed)``.

    Raises:
        NotFound: no such loan for this lender.
        DomainError: a refused input, naming the field (``amount``, ``paid_on``,
            ``loan_id`` or ``Idempotency-Key``).
    """
    if not isinstance(idempotency_key, str) or not 0 < len(idempotency_key.strip()) <= 128:
        raise refuse("Idempotency-Key", "a key of 1 to 128 characters is required")
    require_positive_amount(amount)
    if apply_as not in REPAYMENT_APPLY_AS:
        raise refuse("apply_as", f"must be one of {', '.join(REPAYMENT_APPLY_AS)}")
    try:
        loan = get_loan(session, loan_id, lock=True)
    except NotFound:
        raise _not_found(loan_id) from None
    if loan.lender_id != lender_id:
        raise _not_found(loan_id)
    earlier = _earlier(session, lender_id, idempotency_key)
    if earlier is not None:
        return _replay(earlier, loan.id, amount, paid_on, apply_as)
    _check_postable(session, loan, paid_on, business_date)
    before = snapshot(loan)
    latest_status = session.scalar(
        select(LoanStatus)
        .where(LoanStatus.loan_id == loan.id, LoanStatus.as_of >= paid_on)
        .order_by(LoanStatus.as_of.desc())
        .limit(1)
    )
    back_valued = latest_status is not None  # days already aged change

    repayment = Repayment(
        loan_id=loan.id,
        lender_id=lender_id,
        idempotency_key=idempotency_key,
        amount=amount,
        paid_on=paid_on,
        channel=channel,
        apply_as=apply_as,
        schedule_version_before=loan.schedule_version,
    )
    try:
        with session.begin_nested():
            plan = plan_repayment(session, loan, amount, paid_on, apply_as, back_valued)
            alloc = plan.allocation
            repayment.principal_part = alloc.principal
            repayment.interest_part = alloc.interest
            repayment.penalty_part = alloc.penalty
            repayment.excess_part = plan.excess
            repayment.credit_part = plan.credit
            session.add(repayment)
            session.flush()
    except IntegrityError:
        # The same key was committed by a concurrent request for another loan.
        again = _earlier(session, lender_id, idempotency_key)
        if again is None:
            raise
        return _replay(again, loan.id, amount, paid_on, apply_as)

    for applied, row in zip(plan.allocation.applied, plan.targets, strict=True):
        if applied.total == 0:
            continue
        row.penalty_paid += applied.penalty
        row.interest_paid += applied.interest
        row.principal_paid += applied.principal
        if (row.penalty_paid, row.interest_paid, row.principal_paid) == (
            row.penalty_due,
            row.interest_due,
            row.principal_due,
        ):
            row.settled_on = paid_on
            count_on_time(loan, row)
        session.add(
            RepaymentAllocation(
                repayment_id=repayment.id,
                installment_id=row.id,
                principal=applied.principal,
                interest=applied.interest,
                penalty=applied.penalty,
            )
        )
    principal = repayment.principal_part + repayment.excess_part
    for kind, value, delta in (
        ("penalty_repayment", repayment.penalty_part, 0),
        ("interest_repayment", repayment.interest_part, 0),
        ("principal_repayment", principal, -principal),
    ):
        if value > 0:
            post_movement(session, loan, kind, value, delta, paid_on, repayment_id=repayment.id)
    if repayment.credit_part:
        post_movement(
            session,
            loan,
            "credit_balance",
            repayment.credit_part,
            0,
            paid_on,
            repayment_id=repayment.id,
        )
        loan.credit_balance += repayment.credit_part
    # Posted after its own day was aged (common): only that day's row changes; an older
    # value date (or a penalty to recompute) re-ages through the ledger.
    same_day = (
        latest_status is not None and latest_status.as_of == paid_on and not loan.penalty_daily_rate
    )
    reaged = None
    if same_day and latest_status is not None:
        unchanged = loan.schedule_version == repayment.schedule_version_before
        reaged = reage_same_day(session, loan, latest_status, plan.rows if unchanged else None)
    session.flush()
    _close_if_settled(session, loan, paid_on)
    if back_valued and not same_day:
        reage_loan(session, actor, loan, paid_on)
    record(
        session,
        actor,
        "repayment.post",
        "repayment",
        repayment.id,
        before=before,
        after={
            **snapshot(loan),
            "amount": amount,
            "principal_part": repayment.principal_part,
            "interest_part": repayment.interest_part,
            "penalty_part": repayment.penalty_part,
            "excess_part": repayment.excess_part,
            "credit_part": repayment.credit_part,
            "apply_as": apply_as,
            **({"reaged": reaged} if reaged else {}),
        },
        as_of=paid_on,
    )
    session.flush()
    return RepaymentResult(repayment, replayed=False)


def _close_if_settled(session: Session, loan: Loan, on: date) -> None:
    """Close the loan when nothing is owed on its current schedule."""
    if loan.outstanding_principal != 0 or loan.disbursed_amount != loan.principal:
        return
    rows = current_installments(session, loan.id)
    if all(r.settled_on is not None for r in rows):
        loan.status = "closed"
        loan.closed_on = on
