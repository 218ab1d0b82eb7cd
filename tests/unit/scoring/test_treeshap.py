"""Tabulated TreeSHAP equals LightGBM's pred_contrib on every kind of model it accepts.

The references are independent of the code under test: LightGBM's own ``pred_contrib`` for
whole models, and a brute-force Shapley sum over all coalitions for the per-leaf formula.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import lightgbm as lgb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import treeshap
from scoring.explain import contributions
from scoring.model import ModelBundle
from scoring.treeshap import TreeShap, UnsupportedModel, probe_rows
from scoring.treeshap_kernels import leaf_phi

TOL = 1e-9


def _train(params: dict[str, object], X: np.ndarray, y: np.ndarray, rounds: int) -> lgb.Booster:
    base = {"objective": "binary", "verbose": -1, "num_threads": 1, "seed": 1,
            "deterministic": True, "min_data_in_leaf": 5}  # fmt: skip
    return lgb.train({**base, **params}, lgb.Dataset(X, y), num_boost_round=rounds)


def _data(seed: int, n: int = 600, k: int = 6) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k))
    X[rng.random(X.shape) < 0.15] = np.nan
    X[rng.random(X.shape) < 0.15] = 0.0
    logit = np.nan_to_num(X[:, 0]) - np.nan_to_num(X[:, 1]) * np.isnan(X[:, 2])
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    return X, y


def _assert_equal_to_lightgbm(booster: lgb.Booster, X: np.ndarray, max_depth: int) -> None:
    shap = TreeShap.from_booster(booster, max_depth=max_depth)
    rows = np.vstack([X[:200], probe_rows(shap, 400, seed=3)])
    expected = np.asarray(booster.predict(rows, pred_contrib=True, num_threads=1))
    assert np.max(np.abs(shap.contributions(rows) - expected)) < TOL


MODELS = {
    "NaN branches": {"num_leaves": 15},
    "zero as missing": {"num_leaves": 15, "zero_as_missing": True},
    "missing ignored": {"num_leaves": 15, "use_missing": False},
    "deep, features repeat on a path": {"num_leaves": 63, "max_bin": 255, "min_data_in_leaf": 2},
    "stumps": {"num_leaves": 2},
    "single-leaf trees": {"num_leaves": 7, "min_gain_to_split": 25.0},
}


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("max_depth", [0, 3, treeshap.MAX_TABLE_DEPTH])
def test_equals_lightgbm_pred_contrib(name: str, max_depth: int) -> None:
    """``max_depth`` 0 computes every leaf per row, 3 mixes, the default tabulates all."""
    X, y = _data(seed=len(name))
    booster = _train(MODELS[name], X, y, rounds=40)
    _assert_equal_to_lightgbm(booster, X, max_depth)


def test_the_demo_bundle_is_tabulated_and_equal_on_threshold_edges(bundle: ModelBundle) -> None:
    assert bundle.shap is not None  # the request path really runs the tables
    X = probe_rows(bundle.shap, 2000, seed=11)
    expected = np.asarray(bundle.booster.predict(X, pred_contrib=True, num_threads=1))
    assert np.max(np.abs(bundle.shap.contributions(X) - expected)) < TOL


def test_a_row_alone_equals_the_row_in_a_batch(bundle: ModelBundle) -> None:
    assert bundle.shap is not None
    X = probe_rows(bundle.shap, 50, seed=5)
    batch = bundle.shap.contributions(X)
    for i in (0, 17, 49):
        assert np.array_equal(bundle.shap.contributions(X[i]), batch[i : i + 1])


def test_bundles_without_tables_use_lightgbm(bundle: ModelBundle) -> None:
    assert bundle.shap is not None
    X = probe_rows(bundle.shap, 100, seed=9)
    plain = dataclasses.replace(bundle, shap=None)
    assert np.max(np.abs(contributions(plain, X) - contributions(bundle, X))) < TOL


def test_categorical_models_are_left_to_lightgbm() -> None:
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.integers(0, 8, 500), rng.normal(size=500)]).astype(float)
    y = (X[:, 0] % 3 == 0).astype(float)
    booster = lgb.train(
        {
            "objective": "binary",
            "verbose": -1,
            "num_threads": 1,
            "min_data_per_group": 5,
            "cat_smooth": 1.0,
        },
        lgb.Dataset(X, y, categorical_feature=[0]),
        num_boost_round=5,
    )
    with pytest.raises(UnsupportedModel):
        TreeShap.from_booster(booster)
    assert TreeShap.for_booster(booster) is None


def test_a_failed_self_check_falls_back_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = _data(seed=2)
    booster = _train({"num_leaves": 7}, X, y, rounds=5)
    assert TreeShap.for_booster(booster) is not None
    monkeypatch.setattr(treeshap, "SELF_CHECK_TOLERANCE", -1.0)  # no gap can pass
    with pytest.warns(RuntimeWarning, match="differs from LightGBM"):
        assert TreeShap.for_booster(booster) is None


def _brute_force(value: float, zero: list[float], mask: int) -> list[float]:
    """Shapley values by enumerating every coalition of the leaf's d path features."""
    d = len(zero)
    one = [(mask >> t) & 1 for t in range(d)]

    def game(s: set[int]) -> float:
        return value * math.prod(one[t] if t in s else zero[t] for t in range(d))

    phi = []
    for t in range(d):
        others = [j for j in range(d) if j != t]
        total = 0.0
        for size in range(d):
            weight = math.factorial(size) * math.factorial(d - size - 1) / math.factorial(d)
            for s in itertools.combinations(others, size):
                total += weight * (game({*s, t}) - game(set(s)))
        phi.append(total)
    return phi


@settings(max_examples=300, deadline=None)
@given(
    value=st.floats(-5, 5),
    zero=st.lists(st.floats(1e-4, 1.0), min_size=1, max_size=7),
    data=st.data(),
)
def test_leaf_formula_equals_brute_force_shapley(
    value: float, zero: list[float], data: st.DataObject
) -> None:
    mask = data.draw(st.integers(0, 2 ** len(zero) - 1))
    out = np.empty(len(zero))
    leaf_phi(value, np.array(zero), mask, out)
    assert np.allclose(out, _brute_force(value, zero, mask), rtol=0, atol=1e-12)
    # Efficiency: the contributions add up to the leaf's share of f(x) - E f.
    full = mask == 2 ** len(zero) - 1
    assert math.isclose(out.sum(), value * (full - math.prod(zero)), abs_tol=1e-12)
