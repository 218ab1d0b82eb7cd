"""The exact monotonicity check finds real violations only, and training refuses them.

LightGBM's "advanced" constraint method breaks constraints on the synthetic population (a
LightGBM bug), which gives real violations to find. Each one the check reports is confirmed
by LightGBM itself: a row whose tree output moves the wrong way as the feature rises.
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

from fixtures import generate_population
from scoring.feature_spec import FEATURE_NAMES, FEATURES
from scoring.features import compute_features
from scoring.lgbm_trees import model_trees
from training.monotone import (
    MonotoneViolation,
    _categories_meet,
    leaf_boxes,
    monotone_violations,
)
from training.population import numeric_encoder
from training.train import default_params, train_matrix

SIGNS = [f.monotone for f in FEATURES]
Data = tuple[np.ndarray, np.ndarray]


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    pop = generate_population(12_000, 7)
    return compute_features(pop.raw).values, pop.defaulted.astype(np.int8)


def _train(data: tuple[np.ndarray, np.ndarray], method: str) -> lgb.Booster:
    X, y = data
    p = {**default_params(len(y), seed=42), "monotone_constraints": SIGNS,
         "monotone_constraints_method": method}  # fmt: skip
    return lgb.train(p, lgb.Dataset(X, y, feature_name=list(FEATURE_NAMES)), num_boost_round=150)


def _grid_violations(booster: lgb.Booster, X: np.ndarray, rows: int = 80) -> set[str]:
    """Features whose declared direction a quantile grid breaks for some sampled row."""
    found = set()
    rng = np.random.default_rng(0)
    for k, f in enumerate(FEATURES):
        if not f.monotone:
            continue
        column = X[:, k][~np.isnan(X[:, k])]
        grid = np.unique(np.quantile(column, np.linspace(0, 1, 40)))
        for r in rng.integers(0, len(X), rows):
            batch = np.repeat(X[r : r + 1], len(grid), axis=0)
            batch[:, k] = grid
            step = np.diff(booster.predict(batch, raw_score=True, num_threads=1)) * f.monotone
            if (step < -1e-12).any():
                found.add(f.name)
                break
    return found


def test_every_reported_violation_is_real_and_none_is_missed(data: Data) -> None:
    X, _ = data
    booster = _train(data, "advanced")
    violations = monotone_violations(booster, SIGNS)
    assert violations  # the LightGBM bug this check exists for
    assert _grid_violations(booster, X) <= {v.feature for v in violations}
    trees = model_trees(booster)
    for v in violations[:25]:
        leaves = leaf_boxes(trees[v.tree], len(FEATURES))
        lo, hi = leaves.lo, leaves.hi
        a = int(np.flatnonzero(leaves.index == v.lower_leaf)[0])
        b = int(np.flatnonzero(leaves.index == v.upper_leaf)[0])
        f = FEATURE_NAMES.index(v.feature)
        # other features: a value both leaves admit (NaN where only NaN reaches both)
        low, high = np.maximum(lo[a], lo[b]), np.minimum(hi[a], hi[b])
        row = np.where(low < high, _inside(low, high), np.nan)
        pair = np.repeat(row[None, :], 2, axis=0)
        pair[0, f], pair[1, f] = _inside(lo[a, f], hi[a, f]), _inside(lo[b, f], hi[b, f])
        out = booster.predict(pair, raw_score=True, start_iteration=v.tree, num_iteration=1)
        assert (out[1] - out[0]) * FEATURES[f].monotone < 0, v
        assert (out[0], out[1]) == (v.lower_leaf_value, v.upper_leaf_value)


def _inside(lo: np.ndarray | float, hi: np.ndarray | float) -> np.ndarray:
    """A value in each (lo, hi]: hi itself where finite, else just above lo, else 0."""
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    return np.where(np.isfinite(hi), hi, np.where(np.isfinite(lo), lo + 1.0, 0.0))


def test_the_basic_method_keeps_every_constraint(data: Data) -> None:
    X, _ = data
    booster = _train(data, "basic")
    assert monotone_violations(booster, SIGNS) == []
    assert _grid_violations(booster, X) == set()


def test_training_refuses_a_model_that_breaks_a_constraint(data: Data) -> None:
    X, y = data
    monotone = dict(zip(FEATURE_NAMES, SIGNS, strict=True))
    with pytest.raises(MonotoneViolation, match="breaks its monotone constraints"):
        train_matrix(
            X,
            y,
            numeric_encoder(FEATURE_NAMES),
            monotone=monotone,
            params={"monotone_constraints_method": "advanced"},
        )


def test_leaves_meet_only_where_their_category_sets_do() -> None:
    left, right = {0: (frozenset({1, 2}), frozenset())}, {0: (None, frozenset({1, 2}))}
    assert not _categories_meet(left, right)  # the two sides of one categorical split
    assert _categories_meet(left, {0: (frozenset({2, 3}), frozenset())})
    assert not _categories_meet(left, {0: (frozenset({3}), frozenset())})
    assert _categories_meet(left, {})  # no split on that feature: every category
    assert _categories_meet({0: (None, frozenset({1}))}, {0: (None, frozenset({2}))})
    assert not _categories_meet({0: (frozenset({1}), frozenset())}, {0: (None, frozenset({1}))})
