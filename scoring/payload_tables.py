"""Per-application columns collected while parsing, and their concatenation into a RawBatch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.raw import (
    Certifications,
    CoopLoans,
    Exports,
    Marketplace,
    Partnerships,
    Profiles,
    RawBatch,
    Savings,
    Transactions,
)

# Empty columns are views of one empty array per dtype: a view costs a third of np.zeros(0) and,
# holding no element, can never let one application's data reach another's.
_i64: Callable[[], NDArray[np.int64]] = np.zeros(0, dtype=np.int64).view
_i8: Callable[[], NDArray[np.int8]] = np.zeros(0, dtype=np.int8).view
_f64: Callable[[], NDArray[np.float64]] = np.zeros(0, dtype=np.float64).view
_b1: Callable[[], NDArray[np.bool_]] = np.zeros(0, dtype=np.bool_).view


@dataclass
class AppTables:
    """The parsed columns of one application (event tables without the ``app`` column)."""

    as_of: int
    founded: int = 0
    kbli_division: int = 0
    province: int = 0
    workers: int = 0
    assets: int = 0
    annual_sales: int = 0
    other_productive_credit: bool = False
    entrepreneurship_training: bool = False
    kur_access_count: int = 0
    coop_member_since: int = -1
    owner_female: bool = False
    requested_amount: int = 0
    tenor_months: int = 0
    tx_day: NDArray[np.int64] = field(default_factory=_i64)
    tx_amount: NDArray[np.int64] = field(default_factory=_i64)
    tx_inflow: NDArray[np.bool_] = field(default_factory=_b1)
    tx_channel: NDArray[np.int8] = field(default_factory=_i8)
    mp_month: NDArray[np.int64] = field(default_factory=_i64)
    mp_gmv: NDArray[np.int64] = field(default_factory=_i64)
    mp_orders: NDArray[np.int64] = field(default_factory=_i64)
    mp_rating: NDArray[np.float64] = field(default_factory=_f64)
    mp_return_rate: NDArray[np.float64] = field(default_factory=_f64)
    sav_month: NDArray[np.int64] = field(default_factory=_i64)
    sav_status: NDArray[np.int8] = field(default_factory=_i8)
    loan_day: NDArray[np.int64] = field(default_factory=_i64)
    loan_amount: NDArray[np.int64] = field(default_factory=_i64)
    loan_status: NDArray[np.int8] = field(default_factory=_i8)
    loan_max_dpd: NDArray[np.int64] = field(default_factory=_i64)
    cert_kind: NDArray[np.int8] = field(default_factory=_i8)
    cert_issued: NDArray[np.int64] = field(default_factory=_i64)
    cert_expires: NDArray[np.int64] = field(default_factory=_i64)
    part_size: NDArray[np.int8] = field(default_factory=_i8)
    part_since: NDArray[np.int64] = field(default_factory=_i64)
    part_until: NDArray[np.int64] = field(default_factory=_i64)
    part_value: NDArray[np.int64] = field(default_factory=_i64)
    exp_month: NDArray[np.int64] = field(default_factory=_i64)
    exp_value: NDArray[np.int64] = field(default_factory=_i64)


_I32, _I64, _I16, _I8, _B, _F64 = np.int32, np.int64, np.int16, np.int8, np.bool_, np.float64
# (Profiles field = AppTables attribute, dtype) of the one-row-per-application columns.
_PROFILE: tuple[tuple[str, type], ...] = (
    ("as_of", _I32), ("founded", _I32), ("kbli_division", _I16), ("province", _I16),
    ("workers", _I32), ("assets", _I64), ("annual_sales", _I64), ("other_productive_credit", _B),
    ("entrepreneurship_training", _B), ("kur_access_count", _I16), ("coop_member_since", _I32),
    ("owner_female", _B), ("requested_amount", _I64), ("tenor_months", _I16),
)  # fmt: skip
# (RawBatch field, table class, ((table field, AppTables attribute, dtype), ...)) of the event
# tables; each table's ``app`` column is as long as its first column.
_EVENTS: tuple[tuple[str, type, tuple[tuple[str, str, type], ...]], ...] = (
    ("transactions", Transactions, (("day", "tx_day", _I32), ("amount", "tx_amount", _I64),
                                    ("inflow", "tx_inflow", _B), ("channel", "tx_channel", _I8))),
    ("marketplace", Marketplace, (("month", "mp_month", _I32), ("gmv", "mp_gmv", _I64),
                                  ("orders", "mp_orders", _I32), ("rating", "mp_rating", _F64),
                                  ("return_rate", "mp_return_rate", _F64))),
    ("savings", Savings, (("month", "sav_month", _I32), ("status", "sav_status", _I8))),
    ("coop_loans", CoopLoans, (("disbursed", "loan_day", _I32), ("amount", "loan_amount", _I64),
                               ("status", "loan_status", _I8), ("max_dpd", "loan_max_dpd", _I32))),
    ("certifications", Certifications, (("kind", "cert_kind", _I8),
                                        ("issued", "cert_issued", _I32),
                                        ("expires", "cert_expires", _I32))),
    ("partnerships", Partnerships, (("partner_size", "part_size", _I8),
                                    ("since", "part_since", _I32), ("until", "part_until", _I32),
                                    ("annual_value", "part_value", _I64))),
    ("exports", Exports, (("month", "exp_month", _I32), ("value", "exp_value", _I64))),
)  # fmt: skip


def concat_batch(tables: Sequence[AppTables]) -> RawBatch:
    """Stack parsed applications into one ``RawBatch`` (application ``i`` at row ``i``).

    Args:
        tables: parsed applications in order.

    Returns:
        The raw batch; every event table sorted by ``app`` as the contract requires.
    """
    if len(tables) == 1:
        return _one(tables[0])
    profiles = Profiles(
        **{name: np.array([getattr(t, name) for t in tables], dtype) for name, dtype in _PROFILE}
    )
    events: dict[str, Any] = {}
    for table, cls, columns in _EVENTS:
        sizes = [len(getattr(t, columns[0][1])) for t in tables]
        app = np.repeat(np.arange(len(tables), dtype=np.int32), sizes)
        events[table] = cls(
            app=app,
            **{
                name: np.concatenate([getattr(t, attr) for t in tables]).astype(dtype, copy=False)
                for name, attr, dtype in columns
            },
        )
    return RawBatch(n=len(tables), profiles=profiles, **events)


def _empty_table(cls: type, columns: tuple[tuple[str, str, type], ...]) -> Any:
    arrays = {"app": np.zeros(0, np.int32)} | {name: np.zeros(0, dt) for name, _, dt in columns}
    for a in arrays.values():
        a.flags.writeable = False  # shared by every application without such records
    return cls(**arrays)


# An application without records of a table gets this frozen table of empty columns.
_EMPTY = {table: _empty_table(cls, columns) for table, cls, columns in _EVENTS}


def _one(t: AppTables) -> RawBatch:
    """The request path's batch of one: no concatenation, and every row is application 0."""
    profiles = Profiles(**{name: np.array([getattr(t, name)], dtype) for name, dtype in _PROFILE})
    events: dict[str, Any] = {}
    for table, cls, columns in _EVENTS:
        size = len(getattr(t, columns[0][1]))
        if not size and not any(len(getattr(t, attr)) for _, attr, _ in columns):
            events[table] = _EMPTY[table]  # most applications have no store, loans, exports...
            continue
        events[table] = cls(
            app=np.zeros(size, dtype=np.int32),
            **{name: np.asarray(getattr(t, attr), dtype) for name, attr, dtype in columns},
        )
    return RawBatch(n=1, profiles=profiles, **events)
