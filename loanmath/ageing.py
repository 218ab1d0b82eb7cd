"""Ageing of loans: days past due, OJK collectibility, PAR flags, penalty, guarantee claims.

Collectibility follows POJK 40/POJK.03/2019 on days past due of principal and/or interest.
A penalty (denda) left unpaid does not age a loan: OJK ages on principal and interest, and
counting a small unpaid penalty would hold a current loan in Kol 2 indefinitely. Pass
``include_penalty=True`` to ``days_past_due`` where a program says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal, localcontext

from loanmath.allocation import Due


@dataclass(frozen=True, slots=True)
class Collectibility:
    """One OJK collectibility grade (*kolektibilitas*)."""

    grade: int
    name_id: str
    name_en: str
    min_dpd: int
    max_dpd: int | None  # inclusive; None = no upper bound


COLLECTIBILITY: tuple[Collectibility, ...] = (
    Collectibility(1, "Lancar", "Current", 0, 0),
    Collectibility(2, "Dalam Perhatian Khusus", "Special mention", 1, 90),
    Collectibility(3, "Kurang Lancar", "Substandard", 91, 120),
    Collectibility(4, "Diragukan", "Doubtful", 121, 180),
    Collectibility(5, "Macet", "Loss", 181, None),
)
NPL_GRADES = frozenset({3, 4, 5})
PAR_THRESHOLDS: tuple[int, ...] = (30, 60, 90)
GUARANTEE_CLAIM_GRADE = 4  # Askrindo/Jamkrindo: claimable from Diragukan


def _check_dpd(dpd: int) -> int:
    if not isinstance(dpd, int) or isinstance(dpd, bool) or dpd < 0:
        raise ValueError(f"dpd must be an int >= 0, got {dpd!r}")
    return dpd


def days_past_due(dues: Sequence[Due], as_of: date, *, include_penalty: bool = False) -> int:
    """Days since the oldest due date that still has something unpaid.

    Args:
        dues: unpaid amounts per installment (fully paid ones may be included).
        as_of: the ageing date; an installment due on ``as_of`` is not yet late.
        include_penalty: also age on unpaid penalties (off by default, see module doc).

    Returns:
        ``(as_of - oldest unpaid due date).days``, or 0 when nothing is overdue.
    """
    late = [
        d.due_date
        for d in dues
        if d.due_date < as_of
        and (d.principal_due + d.interest_due + (d.penalty_due if include_penalty else 0)) > 0
    ]
    return (as_of - min(late)).days if late else 0


def collectibility(dpd: int) -> int:
    """OJK collectibility grade 1..5 for days past due (see ``COLLECTIBILITY``)."""
    _check_dpd(dpd)
    for grade in COLLECTIBILITY:
        if grade.max_dpd is None or dpd <= grade.max_dpd:
            return grade.grade
    raise AssertionError("unreachable: the last grade has no upper bound")


def collectibility_info(dpd: int) -> Collectibility:
    """The full grade record (names in Bahasa Indonesia and English) for days past due."""
    return COLLECTIBILITY[collectibility(dpd) - 1]


def par_flags(dpd: int) -> dict[int, bool]:
    """Portfolio-at-risk membership: ``{30: dpd > 30, 60: dpd > 60, 90: dpd > 90}``.

    PARx counts loans with an installment *more than* x days late (DESIGN.md), so a loan
    exactly 30 days late is not yet in PAR30.
    """
    _check_dpd(dpd)
    return {threshold: dpd > threshold for threshold in PAR_THRESHOLDS}


def penalty_for(overdue_amount: int, days: int, daily_rate: Decimal) -> int:
    """Late-payment penalty: ``overdue_amount * daily_rate * days``, rounded down.

    Args:
        overdue_amount: the overdue installment amount the program charges on, Rupiah.
        days: days late (<= 0 gives 0).
        daily_rate: penalty rate per day; ``Decimal(0)`` for programs without penalty (KUR
            usually has none).

    Returns:
        The penalty in whole Rupiah (never rounded against the borrower).
    """
    if not isinstance(overdue_amount, int) or overdue_amount < 0:
        raise ValueError(f"overdue_amount must be an int >= 0, got {overdue_amount!r}")
    if not isinstance(daily_rate, Decimal) or not daily_rate.is_finite() or daily_rate < 0:
        raise ValueError(f"daily_rate must be a Decimal >= 0, got {daily_rate!r}")
    if days <= 0 or daily_rate == 0:
        return 0
    with localcontext() as ctx:
        ctx.prec = 60
        return int((overdue_amount * daily_rate * days).to_integral_value(rounding=ROUND_DOWN))


def is_guarantee_claimable(collectibility_grade: int, arrears_at_maturity: bool) -> bool:
    """True when the guarantor (Askrindo/Jamkrindo) can be claimed.

    Args:
        collectibility_grade: the loan's OJK grade 1..5.
        arrears_at_maturity: the loan has passed its final due date with something unpaid.

    Returns:
        ``grade >= 4`` (Diragukan or Macet) or ``arrears_at_maturity``.
    """
    if collectibility_grade not in range(1, 6):
        raise ValueError(f"collectibility_grade must be 1..5, got {collectibility_grade!r}")
    return collectibility_grade >= GUARANTEE_CLAIM_GRADE or bool(arrears_at_maturity)


def guarantee_claim_amount(outstanding_principal: int, coverage: Decimal) -> int:
    """Guarantee claim: ``coverage * outstanding_principal``, rounded down to the Rupiah.

    Args:
        outstanding_principal: principal outstanding at the claim, Rupiah (>= 0).
        coverage: share guaranteed in [0, 1], e.g. ``Decimal("0.70")`` for KUR.

    Returns:
        The claim in whole Rupiah.
    """
    if not isinstance(outstanding_principal, int) or outstanding_principal < 0:
        raise ValueError(
            f"outstanding_principal must be an int >= 0, got {outstanding_principal!r}"
        )
    if not isinstance(coverage, Decimal) or not Decimal(0) <= coverage <= 1:
        raise ValueError(f"coverage must be a Decimal in [0, 1], got {coverage!r}")
    with localcontext() as ctx:
        ctx.prec = 60
        return int((outstanding_principal * coverage).to_integral_value(rounding=ROUND_DOWN))
