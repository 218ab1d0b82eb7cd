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

from loanmath import schedule as sched
from loanmath.allocation import (
    Allocation,
    Applied,
    Due,
    accrued_interest,
    allocate_payment,
    apply_prepayment,
    split_prepayment,
)

from ...errors import NotFound
from ...models import (
    Installment,
    Loan,
    LoanMovement,
    LoanStatus,
    Repayment,
    RepaymentAllocation,
)
from ...models.loan import REPAYMENT_APPLY_AS
from ..audit import Actor, record
from .common import (
    as_schedule,
    current_installments,
    get_loan,
    refuse,
    replace_schedule,
    require_positive_amount,
    snapshot,
)
from .grading import count_on_time
from .ledger import post_movement
from .reageing import paid_by_date, penalties_owed, reage_loan
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


def _replay(earlier: Repayment, loan_id: int, amount: int, paid_on: date) -> RepaymentResult:
    if (earlier.loan_id, earlier.amount, earlier.paid_on) != (loan_id, amount, paid_on):
        raise refuse(
            "Idempotency-Key",
            "already used for a different repayment (loan, amount or date differ)",
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


@dataclass
class _Plan:
    allocation: Allocation
    targets: list[Installment]  # the row each ``allocation.applied`` entry pays
    excess: int  # prepaid principal (Repayment.excess_part)
    credit: int = 0  # held for the borrower (Repayment.credit_part)


def _dues(rows: list[Installment], penalty_cap: dict[int, int] | None = None) -> list[Due]:
    return [
        Due(
            k,
            r.due_on,
            r.penalty_due - r.penalty_paid
            if penalty_cap is None
            else max(0, min(r.penalty_due, penalty_cap.get(r.id, 0)) - r.penalty_paid),
            r.interest_due - r.interest_paid,
            r.principal_due - r.principal_paid,
        )
        for k, r in enumerate(rows)
    ]


def _paid_any(row: Installment) -> bool:
    return row.principal_paid + row.interest_paid + row.penalty_paid > 0


def _plan(
    session: Session,
    loan: Loan,
    amount: int,
    paid_on: date,
    apply_as: str,
    back_valued: bool = False,
) -> _Plan:
    """Allocate ``amount``; may write a new schedule version (prepayment or payoff).

    Installments due on or before ``paid_on`` first; then, with money left: the early payoff
    when it is enough (anything above it is held as credit), else an advance payment of the
    next instalment (``auto``) or of every later one in order (``advance``), and only what
    is beyond that (or everything, for ``prepayment``) prepays principal.

    A back-valued payment on a loan with penalties serves only the penalty the runs up to
    its value date charged: later charges are recomputed when the loan is re-aged.
    """
    rows = current_installments(session, loan.id)
    order = loan.allocation_order.split(",")
    due_rows = [r for r in rows if r.due_on <= paid_on]
    cap = None
    if back_valued and loan.penalty_daily_rate:
        cap = penalties_owed(session, loan, due_rows, paid_by_date(session, loan.id), paid_on)
    alloc = allocate_payment(amount, _dues(due_rows, cap), order)
    applied, targets, left = list(alloc.applied), list(due_rows), alloc.excess
    if left == 0:
        return _Plan(alloc, targets, 0)
    later = [r for r in rows if r.due_on > paid_on]
    ahead = [r for r in later if r.settled_on is None]
    if not ahead:
        return _Plan(Allocation(tuple(applied), 0), targets, 0, credit=left)
    start = max((r.due_on for r in due_rows), default=None) or _first_disbursed(session, loan.id)
    unpaid = sum(r.principal_due - r.principal_paid for r in ahead)
    # Interest accrued in the running period on the balance it started with (principal
    # prepaid or paid in advance since then included), less the interest already paid of
    # later instalments (in advance, or accrued by an earlier prepayment).
    prepaid = session.scalar(
        select(func.coalesce(func.sum(Repayment.excess_part), 0)).where(
            Repayment.loan_id == loan.id,
            Repayment.reversed_on.is_(None),
            Repayment.paid_on > start,
        )
    )
    balance = unpaid + sum(r.principal_paid for r in later) + int(prepaid or 0)
    elapsed, length = (paid_on - start).days, (later[0].due_on - start).days
    accrued = accrued_interest(balance, loan.annual_rate, elapsed, length, frequency=loan.frequency)
    interest = max(0, accrued - sum(r.interest_paid for r in later))
    if left >= unpaid + interest:
        row = _settle_early(session, loan, ahead, paid_on, unpaid, interest)
        applied.append(Applied(len(applied), paid_on, 0, interest, unpaid))
        targets.append(row)
        credit = left - unpaid - interest
        return _Plan(Allocation(tuple(applied), 0), targets, 0, credit=credit)
    advance = {"auto": ahead[:1], "advance": ahead, "prepayment": []}[apply_as]
    if advance:
        ahead_alloc = allocate_payment(left, _dues(advance), order)
        applied.extend(ahead_alloc.applied)
        targets.extend(advance)
        left = ahead_alloc.excess
    if left == 0:
        return _Plan(Allocation(tuple(applied), 0), targets, 0)
    touched = {id(r) for r, a in zip(targets, applied, strict=True) if a.total > 0}
    last_touched = max((k for k, r in enumerate(ahead) if id(r) in touched or _paid_any(r)),
                       default=-1)  # fmt: skip
    fresh = ahead[last_touched + 1 :]
    if not fresh:  # every later instalment is paid in advance: nothing left to prepay
        return _Plan(Allocation(tuple(applied), 0), targets, 0, credit=left)
    before = [r.due_on for r in rows if r.due_on < fresh[0].due_on]
    period_start = before[-1] if before else start
    elapsed = max(0, (paid_on - period_start).days)
    length = max(1, (fresh[0].due_on - period_start).days)
    principal, interest = split_prepayment(
        left, loan.annual_rate, elapsed, length, frequency=loan.frequency
    )
    remaining = as_schedule(fresh)
    outstanding = remaining[0].opening_balance
    credit = 0
    if principal >= outstanding:
        principal = outstanding
        interest = accrued_interest(
            outstanding, loan.annual_rate, elapsed, length, frequency=loan.frequency
        )
        credit = left - principal - interest
        row = _settle_early(session, loan, fresh, paid_on, principal, interest)
        applied.append(Applied(len(applied), paid_on, 0, interest, principal))
        targets.append(row)
        return _Plan(Allocation(tuple(applied), 0), targets, 0, credit=credit)
    new = apply_prepayment(
        remaining,
        principal,
        loan.annual_rate,
        mode=loan.prepayment_mode,  # type: ignore[arg-type]
        method=loan.interest_method,
        frequency=loan.frequency,
    )
    new_rows = replace_schedule(session, loan, fresh, new)
    if interest:
        # The accrued interest belongs to the instalment of the running period.
        new_rows[0].interest_due += interest
        applied.append(Applied(len(applied), new_rows[0].due_on, 0, interest, 0))
        targets.append(new_rows[0])
    return _Plan(Allocation(tuple(applied), 0), targets, principal)


def _settle_early(
    session: Session,
    loan: Loan,
    replaced: list[Installment],
    paid_on: date,
    principal: int,
    interest: int,
) -> Installment:
    """Replace ``replaced`` with one instalment due ``paid_on`` that this payment settles."""
    final = sched.Installment(
        number=replaced[0].number,
        due_date=paid_on,
        principal=principal,
        interest=interest,
        total=principal + interest,
        opening_balance=principal,
        closing_balance=0,
    )
    [row] = replace_schedule(session, loan, replaced, [final])
    return row


def _first_disbursed(session: Session, loan_id: int) -> date:
    first = session.scalar(
        select(func.min(LoanMovement.posted_on)).where(
            LoanMovement.loan_id == loan_id, LoanMovement.kind == "disbursement"
        )
    )
    assert first is not None  # _check_postable refused undisbursed loans
    return first


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
        return _replay(earlier, loan.id, amount, paid_on)
    _check_postable(session, loan, paid_on, business_date)
    before = snapshot(loan)
    back_valued = (
        session.scalar(
            select(LoanStatus.id)
            .where(LoanStatus.loan_id == loan.id, LoanStatus.as_of >= paid_on)
            .limit(1)
        )
        is not None
    )

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
            plan = _plan(session, loan, amount, paid_on, apply_as, back_valued)
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
        return _replay(again, loan.id, amount, paid_on)

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
        post_movement(session, loan, "credit_balance", repayment.credit_part, 0, paid_on,
                      repayment_id=repayment.id)  # fmt: skip
        loan.credit_balance += repayment.credit_part
    session.flush()
    _close_if_settled(session, loan, paid_on)
    if back_valued:  # days already aged change
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
