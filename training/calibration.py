"""Platt calibration on the LightGBM margin: PD = sigmoid(slope * margin + intercept).

Fitted on held-out rows only (the validation split), because the training rows' margins are
overconfident. Two parameters are hard to overfit, and the map is monotone, so the ranking
(AUC) of the booster is unchanged. Stored in the manifest as ``{"method": "platt", "a": slope,
"b": intercept}``, the representation ``scoring.model`` reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit
from sklearn.linear_model import LogisticRegression


def sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """The logistic function (scipy's ``expit``: stable at both tails)."""
    return np.asarray(expit(np.asarray(x, dtype=np.float64)), dtype=np.float64)


@dataclass(frozen=True)
class PlattCalibration:
    """A fitted Platt map from margin (log-odds) to probability."""

    slope: float = 1.0
    intercept: float = 0.0

    def apply(self, margin: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return calibrated probabilities for raw margins.

        Args:
            margin: LightGBM raw scores (log-odds).

        Returns:
            Probabilities in (0, 1).
        """
        return sigmoid(self.slope * np.asarray(margin, dtype=np.float64) + self.intercept)

    def to_dict(self) -> dict[str, Any]:
        """Return the manifest representation."""
        return {"method": "platt", "a": self.slope, "b": self.intercept}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlattCalibration:
        """Rebuild from :meth:`to_dict` output."""
        if data.get("method") != "platt":
            raise ValueError(f"not a Platt calibration: {data.get('method')!r}")
        return cls(float(data["a"]), float(data["b"]))


def fit_platt(margin: NDArray[np.float64], y: NDArray[np.int8]) -> PlattCalibration:
    """Fit slope and intercept by an unpenalised logistic regression of ``y`` on the margin.

    Platt's smoothed targets ((n+ + 1)/(n+ + 2) for bads, 1/(n- + 2) for goods) keep the fit
    finite when the held-out margins separate the classes perfectly. scikit-learn's
    ``LogisticRegression`` takes 0/1 labels, so each row enters twice, as a bad with weight t
    and as a good with weight 1 - t: the weighted log-loss is exactly Platt's.

    Args:
        margin: held-out raw scores.
        y: held-out 0/1 outcomes.

    Returns:
        The fitted calibration.
    """
    x = np.asarray(margin, dtype=np.float64).reshape(-1, 1)
    yy = np.asarray(y, dtype=np.float64)
    n_pos = float(yy.sum())
    n_neg = float(len(yy) - n_pos)
    t = np.where(yy > 0, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    labels = np.concatenate([np.ones(len(yy)), np.zeros(len(yy))])
    weights = np.concatenate([t, 1.0 - t])
    model = LogisticRegression(C=np.inf, solver="lbfgs", tol=1e-12, max_iter=1000)
    model.fit(np.vstack([x, x]), labels, sample_weight=weights)
    return PlattCalibration(float(model.coef_[0, 0]), float(model.intercept_[0]))
