"""KUR interest subsidy: the program's rate tables and the subsidy owed for a period.

Rates per DESIGN.md "Domain facts" (Permenko Perekonomian 1/2022 as amended by 1/2023;
subsidy per KMK 317/2023). Programs are configuration: these tables are the KUR defaults
a program record starts from, not a rule the rest of the code may hard-wire.

``access_count`` is the ordinal of this KUR loan for the borrower (*akses ke-n*): 1 for
the first KUR loan, 2 for the second, ... It is the raw input's ``kur_access_count``
(earlier KUR loans) **plus one**; 0 is rejected so an off-by-one cannot pass silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal, localcontext
from typing import Literal

KurSegment = Literal["super_mikro", "mikro", "kecil"]
KUR_SEGMENTS: tuple[str, ...] = ("super_mikro", "mikro", "kecil")
# plafond ceilings in Rupiah, inclusive (super mikro <= 10 juta, mikro <= 100 juta, ...)
KUR_PLAFOND_MAX: dict[str, int] = {
    "super_mikro": 10_000_000,
    "mikro": 100_000_000,
    "kecil": 500_000_000,
}
# index = access_count - 1, the last entry applies to every later access
KUR_BORROWER_RATES: dict[str, tuple[Decimal, ...]] = {
    "super_mikro": (Decimal("0.03"),),
    "mikro": (Decimal("0.06"), Decimal("0.07"), Decimal("0.08"), Decimal("0.09")),
    "kecil": (Decimal("0.06"), Decimal("0.07"), Decimal("0.08"), Decimal("0.09")),
}
KUR_SUBSIDY_RATES: dict[str, tuple[Decimal, ...]] = {
    "super_mikro": (Decimal("0.15"),),
    "mikro": (Decimal("0.10"), Decimal("0.09"), Decimal("0.08"), Decimal("0.07")),
    "kecil": (Decimal("0.055"), Decimal("0.045"), Decimal("0.035"), Decimal("0.025")),
}


def _tier(table: dict[str, tuple[Decimal, ...]], segment: str, access_count: int) -> Decimal:
    if segment not in table:
        raise ValueError(f"segment must be one of {KUR_SEGMENTS}, got {segment!r}")
    if not isinstance(access_count, int) or isinstance(access_count, bool) or access_count < 1:
        raise ValueError(f"access_count must be an int >= 1 (1 = first KUR), got {access_count!r}")
    rates = table[segment]
    return rates[min(access_count, len(rates)) - 1]


def kur_segment(plafond: int) -> KurSegment:
    """KUR segment of a loan amount: super mikro <= 10 juta < mikro <= 100 juta < kecil <= 500."""
    if not isinstance(plafond, int) or plafond <= 0:
        raise ValueError(f"plafond must be an int > 0, got {plafond!r}")
    if plafond <= KUR_PLAFOND_MAX["super_mikro"]:
        return "super_mikro"
    if plafond <= KUR_PLAFOND_MAX["mikro"]:
        return "mikro"
    if plafond <= KUR_PLAFOND_MAX["kecil"]:
        return "kecil"
    raise ValueError(f"plafond must be at most {KUR_PLAFOND_MAX['kecil']} for KUR, got {plafond}")


def kur_borrower_rate(segment: str, access_count: int) -> Decimal:
    """Effective annual rate the borrower pays: 3 % super mikro; 6/7/8/9 % by access.

    Args:
        segment: ``"super_mikro"``, ``"mikro"`` or ``"kecil"``.
        access_count: 1 for the borrower's first KUR loan (see module doc).

    Returns:
        The annual rate as a Decimal.
    """
    return _tier(KUR_BORROWER_RATES, segment, access_count)


def kur_subsidy_rate(segment: str, access_count: int) -> Decimal:
    """Annual interest subsidy the government pays the lender on the outstanding principal.

    Args:
        segment: ``"super_mikro"`` (15 %), ``"mikro"`` (10/9/8/7 %) or ``"kecil"``
            (5.5/4.5/3.5/2.5 %).
        access_count: 1 for the borrower's first KUR loan (see module doc).

    Returns:
        The annual subsidy rate as a Decimal.
    """
    return _tier(KUR_SUBSIDY_RATES, segment, access_count)


def subsidy_for_period(
    outstanding: int | Sequence[int],
    subsidy_rate: Decimal,
    days: int | None = None,
    day_basis: int = 360,
) -> int:
    """Interest subsidy owed for one claim period, rounded down to the Rupiah.

    Rule: ``subsidy_rate`` p.a. on the outstanding principal for each day of the period,
    ``sum(daily balances) * subsidy_rate / day_basis`` -- equivalently
    ``average balance * subsidy_rate * days / day_basis``. Rounded down once, on the
    period total, so the state never pays a fraction the lender did not earn.

    Args:
        outstanding: either the end-of-day outstanding principal for every day of the
            period (one int per day), or the average outstanding principal (an int).
        subsidy_rate: annual subsidy rate, e.g. ``Decimal("0.10")``.
        days: days in the period; required with an average, optional (must match the
            number of balances) with daily balances.
        day_basis: days in the subsidy year (360 by default; 365 if a program says so).

    Returns:
        The subsidy in whole Rupiah (>= 0).
    """
    if not isinstance(subsidy_rate, Decimal) or not Decimal(0) <= subsidy_rate < 1:
        raise ValueError(f"subsidy_rate must be a Decimal in [0, 1), got {subsidy_rate!r}")
    if day_basis not in (360, 365):
        raise ValueError(f"day_basis must be 360 or 365, got {day_basis!r}")
    if isinstance(outstanding, int):
        if days is None or days < 0:
            raise ValueError(f"days must be an int >= 0 with an average balance, got {days!r}")
        balances_sum, checked = outstanding * days, [outstanding]
    else:
        checked = list(outstanding)
        if days is not None and days != len(checked):
            raise ValueError(f"days ({days}) must equal the number of daily balances")
        balances_sum = sum(checked)
    if any(not isinstance(b, int) or isinstance(b, bool) or b < 0 for b in checked):
        raise ValueError("outstanding balances must be ints >= 0")
    with localcontext() as ctx:
        ctx.prec = 60
        owed = balances_sum * subsidy_rate / day_basis
        return int(owed.to_integral_value(rounding=ROUND_DOWN))
