"""DeLong's AUC variance: a 95% interval for one AUC, and a paired test of two on the same rows.

DeLong, DeLong & Clarke-Pearson (1988), in the midrank form of Sun & Xu (2014): the AUC is the
mean of the placement values V10 (per bad) and V01 (per good); its variance is
``var(V10) / m + var(V01) / n`` for ``m`` bads and ``n`` goods, computed from ranks in
O(N log N). Two models scored on the same rows share those rows, so the covariance of their
placements gives the paired test of the difference (no bootstrap, no seeds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm, rankdata

Z95 = float(norm.ppf(0.975))


def _placements(
    y: NDArray[np.int8], scores: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Placement values per model: V10 (m bads x k) and V01 (n goods x k), ties count half."""
    y = np.asarray(y).astype(bool)
    s = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    m, n = int(y.sum()), int((~y).sum())
    if m < 2 or n < 2:  # one row of a class has no variance to estimate
        raise ValueError(f"AUC interval needs both outcomes twice: {m} bad and {n} good rows")
    v10 = np.empty((m, s.shape[0]))
    v01 = np.empty((n, s.shape[0]))
    for k, row in enumerate(s):
        pos, neg = row[y], row[~y]
        r_all = rankdata(row)  # midranks over all rows
        r_pos, r_neg = rankdata(pos), rankdata(neg)
        v10[:, k] = (r_all[y] - r_pos) / n  # share of goods below each bad (ties half)
        v01[:, k] = 1.0 - (r_all[~y] - r_neg) / m  # share of bads above each good
    return v10, v01


@dataclass(frozen=True)
class AucInterval:
    """An AUC with its DeLong standard error and 95% interval (clipped to [0, 1])."""

    auc: float
    se: float
    low: float
    high: float

    def to_dict(self) -> dict[str, float]:
        return {"auc": self.auc, "se": self.se, "ci_low": self.low, "ci_high": self.high}


def auc_interval(y: NDArray[np.int8], p: NDArray[np.float64]) -> AucInterval:
    """AUC of ``p`` (higher = riskier) for outcomes ``y`` with its 95% DeLong interval."""
    v10, v01 = _placements(y, p)
    a = float(v10[:, 0].mean())
    var = float(v10[:, 0].var(ddof=1) / len(v10) + v01[:, 0].var(ddof=1) / len(v01))
    se = math.sqrt(max(var, 0.0))
    return AucInterval(a, se, max(0.0, a - Z95 * se), min(1.0, a + Z95 * se))


@dataclass(frozen=True)
class PairedAucTest:
    """Difference of two AUCs on the same rows (``b - a``), its interval and p-value."""

    auc_a: float
    auc_b: float
    difference: float
    se: float
    low: float
    high: float
    p_value: float

    @property
    def significant(self) -> bool:
        """True when the 95% interval of the difference excludes 0."""
        return self.p_value < 0.05

    def to_dict(self) -> dict[str, float | bool]:
        return {"auc_a": self.auc_a, "auc_b": self.auc_b, "difference": self.difference,
                "se": self.se, "ci_low": self.low, "ci_high": self.high,
                "p_value": self.p_value, "significant": self.significant}  # fmt: skip


def paired_auc_test(
    y: NDArray[np.int8], p_a: NDArray[np.float64], p_b: NDArray[np.float64]
) -> PairedAucTest:
    """DeLong's test of ``AUC(b) - AUC(a)`` for two models scored on the same rows."""
    v10, v01 = _placements(y, np.vstack([p_a, p_b]))
    aucs = v10.mean(axis=0)
    s10 = np.cov(v10, rowvar=False)
    s01 = np.cov(v01, rowvar=False)
    cov = s10 / len(v10) + s01 / len(v01)
    var = float(cov[0, 0] + cov[1, 1] - 2.0 * cov[0, 1])
    diff = float(aucs[1] - aucs[0])
    se = math.sqrt(max(var, 0.0))
    if se == 0.0:
        p_value = 1.0 if diff == 0.0 else 0.0
    else:
        p_value = float(2.0 * norm.sf(abs(diff) / se))
    return PairedAucTest(
        float(aucs[0]), float(aucs[1]), diff, se, diff - Z95 * se, diff + Z95 * se, p_value
    )
