"""Raw alternative data (``RawBatch``) -> feature matrix, vectorised over the batch.

Every feature is a grouped reduction (``np.bincount``, ``np.maximum.at`` on the ``app`` column)
or arithmetic on per-application arrays, so a batch of one is the same computation as a batch of
a million: a row computed alone equals the row computed in a batch, and serving uses exactly the
code training uses. The spec (names, directions, texts) lives in ``scoring.feature_spec``.

Time windows are complete calendar months before the application month (the application month
itself is partial and would make early-month applicants look weaker).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scoring.feature_spec import (
    FEATURE_INDEX,
    FEATURE_NAMES,
    FEATURE_SPEC_VERSION,
    FEATURES,
    FeatureSpec,
)
from scoring.raw import RawBatch

__all__ = [
    "FEATURES",
    "FEATURE_NAMES",
    "FEATURE_SPEC_VERSION",
    "FeatureMatrix",
    "FeatureSpec",
    "MISSING_SOURCES",
    "compute_features",
    "month_of_day",
]

F64 = NDArray[np.float64]
Put = Callable[[str, F64], None]  # stores one feature column by name
WINDOW_MONTHS = 24
DAYS_PER_MONTH = 30.436875
# Affordability is measured at a fixed reference rate so the feature does not depend on which
# program is asked for; the program's own rate is applied by scoring.policy.
REFERENCE_ANNUAL_RATE = 0.06
CV_CAP = 10.0
MISSING_SOURCES: tuple[str, ...] = (
    "transactions",
    "digital_sales",
    "cooperative",
    "certifications",
    "partnerships",
    "exports",
)


@dataclass(frozen=True)
class FeatureMatrix:
    """Features of ``n`` applications with their data-quality flags.

    ``values`` is (n, k) float64 C-contiguous in ``names`` order (NaN = not available);
    ``months_history`` the complete months of transaction history; ``missing`` (n, 6) bool in
    ``MISSING_SOURCES`` order.
    """

    values: F64
    names: tuple[str, ...]
    months_history: NDArray[np.int32]
    missing: NDArray[np.bool_]

    def quality(self, i: int) -> dict[str, object]:
        """Return the data-quality flags of row ``i`` as plain JSON values."""
        return {
            "months_history": int(self.months_history[i]),
            "missing_sources": [
                s for s, m in zip(MISSING_SOURCES, self.missing[i], strict=True) if m
            ],
        }


# Month numbers of the day numbers of 1900-2100 (payload validation's plausible years), looked
# up: a table look-up is far cheaper than numpy's datetime64[D] -> [M] conversion per request.
_LOOKUP_FIRST_DAY = int(np.datetime64("1900-01-01", "D").astype(np.int64))
_MONTH_OF = (
    np.arange(_LOOKUP_FIRST_DAY, int(np.datetime64("2101-01-01", "D").astype(np.int64)))
    .astype("datetime64[D]")
    .astype("datetime64[M]")
    .astype(np.int64)
    + 1970 * 12
)
_LOOKUP_END = _LOOKUP_FIRST_DAY + len(_MONTH_OF)


def month_of_day(day: NDArray[np.integer]) -> NDArray[np.int64]:
    """Return month numbers (``year * 12 + month - 1``) of day numbers, vectorised."""
    if len(day) and day.min() >= _LOOKUP_FIRST_DAY and day.max() < _LOOKUP_END:
        return _MONTH_OF.take(day - _LOOKUP_FIRST_DAY)
    months = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months + 1970 * 12


def _ratio(num: NDArray[Any], den: NDArray[Any]) -> F64:
    """num / den with NaN where den is 0 (no silent zeros, no warnings).

    Dividing by NaN gives NaN without a warning, and where den is not 0 the quotient is the
    same division: three numpy calls instead of four.
    """
    out: F64 = num / np.where(den != 0, den, np.nan)
    return out


def compute_features(batch: RawBatch) -> FeatureMatrix:
    """Compute the feature matrix of a raw batch.

    Args:
        batch: raw alternative data of ``n`` applications (event tables sorted by ``app``).

    Returns:
        The features in ``FEATURE_NAMES`` order with data-quality flags.
    """
    n = batch.n
    out = np.full((n, len(FEATURES)), np.nan)

    def put(name: str, column: F64) -> None:
        out[:, FEATURE_INDEX[name]] = column

    as_of = batch.profiles.as_of.astype(np.int64)
    as_of_month = month_of_day(as_of)
    hist = _transactions(batch, as_of_month, put)
    has_store = _marketplace(batch, as_of_month, put)
    _cooperative(batch, as_of, as_of_month, put)
    has_cert, has_part = _certs_and_partnerships(batch, as_of, put)
    has_exports = _exports(batch, as_of_month, put)
    _profile_and_request(batch, as_of, out[:, FEATURE_INDEX["tx_avg_monthly_net_inflow"]], put)
    # filled column by column: np.column_stack of the same columns costs more per request
    missing = np.empty((n, len(MISSING_SOURCES)), dtype=np.bool_)
    missing[:, 0] = hist == 0
    missing[:, 1] = ~has_store
    missing[:, 2] = batch.profiles.coop_member_since < 0
    missing[:, 3] = ~has_cert
    missing[:, 4] = ~has_part
    missing[:, 5] = ~has_exports
    return FeatureMatrix(np.ascontiguousarray(out), FEATURE_NAMES, hist.astype(np.int32), missing)


def _transactions(batch: RawBatch, as_of_month: NDArray[np.int64], put: Put) -> NDArray[np.int64]:
    n, w = batch.n, WINDOW_MONTHS
    tx = batch.transactions
    app = tx.app.astype(np.int64)
    rel = as_of_month[app] - month_of_day(tx.day)  # 1 = last complete month
    keep = (rel >= 1) & (rel <= w)
    app, rel = app[keep], rel[keep]
    amount = tx.amount[keep].astype(np.float64)
    inflow = tx.inflow[keep]
    # one bincount for both directions: cells (app, out|in, month); each bin adds the same
    # amounts in the same order as a bincount per direction, so the sums are the same bits
    cell = (app * 2 + inflow) * w + (rel - 1)
    grids = np.bincount(cell, amount, 2 * n * w).reshape(n, 2, w)
    grid_out, grid_in = grids[:, 0], grids[:, 1]
    count_in = np.bincount(cell, minlength=2 * n * w).reshape(n, 2, w)[:, 1]
    active = (grid_in + grid_out) > 0
    col = np.arange(w)
    hist: NDArray[np.int64] = np.where(active, col + 1, 0).max(axis=1).astype(np.int64)
    mask = col[None, :] < hist[:, None]
    months = hist.astype(np.float64)
    net = grid_in - grid_out
    mean_in = _ratio((grid_in * mask).sum(axis=1), months)
    mean_net = _ratio((net * mask).sum(axis=1), months)
    # rows whose mean is NaN have no masked month, so np.where never picks their NaN (and NaN
    # arithmetic raises no warning): nan_to_num would cost eight numpy calls for nothing
    dev = np.where(mask, net - mean_net[:, None], 0.0)
    std_net = np.sqrt(_ratio((dev * dev).sum(axis=1), months))
    cv = np.minimum(_ratio(std_net, np.abs(mean_net)), CV_CAP)
    cv[(hist > 0) & (mean_net == 0)] = CV_CAP
    put("tx_months_history", months)
    put("tx_active_month_share", _ratio((active & mask).sum(axis=1).astype(np.float64), months))
    put("tx_avg_monthly_inflow", mean_in)
    put("tx_avg_monthly_net_inflow", mean_net)
    put("tx_net_inflow_cv", cv)
    put("tx_negative_month_share", _ratio(((net < 0) & mask).sum(axis=1) * 1.0, months))
    total_in = grid_in.sum(axis=1)
    put("tx_outflow_inflow_ratio", _ratio(grid_out.sum(axis=1), total_in))
    # log of a month's inflow; empty months are gaps (own feature), not -inf growth
    earning = mask & (grid_in > 0)
    log_in = np.log(np.where(earning, grid_in, 1.0))
    put("tx_inflow_trend", _trend(log_in, earning))
    n_earning = earning.sum(axis=1).astype(np.float64)
    mean_log = _ratio((log_in * earning).sum(axis=1), n_earning)
    dev_log = np.where(earning, log_in - mean_log[:, None], 0.0)
    log_sd = np.sqrt(_ratio((dev_log * dev_log).sum(axis=1), n_earning - 1.0))
    put("tx_inflow_volatility", np.where(n_earning >= 3, log_sd, np.nan))
    channel = tx.channel[keep]
    digital = inflow & ((channel == 1) | (channel == 2))  # qris, ewallet
    put("tx_digital_share", _ratio(np.bincount(app[digital], amount[digital], n), total_in))
    put("tx_inflows_per_month", _ratio(count_in.sum(axis=1) * 1.0, months))
    return hist


def _trend(y: F64, mask: NDArray[np.bool_]) -> F64:
    """Least-squares slope per row of ``y`` over the masked months (NaN below 3 months)."""
    t = -np.arange(y.shape[1], dtype=np.float64)[None, :]  # later months have larger t
    m = mask.astype(np.float64)
    cnt = m.sum(axis=1)
    tbar = _ratio((m * t).sum(axis=1), cnt)
    ybar = _ratio((m * y).sum(axis=1), cnt)
    dt = np.where(mask, t - tbar[:, None], 0.0)
    dy = np.where(mask, y - ybar[:, None], 0.0)
    slope = _ratio((dt * dy).sum(axis=1), (dt * dt).sum(axis=1))
    slope[cnt < 3] = np.nan
    return slope


def _marketplace(batch: RawBatch, as_of_month: NDArray[np.int64], put: Put) -> NDArray[np.bool_]:
    n, mp = batch.n, batch.marketplace
    if not len(mp.app):  # no store in the whole batch (most single applications): skip the
        put("mp_store_months", np.zeros(n))  # dozen numpy calls; the other columns stay NaN
        return np.zeros(n, dtype=np.bool_)
    app = mp.app.astype(np.int64)
    rel = as_of_month[app] - mp.month
    keep = (rel >= 1) & (rel <= WINDOW_MONTHS)
    app, rel = app[keep], rel[keep]
    gmv = mp.gmv[keep].astype(np.float64)
    months = np.bincount(app, minlength=n).astype(np.float64)
    has_store = months > 0
    gmv_total = np.bincount(app, gmv, n)
    recent = np.bincount(app[rel <= 6], gmv[rel <= 6], n)
    prior_rows = (rel > 6) & (rel <= 12)
    prior = np.bincount(app[prior_rows], gmv[prior_rows], n)
    has_prior = np.bincount(app[prior_rows], minlength=n) > 0
    growth = np.log1p(recent) - np.log1p(prior)
    rating = mp.rating[keep]
    rated = ~np.isnan(rating) & (rel <= 12)
    mean_rating = _ratio(
        np.bincount(app[rated], rating[rated], n),
        np.bincount(app[rated], minlength=n).astype(np.float64),
    )
    returns = np.bincount(app, gmv * mp.return_rate[keep], n)
    put("mp_store_months", months)
    put("mp_avg_monthly_gmv", _ratio(gmv_total, months))
    put("mp_gmv_growth", np.where(has_prior, growth, np.nan))
    put("mp_rating", mean_rating)
    put("mp_return_rate", _ratio(returns, gmv_total))
    return has_store


def _cooperative(
    batch: RawBatch, as_of: NDArray[np.int64], as_of_month: NDArray[np.int64], put: Put
) -> None:
    n = batch.n
    since = batch.profiles.coop_member_since.astype(np.int64)
    member = since >= 0
    put("coop_tenure_months", np.where(member, (as_of - since) / DAYS_PER_MONTH, np.nan))
    sav = batch.savings
    if len(sav.app):  # else no savings record in the batch: both columns stay NaN
        app = sav.app.astype(np.int64)
        rel = as_of_month[app] - sav.month
        keep = (rel >= 1) & (rel <= WINDOW_MONTHS)
        app, status = app[keep], sav.status[keep]
        n_sav = np.bincount(app, minlength=n).astype(np.float64)
        on_time = np.bincount(app[status == 0], minlength=n).astype(np.float64)
        missed = np.bincount(app[status == 2], minlength=n).astype(np.float64)
        put("coop_savings_on_time_share", _ratio(on_time, n_sav))
        put("coop_savings_missed", np.where(n_sav > 0, missed, np.nan))
    loans = batch.coop_loans
    if not len(loans.app):  # members with no earlier loan have 0 of each; max DPD stays NaN
        none = np.where(member, 0.0, np.nan)
        put("coop_loans_repaid", none)
        put("coop_loans_defaulted", none)
        return
    lapp = loans.app.astype(np.int64)
    repaid = (loans.status == 0) | (loans.status == 1)
    put("coop_loans_repaid", np.where(member, np.bincount(lapp[repaid], minlength=n), np.nan))
    defaulted = loans.status == 2
    put("coop_loans_defaulted", np.where(member, np.bincount(lapp[defaulted], minlength=n), np.nan))
    max_dpd = np.full(n, -1.0)
    np.maximum.at(max_dpd, lapp, loans.max_dpd.astype(np.float64))
    put("coop_loans_max_dpd", np.where(max_dpd >= 0, max_dpd, np.nan))


def _certs_and_partnerships(
    batch: RawBatch, as_of: NDArray[np.int64], put: Put
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    n, cert, part = batch.n, batch.certifications, batch.partnerships
    if not len(cert.app) and not len(part.app):  # nothing held in the whole batch: all zero
        for name in _CERT_AND_PARTNER_FEATURES:
            put(name, np.zeros(n))
        return np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.bool_)
    capp = cert.app.astype(np.int64)
    valid = (cert.issued <= as_of[capp]) & ((cert.expires < 0) | (cert.expires >= as_of[capp]))
    held = np.zeros((n, 4), dtype=np.bool_)
    held[capp[valid], cert.kind[valid]] = True  # kinds: PIRT, HALAL, SNI, BPOM
    put("cert_valid_count", held.sum(axis=1).astype(np.float64))
    put("cert_halal", held[:, 1].astype(np.float64))
    put("cert_food_safety", (held[:, 0] | held[:, 3]).astype(np.float64))
    papp = part.app.astype(np.int64)
    active = (part.since <= as_of[papp]) & ((part.until < 0) | (part.until >= as_of[papp]))
    value = np.bincount(papp[active], part.annual_value[active].astype(np.float64), n)
    sales = batch.profiles.annual_sales.astype(np.float64)
    put("partner_active_count", np.bincount(papp[active], minlength=n).astype(np.float64))
    put("partner_value_to_sales", np.minimum(_ratio(value, np.maximum(sales, 1.0)), 10.0))
    return np.bincount(capp, minlength=n) > 0, np.bincount(papp, minlength=n) > 0


_CERT_AND_PARTNER_FEATURES = (
    "cert_valid_count",
    "cert_halal",
    "cert_food_safety",
    "partner_active_count",
    "partner_value_to_sales",
)


def _exports(batch: RawBatch, as_of_month: NDArray[np.int64], put: Put) -> NDArray[np.bool_]:
    n, ex = batch.n, batch.exports
    if not len(ex.app):  # no exporter in the batch (the usual case): both columns are 0
        put("export_months_12", np.zeros(n))
        put("export_share_of_sales", np.zeros(n))
        return np.zeros(n, dtype=np.bool_)
    app = ex.app.astype(np.int64)
    rel = as_of_month[app] - ex.month
    last12 = (rel >= 1) & (rel <= 12)
    months = np.zeros((n, 12), dtype=np.bool_)
    months[app[last12], rel[last12] - 1] = True
    value = np.bincount(app[last12], ex.value[last12].astype(np.float64), n)
    sales = np.maximum(batch.profiles.annual_sales.astype(np.float64), 1.0)
    put("export_months_12", months.sum(axis=1).astype(np.float64))
    put("export_share_of_sales", np.minimum(value / sales, 10.0))
    return np.bincount(app, minlength=n) > 0


def _profile_and_request(
    batch: RawBatch, as_of: NDArray[np.int64], mean_net: F64, put: Put
) -> None:
    p = batch.profiles
    sales = p.annual_sales.astype(np.float64)
    put("business_age_months", (as_of - p.founded) / DAYS_PER_MONTH)
    put("workers", p.workers.astype(np.float64))
    put("log_annual_sales", np.log1p(sales))
    put("log_assets", np.log1p(p.assets.astype(np.float64)))
    put("kur_access_count", p.kur_access_count.astype(np.float64))
    put("other_productive_credit", p.other_productive_credit.astype(np.float64))
    put("entrepreneurship_training", p.entrepreneurship_training.astype(np.float64))
    amount = p.requested_amount.astype(np.float64)
    tenor = p.tenor_months.astype(np.float64)
    put("req_amount_to_sales", np.minimum(_ratio(amount, np.maximum(sales, 1.0)), 100.0))
    installment = annuity_installment(amount, tenor, REFERENCE_ANNUAL_RATE)
    burden = np.where(mean_net > 0, installment / np.where(mean_net > 0, mean_net, 1.0), CV_CAP)
    put(
        "req_installment_to_net_inflow",
        np.where(np.isnan(mean_net), np.nan, np.minimum(burden, CV_CAP)),
    )
    put("req_tenor_months", tenor)


def annuity_installment(amount: F64, tenor_months: F64, annual_rate: float) -> F64:
    """Monthly annuity installment of ``amount`` over ``tenor_months`` at an effective rate.

    Args:
        amount: principal per row.
        tenor_months: months per row (> 0).
        annual_rate: effective annual rate (0.06 = 6%).

    Returns:
        The installment per row (unrounded; policy rounds money explicitly).
    """
    r = (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0
    if r == 0.0:
        return np.asarray(amount / tenor_months, dtype=np.float64)
    return np.asarray(amount * r / (1.0 - (1.0 + r) ** (-tenor_months)), dtype=np.float64)
