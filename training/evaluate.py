"""Discrimination and calibration metrics, score-band tables and lift, in plain numpy.

Every function takes 0/1 outcomes ``y`` and predicted probabilities ``p`` (or scores) as
arrays and returns plain Python numbers or lists of dicts, so results go straight into JSON
and the model card.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import roc_auc_score

EPS = 1e-15


def auc(y: NDArray[np.int8], p: NDArray[np.float64]) -> float:
    """Area under the ROC curve (ties count half)."""
    return float(roc_auc_score(y, p))


def ks_statistic(y: NDArray[np.int8], p: NDArray[np.float64]) -> float:
    """Kolmogorov-Smirnov distance between the score distributions of bads and goods.

    Args:
        y: 0/1 outcomes (1 = bad).
        p: scores; higher means riskier.

    Returns:
        max over thresholds of |F_bad(t) - F_good(t)|, in [0, 1].
    """
    y = np.asarray(y)
    p = np.asarray(p, dtype=np.float64)
    order = np.argsort(p, kind="stable")
    ps, ys = p[order], y[order]
    n_bad = max(int(ys.sum()), 1)
    n_good = max(int(len(ys) - ys.sum()), 1)
    cum_bad = np.cumsum(ys) / n_bad
    cum_good = np.cumsum(1 - ys) / n_good
    # Only compare at the end of each run of tied scores.
    last_of_tie = np.r_[ps[1:] != ps[:-1], True]
    return float(np.max(np.abs(cum_bad - cum_good)[last_of_tie]))


def brier(y: NDArray[np.int8], p: NDArray[np.float64]) -> float:
    """Mean squared error of the probabilities."""
    return float(np.mean((np.asarray(p, dtype=np.float64) - y) ** 2))


def log_loss(y: NDArray[np.int8], p: NDArray[np.float64]) -> float:
    """Mean negative log-likelihood, with probabilities clipped away from 0 and 1."""
    q = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def decile_edges(p: NDArray[np.float64], bins: int = 10) -> NDArray[np.float64]:
    """Quantile edges of ``p`` (``bins + 1`` values, outer edges infinite)."""
    inner = np.quantile(np.asarray(p, dtype=np.float64), np.linspace(0, 1, bins + 1)[1:-1])
    return np.concatenate([[-np.inf], inner, [np.inf]])


def _rank_bins(p: NDArray[np.float64], bins: int) -> NDArray[np.int64]:
    """Assign rows to ``bins`` groups of (nearly) equal size by rank of ``p``."""
    order = np.argsort(np.asarray(p, dtype=np.float64), kind="stable")
    groups = np.empty(len(p), dtype=np.int64)
    groups[order] = (np.arange(len(p)) * bins) // max(len(p), 1)
    return groups


def calibration_table(
    y: NDArray[np.int8], p: NDArray[np.float64], bins: int = 10
) -> list[dict[str, float]]:
    """Mean predicted vs observed bad rate in equal-count groups of the prediction.

    Args:
        y: 0/1 outcomes.
        p: predicted probabilities.
        bins: number of groups (deciles by default).

    Returns:
        One dict per non-empty group: ``bin``, ``count``, ``predicted``, ``observed``.
    """
    groups = _rank_bins(p, bins)
    rows = []
    for b in range(bins):
        m = groups == b
        if not m.any():
            continue
        rows.append(
            {
                "bin": float(b + 1),
                "count": float(m.sum()),
                "predicted": float(np.mean(p[m])),
                "observed": float(np.mean(y[m])),
            }
        )
    return rows


def calibration_error(y: NDArray[np.int8], p: NDArray[np.float64], bins: int = 10) -> float:
    """Mean |mean predicted - observed| over equal-count groups (deciles)."""
    table = calibration_table(y, p, bins)
    return float(np.mean([abs(r["predicted"] - r["observed"]) for r in table]))


def lift_table(
    y: NDArray[np.int8], p: NDArray[np.float64], bins: int = 10
) -> list[dict[str, float]]:
    """Bad rate and lift by decile, riskiest decile first.

    Returns:
        Dicts with ``decile`` (1 = riskiest), ``count``, ``bad_rate``, ``lift`` (bad rate /
        overall bad rate) and ``cumulative_capture`` (share of all bads in this and riskier
        deciles).
    """
    groups = bins - 1 - _rank_bins(p, bins)
    base = max(float(np.mean(y)), EPS)
    total_bad = max(float(np.sum(y)), EPS)
    rows, captured = [], 0.0
    for d in range(bins):
        m = groups == d
        if not m.any():
            continue
        bad = float(np.sum(y[m]))
        captured += bad
        rows.append(
            {
                "decile": float(d + 1),
                "count": float(m.sum()),
                "bad_rate": bad / float(m.sum()),
                "lift": bad / float(m.sum()) / base,
                "cumulative_capture": captured / total_bad,
            }
        )
    return rows


def band_table(
    y: NDArray[np.int8], score: NDArray[np.float64], bands: Sequence[float]
) -> list[dict[str, Any]]:
    """Count, bad rate, good:bad odds and cumulative KS per score band.

    Args:
        y: 0/1 outcomes.
        score: score points; higher means SAFER (as in a scorecard).
        bands: increasing inner cut points; band i is ``[bands[i-1], bands[i])``.

    Returns:
        One dict per band from the riskiest (lowest score) up: ``band`` (label), ``count``,
        ``bads``, ``bad_rate``, ``odds`` (goods per bad, None when no bads) and ``cum_ks``
        (|cumulative bad share - cumulative good share| up to this band).
    """
    edges = [-np.inf, *map(float, bands), np.inf]
    idx = np.searchsorted(np.asarray(bands, dtype=np.float64), score, side="right")
    n_bad = max(int(np.sum(y)), 1)
    n_good = max(int(len(y) - np.sum(y)), 1)
    rows: list[dict[str, Any]] = []
    cum_bad = cum_good = 0
    for i in range(len(edges) - 1):
        m = idx == i
        count = int(m.sum())
        bads = int(np.sum(y[m]))
        cum_bad += bads
        cum_good += count - bads
        lo, hi = edges[i], edges[i + 1]
        label = (
            f"< {hi:g}" if lo == -np.inf else (f">= {lo:g}" if hi == np.inf else f"{lo:g}-{hi:g}")
        )
        rows.append(
            {
                "band": label,
                "count": count,
                "bads": bads,
                "bad_rate": bads / count if count else 0.0,
                "odds": (count - bads) / bads if bads else None,
                "cum_ks": abs(cum_bad / n_bad - cum_good / n_good),
            }
        )
    return rows


def summary_metrics(y: NDArray[np.int8], p: NDArray[np.float64]) -> dict[str, float]:
    """AUC, Gini, KS, Brier, log-loss, calibration error and base rates in one dict."""
    a = auc(y, p)
    return {
        "auc": a,
        "gini": 2.0 * a - 1.0,
        "ks": ks_statistic(y, p),
        "brier": brier(y, p),
        "log_loss": log_loss(y, p),
        "calibration_error": calibration_error(y, p),
        "bad_rate": float(np.mean(y)),
        "mean_pd": float(np.mean(p)),
        "rows": float(len(y)),
    }
