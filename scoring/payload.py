"""JSON application payloads (``scoring.raw.PAYLOAD_SHAPE``) -> validated ``RawBatch``.

Validation collects every problem before failing, keyed by field path
(``transactions[12].amount``, ``enterprise.kbli``), so a lender fixes a payload in one round.
Nothing is silently defaulted: a wrong value is an error, never a zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scoring.payload_columns import (
    Errors,
    add_error,
    code_column,
    columns,
    day_column,
    float_column,
    int_column,
    month_column,
    records,
    scalar_day,
    scalar_int,
)
from scoring.payload_tables import AppTables, concat_batch
from scoring.raw import (
    CERTIFICATION_KINDS,
    CHANNELS,
    COOP_LOAN_STATUSES,
    GENDERS,
    PARTNER_SIZES,
    SAVINGS_STATUSES,
    RawBatch,
    from_day_number,
)

# KBLI 2020 section C (manufacturing) divisions: the industries this platform lends to.
KNOWN_KBLI_DIVISIONS: frozenset[int] = frozenset(range(10, 34))
# The 38 BPS province codes (BPS numbering of the 2022 Papua split: 91, 92, 94-97).
PROVINCE_CODES: frozenset[int] = frozenset(
    (11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63)
    + (64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 94, 95, 96, 97)
)
MAX_HISTORY_MONTHS = 36
MAX_TRANSACTIONS = 20_000
MAX_MONTHLY_RECORDS = 120
MAX_SMALL_RECORDS = 200
PURPOSES: tuple[str, ...] = ("working_capital", "investment")
DIRECTIONS: tuple[str, ...] = ("out", "in")


class InvalidApplication(ValueError):
    """A payload that cannot be scored; ``errors`` maps field paths to plain-English reasons."""

    def __init__(self, errors: Errors) -> None:
        self.errors = errors
        first = next(iter(errors.items()))
        super().__init__(f"{len(errors)} invalid field(s); first: {first[0]} {first[1][0]}")


@dataclass(frozen=True)
class LoanRequest:
    """The ``request`` part of a payload that the raw batch does not carry."""

    program: str
    amount: int
    tenor_months: int
    purpose: str


def parse_application(payload: Mapping[str, Any]) -> RawBatch:
    """Validate one payload and return it as a ``RawBatch`` with ``n == 1``.

    Args:
        payload: one application in the ``PAYLOAD_SHAPE`` JSON form.

    Returns:
        The raw batch of one application.

    Raises:
        InvalidApplication: with every bad field named.
    """
    return concat_batch([parse_tables(payload)])


def parse_tables(payload: Mapping[str, Any]) -> AppTables:
    """Validate one payload and return its parsed columns (``parse_application`` stacks them).

    Args:
        payload: one application in the ``PAYLOAD_SHAPE`` JSON form.

    Returns:
        The columns of the application; the scoring path also hashes them
        (``scoring.canonical.parsed_input_hash``).

    Raises:
        InvalidApplication: with every bad field named.
    """
    errors: Errors = {}
    tables = _parse_one(payload, "", errors)
    if errors:
        raise InvalidApplication(errors)
    return tables


def parse_applications(payloads: Sequence[Mapping[str, Any]]) -> RawBatch:
    """Validate many payloads; error paths are prefixed ``applications[i].``.

    Args:
        payloads: applications in the ``PAYLOAD_SHAPE`` JSON form.

    Returns:
        One raw batch, application ``i`` at row ``i``.

    Raises:
        InvalidApplication: with every bad field of every application named.
    """
    errors: Errors = {}
    tables = [_parse_one(p, f"applications[{i}].", errors) for i, p in enumerate(payloads)]
    if errors:
        raise InvalidApplication(errors)
    return concat_batch(tables)


def parse_request(payload: Mapping[str, Any]) -> LoanRequest:
    """Return the validated loan request of one payload (raises ``InvalidApplication``)."""
    errors: Errors = {}
    req = payload.get("request") if isinstance(payload, Mapping) else None
    if not isinstance(req, Mapping):
        raise InvalidApplication({"request": ["is required and must be an object"]})
    program, purpose = req.get("program"), req.get("purpose")
    if not isinstance(program, str) or not program:
        add_error(errors, "request.program", "is required and must be a program code")
    if purpose not in PURPOSES:
        add_error(errors, "request.purpose", f"must be one of {', '.join(PURPOSES)}")
    amount = scalar_int(req.get("amount"), "request.amount", errors, 1)
    tenor = scalar_int(req.get("tenor_months"), "request.tenor_months", errors, 1)
    if tenor > 120:
        add_error(errors, "request.tenor_months", f"must be at most 120 months, got {tenor}")
    if errors:
        raise InvalidApplication(errors)
    return LoanRequest(str(program), amount, tenor, str(purpose))


def _parse_one(payload: Any, prefix: str, errors: Errors) -> AppTables:
    if not isinstance(payload, Mapping):
        add_error(errors, prefix.rstrip(".") or "payload", "must be a JSON object")
        payload = {}
    as_of = scalar_day(payload.get("as_of"), prefix + "as_of", errors)
    ent = payload.get("enterprise")
    if not isinstance(ent, Mapping):
        add_error(errors, prefix + "enterprise", "is required and must be an object")
        ent = {}
    req = payload.get("request")
    if not isinstance(req, Mapping):
        add_error(errors, prefix + "request", "is required and must be an object")
        req = {}
    t = AppTables(as_of=as_of)
    _profile(t, ent, req, prefix, errors)
    _transactions(t, payload.get("transactions"), prefix, errors)
    _marketplace(t, payload.get("marketplace"), prefix, errors)
    _cooperative(t, payload.get("cooperative"), prefix, errors)
    _enterprise_lists(t, ent, prefix, errors)
    return t


def _scalar_int(obj: Mapping[str, Any], key: str, path: str, errors: Errors, minimum: int) -> int:
    return scalar_int(obj.get(key), path, errors, minimum)


def _flag(obj: Mapping[str, Any], key: str, path: str, errors: Errors) -> bool:
    v = obj.get(key, False)
    if not isinstance(v, bool):
        add_error(errors, path, f"must be true or false, got {v!r}")
        return False
    return v


def _profile(
    t: AppTables, ent: Mapping[str, Any], req: Mapping[str, Any], p: str, errors: Errors
) -> None:
    e = p + "enterprise."
    kbli = ent.get("kbli")
    if not isinstance(kbli, str) or not kbli.isdigit() or not 2 <= len(kbli) <= 5:
        add_error(errors, e + "kbli", f"must be a KBLI code of 2 to 5 digits, got {kbli!r}")
    elif int(kbli[:2]) not in KNOWN_KBLI_DIVISIONS:
        add_error(
            errors, e + "kbli", f"division {kbli[:2]} is not a manufacturing division (KBLI 10-33)"
        )
    else:
        t.kbli_division = int(kbli[:2])
    prov = ent.get("province")
    if not isinstance(prov, str) or not prov.isdigit() or int(prov) not in PROVINCE_CODES:
        add_error(errors, e + "province", f"is not a BPS province code: {prov!r}")
    else:
        t.province = int(prov)
    if ent.get("owner_gender") not in GENDERS:
        add_error(errors, e + "owner_gender", f"must be one of {', '.join(GENDERS)}")
    t.owner_female = ent.get("owner_gender") == "F"
    t.founded = scalar_day(ent.get("founded_on"), e + "founded_on", errors)
    if t.founded > t.as_of:
        add_error(errors, e + "founded_on", "is after the application date (as_of)")
    t.workers = _scalar_int(ent, "workers", e + "workers", errors, 0)
    t.assets = _scalar_int(ent, "assets", e + "assets", errors, 0)
    t.annual_sales = _scalar_int(ent, "annual_sales", e + "annual_sales", errors, 0)
    t.kur_access_count = _scalar_int(ent, "kur_access_count", e + "kur_access_count", errors, 0)
    t.other_productive_credit = _flag(
        ent, "other_productive_credit", e + "other_productive_credit", errors
    )
    t.entrepreneurship_training = _flag(
        ent, "entrepreneurship_training", e + "entrepreneurship_training", errors
    )
    t.requested_amount = _scalar_int(req, "amount", p + "request.amount", errors, 1)
    t.tenor_months = _scalar_int(req, "tenor_months", p + "request.tenor_months", errors, 1)
    if t.tenor_months > 120:
        add_error(errors, p + "request.tenor_months", "must be at most 120 months")


def _check_window(
    days: np.ndarray, t: AppTables, path_of: Any, errors: Errors, *, not_before_founding: bool
) -> None:
    """Report dates after as_of, older than the history window or before founding."""
    if not len(days):
        return
    oldest = t.as_of - MAX_HISTORY_MONTHS * 31
    if days.max() <= t.as_of and days.min() >= max(oldest, t.founded):  # the usual case:
        return  # two reductions instead of three masks and three flatnonzero calls
    for i in np.flatnonzero(days > t.as_of):
        add_error(errors, path_of(int(i)), "is after the application date (as_of)")
    for i in np.flatnonzero((days < oldest) & (days >= t.founded)):
        add_error(errors, path_of(int(i)), f"is more than {MAX_HISTORY_MONTHS} months before as_of")
    if not_before_founding:
        for i in np.flatnonzero(days < t.founded):
            add_error(errors, path_of(int(i)), "is before the business was founded")


def _transactions(t: AppTables, value: Any, p: str, errors: Errors) -> None:
    rows = records(value, p + "transactions", errors, MAX_TRANSACTIONS)

    def path(field: str) -> Any:
        return lambda i: f"{p}transactions[{i}].{field}"

    days, amounts, directions, channels = columns(rows, ("date", "amount", "direction", "channel"))
    t.tx_day = day_column(days, path("date"), errors)
    _check_window(t.tx_day, t, path("date"), errors, not_before_founding=True)
    t.tx_amount = int_column(amounts, path("amount"), errors, minimum=1)
    t.tx_inflow = code_column(directions, DIRECTIONS, path("direction"), errors).astype(np.bool_)
    t.tx_channel = code_column(channels, CHANNELS, path("channel"), errors)


def _months_in_window(months: np.ndarray, t: AppTables, path_of: Any, errors: Errors) -> None:
    if not len(months):
        return
    as_of_month = _month_of_day(t.as_of)
    for i in np.flatnonzero(months > as_of_month):
        add_error(errors, path_of(int(i)), "is after the application month (as_of)")
    for i in np.flatnonzero(months < as_of_month - MAX_HISTORY_MONTHS):
        add_error(errors, path_of(int(i)), f"is more than {MAX_HISTORY_MONTHS} months before as_of")
    _, first, counts = np.unique(months, return_index=True, return_counts=True)
    for i in first[counts > 1]:
        add_error(errors, path_of(int(i)), "appears more than once")


def _month_of_day(day: int) -> int:
    d = from_day_number(day)
    return d.year * 12 + d.month - 1


def _marketplace(t: AppTables, value: Any, p: str, errors: Errors) -> None:
    rows = records(value, p + "marketplace", errors, MAX_MONTHLY_RECORDS)
    if not rows:  # no store (most applicants): AppTables' columns are empty already
        return

    def path(field: str) -> Any:
        return lambda i: f"{p}marketplace[{i}].{field}"

    t.mp_month = month_column([r.get("month") for r in rows], path("month"), errors)
    _months_in_window(t.mp_month, t, path("month"), errors)
    t.mp_gmv = int_column([r.get("gmv") for r in rows], path("gmv"), errors, minimum=0)
    t.mp_orders = int_column([r.get("orders") for r in rows], path("orders"), errors, minimum=0)
    t.mp_rating = float_column(
        [r.get("rating") for r in rows], path("rating"), errors, low=1.0, high=5.0, nullable=True
    )
    t.mp_return_rate = float_column(
        [r.get("return_rate") for r in rows], path("return_rate"), errors, low=0.0, high=1.0
    )


def _cooperative(t: AppTables, coop: Any, p: str, errors: Errors) -> None:
    if coop is None:
        return
    c = p + "cooperative"
    if not isinstance(coop, Mapping):
        add_error(errors, c, "must be an object or null")
        return
    t.coop_member_since = scalar_day(coop.get("member_since"), c + ".member_since", errors)
    if t.coop_member_since > t.as_of:
        add_error(errors, c + ".member_since", "is after the application date (as_of)")
    sav = records(coop.get("savings"), c + ".savings", errors, MAX_MONTHLY_RECORDS)
    if sav:  # else AppTables' columns are empty already
        t.sav_month = month_column(
            [r.get("month") for r in sav], lambda i: f"{c}.savings[{i}].month", errors
        )
        _months_in_window(t.sav_month, t, lambda i: f"{c}.savings[{i}].month", errors)
        t.sav_status = code_column(
            [r.get("status") for r in sav],
            SAVINGS_STATUSES,
            lambda i: f"{c}.savings[{i}].status",
            errors,
        )
    loans = records(coop.get("loans"), c + ".loans", errors, MAX_SMALL_RECORDS)
    if not loans:
        return

    def lp(field: str) -> Any:
        return lambda i: f"{c}.loans[{i}].{field}"

    t.loan_day = day_column([r.get("disbursed_on") for r in loans], lp("disbursed_on"), errors)
    for i in np.flatnonzero(t.loan_day > t.as_of):
        add_error(errors, lp("disbursed_on")(int(i)), "is after the application date (as_of)")
    t.loan_amount = int_column([r.get("amount") for r in loans], lp("amount"), errors, minimum=1)
    t.loan_status = code_column(
        [r.get("status") for r in loans], COOP_LOAN_STATUSES, lp("status"), errors
    )
    t.loan_max_dpd = int_column([r.get("max_dpd") for r in loans], lp("max_dpd"), errors, minimum=0)


def _enterprise_lists(t: AppTables, ent: Mapping[str, Any], p: str, errors: Errors) -> None:
    e = p + "enterprise."
    # Each list is read only when it has records (most have none): AppTables' columns are
    # empty already, and the column calls on nothing cost ~15 us. Errors keep payload order.
    certs = records(ent.get("certifications"), e + "certifications", errors, MAX_SMALL_RECORDS)
    if certs:
        _certifications(t, certs, e, errors)
    parts = records(ent.get("partnerships"), e + "partnerships", errors, MAX_SMALL_RECORDS)
    if parts:
        _partnerships(t, parts, e, errors)
    exports = records(ent.get("exports"), e + "exports", errors, MAX_MONTHLY_RECORDS)
    if exports:
        _exports(t, exports, e, errors)


def _certifications(t: AppTables, certs: list[Mapping[str, Any]], e: str, errors: Errors) -> None:
    def cp(field: str) -> Any:
        return lambda i: f"{e}certifications[{i}].{field}"

    t.cert_kind = code_column(
        [r.get("kind") for r in certs], CERTIFICATION_KINDS, cp("kind"), errors
    )
    t.cert_issued = day_column([r.get("issued_on") for r in certs], cp("issued_on"), errors)
    for i in np.flatnonzero(t.cert_issued > t.as_of):
        add_error(errors, cp("issued_on")(int(i)), "is after the application date (as_of)")
    t.cert_expires = day_column(
        [r.get("expires_on") for r in certs], cp("expires_on"), errors, nullable=True
    )
    for i in np.flatnonzero((t.cert_expires != -1) & (t.cert_expires < t.cert_issued)):
        add_error(errors, cp("expires_on")(int(i)), "is before the issue date")


def _partnerships(t: AppTables, parts: list[Mapping[str, Any]], e: str, errors: Errors) -> None:
    def pp(field: str) -> Any:
        return lambda i: f"{e}partnerships[{i}].{field}"

    t.part_size = code_column(
        [r.get("partner_size") for r in parts], PARTNER_SIZES, pp("partner_size"), errors
    )
    t.part_since = day_column([r.get("since") for r in parts], pp("since"), errors)
    for i in np.flatnonzero(t.part_since > t.as_of):
        add_error(errors, pp("since")(int(i)), "is after the application date (as_of)")
    t.part_until = day_column([r.get("until") for r in parts], pp("until"), errors, nullable=True)
    for i in np.flatnonzero((t.part_until != -1) & (t.part_until < t.part_since)):
        add_error(errors, pp("until")(int(i)), "is before the start date")
    t.part_value = int_column(
        [r.get("annual_value") for r in parts], pp("annual_value"), errors, minimum=0
    )


def _exports(t: AppTables, exports: list[Mapping[str, Any]], e: str, errors: Errors) -> None:
    def xp(field: str) -> Any:
        return lambda i: f"{e}exports[{i}].{field}"

    t.exp_month = month_column([r.get("month") for r in exports], xp("month"), errors)
    _months_in_window(t.exp_month, t, xp("month"), errors)
    t.exp_value = int_column([r.get("value") for r in exports], xp("value"), errors, minimum=1)
