"""The raw input of applications as columnar arrays: the one shape training and serving share.

An application arrives as JSON (see ``PAYLOAD_SHAPE`` below). ``scoring.features`` never reads
JSON directly: a single application is converted to a ``RawBatch`` of one, and the training
pipeline and the synthetic population build a ``RawBatch`` of many straight from arrays. Because
both go through the same feature code, a row scored alone equals the row computed in a batch.

Conventions
- Dates are int32 days since 1970-01-01 (``day_number``); months are int32 ``year * 12 +
  month - 1`` (``month_number``). Integers are cheap to group, compare and store in Parquet.
- Money is whole Rupiah in int64.
- Every event table has an ``app`` column: the 0-based index of the application in the batch,
  sorted ascending (stable), so per-application reductions can use ``np.add.reduceat`` /
  ``np.bincount``.
- A missing source is an empty slice for that application (no store, no cooperative), never a
  row of zeros; ``Profiles.coop_member_since`` is -1 for a non-member.

PAYLOAD_SHAPE (JSON, as lenders submit it; each record list is declared once, in
``scoring.input_tables``, and the whole payload is validated once, by ``scoring.parse``)::

    {
      "as_of": "2026-11-30",                      # application date; all history is before it
      "enterprise": {
        "name": "UD Sumber Rejeki",               # never a feature
        "owner_name": "Siti Aminah",              # never a feature, never logged
        "owner_nik": "3201234567890001",          # 16 digits; never a feature, never logged
        "owner_gender": "F" | "M",                # fairness reporting only, never a feature
        "kbli": "10792",                           # KBLI code, 2 to 5 digits; division = first 2
        "province": "32",                          # BPS province code (11..96)
        "regency": "3204",                         # BPS regency code
        "founded_on": "2019-03-01",
        "workers": 3,
        "assets": 150000000,                       # Rp, land and buildings excluded
        "annual_sales": 600000000,                 # Rp
        "other_productive_credit": false,          # another productive commercial loan now
        "entrepreneurship_training": false,
        "kur_access_count": 0,                     # earlier KUR loans
        "certifications": [{"kind": "PIRT"|"HALAL"|"SNI"|"BPOM",
                            "issued_on": "2022-01-10", "expires_on": "2027-01-10" | null}],
        "partnerships": [{"partner_size": "medium"|"large", "since": "2024-01-01",
                          "until": null, "annual_value": 120000000}],
        "exports": [{"month": "2026-05", "value": 25000000}]
      },
      "transactions": [{"date": "2026-11-02", "amount": 250000, "direction": "in"|"out",
                        "channel": "bank_transfer"|"qris"|"ewallet"|"cash_deposit"}],
      "marketplace": [{"month": "2026-10", "gmv": 12000000, "orders": 85,
                       "rating": 4.7 | null, "return_rate": 0.02}],
      "cooperative": null | {
        "member_since": "2020-06-01",
        "savings": [{"month": "2026-10", "status": "on_time"|"late"|"missed"}],
        "loans": [{"disbursed_on": "2023-02-01", "amount": 5000000,
                   "status": "repaid_on_time"|"repaid_late"|"defaulted"|"active",
                   "max_dpd": 0}]
      },
      "request": {"program": "KUR-MIKRO", "amount": 50000000, "tenor_months": 24,
                  "purpose": "working_capital"|"investment"}
    }
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

CHANNELS: tuple[str, ...] = ("bank_transfer", "qris", "ewallet", "cash_deposit")
CERTIFICATION_KINDS: tuple[str, ...] = ("PIRT", "HALAL", "SNI", "BPOM")
SAVINGS_STATUSES: tuple[str, ...] = ("on_time", "late", "missed")
COOP_LOAN_STATUSES: tuple[str, ...] = ("repaid_on_time", "repaid_late", "defaulted", "active")
PARTNER_SIZES: tuple[str, ...] = ("medium", "large")
GENDERS: tuple[str, ...] = ("F", "M")

I32 = NDArray[np.int32]
I64 = NDArray[np.int64]
I8 = NDArray[np.int8]
F64 = NDArray[np.float64]
B = NDArray[np.bool_]


def day_number(d: date) -> int:
    """Return days since 1970-01-01."""
    return d.toordinal() - EPOCH_ORDINAL


def from_day_number(n: int) -> date:
    """Return the date of a day number."""
    return date.fromordinal(int(n) + EPOCH_ORDINAL)


def month_number(year: int, month: int) -> int:
    """Return ``year * 12 + month - 1``."""
    return year * 12 + month - 1


@dataclass(frozen=True)
class Profiles:
    """One row per application."""

    as_of: I32  # application date (day number)
    founded: I32  # day number
    kbli_division: NDArray[np.int16]  # first two digits of the KBLI code
    province: NDArray[np.int16]  # BPS province code
    workers: I32
    assets: I64
    annual_sales: I64
    other_productive_credit: B
    entrepreneurship_training: B
    kur_access_count: NDArray[np.int16]
    coop_member_since: I32  # day number, -1 when not a cooperative member
    owner_female: B  # fairness reporting only: scoring.features must never read it
    requested_amount: I64
    tenor_months: NDArray[np.int16]


@dataclass(frozen=True)
class Transactions:
    app: I32
    day: I32
    amount: I64  # > 0
    inflow: B  # True = money in, False = money out
    channel: I8  # index into CHANNELS


@dataclass(frozen=True)
class Marketplace:
    app: I32
    month: I32
    gmv: I64
    orders: I32
    rating: F64  # NaN when the store has no rating yet
    return_rate: F64


@dataclass(frozen=True)
class Savings:
    app: I32
    month: I32
    status: I8  # index into SAVINGS_STATUSES


@dataclass(frozen=True)
class CoopLoans:
    app: I32
    disbursed: I32  # day number
    amount: I64
    status: I8  # index into COOP_LOAN_STATUSES
    max_dpd: I32


@dataclass(frozen=True)
class Certifications:
    app: I32
    kind: I8  # index into CERTIFICATION_KINDS
    issued: I32  # day number
    expires: I32  # day number, -1 when it does not expire


@dataclass(frozen=True)
class Partnerships:
    app: I32
    partner_size: I8  # index into PARTNER_SIZES
    since: I32  # day number
    until: I32  # day number, -1 while it runs
    annual_value: I64


@dataclass(frozen=True)
class Exports:
    app: I32
    month: I32
    value: I64


@dataclass(frozen=True)
class RawBatch:
    """Raw alternative data of ``n`` applications, in columns."""

    n: int
    profiles: Profiles
    transactions: Transactions
    marketplace: Marketplace
    savings: Savings
    coop_loans: CoopLoans
    certifications: Certifications
    partnerships: Partnerships
    exports: Exports
