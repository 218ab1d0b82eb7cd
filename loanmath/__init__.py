"""Pure loan mathematics of government-backed credit programs (KUR and similar).

Standard library only (``decimal``, ``dataclasses``, ``datetime``): no Flask, no database,
no clock. Every function takes its inputs (including an as-of date where time matters) and
returns new values; nothing is mutated. Money is whole Rupiah in ``int``; rates are
``Decimal``; every rounding step is explicit.

Modules: ``dates`` (due dates), ``schedule`` (repayment schedules),
``allocation`` (repayments, prepayment, payoff), ``accrual`` (interest accrued within a
period, a prepayment's split), ``ageing`` (DPD, OJK collectibility,
guarantee), ``restructure`` (restructuring), ``subsidy`` (KUR rates and interest subsidy),
``rupiah`` (formatting and parsing), ``table`` (text rendering of a schedule).

This file deliberately imports none of them, so ``python -m loanmath`` (the schedule
printout) runs without a double-import warning.
"""
