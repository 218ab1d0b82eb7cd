"""Demo loans: replay the synthetic population's loan histories through the loan services.

Every approved synthetic application is approved, disbursed (maker-checker), repaid,
restructured and written off through ``creditapp.services.loans``, in calendar order, with
end-of-day ageing and subsidy accrual at every month end, so the portfolio reports (PAR,
collectibility, vintages, roll rates, claims, subsidy) see a history built the real way.

The fixtures describe behaviour (which installment, which day, which share); the money comes
from the loan's current schedule in the database:
- a payment that completes an installment pays everything still unpaid on the current
  schedule up to that installment's due date (penalties included), so rounding and
  penalties never leave crumbs; a partial payment pays ``round(fraction x total due)``;
- a payment made before its installment falls due is posted on the due date (the bank holds
  it until then), because the service treats money paid before a due date as a principal
  prepayment that re-plans the schedule;
- restructuring takes effect the day before installment ``r`` falls due. The fixtures model
  grace as months *without* installments that push later ones back; the app models grace as
  interest-only months *inside* the tenor. So the app gets ``extension + grace`` months, the
  borrower pays the interest of the grace months on their due dates (synthetic payments), and
  the fixture's installment ``j >= r`` is the new schedule's number ``j - r + 1 + grace``,
  due on the same date as in the fixtures;
- the prepayment installment pays the arrears plus the early-payoff amount (loanmath).
Refusals are counted by reason and printed, never dropped silently.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from loanmath.allocation import payoff_amount

from ..errors import DomainError
from ..models import Application, GuaranteeClaim, Installment, Loan
from ..services import loans as svc
from ..services.audit import Actor
from ..services.books.accrual import accrue_interest
from ..services.loans.common import current_installments

FLUSH_EVERY = 200  # loans worked between flushes: keeps the identity map and each flush small
MIN_PER_OUTCOME = 2  # loans of each fixture outcome in a capped demo
# Write-off policy of the demo lender: a loan Macet (Kol 5: more than 180 days past due) at a
# month-end run is written off at the next month end; its guarantee was claimed at Kol 4. (A
# year past due kept defaulted loans in the book ten months and NPL near 8% for a population
# whose 12-month bad rate is ~7%; at Kol 5 it is 3-5%, where KUR lenders report.)
WRITE_OFF_AFTER_DPD = 180
POLICY_REASON = f"demo policy: Macet (Kol 5), more than {WRITE_OFF_AFTER_DPD} days past due"
# The guarantor (Askrindo/Jamkrindo) pays a claim about a quarter after it is submitted.
CLAIM_PAID_AFTER = timedelta(days=90)
# Collection after write-off: two loans in three yield a recovery at the third month end after
# the write-off, of 5-29% of the principal written off (a fixed share per loan).
RECOVERY_AFTER_MONTHS = 3
APPROVE, DISBURSE, PAY, RESTRUCTURE, WRITE_OFF = range(5)  # same-day order of events


@dataclass
class Event:
    day: date
    kind: int
    j: int = 0  # fixture installment number (PAY); new-schedule number for synthetic PAY
    fraction: float = 1.0
    completing: bool = True  # the payment finishes its installment
    payoff: bool = False  # the prepayment: the whole balance
    synthetic: bool = False  # interest of a grace month (not in the fixtures)
    key: str = ""


@dataclass
class Plan:
    """One synthetic loan on its way through the services."""

    fx: int  # row in ``pop.loans``
    application_id: int
    lender_id: int
    maker: int
    checker: int
    events: list[Event]
    loan_id: int = 0
    last_paid: date | None = None
    restructured_version: int | None = None
    restructured_at: int = 0
    grace: int = 0
    extension: int = 0


@dataclass
class LoadReport:
    loans: int = 0
    repayments: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    written_off_by_policy: int = 0
    claims_paid: int = 0
    recoveries: int = 0


def recovery_share(loan_id: int, written: int) -> int:
    """Rupiah recovered on a loan written off for ``written`` (0: nothing is recovered)."""
    if loan_id % 3 == 0 or written <= 0:
        return 0
    return max(1, round((0.05 + 0.04 * (loan_id % 7)) * written))


def _day(n: Any) -> date:
    return date.fromordinal(int(n) + date(1970, 1, 1).toordinal())


def _month_ends(first: date, last: date) -> list[date]:
    """Every month's last day from ``first``'s month to ``last``, then ``last`` itself."""
    out: list[date] = []
    y, m = first.year, first.month
    while True:
        end = date(y, m, calendar.monthrange(y, m)[1])
        if end >= last:
            break
        out.append(end)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return [*out, last]


def pick_loans(
    outcome: NDArray[np.int8], limit: int | None, disbursed: NDArray[np.int32] | None = None
) -> list[int]:
    """Rows of ``pop.loans`` to replay: all, or ``limit`` drawn in the population's outcome mix
    (largest remainder), each outcome at least ``MIN_PER_OUTCOME`` times where it exists;
    with ``disbursed``, each outcome's loans spread evenly over the disbursement dates.

    The mix matters: an equal number per outcome made a fifth of a small demo defaulted
    (PAR30 above 50%); the population's own mix keeps PAR and NPL where a program sits, and
    the minimum still shows a manager every kind of loan."""
    if limit is None or limit >= outcome.size:
        return list(range(outcome.size))
    codes, counts = np.unique(outcome, return_counts=True)
    fair = {int(c): limit * int(n) / outcome.size for c, n in zip(codes, counts, strict=True)}
    size = {int(c): int(n) for c, n in zip(codes, counts, strict=True)}
    quota = {c: min(size[c], max(MIN_PER_OUTCOME, int(fair[c]))) for c in fair}
    while sum(quota.values()) < limit:
        c = max((c for c in quota if quota[c] < size[c]), key=lambda c: fair[c] - quota[c])
        quota[c] += 1
    while sum(quota.values()) > limit:
        # Trim where the minimum is not at stake; only a tiny cap cuts below it.
        above = [c for c in quota if quota[c] > MIN_PER_OUTCOME] or [
            c for c in quota if quota[c] > 1
        ]
        c = max(above, key=lambda c: quota[c] - fair[c])
        quota[c] -= 1
    picked: list[int] = []
    for c, k in quota.items():
        rows = np.flatnonzero(outcome == c)
        if disbursed is not None and k:
            # Evenly over the disbursement dates, so a small book has each kind of loan at
            # every age (a handful of defaulters drawn at random could all be long written off
            # or all too young to be late, leaving NPL at 0 or far above the population's).
            rows = rows[np.argsort(disbursed[rows], kind="stable")]
            rows = rows[np.unique(np.linspace(0, rows.size - 1, k).round().astype(np.int64))]
        picked.extend(int(i) for i in rows[:k])
    return sorted(picked)


def build_plans(
    pop: Any,
    application_ids: list[int],
    lender_of: list[int],
    users: dict[int, tuple[int, int]],
    rows: list[int],
) -> list[Plan]:
    """One plan per synthetic loan row in ``rows``, with its fixture events in date order."""
    lo, lp = pop.loans, pop.loan_payments
    starts = lp.loan_id.searchsorted(lo.loan_id, "left")  # payments are sorted by loan_id
    ends = lp.loan_id.searchsorted(lo.loan_id, "right")
    plans = []
    for i in rows:
        app = int(lo.app[i])
        lender = lender_of[app]
        maker, checker = users[lender]
        events = [
            Event(_day(pop.applications.applied[app]), APPROVE),
            Event(_day(lo.disbursed[i]), DISBURSE),
        ]
        s, e = int(starts[i]), int(ends[i])
        inst, frac = lp.installment_no[s:e], lp.fraction[s:e]
        total_by_inst: dict[int, float] = {}
        for k in range(s, e):
            jk = int(lp.installment_no[k])
            total_by_inst[jk] = total_by_inst.get(jk, 0.0) + float(lp.fraction[k])
        for k in range(e - s):
            j = int(inst[k])
            last_of_j = not any(int(x) == j for x in inst[k + 1 :])
            complete = last_of_j and total_by_inst[j] > 0.999
            events.append(
                Event(
                    _day(lp.paid_day[s + k]),
                    PAY,
                    j=j,
                    fraction=float(frac[k]),
                    completing=complete,
                    payoff=complete and j == int(lo.prepaid_at_installment[i]),
                    key=f"demo-{lo.loan_id[i]}-{k}",
                )
            )
        r = int(lo.restructured_at_installment[i])
        if r > 0:
            # Placeholder day: the real one is the day before installment r falls due in the
            # database's schedule; fixture due dates (j months after disbursement) match it.
            from fixtures.calendar import add_months

            due_r = int(add_months(lo.disbursed[i : i + 1].astype("int64"), np.array([r]))[0])
            events.append(Event(_day(due_r - 1), RESTRUCTURE))
        if lo.written_off_day[i] >= 0:
            events.append(Event(_day(lo.written_off_day[i]), WRITE_OFF))
        events.sort(key=lambda ev: (ev.day, ev.kind))
        plans.append(
            Plan(
                fx=i,
                application_id=application_ids[app],
                lender_id=lender,
                maker=maker,
                checker=checker,
                events=events,
                restructured_at=r,
                grace=int(lo.grace_months[i]),
                extension=int(lo.extension_months[i]),
            )
        )
    return plans


class DemoLoanLoader:
    """Replays plans month by month; one instance per load."""

    def __init__(self, session: Session, actor: Actor, pop: Any, as_of: date) -> None:
        self.session, self.actor, self.pop, self.as_of = session, actor, pop, as_of
        self.report = LoadReport()
        self.recoveries: list[tuple[date, int, int]] = []  # (month end, loan id, amount)

    def run(self, plans: list[Plan]) -> LoadReport:
        """Work every plan's events up to each month end, then age and accrue the month."""
        first = min(p.events[0].day for p in plans) if plans else self.as_of
        open_plans = [p for p in plans if p.events]
        for month_end in tqdm(_month_ends(first, self.as_of), desc="loan months", unit="month"):
            worked = 0
            for plan in open_plans:
                if plan.events and plan.events[0].day <= month_end:
                    self._work(plan, month_end)
                    worked += 1
                    if worked % FLUSH_EVERY == 0:
                        self.session.flush()
                        self.session.expunge_all()
            open_plans = [p for p in open_plans if p.events]
            # Before the day's ageing, so the run (and every report as of it) sees the loan
            # written off, never both in the gross portfolio and in the write-offs.
            self._write_off_long_defaulted(plans, month_end)
            self._pay_claims(plans, month_end)
            self._recover(month_end)
            svc.age_loans(self.session, month_end)
            svc.accrue_subsidy(self.session, month_end.replace(day=1), month_end)
            accrue_interest(self.session, month_end)  # after ageing: it reads the grades
            self.session.flush()
            self.session.expunge_all()
        return self.report

    def _write_off_long_defaulted(self, plans: list[Plan], month_end: date) -> None:
        """Write off (maker-checker) every active loan that was past ``WRITE_OFF_AFTER_DPD`` days
        at the previous run (the loans' cached facts)."""
        overdue = self.session.scalars(
            select(Loan.id).where(Loan.status == "active", Loan.dpd > WRITE_OFF_AFTER_DPD)
        ).all()
        if not overdue:
            return
        by_loan = {p.loan_id: p for p in plans if p.loan_id}
        for loan_id in overdue:
            plan = by_loan.get(loan_id)
            if plan is None:
                continue
            try:
                with self.session.begin_nested():
                    w = svc.request_write_off(
                        self.session,
                        self.actor,
                        loan_id,
                        requested_by=plan.maker,
                        requested_on=month_end,
                        reason=POLICY_REASON,
                    )
                    svc.approve_write_off(
                        self.session,
                        self.actor,
                        w.id,
                        approved_by=plan.checker,
                        approved_on=month_end,
                    )
            except DomainError as exc:
                self.report.refused[f"policy write-off: {exc.message}"] += 1
                continue
            self.report.written_off_by_policy += 1
            self._plan_recovery(loan_id, w.amount, month_end)

    def _plan_recovery(self, loan_id: int, written: int, on: date) -> None:
        amount = recovery_share(loan_id, written)
        if amount:
            when = _month_ends(on, date.max)[RECOVERY_AFTER_MONTHS]
            self.recoveries.append((when, loan_id, amount))

    def _recover(self, month_end: date) -> None:
        """Record the recoveries due by this month end (``record_recovery``)."""
        due = [r for r in self.recoveries if r[0] <= month_end]
        self.recoveries = [r for r in self.recoveries if r[0] > month_end]
        for _when, loan_id, amount in due:
            try:
                with self.session.begin_nested():
                    svc.record_recovery(
                        self.session, self.actor, loan_id, amount=amount, recovered_on=month_end
                    )
            except DomainError as exc:
                self.report.refused[f"recovery: {exc.message}"] += 1
                continue
            self.report.recoveries += 1

    def _pay_claims(self, plans: list[Plan], month_end: date) -> None:
        """The guarantor pays the claims submitted at least ``CLAIM_PAID_AFTER`` ago in full."""
        ours = [p.loan_id for p in plans if p.loan_id]
        claims = self.session.scalars(
            select(GuaranteeClaim).where(
                GuaranteeClaim.status == "submitted",
                GuaranteeClaim.claimed_on <= month_end - CLAIM_PAID_AFTER,
                GuaranteeClaim.loan_id.in_(ours),
            )
        ).all()
        for claim in claims:
            if claim.amount <= 0:
                continue
            try:
                with self.session.begin_nested():
                    svc.record_claim_payment(
                        self.session,
                        self.actor,
                        claim.id,
                        paid_amount=claim.amount,
                        paid_on=month_end,
                    )
            except DomainError as exc:
                self.report.refused[f"claim payment: {exc.message}"] += 1
                continue
            self.report.claims_paid += 1

    def _work(self, plan: Plan, month_end: date) -> None:
        while plan.events and plan.events[0].day <= month_end:
            ev = plan.events[0]
            if ev.kind != APPROVE and not plan.loan_id:
                self.report.skipped["no loan (approval refused)"] += 1
            else:
                try:
                    if ev.kind == PAY:
                        # post_repayment checks everything before it writes: no savepoint.
                        if not self._pay(plan, ev, month_end):
                            return  # deferred to a later month
                    else:
                        with self.session.begin_nested():
                            self._handle(plan, ev)
                except DomainError as exc:
                    fields = ",".join(sorted(exc.errors)) or "-"
                    self.report.refused[f"{_KIND_NAMES[ev.kind]}: {exc.message} ({fields})"] += 1
            plan.events.pop(0)

    def _handle(self, plan: Plan, ev: Event) -> None:
        s, a, lo = self.session, self.actor, self.pop.loans
        if ev.kind == APPROVE:
            made = svc.approve_application(
                s,
                a,
                plan.application_id,
                amount=int(lo.principal[plan.fx]),
                tenor=int(lo.tenor_months[plan.fx]),
                decided_by=plan.maker,
                decided_on=ev.day,
                reason="demo: approved as in the synthetic history",
            )
            plan.loan_id = made.id
            self.report.loans += 1
        elif ev.kind == DISBURSE:
            d = svc.request_disbursement(
                s,
                a,
                plan.loan_id,
                int(lo.principal[plan.fx]),
                ev.day,
                idempotency_key=f"demo-{plan.loan_id}-d",
                requested_by=plan.maker,
            )
            svc.confirm_disbursement(s, a, d.id, plan.checker, ev.day)
        elif ev.kind == RESTRUCTURE:
            self._restructure(plan)
        elif ev.kind == WRITE_OFF:
            loan = s.get(Loan, plan.loan_id)
            if loan is None or loan.status != "active" or loan.outstanding_principal <= 0:
                self.report.skipped["write-off: loan not open"] += 1
                return
            if loan.collectibility < 5:
                # The lender writes off only Macet (Kol 5) loans; this one is written off by
                # the month-end policy once it is past WRITE_OFF_AFTER_DPD.
                self.report.skipped["write-off: not yet Kol 5 (left to the policy)"] += 1
                return
            w = svc.request_write_off(
                s,
                a,
                plan.loan_id,
                requested_by=plan.maker,
                requested_on=ev.day,
                reason="demo: uncollectible",
            )
            svc.approve_write_off(s, a, w.id, approved_by=plan.checker, approved_on=ev.day)
            self._plan_recovery(plan.loan_id, w.amount, ev.day)

    def _target(self, plan: Plan, rows: list[Installment], ev: Event) -> Installment:
        """The current-schedule row the fixture's installment stands for."""
        seq, k = rows, ev.j
        if plan.restructured_version is not None:
            seq = [r for r in rows if r.schedule_version >= plan.restructured_version] or rows
            if not ev.synthetic:
                k = ev.j - plan.restructured_at + 1 + plan.grace
        return seq[min(max(k, 1), len(seq)) - 1]

    def _pay(self, plan: Plan, ev: Event, month_end: date) -> bool:
        s = self.session
        loan = s.get(Loan, plan.loan_id)
        if loan is None or loan.status != "active":
            self.report.skipped[f"payment: loan {loan.status if loan else 'missing'}"] += 1
            return True
        rows = current_installments(s, plan.loan_id)
        target = self._target(plan, rows, ev)
        paid_on = max(ev.day, plan.last_paid or ev.day, target.due_on)
        if paid_on > self.as_of:
            self.report.skipped["payment: due after the population's as_of"] += 1
            return True
        if paid_on > month_end:
            return False

        def unpaid(r: Installment) -> int:
            return (
                r.principal_due
                - r.principal_paid
                + r.interest_due
                - r.interest_paid
                + r.penalty_due
                - r.penalty_paid
            )

        upto = paid_on if ev.payoff else target.due_on
        owed = sum(unpaid(r) for r in rows if r.due_on <= upto)
        if ev.completing:
            amount = owed
        else:
            total = target.principal_due + target.interest_due + target.penalty_due
            amount = min(round(ev.fraction * total), owed)
        if ev.payoff:
            amount += self._payoff(plan, loan, rows, paid_on)
        if amount <= 0:
            self.report.skipped["payment: nothing owed"] += 1
            return True
        svc.post_repayment(
            s,
            self.actor,
            plan.loan_id,
            lender_id=plan.lender_id,
            amount=amount,
            paid_on=paid_on,
            idempotency_key=ev.key,
            channel="bank_transfer",
        )
        plan.last_paid = paid_on
        self.report.repayments += 1
        return True

    def _payoff(self, plan: Plan, loan: Loan, rows: list[Installment], on: date) -> int:
        """The early-payoff amount of the installments not yet due (loanmath's rule)."""
        ahead = [r for r in rows if r.due_on > on]
        if not ahead:
            return 0
        principal = sum(r.principal_due - r.principal_paid for r in ahead)
        started = max((r.due_on for r in rows if r.due_on <= on), default=None)
        start = started or _day(self.pop.loans.disbursed[plan.fx])
        return payoff_amount(principal, [], loan.annual_rate, start, ahead[0].due_on, on).total

    def _restructure(self, plan: Plan) -> None:
        s = self.session
        loan = s.get(Loan, plan.loan_id)
        if loan is None or loan.status != "active":
            self.report.skipped["restructure: loan not active"] += 1
            return
        rows = current_installments(s, plan.loan_id)
        r = plan.restructured_at
        # The day before installment r falls due, so it is the new schedule's first due date.
        effective = rows[min(r, len(rows)) - 1].due_on - timedelta(days=1)
        svc.restructure_loan(
            s,
            self.actor,
            plan.loan_id,
            effective_on=effective,
            grace_months=plan.grace,
            extension_months=plan.extension + plan.grace,
            reason="demo: restructuring relief",
            approved_by=plan.checker,
        )
        version = s.scalar(select(Loan.schedule_version).where(Loan.id == plan.loan_id))
        plan.restructured_version = version
        new = [
            row for row in current_installments(s, plan.loan_id) if row.schedule_version == version
        ]
        grace_pays = [
            Event(row.due_on, PAY, j=k, synthetic=True, key=f"demo-{plan.loan_id}-g{k}")
            for k, row in enumerate(new[: plan.grace], start=1)
        ]
        rest = plan.events[1:]
        plan.events[1:] = sorted([*rest, *grace_pays], key=lambda e: (e.day, e.kind))


_KIND_NAMES = {
    APPROVE: "approval",
    DISBURSE: "disbursement",
    PAY: "repayment",
    RESTRUCTURE: "restructuring",
    WRITE_OFF: "write-off",
}


def not_historic(reference: Any) -> Any:
    """SQL condition: not a row of the bulk-loaded historic book (references ``HIST-<n>``)."""
    return or_(reference.is_(None), ~reference.like("HIST-%"))


def demo_application_ids(session: Session, lender_ids: list[int]) -> list[int]:
    """The live demo applications' ids in submission order (= population index)."""
    return list(
        session.scalars(
            select(Application.id)
            .where(Application.lender_id.in_(lender_ids), not_historic(Application.reference))
            .order_by(Application.id)
        )
    )
