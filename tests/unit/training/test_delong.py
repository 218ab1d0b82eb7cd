"""DeLong's interval and paired test against the textbook O(m*n) definition, computed here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from training.delong import auc_interval, paired_auc_test


def psi(x: float, y: float) -> float:
    """Kernel of the Mann-Whitney statistic: 1 if the bad scores higher, 1/2 on a tie."""
    return 1.0 if x > y else 0.5 if x == y else 0.0


def textbook(y: np.ndarray, scores: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """AUCs and their covariance matrix, by DeLong et al. (1988) eq. by eq., pair by pair."""
    bads = np.flatnonzero(y == 1)
    goods = np.flatnonzero(y == 0)
    m, n = len(bads), len(goods)
    v10 = np.array([[np.mean([psi(s[i], s[j]) for j in goods]) for s in scores] for i in bads])
    v01 = np.array([[np.mean([psi(s[i], s[j]) for i in bads]) for s in scores] for j in goods])
    aucs = v10.mean(axis=0)
    k = len(scores)
    s10 = np.array(
        [
            [np.sum((v10[:, a] - aucs[a]) * (v10[:, b] - aucs[b])) / (m - 1) for b in range(k)]
            for a in range(k)
        ]
    )
    s01 = np.array(
        [
            [np.sum((v01[:, a] - aucs[a]) * (v01[:, b] - aucs[b])) / (n - 1) for b in range(k)]
            for a in range(k)
        ]
    )
    return aucs, s10 / m + s01 / n


def test_a_worked_example() -> None:
    # 2 bads (scores 0.9, 0.4) and 3 goods (0.1, 0.4, 0.8): pairs bad>good count 1, ties 1/2
    # bad 0.9 beats all three goods: V10 = 1; bad 0.4 beats 0.1, ties 0.4, loses to 0.8: 1.5/3
    # AUC = (1 + 0.5) / 2 = 0.75
    y = np.array([1, 1, 0, 0, 0], dtype=np.int8)
    p = np.array([0.9, 0.4, 0.1, 0.4, 0.8])
    got = auc_interval(y, p)
    assert got.auc == pytest.approx(0.75)
    # V01 per good: 0.1 -> 1, 0.4 -> (1 + 0.5)/2 = 0.75, 0.8 -> 0.5
    # var = var([1, .5])/2 + var([1, .75, .5])/3 = 0.125/2 + 0.0625/3
    assert got.se == pytest.approx(math.sqrt(0.125 / 2 + 0.0625 / 3))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(8, 60))
def test_interval_and_paired_test_match_the_textbook(seed: int, size: int) -> None:
    rng = np.random.default_rng(seed)
    y = (rng.random(size) < 0.4).astype(np.int8)
    y[:4] = (0, 1, 0, 1)  # both outcomes, twice each
    a = np.round(rng.normal(size=size) + y, 1)  # rounding makes ties
    b = np.round(rng.normal(size=size) + 0.5 * y, 1)
    aucs, cov = textbook(y, [a, b])
    one = auc_interval(y, a)
    assert one.auc == pytest.approx(aucs[0], abs=1e-12)
    assert one.auc == pytest.approx(roc_auc_score(y, a), abs=1e-12)
    assert one.se == pytest.approx(math.sqrt(cov[0, 0]), abs=1e-12)
    pair = paired_auc_test(y, a, b)
    assert pair.difference == pytest.approx(aucs[1] - aucs[0], abs=1e-12)
    expected_se = math.sqrt(max(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1], 0.0))
    assert pair.se == pytest.approx(expected_se, abs=1e-12)


def test_the_interval_covers_the_truth_about_95_percent_of_the_time() -> None:
    # two normal score distributions one sd apart: true AUC = Phi(1 / sqrt(2))
    from scipy.stats import norm

    truth = float(norm.cdf(1 / math.sqrt(2)))
    rng = np.random.default_rng(7)
    hits = 0
    for _ in range(400):
        y = (rng.random(300) < 0.3).astype(np.int8)
        p = rng.normal(size=300) + y
        ci = auc_interval(y, p)
        hits += ci.low <= truth <= ci.high
    assert 0.92 <= hits / 400 <= 0.98


def test_a_model_against_itself_is_not_significant_and_one_class_is_refused() -> None:
    y = np.array([0, 1, 0, 1, 1, 0], dtype=np.int8)
    p = np.array([0.1, 0.7, 0.3, 0.6, 0.2, 0.5])
    same = paired_auc_test(y, p, p)
    assert same.difference == 0 and same.p_value == 1.0 and not same.significant
    with pytest.raises(ValueError, match="both outcomes"):
        auc_interval(np.zeros(4, dtype=np.int8), np.arange(4.0))
    with pytest.raises(ValueError, match="1 bad"):
        auc_interval(np.array([1, 0, 0], dtype=np.int8), np.arange(3.0))
