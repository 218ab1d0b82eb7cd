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


def sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Numerically stable logistic function."""
    out = np.empty_like(x, dtype=np.float64)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    ex = np.exp(x[~pos])
    out[~pos] = ex / (1.0 + ex)
    return out


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


def fit_platt(
    margin: NDArray[np.float64], y: NDArray[np.int8], max_iter: int = 100
) -> PlattCalibration:
    """Fit slope and intercept by Newton's method on the log-loss.

    Platt's smoothed targets ((n+ + 1)/(n+ + 2), 1/(n- + 2)) keep the fit finite when the
    held-out margins separate the classes perfectly.

    Args:
        margin: held-out raw scores.
        y: held-out 0/1 outcomes.
        max_iter: Newton steps at most.

    Returns:
        The fitted calibration.
    """
    x = np.asarray(margin, dtype=np.float64)
    yy = np.asarray(y, dtype=np.float64)
    n_pos = float(yy.sum())
    n_neg = float(len(yy) - n_pos)
    t = np.where(yy > 0, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))

    def loss(a: float, b: float) -> float:
        z = a * x + b
        # log(1 + exp(z)) - t z, computed without overflow.
        return float(np.sum(np.logaddexp(0.0, z) - t * z))

    a, b = 1.0, 0.0
    current = loss(a, b)
    for _ in range(max_iter):
        p = sigmoid(a * x + b)
        w = np.maximum(p * (1.0 - p), 1e-12)
        r = p - t
        g = np.array([np.dot(r, x), r.sum()])
        h = np.array([[np.dot(w * x, x), np.dot(w, x)], [np.dot(w, x), w.sum()]])
        h += np.eye(2) * 1e-9
        step = np.linalg.solve(h, g)
        # Backtracking: a full Newton step from a badly scaled start can overshoot (the
        # Hessian vanishes where the sigmoid saturates), so halve it until the loss drops.
        scale = 1.0
        while scale > 1e-10:
            na, nb = a - scale * float(step[0]), b - scale * float(step[1])
            new = loss(na, nb)
            if new <= current:
                break
            scale /= 2.0
        else:
            break
        a, b, current = na, nb, new
        if scale * np.max(np.abs(step)) < 1e-10:
            break
    return PlattCalibration(a, b)
