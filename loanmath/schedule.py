"""Repayment schedules: annuity, equal principal and flat, with grace periods.

Conventions (all stated here because other systems get them subtly wrong):
- Day count 30/360 (the default): a period's interest is ``balance * annual_rate / 12``
  (monthly) or ``/ 52`` (weekly), whatever the calendar length of the period.
- Day count actual/365: a period's interest is ``balance * annual_rate * days / 365`` with
  the calendar days since the previous due date (the first period: since ``start``, the
  disbursement). An annuity keeps the 30/360 instalment; its principal part is what the
  actual interest leaves, and the last instalment absorbs the difference.
- Interest is computed exactly in ``Decimal`` (the division by 12 or 52 comes last, so a
  true half Rupiah is seen as one) and rounded to the Rupiah with ``rounding``.
- The LAST installment absorbs every rounding remainder: principal parts sum exactly to
  the principal and the closing balance is 0.
- Grace: the first ``grace_interest`` periods have nothing due, the next
  ``grace_principal`` periods are interest only, the rest amortise the whole principal.
  Interest of the interest-grace periods is *deferred, not capitalised*: it accrues on
  the opening balance as usual, earns no interest itself, and is paid back in equal
  parts with the amortising installments (remainder in the last). So principal parts
  still sum to the principal. ``Installment.deferred_interest`` records it: positive
  while deferred, negative while paid back; ``interest + deferred_interest`` is always the
  interest accrued in the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    localcontext,
)
from typing import Literal, get_args

from loanmath.dates import FREQUENCIES, PERIODS_PER_YEAR, Frequency, due_dates

Method = Literal["annuity", "equal_principal", "flat"]
METHODS: tuple[Method, ...] = get_args(Method)
ROUNDINGS = frozenset(
    {
        ROUND_HALF_UP,
        ROUND_HALF_EVEN,
        ROUND_HALF_DOWN,
        ROUND_DOWN,
        ROUND_UP,
        ROUND_FLOOR,
        ROUND_CEILING,
    }
)
MAX_TENOR = 360
DayCount = Literal["30/360", "actual/365"]
DAY_COUNTS: tuple[DayCount, ...] = get_args(DayCount)
# Enough digits that P * r / (1 - (1 + r)^-n) is exact to far below a Rupiah for any
# principal up to 10^15 and 360 periods.
_PRECISION = 60


class ScheduleError(ValueError):
    """An argument of a schedule calculation is out of range; the message names it."""


@dataclass(frozen=True, slots=True)
class Installment:
    """One row of a repayment schedule; every amount is whole Rupiah."""

    number: int
    due_date: date
    principal: int
    interest: int
    total: int
    opening_balance: int
    closing_balance: int
    deferred_interest: int = 0  # accrued minus due: > 0 while deferred, < 0 when repaid


def round_rupiah(value: Decimal, rounding: str = ROUND_HALF_UP) -> int:
    """Round a Decimal amount to whole Rupiah with an explicit rounding mode."""
    return int(value.quantize(Decimal(1), rounding=rounding))


def period_interest(
    balance: int,
    annual_rate: Decimal,
    frequency: Frequency = "monthly",
    rounding: str = ROUND_HALF_UP,
) -> int:
    """Interest of one period on ``balance`` (30/360: ``annual_rate / periods per year``).

    Args:
        balance: principal the interest accrues on, Rupiah.
        annual_rate: nominal annual rate, e.g. ``Decimal("0.06")``.
        frequency: ``"monthly"`` or ``"weekly"``.
        rounding: a ``decimal`` rounding mode.

    Returns:
        The rounded interest in Rupiah.
    """
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return round_rupiah(balance * annual_rate / PERIODS_PER_YEAR[frequency], rounding)


def exact_annuity_payment(
    principal: int, annual_rate: Decimal, periods: int, frequency: Frequency = "monthly"
) -> Decimal:
    """The unrounded equal installment ``P * r / (1 - (1 + r)^-n)`` (``P / n`` when r = 0)."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        if annual_rate == 0:
            return Decimal(principal) / periods
        rate = annual_rate / PERIODS_PER_YEAR[frequency]
        return principal * rate / (1 - (1 + rate) ** -periods)


def _annuity_runs_clean(
    principal: int,
    payment: int,
    periods: int,
    annual_rate: Decimal,
    frequency: Frequency,
    rounding: str,
) -> bool:
    """True when ``payment`` never amortises negatively nor clears the balance before the end."""
    balance = principal
    for _ in range(periods - 1):
        paid = payment - period_interest(balance, annual_rate, frequency, rounding)
        if paid < 0 or paid >= balance:
            return False
        balance -= paid
    return True


