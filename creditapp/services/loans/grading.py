"""Restructured loans' grade (POJK 40/POJK.03/2019, Article 53 as in force in 2026).

A restructured loan's collectibility is at most (no better than) its grade before the
restructuring: ``Loan.restructure_floor_grade`` holds that grade and ageing shows
``max(grade by days past due, floor)``. After three consecutive instalments of the new
schedule settled on or before their due dates the floor improves by one grade, once per
restructuring ("at most one grade"); an instalment settled late before that resets the
count. ``Loan.on_time_streak`` counts up to 3 and stays there once the grade was lifted.
A further restructuring sets the floor to the worse of the current floor and the grade on
its date and starts the count again. Before the first restructuring there is no floor.
"""

from __future__ import annotations

from datetime import date

from loanmath.ageing import collectibility, days_past_due
from loanmath.allocation import Due

from ...models import Installment, Loan

ON_TIME_TO_LIFT = 3


def grade_on(loan: Loan, rows: list[Installment], on: date) -> int:
    """The loan's grade on ``on``: days past due of ``rows``, its floor, its last ageing."""
    dues = [
        Due(
            r.number,
            r.due_on,
            0,
            r.interest_due - r.interest_paid,
            r.principal_due - r.principal_paid,
        )
        for r in rows
    ]
    by_dpd = collectibility(days_past_due(dues, on))
    return max(by_dpd, loan.collectibility, loan.restructure_floor_grade or 1)


def mark_restructured(loan: Loan, grade_before: int) -> None:
    """Set the floor on a restructuring (the worse of an existing floor and the grade)."""
    loan.restructured = True
    loan.restructure_count += 1
    loan.restructure_floor_grade = max(grade_before, loan.restructure_floor_grade or 1)
    loan.on_time_streak = 0


def count_on_time(loan: Loan, row: Installment) -> None:
    """Count an instalment just settled towards lifting the floor (restructured loans)."""
    floor = loan.restructure_floor_grade
    if floor is None or row.settled_on is None or loan.on_time_streak >= ON_TIME_TO_LIFT:
        return
    if row.settled_on > row.due_on:
        loan.on_time_streak = 0
        return
    loan.on_time_streak += 1
    if loan.on_time_streak == ON_TIME_TO_LIFT:
        loan.restructure_floor_grade = max(1, floor - 1)
