"""Exact path-dependent TreeSHAP for LightGBM models, from per-leaf tables.

LightGBM's ``pred_contrib`` re-runs the TreeSHAP recursion for every row (O(leaves x
depth^2) per tree, ~0.5 ms per row for the demo model) and dominates the request path.
The recursion's answer for one leaf depends only on the leaf value, the share of training
rows that follow the path at each of its features (fixed by the model) and *which* of those
features the row follows (d bits). So the leaf's contributions are tabulated once for all 2^d
patterns when the bundle loads; a row then costs one comparison per split and one table
lookup per leaf (~20x faster). Leaves with too many features for the table budget are
computed on the fly with the same closed form (``treeshap_kernels.leaf_phi``).

The values are the same Shapley values as LightGBM's (and shap's TreeExplainer), summed in a
different order: tests bound the difference by 1e-9 on the demo model and on generated models,
and ``TreeShap.for_booster`` checks probe rows against LightGBM before it is used. Models
with categorical splits, linear trees or several classes are left to LightGBM.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray

from scoring import treeshap_kernels as kernels
from scoring.lgbm_trees import CATEGORICAL, DEFAULT_LEFT, Tree, model_trees

F64 = NDArray[np.float64]
TABLE_BUDGET_BYTES = 64 * 2**20  # per model; the demo model needs 7 MB
MAX_TABLE_DEPTH = 14
SELF_CHECK_ROWS = 96
SELF_CHECK_TOLERANCE = 1e-9
# numba's dispatchers carry their own signature types; the kernels' docstrings say what they take.
_rows_contrib: Callable[..., float] = kernels.rows_contrib
_fill_tables: Callable[..., None] = kernels.fill_tables


class UnsupportedModel(ValueError):
    """The model has a structure these tables do not cover (LightGBM computes it instead)."""


@dataclass
class _Builder:
    """Flattens trees into arrays: split nodes in pre-order, and each leaf's features."""

    node_feature: list[int]
    node_threshold: list[float]
    node_default_left: list[bool]
    node_missing: list[int]
    node_bit: list[int]
    node_left: list[int]
    node_right: list[int]
    leaf_value: list[float]
    feat_start: list[int]
    leaf_feature: list[int]
    leaf_zero: list[float]
    bias: float = 0.0

    def add_tree(self, tree: Tree) -> None:
        """Add one tree (its nodes renumbered in pre-order, its leaves in visiting order)."""
        if tree.is_linear:
            raise UnsupportedModel("linear tree")
        if not tree.split_feature:  # a single leaf: a constant, all of it bias
            self.bias += tree.leaf_value[0]
            return
        total = float(tree.internal_count[0])
        # (node or ~leaf, parent slot to patch, path features by first appearance, zero shares)
        stack: list[
            tuple[int, tuple[list[int], int] | None, tuple[int, ...], tuple[float, ...]]
        ] = [(0, None, (), ())]
        while stack:
            node, slot, features, zero = stack.pop()
            if node < 0:
                if slot is not None:
                    slot[0][slot[1]] = ~len(self.leaf_value)
                self._add_leaf(tree, ~node, features, zero, total)
                continue
            kind = tree.decision_type[node]
            if kind & CATEGORICAL:
                raise UnsupportedModel("categorical split")
            nid = len(self.node_feature)
            if slot is not None:
                slot[0][slot[1]] = nid
            feature = tree.split_feature[node]
            position = features.index(feature) if feature in features else len(features)
            if position == kernels.MAX_UNIQUE:
                raise UnsupportedModel(f"a path with over {kernels.MAX_UNIQUE} features")
            self.node_feature.append(feature)
            self.node_threshold.append(tree.threshold[node])
            self.node_default_left.append(bool(kind & DEFAULT_LEFT))
            self.node_missing.append(tree.missing_type(node))
            self.node_bit.append(1 << position)
            self.node_left.append(0)
            self.node_right.append(0)
            if position == len(features):  # a repeated feature is one player: shares multiply
                features, zero = (*features, feature), (*zero, 1.0)
            count = float(tree.internal_count[node])
            for child, side in (
                (tree.right_child[node], self.node_right),
                (tree.left_child[node], self.node_left),
            ):
                child_count = tree.internal_count[child] if child >= 0 else tree.leaf_count[~child]
                shares = list(zero)
                shares[position] *= child_count / count
                stack.append((child, (side, nid), features, tuple(shares)))

    def _add_leaf(
        self,
        tree: Tree,
        leaf: int,
        features: tuple[int, ...],
        zero: tuple[float, ...],
        total: float,
    ) -> None:
        value = tree.leaf_value[leaf]
        self.leaf_value.append(value)
        self.bias += tree.leaf_count[leaf] / total * value
        self.leaf_feature.extend(features)
        self.leaf_zero.extend(zero)
        self.feat_start.append(len(self.leaf_feature))


