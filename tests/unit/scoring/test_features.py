"""compute_features: one row alone equals that row in a batch; values checked by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures import Population
from scoring.feature_spec import FEATURE_INDEX, FEATURE_NAMES, FEATURES, SOURCES
from scoring.features import compute_features, month_of_day
from scoring.parse import parse_application
from scoring.raw_ops import take_rows
from tests.unit.scoring.sample import make_payload


def test_spec_is_consistent() -> None:
    assert len(set(FEATURE_NAMES)) == len(FEATURES)
    assert 25 <= len(FEATURES) <= 40
    for f in FEATURES:
        assert f.source in SOURCES and f.monotone in (-1, 0, 1)
        assert f.reason_id and f.reason_en and f.strength_id and f.strength_en


def test_matrix_shape_and_layout(population: Population) -> None:
    fm = compute_features(population.raw)
    assert fm.values.shape == (population.n, len(FEATURES))
    assert fm.values.dtype == np.float64 and fm.values.flags.c_contiguous
    assert fm.names == FEATURE_NAMES


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 599), min_size=1, max_size=8))
def test_rows_alone_equal_rows_in_a_batch(population: Population, rows: list[int]) -> None:
    whole = compute_features(population.raw)
    part = compute_features(take_rows(population.raw, rows))
    assert np.array_equal(part.values, whole.values[rows], equal_nan=True)
    assert np.array_equal(part.months_history, whole.months_history[rows])
    assert np.array_equal(part.missing, whole.missing[rows])


def test_every_row_alone_equals_the_batch(population: Population) -> None:
    whole = compute_features(population.raw).values
    for i in range(0, population.n, 7):
        alone = compute_features(take_rows(population.raw, [i])).values[0]
        assert np.array_equal(alone, whole[i], equal_nan=True), i


def test_protected_attributes_are_never_read(population: Population) -> None:
    raw = population.raw
    p = raw.profiles
    changed = replace(
        raw,
        profiles=replace(p, owner_female=~p.owner_female, province=np.full_like(p.province, 91)),
    )
    assert np.array_equal(
        compute_features(raw).values, compute_features(changed).values, equal_nan=True
    )


def test_hand_computed_transaction_features() -> None:
    """Two complete months: Oct inflows 300+100, outflow 100; Sep inflow 200 (QRIS)."""
    p = make_payload(3)
    p["as_of"] = "2026-11-15"
    p["enterprise"]["founded_on"] = "2020-01-01"
    p["transactions"] = [
        {"date": "2026-10-03", "amount": 300, "direction": "in", "channel": "bank_transfer"},
        {"date": "2026-10-20", "amount": 100, "direction": "in", "channel": "ewallet"},
        {"date": "2026-10-21", "amount": 100, "direction": "out", "channel": "bank_transfer"},
        {"date": "2026-09-09", "amount": 200, "direction": "in", "channel": "qris"},
        {"date": "2026-11-02", "amount": 999, "direction": "in", "channel": "qris"},  # partial
    ]
    p["cooperative"] = None
    p["marketplace"] = []
    v = compute_features(parse_application(p)).values[0]

    def f(name: str) -> float:
        return float(v[FEATURE_INDEX[name]])

    assert f("tx_months_history") == 2
    assert f("tx_active_month_share") == 1.0
    assert f("tx_avg_monthly_inflow") == (400 + 200) / 2
    assert f("tx_avg_monthly_net_inflow") == (300 + 200) / 2
    # net 300 and 200: population s.d. 50, mean 250
    assert np.isclose(f("tx_net_inflow_cv"), 50 / 250, rtol=1e-12)
    assert f("tx_negative_month_share") == 0.0
    assert f("tx_outflow_inflow_ratio") == 100 / 600
    assert f("tx_digital_share") == 300 / 600
    assert f("tx_inflows_per_month") == 3 / 2
    assert np.isnan(f("tx_inflow_trend"))  # fewer than 3 months: no slope
    assert np.isnan(f("coop_tenure_months")) and np.isnan(f("coop_savings_on_time_share"))
    assert np.isnan(f("mp_avg_monthly_gmv")) and f("mp_store_months") == 0
    age_days = (date(2026, 11, 15) - date(2020, 1, 1)).days
    assert np.isclose(f("business_age_months"), age_days / 30.436875)


def test_trend_is_the_log_slope_of_monthly_inflow() -> None:
    p = make_payload(5)
    p["as_of"] = "2026-11-15"
    p["enterprise"]["founded_on"] = "2020-01-01"
    p["transactions"] = [
        {
            "date": f"2026-{m:02d}-10",
            "amount": int(1000 * 1.1**m),
            "direction": "in",
            "channel": "qris",
        }
        for m in range(1, 11)
    ]
    v = compute_features(parse_application(p)).values[0]
    expected = np.polyfit(np.arange(1, 11), np.log([int(1000 * 1.1**m) for m in range(1, 11)]), 1)
    assert np.isclose(v[FEATURE_INDEX["tx_inflow_trend"]], expected[0], rtol=1e-9)


DAY_LISTS = st.lists(st.integers(-25_600, 47_500), min_size=1, max_size=50) | st.lists(
    st.integers(-719_000, 2_900_000), min_size=1, max_size=50
)  # around 1900-2100 (mostly the look-up, sometimes just outside), and years 1-9900


@given(DAY_LISTS)
def test_month_of_day_look_up_agrees_with_the_calendar(days: list[int]) -> None:
    # days of 1900-2100 are looked up, others converted by numpy: both are the calendar's months
    got = month_of_day(np.array(days, dtype=np.int32))
    expected = [
        d.year * 12 + d.month - 1 for d in (date(1970, 1, 1) + timedelta(days=k) for k in days)
    ]
    assert got.dtype == np.int64 and got.tolist() == expected
