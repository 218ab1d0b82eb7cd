"""Compiled kernels of ``scoring.treeshap`` (numba; see that module for the method).

Kept apart so the typed Python wrapper stays readable and mypy-strict: numba ships no type
hints, so these functions are untyped to the type checker by design.
"""

# mypy: disable-error-code="misc"

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from scoring.lgbm_trees import MISSING_NAN, MISSING_ZERO

# LightGBM's kZeroThreshold is the float literal 1e-35f: a row value with |v| <= it is read
# as 0.0 (the predictor keeps only larger values and NaN in its buffer).
ZERO_THRESHOLD = float(np.float32(1e-35))
MAX_UNIQUE = 62  # a leaf's agree-mask is an int64 bit set


@numba.njit(cache=True, nogil=True)
def leaf_phi(value: float, zero: Any, mask: int, out: Any) -> None:
    """Write one leaf's Shapley contributions to its ``d`` path features into ``out[:d]``.

    ``zero[t]`` is the share of training rows that follow the path at feature t's splits;
    bit t of ``mask`` says whether this row follows them (o_t). With P the agreeing features
    (p of them), Q the others and w(k) = k! (d-k-1)! / d!, the Shapley value is
    ``-v * prod_Q(z) * sum_k w(k) e_{p-k}(z_P)`` for t in Q and
    ``v * (1 - z_t) * prod_Q(z) * sum_k w(k) e_{p-1-k}(z_{P - t})`` for t in P,
    where e_r are the elementary symmetric polynomials; removing z_t from e is one pass
    (e'_r = e_r - z_t e'_{r-1}) whose error grows only linearly because every z <= 1.
    """
    d = zero.shape[0]
    e = np.zeros(d + 1)
    e[0] = 1.0
    p = 0
    prod_q = 1.0
    for t in range(d):
        if (mask >> t) & 1:
            p += 1
            for r in range(p, 0, -1):
                e[r] += zero[t] * e[r - 1]
        else:
            prod_q *= zero[t]
    w = np.empty(d)
    w[0] = 1.0 / d
    for k in range(1, d):
        w[k] = w[k - 1] * k / (d - k)
    a = 0.0
    if p < d:
        for k in range(p + 1):
            a += w[k] * e[p - k]
    for t in range(d):
        if (mask >> t) & 1:
            prev = 1.0
            b = w[p - 1]
            for r in range(1, p):
                cur = e[r] - zero[t] * prev
                b += w[p - 1 - r] * cur
                prev = cur
            out[t] = value * (1.0 - zero[t]) * prod_q * b
        else:
            out[t] = -value * prod_q * a


@numba.njit(cache=True, nogil=True)
def fill_tables(
    leaf_value: Any, feat_start: Any, leaf_zero: Any, table_start: Any, table: Any, depth: int
) -> None:
    """Tabulate ``leaf_phi`` for every agree-mask of every leaf with at most ``depth`` features."""
    phi = np.empty(MAX_UNIQUE)
    for leaf in range(leaf_value.shape[0]):
        f0 = feat_start[leaf]
        d = feat_start[leaf + 1] - f0
        if d > depth:
            continue
        base = table_start[leaf]
        for mask in range(1 << d):
            leaf_phi(leaf_value[leaf], leaf_zero[f0 : f0 + d], mask, phi)
            for t in range(d):
                table[base + mask * d + t] = phi[t]


@numba.njit(cache=True, nogil=True)
def rows_contrib(
    X: Any,
    out: Any,
    bias: float,
    node_feature: Any,
    node_threshold: Any,
    node_default_left: Any,
    node_missing: Any,
    node_bit: Any,
    node_left: Any,
    node_right: Any,
    leaf_value: Any,
    feat_start: Any,
    leaf_feature: Any,
    leaf_zero: Any,
    table_start: Any,
    table: Any,
    depth: int,
) -> float:
    """Write the contributions of every row of ``X`` into ``out`` (n, k + 1; bias last).

    Returns the sum of the touched table entries, of no use but to keep the touching loads.

    Split nodes come in pre-order (a parent before its children); a child index ``c < 0``
    is leaf ``~c``. A leaf numbers its path features by first appearance from the root, so a
    split's bit is the same for every leaf below it and the bits a row fails to follow can be
    pushed down the tree once instead of walking each leaf's path.
    """
    n_nodes = node_feature.shape[0]
    off_node = np.zeros(n_nodes, np.int64)  # roots are never written and stay 0
    n_leaves = leaf_value.shape[0]
    off_leaf = np.empty(n_leaves, np.int64)
    mask = np.empty(n_leaves, np.int64)
    record = np.empty(n_leaves, np.int64)  # offset of the leaf's table record, -1: computed
    touched = 0.0
    phi = np.empty(MAX_UNIQUE)
    k = X.shape[1]
    for r in range(X.shape[0]):
        x = X[r]
        row = out[r]
        for j in range(k):
            row[j] = 0.0
        row[k] = bias
        for i in range(n_nodes):
            # The split's decision exactly as LightGBM's NumericalDecision takes it.
            v = x[node_feature[i]]
            missing = node_missing[i]
            if v != v and missing == MISSING_NAN:
                left = node_default_left[i]
            else:
                if v != v or -ZERO_THRESHOLD <= v <= ZERO_THRESHOLD:
                    v = 0.0  # NaN without a NaN branch, and values too small to store, read 0
                if missing == MISSING_ZERO and v == 0.0:
                    left = node_default_left[i]
                else:
                    left = v <= node_threshold[i]
            off = off_node[i]
            bit = node_bit[i]
            to_left = off | (bit * (1 - left))  # leaves on the left fail this split if we go right
            to_right = off | (bit * left)
            c = node_left[i]
            if c >= 0:
                off_node[c] = to_left
            else:
                off_leaf[~c] = to_left
            c = node_right[i]
            if c >= 0:
                off_node[c] = to_right
            else:
                off_leaf[~c] = to_right
        # Where each leaf's record is, then one load per record in a loop without branches:
        # the lookups miss the cache on a busy server, and a loop whose trip count changes per
        # leaf (d) mispredicts its exit and throws the overlapping misses away. The second pass
        # then finds the records cached (measured in bench.scoring's cold single-row case).
        for leaf in range(n_leaves):
            d = feat_start[leaf + 1] - feat_start[leaf]
            mask[leaf] = ((np.int64(1) << d) - 1) & ~off_leaf[leaf]
            record[leaf] = table_start[leaf] + mask[leaf] * d if d <= depth else -1
        if table.shape[0]:  # (record 0 stands in for computed leaves)
            for leaf in range(n_leaves):
                touched += table[max(record[leaf], 0)]
        for leaf in range(n_leaves):
            f0 = feat_start[leaf]
            d = feat_start[leaf + 1] - f0
            if record[leaf] >= 0:
                base = record[leaf]
                for t in range(d):
                    row[leaf_feature[f0 + t]] += table[base + t]
            else:
                leaf_phi(leaf_value[leaf], leaf_zero[f0 : f0 + d], mask[leaf], phi)
                for t in range(d):
                    row[leaf_feature[f0 + t]] += phi[t]
    return touched