@dataclass(frozen=True, eq=False)
class TreeShap:
    """Tabulated TreeSHAP of one binary LightGBM model (build with ``from_booster``)."""

    n_features: int
    bias: float
    # in ``kernels.rows_contrib`` argument order; megabytes, so kept out of repr (and test logs)
    arrays: tuple[NDArray[Any], ...] = field(repr=False)
    table_depth: int

    @classmethod
    def from_booster(cls, booster: lgb.Booster, max_depth: int = MAX_TABLE_DEPTH) -> TreeShap:
        """Tabulate a model; ``UnsupportedModel`` if it is not a plain numeric binary model.

        Leaves with more than ``max_depth`` distinct path features (or more than the memory
        budget allows) are computed per row instead of looked up.
        """
        if booster.num_model_per_iteration() != 1:
            raise UnsupportedModel("more than one tree per iteration")
        b = _Builder([], [], [], [], [], [], [], [], [0], [], [])
        for tree in model_trees(booster):
            b.add_tree(tree)
        feat_start = np.array(b.feat_start, dtype=np.int64)
        leaf_value = np.array(b.leaf_value, dtype=np.float64)
        leaf_zero = np.array(b.leaf_zero, dtype=np.float64)
        depth, table_start = _table_layout(np.diff(feat_start), max_depth)
        table = np.zeros(int(table_start[-1]), dtype=np.float64)
        _fill_tables(leaf_value, feat_start, leaf_zero, table_start, table, depth)
        arrays = (
            np.array(b.node_feature, dtype=np.int32),
            np.array(b.node_threshold, dtype=np.float64),
            np.array(b.node_default_left, dtype=np.int64),
            np.array(b.node_missing, dtype=np.int8),
            np.array(b.node_bit, dtype=np.int64),
            np.array(b.node_left, dtype=np.int32),
            np.array(b.node_right, dtype=np.int32),
            leaf_value,
            feat_start,
            np.array(b.leaf_feature, dtype=np.int32),
            leaf_zero,
            table_start,
            table,
        )
        return cls(int(booster.num_feature()), b.bias, arrays, depth)

    @classmethod
    def for_booster(cls, booster: lgb.Booster) -> TreeShap | None:
        """Tabulate and check against LightGBM on probe rows; ``None`` means use LightGBM.

        The check runs once per loaded model (a few ms) and guards the one thing tests on
        other models cannot: a LightGBM release that decides or counts differently.
        """
        try:
            shap = cls.from_booster(booster)
        except UnsupportedModel:
            return None
        X = probe_rows(shap, SELF_CHECK_ROWS)
        expected = np.asarray(booster.predict(X, pred_contrib=True, num_threads=1))
        gap = float(np.max(np.abs(shap.contributions(X) - expected)))
        if not gap <= SELF_CHECK_TOLERANCE:
            message = f"tabulated TreeSHAP differs from LightGBM by {gap:.3g}; using LightGBM"
            warnings.warn(message, RuntimeWarning, stacklevel=2)
            return None
        return shap

    def contributions(self, X: F64) -> F64:
        """Return contributions (n, k + 1), bias last, as LightGBM's ``pred_contrib``."""
        X = np.ascontiguousarray(X, dtype=np.float64).reshape(-1, self.n_features)
        out = np.empty((X.shape[0], self.n_features + 1), dtype=np.float64)
        _rows_contrib(X, out, self.bias, *self.arrays, self.table_depth)
        return out


def _table_layout(unique: NDArray[np.int64], max_depth: int) -> tuple[int, NDArray[np.int64]]:
    """Pick the deepest table within the budget; return it and each leaf's table offset."""

    def sizes(depth: int) -> NDArray[np.int64]:
        return np.where(unique <= depth, (2 ** np.minimum(unique, depth)) * unique, 0)

    depth = max_depth
    while depth > 0 and int(sizes(depth).sum()) * 8 > TABLE_BUDGET_BYTES:
        depth -= 1
    return depth, np.concatenate([[0], np.cumsum(sizes(depth))]).astype(np.int64)


def probe_rows(shap: TreeShap, n: int, seed: int = 0) -> F64:
    """Rows that exercise every split: values at, just around and far from each threshold,
    zeros, values LightGBM reads as zero, infinities and NaN (deterministic for a model)."""
    rng = np.random.default_rng(seed)
    node_feature, node_threshold = shap.arrays[0], shap.arrays[1]
    X = np.empty((n, shap.n_features), dtype=np.float64)
    for j in range(shap.n_features):
        t = node_threshold[node_feature == j]
        t = t[np.isfinite(t)] if np.isfinite(t).any() else np.zeros(1)
        around = np.concatenate([t, np.nextafter(t, np.inf), np.nextafter(t, -np.inf)])
        special = np.array(
            [
                np.nan,
                0.0,
                -0.0,
                1e-40,
                -1e-40,
                np.inf,
                -np.inf,
                1e300,
                -1e300,
                t.min() - 1.0,
                t.max() + 1.0,
            ]
        )
        pool = np.concatenate([around, special])
        X[:, j] = pool[rng.integers(0, len(pool), n)]
    return X
