"""Restructuring: a new schedule for the outstanding principal with grace, extension, new rate.

Modelled on the 2020 Covid-19 restructuring relief (POJK 11/POJK.03/2020): principal
grace (interest only), tenor extension and a rate change. The caller keeps the old
schedule in history; the new one is numbered from 1 and starts at ``first_due``.
Arrears to be capitalised, if a program does so, are added to ``outstanding_principal``
by the caller, so the decision stays visible in the loan's records.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from loanmath.dates import Frequency
from loanmath.schedule import DayCount, Installment, Method, ScheduleError, build_schedule


def restructure(
    outstanding_principal: int,
    annual_rate: Decimal,
    first_due: date,
    *,
    remaining_tenor: int,
    extra_grace: int = 0,
    extend_by: int = 0,
    new_rate: Decimal | None = None,
    method: Method = "annuity",
    frequency: Frequency = "monthly",
    interest_grace: int = 0,
    rounding: str = ROUND_HALF_UP,
    day_count: DayCount = "30/360",
    start: date | None = None,
) -> tuple[Installment, ...]:
    """Build the restructured schedule.

    Args:
        outstanding_principal: principal still owed at restructuring, Rupiah (> 0).
        annual_rate: the current annual rate.
        first_due: first due date of the new schedule (anchors monthly due dates).
        remaining_tenor: installments left on the old schedule (>= 1).
        extra_grace: leading interest-only periods (principal grace) of the new schedule.
        extend_by: periods added to the tenor (>= 0); the new tenor is
            ``remaining_tenor + extend_by`` and includes the grace periods.
        new_rate: the new annual rate, or None to keep ``annual_rate``.
        method: ``"annuity"``, ``"equal_principal"`` or ``"flat"``.
        frequency: ``"monthly"`` or ``"weekly"``.
        interest_grace: leading periods with nothing due (interest deferred, see schedule).
        rounding: ``decimal`` rounding mode.
        day_count: ``"30/360"`` or ``"actual/365"`` (then ``start``, the restructuring
            date, is where the first period's interest runs from).
        start: see ``day_count``.

    Returns:
        The new installments; their principal parts sum to ``outstanding_principal``.
    """
    for name, value in (
        ("remaining_tenor", remaining_tenor),
        ("extra_grace", extra_grace),
        ("extend_by", extend_by),
        ("interest_grace", interest_grace),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ScheduleError(f"{name} must be an int >= 0, got {value!r}")
    if remaining_tenor < 1:
        raise ScheduleError(f"remaining_tenor must be >= 1, got {remaining_tenor}")
    tenor = remaining_tenor + extend_by
    if extra_grace + interest_grace >= tenor:
        raise ScheduleError(
            f"extra_grace + interest_grace ({extra_grace} + {interest_grace}) must be below "
            f"remaining_tenor + extend_by ({tenor})"
        )
    return build_schedule(
        outstanding_principal,
        annual_rate if new_rate is None else new_rate,
        tenor,
        first_due,
        method=method,
        frequency=frequency,
        grace_principal=extra_grace,
        grace_interest=interest_grace,
        rounding=rounding,
        day_count=day_count,
        start=start,
    )
