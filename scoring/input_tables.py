"""The alternative-data tables of an application, each declared once, here.

Every table an application carries (transactions, marketplace months, cooperative savings and
loans, certifications, partnerships, exports) is one ``InputTable`` below: where it sits in
the JSON payload, its columns (JSON key, ``scoring.raw`` field, database column, kind, dtype,
codes, limits, whether null is allowed), the text it keeps only for people (a partner's name)
and how many records an application may carry. Everything else is derived from it:

- ``scoring.parse_records`` parses and validates the payload's records column by column;
- ``scoring.canonical`` hashes the parsed columns in this order;
- ``creditapp.models.altdata`` builds the mapped classes (columns, CHECKs, indexes);
- ``creditapp.services.rawdata`` reads stored rows back into a ``RawBatch``;
- ``creditapp.services.applications`` stores the parsed rows of one application;
- ``creditapp.commands.bulkload`` writes a population's rows in bulk;
- ``fixtures.payloads`` writes payloads and ``fixtures.io`` Parquet files.

The cooperative membership (one per application: ``Profiles.coop_member_since``) is declared
as ``MEMBERSHIP``: savings and loans hang off it in the database.

Caps: an amount beyond its ``maximum`` is refused, not scored. They are plausibility limits for
micro and small industry (PP 7/2021: a small enterprise sells at most Rp 15 miliar a year), set
far above any real record so only typing or unit mistakes hit them (see README, "Limits").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from scoring.raw import (
    CERTIFICATION_KINDS,
    CHANNELS,
    COOP_LOAN_STATUSES,
    PARTNER_SIZES,
    SAVINGS_STATUSES,
    Certifications,
    CoopLoans,
    Exports,
    Marketplace,
    Partnerships,
    Savings,
    Transactions,
)

# JSON "direction" -> Transactions.inflow: the index is the flag ("out" = False, "in" = True).
DIRECTIONS: tuple[str, ...] = ("out", "in")
MAX_HISTORY_MONTHS = 36
MAX_TRANSACTIONS = 20_000
MAX_MONTHLY_RECORDS = 120
MAX_SMALL_RECORDS = 200

MILIAR = 1_000_000_000
# The plausibility caps (whole Rupiah or counts); README "Limits" lists them.
MAX_TRANSACTION_AMOUNT = 100 * MILIAR  # one transfer, QRIS payment or cash deposit
MAX_MONTHLY_GMV = 100 * MILIAR  # one month of one marketplace store
MAX_MONTHLY_ORDERS = 10_000_000
MAX_COOP_LOAN_AMOUNT = 10 * MILIAR  # cooperatives lend their members far less
MAX_DAYS_PAST_DUE = 3_650  # ten years late: beyond it the record is wrong, not late
MAX_PARTNERSHIP_ANNUAL_VALUE = 100 * MILIAR  # a year of off-take from one partner
MAX_MONTHLY_EXPORTS = 100 * MILIAR

# The one-row-per-application columns (``scoring.raw.Profiles`` field, dtype); the parser
# reads them from ``enterprise``, ``request``, ``as_of`` and ``cooperative.member_since``.
_I32, _I64, _I16, _B = np.int32, np.int64, np.int16, np.bool_
PROFILE: tuple[tuple[str, type[np.generic]], ...] = (
    ("as_of", _I32), ("founded", _I32), ("kbli_division", _I16), ("province", _I16),
    ("workers", _I32), ("assets", _I64), ("annual_sales", _I64), ("other_productive_credit", _B),
    ("entrepreneurship_training", _B), ("kur_access_count", _I16), ("coop_member_since", _I32),
    ("owner_female", _B), ("requested_amount", _I64), ("tenor_months", _I16),
)  # fmt: skip

# day: ISO date (day number, DB Date); month: "YYYY-MM" (month number, DB Date of the 1st);
# int: whole number (DB BigInteger when ``money`` else Integer); ratio: a float in
# [minimum, maximum]; code: one of ``codes`` (index; DB String).
Kind = Literal["day", "month", "int", "ratio", "code"]


@dataclass(frozen=True)
class InputColumn:
    """One scored column of a table."""

    key: str  # the JSON key in a record
    field: str  # the field of the ``scoring.raw`` table class
    stored_as: str  # the database column
    kind: Kind
    dtype: type[np.generic]  # dtype of the ``scoring.raw`` column
    minimum: float = 0
    maximum: float = 0  # 0: no cap beyond what the dtype holds (days, months, codes)
    codes: tuple[str, ...] = ()
    stored_length: int = 0  # code columns: the VARCHAR length in the database
    nullable: bool = False  # JSON null allowed: -1 (days), NaN (ratios), DB NULL
    money: bool = False  # whole Rupiah: BIGINT in the database
    hashed_as: str = ""  # the name in the input hash header (fixed by imk-input-2)
    # date checks against the application: not after as_of; within MAX_HISTORY_MONTHS;
    # not before the business was founded; not before another column of the record
    not_after_as_of: bool = False
    within_history: bool = False
    not_before_founding: bool = False
    not_before: str = ""  # field name of the earlier column (expires vs issued)
    once_per_month: bool = False  # a month may appear once per application

    @property
    def hash_dtype(self) -> str:
        """The dtype of the column in the input hash (``scoring.canonical``)."""
        if self.kind == "code":
            return "|b1" if self.dtype is np.bool_ else "|i1"
        return "<f8" if self.kind == "ratio" else "<i8"

    @property
    def parsed_dtype(self) -> type[np.generic]:
        """The dtype the parser produces (widened; cast to ``dtype`` when batched)."""
        if self.kind == "code":
            return self.dtype
        return np.float64 if self.kind == "ratio" else np.int64


@dataclass(frozen=True)
class TextColumn:
    """Text kept for people (a partner's name), stored but never scored or hashed."""

    key: str
    stored_as: str
    max_length: int
    exact_length: bool = False  # an ISO country code is exactly two letters


@dataclass(frozen=True)
class InputTable:
    """One table of an application's alternative data."""

    name: str  # the ``RawBatch`` attribute
    raw_class: type  # the ``scoring.raw`` table class
    path: tuple[str, ...]  # where its records are in the payload
    model: str  # the mapped class in ``creditapp.models``
    stored_in: str  # the database table
    doc: str
    columns: tuple[InputColumn, ...]
    max_records: int
    texts: tuple[TextColumn, ...] = ()
    parent: Literal["application", "membership"] = "application"
    # a composite index (parent, column), unique or not, named as the migrations name it;
    # without one the parent key has an index of its own
    index: tuple[str, str, bool] | None = None

    @property
    def payload_path(self) -> str:
        """Dotted path of the records (``enterprise.certifications``)."""
        return ".".join(self.path)

    @property
    def keys(self) -> frozenset[str]:
        """Every key a record may carry."""
        return frozenset(c.key for c in self.columns) | {t.key for t in self.texts}


def _day(
    key: str,
    field: str,
    stored_as: str,
    hashed_as: str,
    *,
    nullable: bool = False,
    not_after_as_of: bool = False,
    within_history: bool = False,
    not_before_founding: bool = False,
    not_before: str = "",
) -> InputColumn:
    return InputColumn(
        key,
        field,
        stored_as,
        "day",
        np.int32,
        nullable=nullable,
        hashed_as=hashed_as,
        not_after_as_of=not_after_as_of,
        within_history=within_history,
        not_before_founding=not_before_founding,
        not_before=not_before,
    )


def _month(field: str, hashed_as: str) -> InputColumn:
    return InputColumn(
        "month",
        field,
        "month",
        "month",
        np.int32,
        hashed_as=hashed_as,
        not_after_as_of=True,
        within_history=True,
        once_per_month=True,
    )


TRANSACTIONS = InputTable(
    name="transactions",
    raw_class=Transactions,
    path=("transactions",),
    model="Transaction",
    stored_in="transactions",
    doc="One dated inflow or outflow on an account of the enterprise.",
    max_records=MAX_TRANSACTIONS,
    index=("ix_transactions_application_date", "occurred_on", False),
    columns=(
        _day(
            "date",
            "day",
            "occurred_on",
            "tx_day",
            not_after_as_of=True,
            within_history=True,
            not_before_founding=True,
        ),
        InputColumn(
            "amount",
            "amount",
            "amount",
            "int",
            np.int64,
            minimum=1,
            maximum=MAX_TRANSACTION_AMOUNT,
            money=True,
            hashed_as="tx_amount",
        ),
        InputColumn(
            "direction",
            "inflow",
            "direction",
            "code",
            np.bool_,
            codes=DIRECTIONS,
            stored_length=3,
            hashed_as="tx_inflow",
        ),
        InputColumn(
            "channel",
            "channel",
            "channel",
            "code",
            np.int8,
            codes=CHANNELS,
            stored_length=16,
            hashed_as="tx_channel",
        ),
    ),
)

MARKETPLACE = InputTable(
    name="marketplace",
    raw_class=Marketplace,
    path=("marketplace",),
    model="MarketplaceMonth",
    stored_in="marketplace_months",
    doc="A month of sales on an online marketplace store.",
    max_records=MAX_MONTHLY_RECORDS,
    index=("ix_marketplace_months_application_month", "month", True),
    columns=(
        _month("month", "mp_month"),
        InputColumn(
            "gmv",
            "gmv",
            "gmv",
            "int",
            np.int64,
            maximum=MAX_MONTHLY_GMV,
            money=True,
            hashed_as="mp_gmv",
        ),
        InputColumn(
            "orders",
            "orders",
            "orders",
            "int",
            np.int32,
            maximum=MAX_MONTHLY_ORDERS,
            hashed_as="mp_orders",
        ),
        InputColumn(
            "rating",
            "rating",
            "rating",
            "ratio",
            np.float64,
            minimum=1.0,
            maximum=5.0,
            nullable=True,
            hashed_as="mp_rating",
        ),
        InputColumn(
            "return_rate",
            "return_rate",
            "return_rate",
            "ratio",
            np.float64,
            minimum=0.0,
            maximum=1.0,
            hashed_as="mp_return_rate",
        ),
    ),
)

SAVINGS = InputTable(
    name="savings",
    raw_class=Savings,
    path=("cooperative", "savings"),
    model="CooperativeSaving",
    stored_in="cooperative_savings",
    doc="One month of mandatory savings (simpanan wajib): paid on time, late or missed.",
    max_records=MAX_MONTHLY_RECORDS,
    parent="membership",
    index=("ix_cooperative_savings_membership_month", "month", True),
    columns=(
        _month("month", "sav_month"),
        InputColumn(
            "status",
            "status",
            "status",
            "code",
            np.int8,
            codes=SAVINGS_STATUSES,
            stored_length=8,
            hashed_as="sav_status",
        ),
    ),
)

COOP_LOANS = InputTable(
    name="coop_loans",
    raw_class=CoopLoans,
    path=("cooperative", "loans"),
    model="CooperativeLoan",
    stored_in="cooperative_loans",
    doc="An earlier loan from the cooperative and how it was repaid.",
    max_records=MAX_SMALL_RECORDS,
    parent="membership",
    columns=(
        _day("disbursed_on", "disbursed", "disbursed_on", "loan_day", not_after_as_of=True),
        InputColumn(
            "amount",
            "amount",
            "amount",
            "int",
            np.int64,
            minimum=1,
            maximum=MAX_COOP_LOAN_AMOUNT,
            money=True,
            hashed_as="loan_amount",
        ),
        InputColumn(
            "status",
            "status",
            "status",
            "code",
            np.int8,
            codes=COOP_LOAN_STATUSES,
            stored_length=16,
            hashed_as="loan_status",
        ),
        InputColumn(
            "max_dpd",
            "max_dpd",
            "max_dpd",
            "int",
            np.int32,
            maximum=MAX_DAYS_PAST_DUE,
            hashed_as="loan_max_dpd",
        ),
    ),
)

CERTIFICATIONS = InputTable(
    name="certifications",
    raw_class=Certifications,
    path=("enterprise", "certifications"),
    model="Certification",
    stored_in="certifications",
    doc="A product or business certification (PIRT, halal, SNI, BPOM).",
    max_records=MAX_SMALL_RECORDS,
    columns=(
        InputColumn(
            "kind",
            "kind",
            "kind",
            "code",
            np.int8,
            codes=CERTIFICATION_KINDS,
            stored_length=8,
            hashed_as="cert_kind",
        ),
        _day("issued_on", "issued", "issued_on", "cert_issued", not_after_as_of=True),
        _day(
            "expires_on",
            "expires",
            "expires_on",
            "cert_expires",
            nullable=True,
            not_before="issued",
        ),
    ),
)

PARTNERSHIPS = InputTable(
    name="partnerships",
    raw_class=Partnerships,
    path=("enterprise", "partnerships"),
    model="Partnership",
    stored_in="partnerships",
    doc="A partnership (off-take, supply, plasma) with a medium or large firm.",
    max_records=MAX_SMALL_RECORDS,
    texts=(TextColumn("partner_name", "partner_name", 200),),
    columns=(
        InputColumn(
            "partner_size",
            "partner_size",
            "partner_size",
            "code",
            np.int8,
            codes=PARTNER_SIZES,
            stored_length=8,
            hashed_as="part_size",
        ),
        _day("since", "since", "since", "part_since", not_after_as_of=True),
        _day("until", "until", "until", "part_until", nullable=True, not_before="since"),
        InputColumn(
            "annual_value",
            "annual_value",
            "annual_value",
            "int",
            np.int64,
            maximum=MAX_PARTNERSHIP_ANNUAL_VALUE,
            money=True,
            hashed_as="part_value",
        ),
    ),
)

EXPORTS = InputTable(
    name="exports",
    raw_class=Exports,
    path=("enterprise", "exports"),
    model="ExportRecord",
    stored_in="export_records",
    doc="Export sales in one month.",
    max_records=MAX_MONTHLY_RECORDS,
    texts=(TextColumn("destination", "destination", 2, exact_length=True),),
    columns=(
        _month("month", "exp_month"),
        InputColumn(
            "value",
            "value",
            "value",
            "int",
            np.int64,
            minimum=1,
            maximum=MAX_MONTHLY_EXPORTS,
            money=True,
            hashed_as="exp_value",
        ),
    ),
)

# In ``RawBatch`` order, which is also the order of the input hash.
EVENT_TABLES: tuple[InputTable, ...] = (
    TRANSACTIONS, MARKETPLACE, SAVINGS, COOP_LOANS, CERTIFICATIONS, PARTNERSHIPS, EXPORTS,
)  # fmt: skip
TABLES_BY_NAME: dict[str, InputTable] = {t.name: t for t in EVENT_TABLES}


@dataclass(frozen=True)
class Membership:
    """The cooperative membership: one object per application, savings and loans below it."""

    model: str = "CooperativeMembership"
    stored_in: str = "cooperative_memberships"
    doc: str = "Membership of a cooperative (koperasi), with its savings record and earlier loans."
    since: InputColumn = InputColumn(
        "member_since", "coop_member_since", "member_since", "day", np.int32, not_after_as_of=True
    )
    texts: tuple[TextColumn, ...] = (TextColumn("name", "cooperative_name", 200),)
    keys: frozenset[str] = frozenset({"member_since", "name", "savings", "loans"})


MEMBERSHIP = Membership()