def _surely_clean(exact: Decimal, rate: Decimal, periods: int) -> bool:
    """A cheap sufficient condition for ``_annuity_runs_clean`` (skips the period loop).

    Rounding the payment and each period's interest moves the balance by at most one Rupiah a
    period, compounded: at most ``periods * g`` with ``g = (1 + r)^periods``. The exact
    schedule keeps at least ``A / (1 + r)`` outstanding before the last period and repays at
    least ``A / g`` principal each period, so with a payment ``A`` well above both margins the
    rounded schedule stays clean. Every realistic loan passes; tiny ones take the loop.
    """
    g = (1.0 + float(rate)) ** periods
    margin = periods * g
    a = float(exact)
    r = float(rate)
    return a > 2.0 * (1.0 + r) * (margin + 1.0) and a > 2.0 * g * (r * margin + 2.0)


def annuity_installment(
    principal: int,
    annual_rate: Decimal,
    periods: int,
    frequency: Frequency = "monthly",
    rounding: str = ROUND_HALF_UP,
) -> int:
    """The equal installment in whole Rupiah: the exact annuity rounded with ``rounding``.

    For tiny principals over long tenors the rounded payment can overshoot so much that the
    balance would reach 0 before the last period; then the payment is lowered one Rupiah
    at a time (the search ends at ``round(P * r)``, an interest-only payment that always
    works). For any realistic loan the first candidate is taken.

    Returns:
        The installment every period but the last pays.
    """
    exact = exact_annuity_payment(principal, annual_rate, periods, frequency)
    payment = round_rupiah(exact, rounding)
    if _surely_clean(exact, annual_rate / PERIODS_PER_YEAR[frequency], periods):
        return payment
    floor = period_interest(principal, annual_rate, frequency, rounding)
    while payment > floor and not _annuity_runs_clean(
        principal, payment, periods, annual_rate, frequency, rounding
    ):
        payment -= 1
    return payment


def affordable_principal(
    installment: Decimal, annual_rate: Decimal, periods: int, frequency: Frequency = "monthly"
) -> int:
    """The largest principal whose exact equal installment does not exceed ``installment``.

    The inverse of ``exact_annuity_payment``: ``A * (1 - (1 + r)^-n) / r`` (``A * n`` when
    r = 0), rounded down to whole Rupiah. ``installment`` may be fractional (a share of a
    cash flow); 0 or less gives 0.
    """
    if installment <= 0:
        return 0
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        rate = annual_rate / PERIODS_PER_YEAR[frequency]
        if rate == 0:
            exact = installment * periods
        else:
            exact = installment * (1 - (1 + rate) ** -periods) / rate
        return int(exact.to_integral_value(rounding=ROUND_FLOOR))


