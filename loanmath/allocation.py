"""Repayments: allocation over unpaid dues, prepayment re-amortisation, early payoff amount.

Allocation rule (DESIGN.md): by default the oldest installment is served first, and within
an installment penalty -> interest -> principal. Both the component order and the
"installment first" rule are parameters because programs configure them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, get_args

from loanmath.accrual import accrued_interest
from loanmath.dates import PERIODS_PER_YEAR, Frequency
from loanmath.schedule import (
    DayCount,
    Installment,
    Method,
    ScheduleError,
    amortise,
    annuity_installment,
)

COMPONENTS: tuple[str, ...] = ("penalty", "interest", "principal")
PrepaymentMode = Literal["shorten_tenor", "reduce_installment"]
PREPAYMENT_MODES: tuple[PrepaymentMode, ...] = get_args(PrepaymentMode)


class AllocationError(ValueError):
    """A repayment argument is invalid; the message names it."""


@dataclass(frozen=True, slots=True)
class Due:
    """What is still unpaid of one installment, whole Rupiah."""

    installment_no: int
    due_date: date
    penalty_due: int
    interest_due: int
    principal_due: int

    @property
    def total(self) -> int:
        return self.penalty_due + self.interest_due + self.principal_due


@dataclass(frozen=True, slots=True)
class Applied:
    """What one repayment paid of one installment."""

    installment_no: int
    due_date: date
    penalty: int
    interest: int
    principal: int

    @property
    def total(self) -> int:
        return self.penalty + self.interest + self.principal


@dataclass(frozen=True, slots=True)
class Allocation:
    """The split of a repayment: per installment (oldest first), and the over-payment."""

    applied: tuple[Applied, ...]
    excess: int

    @property
    def penalty(self) -> int:
        return sum(a.penalty for a in self.applied)

    @property
    def interest(self) -> int:
        return sum(a.interest for a in self.applied)

    @property
    def principal(self) -> int:
        return sum(a.principal for a in self.applied)

    @property
    def total_applied(self) -> int:
        return sum(a.total for a in self.applied)


def _non_negative(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise AllocationError(f"{name} must be an int >= 0, got {value!r}")
    return value


def allocate_payment(
    amount: int,
    dues: Sequence[Due],
    order: Sequence[str] = COMPONENTS,
    *,
    oldest_first: bool = True,
) -> Allocation:
    """Split a repayment over unpaid dues.

    Args:
        amount: Rupiah received (>= 0).
        dues: unpaid amounts per installment, any order (sorted here by due date, number).
        order: the three components ``penalty``, ``interest``, ``principal`` in the order
            they are served.
        oldest_first: True serves installment by installment, oldest first, each in
            ``order`` (the default rule); False serves component by component across all
            installments (all penalties, then all interest, ...), oldest first within each.

    Returns:
        An ``Allocation`` with one ``Applied`` per due (sorted, zeros where nothing was
        applied) and the ``excess`` the dues could not absorb (a possible prepayment).
    """
    _non_negative("amount", amount)
    if sorted(order) != sorted(COMPONENTS):
        raise AllocationError(f"order must be a permutation of {COMPONENTS}, got {tuple(order)}")
    ordered = sorted(dues, key=lambda d: (d.due_date, d.installment_no))
    for due in ordered:
        for component in COMPONENTS:
            _non_negative(
                f"dues[{due.installment_no}].{component}_due", getattr(due, f"{component}_due")
            )
    paid = [dict.fromkeys(COMPONENTS, 0) for _ in ordered]
    steps = (
        [(i, c) for i in range(len(ordered)) for c in order]
        if oldest_first
        else [(i, c) for c in order for i in range(len(ordered))]
    )
    left = amount
    for i, component in steps:
        if left == 0:
            break
        take = min(left, getattr(ordered[i], f"{component}_due"))
        paid[i][component] = take
        left -= take
    applied = tuple(
        Applied(d.installment_no, d.due_date, p["penalty"], p["interest"], p["principal"])
        for d, p in zip(ordered, paid, strict=True)
    )
    return Allocation(applied=applied, excess=left)


def _grace_counts(remaining: Sequence[Installment]) -> tuple[int, int]:
    """Leading nothing-due rows and then interest-only rows (never the last row)."""
    grace_interest = grace_principal = 0
    for row in remaining[:-1]:
        if row.principal != 0:
            break
        if row.interest == 0 and row.deferred_interest > 0 and grace_principal == 0:
            grace_interest += 1
        else:
            grace_principal += 1
    return grace_interest, grace_principal


def apply_prepayment(
    remaining: Sequence[Installment],
    prepayment: int,
    annual_rate: Decimal,
    *,
    mode: PrepaymentMode,
    method: Method,
    frequency: Frequency = "monthly",
    rounding: str = ROUND_HALF_UP,
    day_count: DayCount = "30/360",
    start: date | None = None,
) -> tuple[Installment, ...]:
    """Re-amortise the rest of a schedule after a prepayment of principal.

    The prepayment takes effect at the start of ``remaining[0]`` (it is posted on a due
    date, with or right after the installment before it), so that row already charges
    interest on the reduced balance. Remaining grace rows stay grace rows and keep their
    due dates; numbering continues from ``remaining[0].number``.

    Args:
        remaining: the installments not yet due, in order; ``remaining[0].opening_balance``
            is the outstanding principal.
        prepayment: principal paid early, 1..outstanding (all of it settles the loan).
        annual_rate: the loan's annual rate.
        mode: ``"reduce_installment"`` keeps the number of installments and lowers them;
            ``"shorten_tenor"`` keeps the regular installment (annuity: its total; equal
            principal and flat: its principal part) at most as high and drops installments
            from the end.
        method: the loan's method (flat interest is then charged on the reduced principal).
        frequency: ``"monthly"`` or ``"weekly"``.
        rounding: ``decimal`` rounding mode.
        day_count: ``"30/360"`` or ``"actual/365"``; with actual/365, ``start`` is the due
            date before ``remaining[0]`` (or the disbursement).
        start: see ``day_count``.

    Returns:
        The new remaining installments; empty when the prepayment settles the loan.
    """
    if not remaining:
        raise AllocationError("remaining must hold at least one installment")
    outstanding = remaining[0].opening_balance
    if not isinstance(prepayment, int) or not 0 < prepayment <= outstanding:
        raise AllocationError(f"prepayment must be in 1..{outstanding}, got {prepayment!r}")
    if sum(row.deferred_interest for row in remaining) != 0:
        raise AllocationError(
            "remaining carries interest deferred before it; settle it before a prepayment"
        )
    if mode not in ("shorten_tenor", "reduce_installment"):
        raise AllocationError(f"mode must be shorten_tenor or reduce_installment, got {mode!r}")
    principal = outstanding - prepayment
    if principal == 0:
        return ()
    grace_interest, grace_principal = _grace_counts(remaining)
    grace = grace_interest + grace_principal
    periods = len(remaining) - grace
    if mode == "shorten_tenor" and periods > 1:
        periods = _shortest_tenor(
            remaining[grace], principal, periods, annual_rate, method, frequency, rounding
        )
    return amortise(
        principal,
        annual_rate,
        [row.due_date for row in remaining[: grace + periods]],
        method=method,
        frequency=frequency,
        grace_principal=grace_principal,
        grace_interest=grace_interest,
        rounding=rounding,
        first_number=remaining[0].number,
        day_count=day_count,
        start=start,
    )


def _shortest_tenor(
    regular: Installment,
    principal: int,
    periods: int,
    annual_rate: Decimal,
    method: Method,
    frequency: Frequency,
    rounding: str,
) -> int:
    """Fewest periods (<= ``periods``) whose regular installment is not above ``regular``'s."""

    def fits(n: int) -> bool:
        if method == "annuity":
            target = regular.principal + regular.interest + regular.deferred_interest
            return annuity_installment(principal, annual_rate, n, frequency, rounding) <= target
        return principal // n <= regular.principal

    low, high = 1, periods  # fits(periods) holds: a smaller principal over as many periods
    while low < high:
        mid = (low + high) // 2
        if fits(mid):
            high = mid
        else:
            low = mid + 1
    return low


