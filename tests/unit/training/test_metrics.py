"""Metrics against independent computations: sklearn, hand-worked examples, brute force."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

from training.evaluate import (
    auc,
    band_table,
    brier,
    calibration_error,
    ks_statistic,
    lift_table,
)
from training.evaluate import log_loss as our_log_loss
from training.fairness import fairness_table
from training.psi import Baseline, psi


def test_ks_hand_example() -> None:
    # Bads score 3, 4, 6; goods 1, 2, 5. Worked by hand over thresholds t:
    # t=2: F_bad = 0, F_good = 2/3 -> 2/3 (the maximum); t=3: 1/3 vs 2/3; t=4: 2/3 vs 2/3.
    y = np.array([0, 0, 1, 1, 0, 1], dtype=np.int8)
    p = np.array([1, 2, 3, 4, 5, 6], dtype=np.float64)
    assert abs(ks_statistic(y, p) - 2 / 3) < 1e-12


def test_ks_ignores_order_inside_ties() -> None:
    y = np.array([1, 0, 0, 1], dtype=np.int8)
    p = np.array([0.5, 0.5, 0.5, 0.5])
    assert ks_statistic(y, p) == 0.0


def ks_brute(y: np.ndarray, p: np.ndarray) -> float:
    best = 0.0
    for t in np.unique(p):
        fb = np.mean(p[y == 1] <= t)
        fg = np.mean(p[y == 0] <= t)
        best = max(best, abs(fb - fg))
    return float(best)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 20)), min_size=4, max_size=60))
def test_metrics_match_independent_versions(rows: list[tuple[int, int]]) -> None:
    y = np.array([r[0] for r in rows], dtype=np.int8)
    if y.min() == y.max():
        return
    p = np.array([r[1] for r in rows], dtype=np.float64) / 20.0
    assert abs(auc(y, p) - roc_auc_score(y, p)) < 1e-12
    assert abs(ks_statistic(y, p) - ks_brute(y, p)) < 1e-12
    assert abs(brier(y, p) - brier_score_loss(y, p)) < 1e-12
    q = np.clip(p, 0.01, 0.99)
    assert abs(our_log_loss(y, q) - log_loss(y, q)) < 1e-9


def test_calibration_error_of_a_perfect_and_a_shifted_model() -> None:
    p = np.repeat(np.linspace(0.05, 0.5, 10), 100)
    # In each decile exactly round(100 * p) bads: observed == predicted to rounding.
    y = np.concatenate([(np.arange(100) < round(100 * v)).astype(np.int8) for v in p[::100]])
    assert calibration_error(y, p) < 0.006
    assert abs(calibration_error(y, p + 0.1) - 0.1) < 0.006


def test_band_table_hand_example() -> None:
    y = np.array([1, 1, 0, 1, 0, 0, 0, 0], dtype=np.int8)
    score = np.array([500, 510, 520, 560, 570, 600, 610, 620], dtype=np.float64)
    rows = band_table(y, score, [550, 600])
    assert [r["count"] for r in rows] == [3, 2, 3]
    assert [r["bads"] for r in rows] == [2, 1, 0]
    assert rows[0]["odds"] == 0.5 and rows[2]["odds"] is None
    # cumulative: bads 2/3, goods 1/5 -> 0.4667; then bads 1, goods 2/5 -> 0.6; then 0
    assert [round(r["cum_ks"], 4) for r in rows] == [0.4667, 0.6, 0.0]


def test_lift_riskiest_decile_first() -> None:
    p = np.linspace(0, 1, 100)
    y = (p > 0.9).astype(np.int8)
    rows = lift_table(y, p)
    assert rows[0]["bad_rate"] == 1.0 and rows[0]["cumulative_capture"] == 1.0
    assert abs(rows[0]["lift"] - 10.0) < 1e-9


def test_psi_hand_example() -> None:
    expected = np.arange(10, dtype=np.float64)  # edges 0.9..8.1: one value per decile
    actual = np.array([0.0] * 5 + [9.0] * 5)  # half in the first, half in the last bin
    # shares: expected 0.1 each; actual 0.5, 0, ..., 0, 0.5 (empty bins -> 1e-4), missing 0
    want = 2 * (0.5 - 0.1) * np.log(0.5 / 0.1) + 8 * (1e-4 - 0.1) * np.log(1e-4 / 0.1)
    assert abs(psi(expected, actual) - want) < 1e-9
    assert psi(expected, expected) == 0.0


def test_baseline_round_trips_through_json() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=500), rng.normal(1.0, size=500)
    base = Baseline.fit({"score": a})
    again = Baseline.from_json(base.to_json())
    assert again.psi({"score": b}) == base.psi({"score": b})
    assert base.psi({"score": b})["score"] > 0.25 > base.psi({"score": a})["score"]


def test_fairness_four_fifths() -> None:
    y = np.zeros(8, dtype=np.int8)
    y[[1, 5]] = 1
    pd_ = np.array([0.1, 0.9, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9])
    group = np.array(["F"] * 4 + ["M"] * 4)
    rows = {r["group"]: r for r in fairness_table(y, pd_, group, cutoff=0.5)}
    assert rows["F"]["approval_rate"] == 0.75 and rows["M"]["approval_rate"] == 0.25
    assert abs(rows["M"]["approval_ratio"] - 1 / 3) < 1e-12
    assert rows["F"]["passes_four_fifths"] and not rows["M"]["passes_four_fifths"]
