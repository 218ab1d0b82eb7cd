"""Population stability index (PSI) and the baseline stored with a model to watch drift.

PSI = sum over bins of (a - e) * ln(a / e), where e and a are the shares of the baseline
(expected) and the new (actual) rows in each bin. Bins are 10 quantiles of the baseline;
an empty bin gets ``EPSILON`` so the logarithm stays finite. Usual reading: < 0.1 stable,
0.1-0.25 watch, > 0.25 shifted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

EPSILON = 1e-4
DEFAULT_BINS = 10


def quantile_edges(values: NDArray[np.float64], bins: int = DEFAULT_BINS) -> NDArray[np.float64]:
    """Inner cut points at the baseline's quantiles, duplicates removed.

    Args:
        values: baseline values; NaN ignored.
        bins: number of quantile bins wanted.

    Returns:
        Sorted unique inner edges (at most ``bins - 1``); missing values get their own bin.
    """
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return np.empty(0, dtype=np.float64)
    inner = np.quantile(v, np.linspace(0, 1, bins + 1)[1:-1])
    return np.unique(inner)


def bin_shares(values: NDArray[np.float64], edges: NDArray[np.float64]) -> NDArray[np.float64]:
    """Share of rows per bin: ``len(edges) + 1`` value bins, then one bin for missing.

    A value equal to an edge falls in the bin above it (``searchsorted(side="right")``).
    """
    v = np.asarray(values, dtype=np.float64)
    nan = np.isnan(v)
    idx = np.searchsorted(edges, v[~nan], side="right")
    counts = np.bincount(idx, minlength=len(edges) + 1).astype(np.float64)
    counts = np.append(counts, float(nan.sum()))
    return counts / max(len(v), 1)


def psi_from_shares(expected: NDArray[np.float64], actual: NDArray[np.float64]) -> float:
    """PSI of two share vectors over the same bins (empty bins lifted to ``EPSILON``)."""
    e = np.maximum(np.asarray(expected, dtype=np.float64), EPSILON)
    a = np.maximum(np.asarray(actual, dtype=np.float64), EPSILON)
    return float(np.sum((a - e) * np.log(a / e)))


def psi(
    expected: NDArray[np.float64], actual: NDArray[np.float64], bins: int = DEFAULT_BINS
) -> float:
    """Population stability index of ``actual`` against the baseline ``expected``.

    Args:
        expected: baseline values (bins are its quantiles).
        actual: new values.
        bins: number of quantile bins.

    Returns:
        The PSI (0 when the distributions match bin for bin).
    """
    edges = quantile_edges(expected, bins)
    return psi_from_shares(bin_shares(expected, edges), bin_shares(actual, edges))


@dataclass
class Baseline:
    """Bin edges and shares of the score and of each feature at training time."""

    edges: dict[str, list[float]] = field(default_factory=dict)
    shares: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def fit(cls, columns: dict[str, NDArray[np.float64]], bins: int = DEFAULT_BINS) -> Baseline:
        """Build a baseline from named columns (e.g. ``{"score": ..., "feature": ...}``).

        Args:
            columns: name -> baseline values (categorical codes work as numbers).
            bins: quantile bins per column.

        Returns:
            The baseline.
        """
        out = cls()
        for name, values in columns.items():
            e = quantile_edges(values, bins)
            out.edges[name] = [float(x) for x in e]
            out.shares[name] = [float(x) for x in bin_shares(values, e)]
        return out

    def psi(self, columns: dict[str, NDArray[np.float64]]) -> dict[str, float]:
        """PSI of each named column that the baseline knows.

        Args:
            columns: name -> new values.

        Returns:
            name -> PSI, for names present in both.
        """
        out = {}
        for name, values in columns.items():
            if name not in self.edges:
                continue
            edges = np.asarray(self.edges[name], dtype=np.float64)
            actual = bin_shares(values, edges)
            out[name] = psi_from_shares(np.asarray(self.shares[name]), actual)
        return out

    def to_json(self) -> str:
        """Serialise as JSON (keys sorted, so the text is deterministic)."""
        return json.dumps({"edges": self.edges, "shares": self.shares}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Baseline:
        """Rebuild from :meth:`to_json` output."""
        data: dict[str, Any] = json.loads(text)
        return cls(
            edges={k: [float(x) for x in v] for k, v in data["edges"].items()},
            shares={k: [float(x) for x in v] for k, v in data["shares"].items()},
        )
