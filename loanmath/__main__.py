"""Print a repayment schedule as a text table: ``python -m loanmath --principal 50000000 ...``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from loanmath.dates import FREQUENCIES, add_months
from loanmath.schedule import METHODS, ScheduleError, build_schedule
from loanmath.table import format_schedule_table


def main(argv: Sequence[str] | None = None) -> int:
    """Print a schedule table: ``python -m loanmath --principal ...``."""
    parser = argparse.ArgumentParser(description="Print a repayment schedule")
    parser.add_argument("--principal", type=int, required=True)
    parser.add_argument("--rate", type=Decimal, required=True, help="annual rate, e.g. 0.06")
    parser.add_argument("--tenor", type=int, required=True)
    parser.add_argument("--method", choices=METHODS, default="annuity")
    parser.add_argument("--frequency", choices=FREQUENCIES, default="monthly")
    parser.add_argument("--grace-principal", type=int, default=0)
    parser.add_argument("--grace-interest", type=int, default=0)
    # The command line is the one place that may read the clock: a default for a printout.
    parser.add_argument(
        "--first-due",
        type=date.fromisoformat,
        default=None,
        help="YYYY-MM-DD (default: one month from today)",
    )
    args = parser.parse_args(argv)
    first_due = args.first_due or add_months(date.today(), 1)
    try:
        schedule = build_schedule(
            args.principal,
            args.rate,
            args.tenor,
            first_due,
            method=args.method,
            frequency=args.frequency,
            grace_principal=args.grace_principal,
            grace_interest=args.grace_interest,
        )
    except ScheduleError as exc:
        parser.error(str(exc))
    print(format_schedule_table(schedule))
    return 0


if __name__ == "__main__":
    sys.exit(main())
