"""Value dates: never after the business date (plus a small tolerance), on every path.

A value date in the future would age, accrue and order postings on a day that has not
happened: a repayment dated 2099 made every real repayment "before the last one" and a
disbursement dated 9999-12-31 broke the schedule arithmetic. Services refuse such dates when
the edge (API, CLI, web) tells them the business date; only the edges read the clock.

The tolerance of one day covers Indonesia's three time zones: the business date is the date
in Jakarta (WIB, UTC+7), and a payment made just after midnight in Jayapura (WIT, UTC+9) is
value-dated the next day while Jakarta still has the previous one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from .common import refuse

VALUE_DATE_TOLERANCE_DAYS = 1
WIB = timezone(timedelta(hours=7), "WIB")  # Indonesia keeps no daylight saving time


def latest_value_date(business_date: date) -> date:
    """The latest value date accepted on ``business_date``."""
    return business_date + timedelta(days=VALUE_DATE_TOLERANCE_DAYS)


def check_value_date(field: str, value: date, business_date: date) -> None:
    """Refuse ``value`` (naming ``field``) when it lies after the business date + tolerance."""
    latest = latest_value_date(business_date)
    if value > latest:
        raise refuse(
            field,
            f"must not be after the business date {business_date} "
            f"(+{VALUE_DATE_TOLERANCE_DAYS} day tolerance: at most {latest})",
        )


def business_date(config: Mapping[str, Any]) -> date:
    """Today's business date for an edge: ``config["BUSINESS_DATE"]`` or the date in WIB.

    Only request handlers and commands call this; services receive its result.
    """
    fixed = config.get("BUSINESS_DATE")
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    return datetime.now(UTC).astimezone(WIB).date()