@dataclass(frozen=True, slots=True)
class Payoff:
    """The amount that settles a loan in full on a date, by component."""

    principal: int
    interest: int
    penalty: int

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.penalty


def payoff_amount(
    outstanding_principal: int,
    unpaid_dues: Sequence[Due],
    annual_rate: Decimal,
    period_start: date,
    period_end: date,
    as_of: date,
    *,
    frequency: Frequency = "monthly",
    deferred_interest: int = 0,
    rounding: str = ROUND_HALF_UP,
    day_count: DayCount = "30/360",
) -> Payoff:
    """Full early payoff as of a date.

    Rule: all outstanding principal (overdue or not) + the unpaid interest of installments
    already due + the running period's interest on the principal *not yet due*, pro rata
    by actual days elapsed in that period (``balance * rate / 12 * elapsed / period days``;
    a whole period therefore costs exactly the schedule's period interest, whatever the
    month length, as 30/360 promises) + interest still deferred from an interest grace +
    unpaid penalties.

    Args:
        outstanding_principal: every Rupiah of principal not yet repaid.
        unpaid_dues: unpaid amounts of installments due on or before ``as_of``.
        annual_rate: the loan's annual rate.
        period_start: the last due date on or before ``as_of`` (or the disbursement date).
        period_end: the next due date after ``period_start``.
        as_of: the payoff date, ``period_start <= as_of <= period_end``.
        frequency: ``"monthly"`` (rate / 12) or ``"weekly"`` (rate / 52).
        deferred_interest: interest accrued in a grace period and not yet due.
        rounding: ``decimal`` rounding mode of the broken-period interest.
        day_count: ``"actual/365"`` accrues ``balance * rate * elapsed / 365`` instead.

    Returns:
        The payoff split into principal, interest and penalty.
    """
    _non_negative("outstanding_principal", outstanding_principal)
    _non_negative("deferred_interest", deferred_interest)
    if not period_start <= as_of <= period_end or period_start == period_end:
        raise AllocationError(
            f"as_of ({as_of}) must lie in the period {period_start}..{period_end} (non-empty)"
        )
    if any(d.due_date > as_of for d in unpaid_dues):
        raise AllocationError("unpaid_dues must only hold installments due on or before as_of")
    overdue_principal = sum(d.principal_due for d in unpaid_dues)
    if overdue_principal > outstanding_principal:
        raise AllocationError("unpaid_dues principal exceeds outstanding_principal")
    if not isinstance(annual_rate, Decimal) or not Decimal(0) <= annual_rate < 1:
        raise ScheduleError(f"annual_rate must be a Decimal in [0, 1), got {annual_rate!r}")
    if frequency not in PERIODS_PER_YEAR:
        raise AllocationError(f"frequency must be monthly or weekly, got {frequency!r}")
    elapsed = (as_of - period_start).days
    length = (period_end - period_start).days
    accrued = accrued_interest(
        outstanding_principal - overdue_principal, annual_rate, elapsed, length,
        frequency=frequency, rounding=rounding, day_count=day_count,
    )  # fmt: skip
    return Payoff(
        principal=outstanding_principal,
        interest=sum(d.interest_due for d in unpaid_dues) + accrued + deferred_interest,
        penalty=sum(d.penalty_due for d in unpaid_dues),
    )
