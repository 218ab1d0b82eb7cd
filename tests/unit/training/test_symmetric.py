"""Symmetric trees: borders, sampling, learning, and the LightGBM text they are served as."""

from __future__ import annotations

from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from sklearn.metrics import roc_auc_score

from scoring.treeshap import TreeShap
from training.search import SEARCH_CANDIDATES, SYMMETRIC
from training.symmetric import (
    MISSING_ONLY,
    SEEDS,
    SymmetricParams,
    _mvs_weights,
    fit_symmetric,
    greedy_logsum_borders,
    lightgbm_model_text,
    quantize,
)
from training.train import train_frame

SMALL = SymmetricParams(depth=4, rounds=40, learning_rate=0.1)


def _data(n: int = 1200, seed: int = 0) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """Bad when x0 is high AND x1 low or missing: an interaction a symmetric tree can hold."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5))
    x[rng.random(n) < 0.15, 1] = np.nan
    x[:, 4] = np.round(x[:, 4])  # few distinct values: ties that borders must not split
    low_x1 = np.nan_to_num(x[:, 1], nan=-3.0) < 0
    logit = -2.0 + 2.0 * (x[:, 0] > 0.3) * low_x1 + 0.5 * x[:, 2]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    return x, y


def _template(x: NDArray[np.float64], y: NDArray[np.int8]) -> str:
    params = {"objective": "binary", "verbosity": -1, "num_threads": 1}
    return str(lgb.train(params, lgb.Dataset(x, label=y), num_boost_round=1).model_to_string())


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.integers(-20, 20).map(float),
            st.floats(-1e6, 1e6),
            st.floats(allow_nan=False, allow_infinity=False),
            st.just(float("nan")),
        ),
        min_size=1,
        max_size=300,
    ),
    max_borders=st.integers(1, 40),
)
def test_borders_are_midpoints_that_never_split_equal_values(
    values: list[float], max_borders: int
) -> None:
    col = np.array(values, dtype=np.float64)
    borders = greedy_logsum_borders(col, max_borders)
    distinct = np.unique(col[~np.isnan(col) & (col > MISSING_ONLY)])
    assert len(borders) <= max_borders
    assert len(borders) <= max(len(distinct) - 1, 0)
    assert np.all(np.diff(borders) > 0)
    # Every border separates two neighbouring distinct values (lower <= border < upper, even
    # for neighbouring floats), so no bin is empty.
    bins = quantize(col[:, None], [borders])[:, 0]
    present = set(bins[~np.isnan(col) & (col > MISSING_ONLY)].tolist())
    assert present == set(range(1, len(borders) + 2)) or len(distinct) == 0
    if 0 < len(distinct) <= max_borders + 1:
        assert len(borders) == len(distinct) - 1


def test_one_border_splits_the_values_as_evenly_as_ties_allow() -> None:
    rng = np.random.default_rng(5)
    col = np.repeat(rng.normal(size=30), rng.integers(1, 9, size=30)).astype(np.float64)
    (border,) = greedy_logsum_borders(col, 1)
    distinct = np.unique(col)
    # Brute force over every cut between distinct values: most balanced = largest log-sum.
    sums = [np.log((col <= d).sum()) + np.log((col > d).sum()) for d in distinct[:-1]]
    best = distinct[int(np.argmax(sums))]
    assert (col <= border).sum() == (col <= best).sum()


def test_sampling_keeps_the_rate_and_is_unbiased_per_row() -> None:
    rng = np.random.default_rng(1)
    grad = np.concatenate([rng.uniform(-0.05, 0.05, 900), rng.uniform(0.5, 1.0, 100)])
    draws = np.array([_mvs_weights(grad, None, 0.8, rng) for _ in range(2000)])
    kept = (draws > 0).mean()
    assert kept == pytest.approx(0.8, abs=0.01)
    # Large gradients are always kept with weight 1; every row's expected weight is 1.
    assert np.all(draws[:, 900:] == 1.0)
    assert np.abs(draws.mean(axis=0) - 1.0).max() < 0.15
    assert draws.mean() == pytest.approx(1.0, abs=0.01)


def test_the_learner_finds_the_interaction_and_is_reproducible() -> None:
    x, y = _data(seed=1)
    x_test, y_test = _data(seed=2)
    model = fit_symmetric(x, y, SMALL)
    auc = roc_auc_score(y_test, model.margin(x_test))
    # The oracle (the true logit) on these rows, for scale: the learner comes close to it.
    low_x1 = np.nan_to_num(x_test[:, 1], nan=-3.0) < 0
    oracle = roc_auc_score(y_test, 2.0 * (x_test[:, 0] > 0.3) * low_x1 + 0.5 * x_test[:, 2])
    assert auc > oracle - 0.03
    again = fit_symmetric(x, y, SMALL)
    assert np.array_equal(again.margin(x_test), model.margin(x_test))
    other = fit_symmetric(x, y, SymmetricParams(depth=4, rounds=40, learning_rate=0.1, seed=1))
    assert not np.array_equal(other.margin(x_test), model.margin(x_test))


def test_lightgbm_text_predicts_exactly_what_the_trees_do() -> None:
    x, y = _data(seed=3)
    model = fit_symmetric(x, y, SMALL)
    booster = lgb.Booster(model_str=lightgbm_model_text(model, _template(x, y)))
    assert booster.num_trees() == SMALL.rounds
    rows, _ = _data(n=400, seed=4)
    # Rows sitting exactly on thresholds, infinite and all-missing rows take the same side as
    # the trees.
    on_edge = np.repeat(rows[:20], 1, axis=0)
    for i, tree in enumerate(model.trees[:20]):
        for j, t in zip(tree.features, tree.thresholds, strict=True):
            if t > MISSING_ONLY:
                on_edge[i, j] = t
    infinite = rows[:40].copy()
    infinite[:20, 1] = -np.inf
    infinite[20:, 0] = np.inf
    rows = np.vstack([rows, on_edge, infinite, np.full((3, x.shape[1]), np.nan)])
    ours = model.margin(rows)
    theirs = booster.predict(rows, raw_score=True, num_threads=1)
    assert np.abs(ours - theirs).max() < 1e-12
    # Gain importance credits the interaction's two features well above the noise one (x3).
    gain = booster.feature_importance("gain")
    assert (gain >= 0).all()
    assert set(np.argsort(gain)[-2:]) == {0, 1}
    assert gain[3] < 0.5 * gain[:2].min()


def test_the_served_text_is_explained_exactly() -> None:
    x, y = _data(seed=5)
    model = fit_symmetric(x, y, SMALL)
    booster = lgb.Booster(model_str=lightgbm_model_text(model, _template(x, y)))
    rows = x[:100]
    contrib = booster.predict(rows, pred_contrib=True, num_threads=1)
    assert np.isfinite(contrib).all()
    assert np.abs(contrib.sum(axis=1) - model.margin(rows)).max() < 1e-9
    shap = TreeShap.for_booster(booster)
    assert shap is not None
    assert np.abs(shap.contributions(rows) - contrib).max() < 1e-9


def _frame(categorical: bool) -> tuple[pd.DataFrame, NDArray[np.int8]]:
    x, y = _data(n=800, seed=6)
    frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(x.shape[1])])
    if categorical:
        frame["city"] = pd.Categorical(np.where(x[:, 3] > 0, "a", "b"))
    return frame, y


def test_the_search_tries_symmetric_trees_on_numeric_data_only() -> None:
    frame, y = _frame(categorical=False)
    search = train_frame(frame, y, seed=1).params["search"]
    assert search["candidates_tried"] == len(SEARCH_CANDIDATES)
    frame, y = _frame(categorical=True)
    search = train_frame(frame, y, seed=1).params["search"]
    assert search["candidates_tried"] == len(SEARCH_CANDIDATES) - 1
    assert all(SYMMETRIC not in c for c in search["chosen"])
    frame, y = _frame(categorical=False)
    search = train_frame(frame, y, seed=1, monotone={"x0": 1}).params["search"]
    assert search["candidates_tried"] == len(SEARCH_CANDIDATES) - 1


def test_a_chosen_symmetric_member_is_served_inside_one_lightgbm_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Only the symmetric candidate (and the defaults' refit skipped): it must be chosen, refitted
    # on all rows, and served as LightGBM text whose PDs come through the Platt map.
    import training.train as train_module

    monkeypatch.setattr(train_module, "SEARCH_CANDIDATES", ({SYMMETRIC: True},))
    frame, y = _frame(categorical=False)
    model = train_frame(frame, y, seed=1)
    assert model.params["search"]["chosen"] == [{SYMMETRIC: True}]
    # Three seeds, averaged: the served margin is the mean of the three symmetric models.
    assert model.booster.num_trees() == SEEDS * SymmetricParams().rounds
    x = frame.to_numpy(dtype=np.float64)
    seeds = [fit_symmetric(x, y, SymmetricParams(seed=1 + k)).margin(x) for k in range(SEEDS)]
    assert np.abs(model.margin(x) - np.mean(seeds, axis=0)).max() < 1e-9
    p = model.predict_pd(frame)
    assert np.isfinite(p).all() and ((p > 0) & (p < 1)).all()
    assert roc_auc_score(y, p) > 0.75


def test_the_card_says_when_the_model_is_symmetric_trees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import training.train as train_module
    from training.__main__ import main

    monkeypatch.setattr(train_module, "SEARCH_CANDIDATES", ({SYMMETRIC: True},))
    frame, y = _frame(categorical=False)
    path = tmp_path / "numeric.csv"
    frame.assign(bad=y).to_csv(path, index=False)
    out = tmp_path / "out"
    assert main(["train-csv", str(path), "--target", "bad", "--out", str(out)]) == 0
    capsys.readouterr()
    card = (out / "model_card.md").read_text(encoding="utf-8")
    assert "The model is symmetric trees" in card
    assert "LightGBM's own parameters below were not used" in card
    assert '"seeds": 3' in card
    # The bundle's text is a LightGBM model holding the three seeds' trees.
    booster = lgb.Booster(model_file=str(out / "model.txt"))
    assert booster.num_trees() == SEEDS * SymmetricParams().rounds
