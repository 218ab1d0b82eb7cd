"""Compiled kernels of ``training.symmetric`` (numba; see that module for the method).

Kept apart so the typed Python wrapper stays readable and mypy-strict: numba ships no type
hints, so these functions are untyped to the type checker by design.
"""

# mypy: disable-error-code="misc"

from __future__ import annotations

from typing import Any

import numba
import numpy as np


@numba.njit(cache=True, nogil=True, fastmath=True)
def level_scores(
    bins_t: Any,
    rows: Any,
    leaf: Any,
    grad: Any,
    weight: Any,
    n_leaves: int,
    n_bins_of: Any,
    n_bins: int,
    l2: float,
) -> Any:
    """Score every (feature, threshold) split of all current leaves: a (features, bins - 1) array.

    ``bins_t`` is the (features, rows) bin matrix; only ``rows`` (the sampled ones) are read, with
    their ``grad`` (already weighted) and ``weight``. Threshold t sends bins <= t left. The score
    is the L2 gain summed over the leaves, sum (G_left^2 / (W_left + l2) + G_right^2 /
    (W_right + l2)); thresholds a feature does not have are -inf. One feature's histogram at a
    time (bins x leaves) stays in cache while the rows stream past, and the leaves are the inner
    loop so the gains of all leaves at one threshold are computed side by side.
    """
    f = bins_t.shape[0]
    out = np.full((f, n_bins - 1), -np.inf)
    g_total = np.zeros(n_leaves)
    w_total = np.zeros(n_leaves)
    for i in rows:
        g_total[leaf[i]] += grad[i]
        w_total[leaf[i]] += weight[i]
    hist_g = np.empty((n_bins, n_leaves))
    hist_w = np.empty((n_bins, n_leaves))
    g_left = np.empty(n_leaves)
    w_left = np.empty(n_leaves)
    for j in range(f):
        m = n_bins_of[j]
        hist_g[:m] = 0.0
        hist_w[:m] = 0.0
        col = bins_t[j]
        for i in rows:
            b = col[i]
            node = leaf[i]
            hist_g[b, node] += grad[i]
            hist_w[b, node] += weight[i]
        g_left[:] = 0.0
        w_left[:] = 0.0
        for t in range(m - 1):
            total = 0.0
            for node in range(n_leaves):
                gl = g_left[node] + hist_g[t, node]
                wl = w_left[node] + hist_w[t, node]
                g_left[node] = gl
                w_left[node] = wl
                gr = g_total[node] - gl
                wr = w_total[node] - wl
                total += gl * gl / (wl + l2) + gr * gr / (wr + l2)
            out[j, t] = total
    return out
