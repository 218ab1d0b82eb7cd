"""Due-date arithmetic of repayment schedules.

Monthly schedules keep an *anchor day*: a loan first due on 31 January is due on 28/29
February, then 31 March again (the clamp to month end never moves the anchor).
"""

from __future__ import annotations

import calendar as _stdcal
from datetime import date, timedelta
from typing import Literal, get_args

Frequency = Literal["monthly", "weekly"]
FREQUENCIES: tuple[Frequency, ...] = get_args(Frequency)
PERIODS_PER_YEAR: dict[str, int] = {"monthly": 12, "weekly": 52}


def add_months(start: date, months: int, anchor_day: int | None = None) -> date:
    """Move ``start`` by whole months, clamping the anchor day to the month's last day.

    Args:
        start: the date to move from.
        months: how many months to move (may be negative).
        anchor_day: day of month to aim for (defaults to ``start.day``); 1..31.

    Returns:
        The date ``months`` months later on ``min(anchor_day, days in that month)``.
    """
    day = start.day if anchor_day is None else anchor_day
    if not 1 <= day <= 31:
        raise ValueError(f"anchor_day must be 1..31, got {day}")
    year, month0 = divmod(start.year * 12 + start.month - 1 + months, 12)
    last = _stdcal.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day, last))


def due_dates(first_due: date, count: int, frequency: Frequency = "monthly") -> tuple[date, ...]:
    """Return ``count`` due dates starting at ``first_due``.

    Args:
        first_due: the first due date; for monthly schedules its day is the anchor day.
        count: number of dates (>= 0).
        frequency: ``"monthly"`` (same day of month, clamped) or ``"weekly"`` (every 7 days).

    Returns:
        The due dates in order.
    """
    if frequency == "monthly":
        return tuple(add_months(first_due, k, first_due.day) for k in range(count))
    if frequency == "weekly":
        return tuple(first_due + timedelta(weeks=k) for k in range(count))
    raise ValueError(f"frequency must be one of {FREQUENCIES}, got {frequency!r}")