def _check_int(name: str, value: object, low: int, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ScheduleError(f"{name} must be an int, got {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"in {low}..{high}"
        raise ScheduleError(f"{name} must be {bound}, got {value}")
    return value


def check_terms(
    principal: int, annual_rate: Decimal, method: str, frequency: str, rounding: str
) -> None:
    """Validate the loan terms shared by every schedule builder; raise ``ScheduleError``."""
    _check_int("principal", principal, 1)
    if not isinstance(annual_rate, Decimal) or not annual_rate.is_finite():
        raise ScheduleError(f"annual_rate must be a finite Decimal, got {annual_rate!r}")
    if not Decimal(0) <= annual_rate < 1:
        raise ScheduleError(f"annual_rate must be in [0, 1), got {annual_rate}")
    if method not in METHODS:
        raise ScheduleError(f"method must be one of {METHODS}, got {method!r}")
    if frequency not in FREQUENCIES:
        raise ScheduleError(f"frequency must be one of {FREQUENCIES}, got {frequency!r}")
    if rounding not in ROUNDINGS:
        raise ScheduleError(f"rounding must be a decimal rounding mode, got {rounding!r}")


def amortise(
    principal: int,
    annual_rate: Decimal,
    dates: Sequence[date],
    *,
    method: Method,
    frequency: Frequency = "monthly",
    grace_principal: int = 0,
    grace_interest: int = 0,
    rounding: str = ROUND_HALF_UP,
    first_number: int = 1,
    day_count: DayCount = "30/360",
    start: date | None = None,
) -> tuple[Installment, ...]:
    """Build a schedule over given due dates (one installment per date).

    Used by ``build_schedule`` and by prepayment and restructuring, which keep existing
    due dates. Arguments are as in ``build_schedule``; ``first_number`` numbers the rows;
    ``start`` (required for actual/365) is the day the first period's interest runs from.

    Returns:
        The installments.
    """
    check_terms(principal, annual_rate, method, frequency, rounding)
    tenor = _check_int("tenor", len(dates), 1, MAX_TENOR)
    _check_int("grace_principal", grace_principal, 0)
    _check_int("grace_interest", grace_interest, 0)
    if grace_principal + grace_interest >= tenor:
        raise ScheduleError(
            f"grace_principal + grace_interest must be < tenor ({tenor}), "
            f"got {grace_principal} + {grace_interest}"
        )
    if day_count not in DAY_COUNTS:
        raise ScheduleError(f"day_count must be one of {DAY_COUNTS}, got {day_count!r}")
    if day_count == "actual/365" and (start is None or start >= dates[0]):
        raise ScheduleError("day_count actual/365 needs a start date before the first due date")
    grace = grace_interest + grace_principal
    amortising = tenor - grace
    flat_interest = period_interest(principal, annual_rate, frequency, rounding)
    starts = [start or dates[0], *dates[:-1]]

    def accrued(balance: int, k: int) -> int:
        base = principal if method == "flat" else balance
        if day_count == "actual/365":
            with localcontext() as ctx:
                ctx.prec = _PRECISION
                days = (dates[k] - starts[k]).days
                return round_rupiah(base * annual_rate * days / 365, rounding)
        if method == "flat":
            return flat_interest
        return period_interest(balance, annual_rate, frequency, rounding)

    # The balance is untouched during grace, so each grace period accrues on the principal.
    deferred_total = sum(accrued(principal, k) for k in range(grace_interest))
    catch_up = deferred_total // amortising
    payment = (
        annuity_installment(principal, annual_rate, amortising, frequency, rounding)
        if method == "annuity"
        else 0
    )
    principal_part = principal // amortising
    rows: list[Installment] = []
    balance = principal
    for k, due in enumerate(dates):
        interest = accrued(balance, k)
        deferred = 0
        if k < grace_interest:
            paid, deferred, interest = 0, interest, 0
        elif k < grace:
            paid = 0
        else:
            last = k == tenor - 1
            share = deferred_total - catch_up * (amortising - 1) if last else catch_up
            if last:
                paid = balance
            elif method == "annuity":
                paid = payment - interest
            else:
                paid = principal_part
            deferred, interest = -share, interest + share
        rows.append(
            Installment(
                number=first_number + k,
                due_date=due,
                principal=paid,
                interest=interest,
                total=paid + interest,
                opening_balance=balance,
                closing_balance=balance - paid,
                deferred_interest=deferred,
            )
        )
        balance -= paid
    return tuple(rows)


def build_schedule(
    principal: int,
    annual_rate: Decimal,
    tenor: int,
    first_due: date,
    *,
    method: Method,
    frequency: Frequency = "monthly",
    grace_principal: int = 0,
    grace_interest: int = 0,
    day_count: DayCount = "30/360",
    rounding: str = ROUND_HALF_UP,
    start: date | None = None,
) -> tuple[Installment, ...]:
    """Build the repayment schedule of a loan.

    Args:
        principal: amount disbursed, Rupiah (> 0).
        annual_rate: nominal annual rate as a Decimal in [0, 1).
        tenor: number of installments, 1..360 (grace periods included).
        first_due: due date of installment 1; its day of month anchors monthly dates.
        method: ``"annuity"`` (equal totals), ``"equal_principal"`` or ``"flat"``
            (interest on the original principal every period).
        frequency: ``"monthly"`` (rate / 12) or ``"weekly"`` (rate / 52).
        grace_principal: periods with interest only (after the interest grace).
        grace_interest: first periods with nothing due; interest deferred (module doc).
        day_count: ``"30/360"`` or ``"actual/365"`` (module doc).
        rounding: ``decimal`` rounding mode for interest and the annuity payment.
        start: the day interest starts (the disbursement); required for actual/365.

    Returns:
        The installments, numbered from 1; the last closes the balance to exactly 0.
    """
    _check_int("tenor", tenor, 1, MAX_TENOR)
    if frequency not in FREQUENCIES:
        raise ScheduleError(f"frequency must be one of {FREQUENCIES}, got {frequency!r}")
    return amortise(
        principal,
        annual_rate,
        due_dates(first_due, tenor, frequency),
        method=method,
        frequency=frequency,
        grace_principal=grace_principal,
        grace_interest=grace_interest,
        rounding=rounding,
        day_count=day_count,
        start=start,
    )
