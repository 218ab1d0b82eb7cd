"""Logistic-regression scorecard on WoE-binned features: the challenger and sanity reference.

Numeric columns are cut at up to 10 quantiles of the training rows (heavy-tailed ratios need
no transform: only ranks matter); categorical codes are their own bins; missing is a bin of
its own. Each bin is replaced by its weight of evidence ln(share of goods / share of bads),
smoothed by half a count so empty cells stay finite, and a logistic regression is fitted on
the WoE columns. If the booster does not clearly beat this, something is wrong.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression

WOE_SMOOTHING = 0.5


class WoeScorecard:
    """WoE binning + logistic regression, in the scikit-learn fit/predict shape.

    Args:
        bins: quantile bins per numeric column.
        categorical: indices of categorical (integer-coded) columns.
        c: inverse L2 strength of the logistic regression.
    """

    def __init__(self, bins: int = 10, categorical: list[int] | None = None, c: float = 1.0):
        self.bins = bins
        self.categorical = set(categorical or [])
        self.c = c
        self.edges_: list[NDArray[np.float64]] = []
        self.woe_: list[dict[int, float]] = []
        self.model_: LogisticRegression | None = None

    def _bin(self, j: int, col: NDArray[np.float64]) -> NDArray[np.int64]:
        out = np.full(len(col), -1, dtype=np.int64)  # -1 = missing
        ok = ~np.isnan(col)
        if j in self.categorical:
            out[ok] = col[ok].astype(np.int64)
        else:
            out[ok] = np.searchsorted(self.edges_[j], col[ok], side="right")
        return out

    def fit(self, x: NDArray[np.float64], y: NDArray[np.int8]) -> WoeScorecard:
        """Learn bins, WoE values and the regression on training rows.

        Args:
            x: float64 matrix (categoricals as codes, NaN missing).
            y: 0/1 outcomes.

        Returns:
            self.
        """
        n_bad = float(y.sum())
        n_good = float(len(y) - n_bad)
        self.edges_, self.woe_ = [], []
        for j in range(x.shape[1]):
            col = x[:, j]
            v = col[~np.isnan(col)]
            edges = (
                np.unique(np.quantile(v, np.linspace(0, 1, self.bins + 1)[1:-1]))
                if len(v)
                else np.empty(0)
            )
            self.edges_.append(np.asarray(edges, dtype=np.float64))
            b = self._bin(j, col)
            table: dict[int, float] = {}
            for level in np.unique(b).tolist():
                m = b == level
                bad = float(y[m].sum())
                good = float(m.sum()) - bad
                table[int(level)] = float(
                    np.log(((good + WOE_SMOOTHING) / n_good) / ((bad + WOE_SMOOTHING) / n_bad))
                )
            self.woe_.append(table)
        self.model_ = LogisticRegression(C=self.c, max_iter=2000)
        self.model_.fit(self.transform(x), y)
        return self

    def transform(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Replace every value by the WoE of its bin (unseen bins get 0, i.e. no evidence)."""
        out = np.zeros(x.shape, dtype=np.float64)
        for j, table in enumerate(self.woe_):
            b = self._bin(j, x[:, j])
            levels = np.array(sorted(table), dtype=np.int64)
            values = np.array([table[k] for k in levels.tolist()], dtype=np.float64)
            pos = np.clip(np.searchsorted(levels, b), 0, len(levels) - 1)
            hit = levels[pos] == b
            out[hit, j] = values[pos[hit]]
        return out

    def predict_proba(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Probability of the bad class for each row."""
        if self.model_ is None:
            raise RuntimeError("WoeScorecard.predict_proba called before fit")
        return np.asarray(self.model_.predict_proba(self.transform(x))[:, 1], dtype=np.float64)
