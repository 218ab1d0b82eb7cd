"""Interest accrued inside a period, and a prepayment split into principal and that interest.

The one pro-rata rule the early payoff uses (``allocation.payoff_amount``), applied to money
paid early: under 30/360 a whole period costs exactly the schedule's period interest; under
actual/365 each day costs ``rate / 365``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

from loanmath.dates import PERIODS_PER_YEAR, Frequency
from loanmath.schedule import DayCount, round_rupiah


class AccrualError(ValueError):
    """An accrual argument is invalid; the message names it."""


def _non_negative(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise AccrualError(f"{name} must be an int >= 0, got {value!r}")
    return value


def split_prepayment(
    amount: int,
    annual_rate: Decimal,
    elapsed: int,
    length: int,
    *,
    frequency: Frequency = "monthly",
    rounding: str = ROUND_HALF_UP,
    day_count: DayCount = "30/360",
) -> tuple[int, int]:
    """Split money paid early into the principal it repays and the interest that principal
    accrued since the running period started.

    Rule (the one ``payoff_amount`` uses for the running period): principal repaid on day
    ``elapsed`` of a period of ``length`` days accrued ``p * rate / periods * elapsed /
    length`` until it was repaid; the rest of the balance keeps accruing and is charged on
    the next due date as scheduled. So interest accrued to the payment date is paid first,
    and a prepayment never costs less than the same principal in an early payoff.

    Args:
        amount: Rupiah available for the prepayment (>= 0).
        annual_rate: the loan's annual rate.
        elapsed: days of the running period before the payment (0..length).
        length: days in the running period (> 0).
        frequency: ``"monthly"`` or ``"weekly"``.
        rounding: ``decimal`` rounding mode of the accrued interest.
        day_count: ``"30/360"`` or ``"actual/365"`` (see ``accrued_interest``).

    Returns:
        ``(principal, interest)`` with ``principal + interest == amount``: the largest
        principal whose accrued interest still fits; a Rupiah left over by rounding is
        interest (never in the borrower's disfavour by more than that Rupiah).
    """
    _non_negative("amount", amount)
    accrued_interest(0, annual_rate, elapsed, length, frequency=frequency, day_count=day_count)
    with localcontext() as ctx:
        ctx.prec = 60
        per = Decimal(365) if day_count == "actual/365" else PERIODS_PER_YEAR[frequency] * length
        factor = 1 + annual_rate * elapsed / per
        principal = int(Decimal(amount) / factor)  # a first guess, corrected below

    def cost(p: int) -> int:
        return p + accrued_interest(p, annual_rate, elapsed, length, frequency=frequency,
                                    rounding=rounding, day_count=day_count)  # fmt: skip

    while principal > 0 and cost(principal) > amount:
        principal -= 1
    while principal < amount and cost(principal + 1) <= amount:
        principal += 1
    return principal, amount - principal


def accrued_interest(
    principal: int,
    annual_rate: Decimal,
    elapsed: int,
    length: int,
    *,
    frequency: Frequency = "monthly",
    rounding: str = ROUND_HALF_UP,
    day_count: DayCount = "30/360",
) -> int:
    """Interest ``principal`` accrued over ``elapsed`` of a ``length``-day period.

    30/360: ``principal * rate / periods per year * elapsed / length``, rounded once: a
    whole period costs exactly the schedule's period interest, as in ``payoff_amount``.
    actual/365: ``principal * rate * elapsed / 365`` (``length`` only bounds ``elapsed``).
    """
    _non_negative("principal", principal)
    if not isinstance(length, int) or length <= 0 or not 0 <= elapsed <= length:
        raise AccrualError(f"elapsed ({elapsed}) must lie in 0..length ({length}), length > 0")
    if frequency not in PERIODS_PER_YEAR:
        raise AccrualError(f"frequency must be monthly or weekly, got {frequency!r}")
    if day_count not in ("30/360", "actual/365"):
        raise AccrualError(f"day_count must be 30/360 or actual/365, got {day_count!r}")
    with localcontext() as ctx:
        ctx.prec = 60
        per = Decimal(365) if day_count == "actual/365" else PERIODS_PER_YEAR[frequency] * length
        return round_rupiah(principal * annual_rate * elapsed / per, rounding)
