"""Per-application columns collected while parsing, and their concatenation into a RawBatch."""

from __future__ import annotations

from collections.abc import Sequence
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


def _i64() -> NDArray[np.int64]:
    return np.zeros(0, dtype=np.int64)


def _i8() -> NDArray[np.int8]:
    return np.zeros(0, dtype=np.int8)


def _f64() -> NDArray[np.float64]:
    return np.zeros(0, dtype=np.float64)


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
    tx_inflow: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
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


def _app_column(tables: Sequence[AppTables], attr: str) -> NDArray[np.int32]:
    if len(tables) == 1:  # the request path: every row belongs to application 0
        return np.zeros(len(getattr(tables[0], attr)), dtype=np.int32)
    sizes = [len(getattr(t, attr)) for t in tables]
    return np.repeat(np.arange(len(tables), dtype=np.int32), sizes)


def _cat(tables: Sequence[AppTables], attr: str, dtype: type) -> Any:  # typed by the caller
    if len(tables) == 1:
        return np.asarray(getattr(tables[0], attr), dtype=dtype)
    return np.concatenate([getattr(t, attr) for t in tables]).astype(dtype, copy=False)


def _col(tables: Sequence[AppTables], attr: str, dtype: type) -> Any:  # typed by the caller
    return np.array([getattr(t, attr) for t in tables], dtype=dtype)


def concat_batch(tables: Sequence[AppTables]) -> RawBatch:
    """Stack parsed applications into one ``RawBatch`` (application ``i`` at row ``i``).

    Args:
        tables: parsed applications in order.

    Returns:
        The raw batch; every event table sorted by ``app`` as the contract requires.
    """
    i32, i64, i16 = np.int32, np.int64, np.int16
    profiles = Profiles(
        as_of=_col(tables, "as_of", i32),
        founded=_col(tables, "founded", i32),
        kbli_division=_col(tables, "kbli_division", i16),
        province=_col(tables, "province", i16),
        workers=_col(tables, "workers", i32),
        assets=_col(tables, "assets", i64),
        annual_sales=_col(tables, "annual_sales", i64),
        other_productive_credit=_col(tables, "other_productive_credit", np.bool_),
        entrepreneurship_training=_col(tables, "entrepreneurship_training", np.bool_),
        kur_access_count=_col(tables, "kur_access_count", i16),
        coop_member_since=_col(tables, "coop_member_since", i32),
        owner_female=_col(tables, "owner_female", np.bool_),
        requested_amount=_col(tables, "requested_amount", i64),
        tenor_months=_col(tables, "tenor_months", i16),
    )
    return RawBatch(
        n=len(tables),
        profiles=profiles,
        transactions=Transactions(
            app=_app_column(tables, "tx_day"),
            day=_cat(tables, "tx_day", i32),
            amount=_cat(tables, "tx_amount", i64),
            inflow=_cat(tables, "tx_inflow", np.bool_),
            channel=_cat(tables, "tx_channel", np.int8),
        ),
        marketplace=Marketplace(
            app=_app_column(tables, "mp_month"),
            month=_cat(tables, "mp_month", i32),
            gmv=_cat(tables, "mp_gmv", i64),
            orders=_cat(tables, "mp_orders", i32),
            rating=_cat(tables, "mp_rating", np.float64),
            return_rate=_cat(tables, "mp_return_rate", np.float64),
        ),
        savings=Savings(
            app=_app_column(tables, "sav_month"),
            month=_cat(tables, "sav_month", i32),
            status=_cat(tables, "sav_status", np.int8),
        ),
        coop_loans=CoopLoans(
            app=_app_column(tables, "loan_day"),
            disbursed=_cat(tables, "loan_day", i32),
            amount=_cat(tables, "loan_amount", i64),
            status=_cat(tables, "loan_status", np.int8),
            max_dpd=_cat(tables, "loan_max_dpd", i32),
        ),
        certifications=Certifications(
            app=_app_column(tables, "cert_kind"),
            kind=_cat(tables, "cert_kind", np.int8),
            issued=_cat(tables, "cert_issued", i32),
            expires=_cat(tables, "cert_expires", i32),
        ),
        partnerships=Partnerships(
            app=_app_column(tables, "part_size"),
            partner_size=_cat(tables, "part_size", np.int8),
            since=_cat(tables, "part_since", i32),
            until=_cat(tables, "part_until", i32),
            annual_value=_cat(tables, "part_value", i64),
        ),
        exports=Exports(
            app=_app_column(tables, "exp_month"),
            month=_cat(tables, "exp_month", i32),
            value=_cat(tables, "exp_value", i64),
        ),
    )
