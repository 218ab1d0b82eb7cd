"""Averaged boosters merged into one LightGBM model behave as the mean of their members.

The merged model is what the small-data pipeline serves; the exact TreeSHAP tables, the
monotone check and the bundle loader must all accept it and agree with the members' mean.
"""

from __future__ import annotations

from pathlib import Path

import lightgbm as lgb
import numpy as np
import pytest
from numpy.typing import NDArray

from fixtures import Population
from scoring.bundle import read_verified, write_bundle
from scoring.feature_spec import FEATURE_NAMES, MONOTONE_CONSTRAINTS
from scoring.features import compute_features
from scoring.model import load_bundle
from scoring.treeshap import TreeShap
from training.ensemble import average_boosters, average_model_text
from training.monotone import check_monotone

from .conftest import DEMO_MODEL

Members = tuple[NDArray[np.float64], list[lgb.Booster]]


@pytest.fixture(scope="module")
def members(population: Population) -> Members:
    x = np.ascontiguousarray(compute_features(population.raw).values, dtype=np.float64)
    y = population.defaulted.astype(np.int8)
    boosters = []
    # Members that differ (seeds, sizes, row and feature subsampling) so their mean differs
    # from each of them and a merge that dropped or double-counted a member would show.
    for seed, (leaves, rounds) in enumerate([(7, 25), (15, 40), (4, 60)]):
        params = {
            "objective": "binary",
            "num_leaves": leaves,
            "min_data_in_leaf": 10,
            "feature_fraction": 0.7,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "monotone_constraints": list(MONOTONE_CONSTRAINTS),
            "monotone_constraints_method": "basic",
            "seed": seed,
            "num_threads": 1,
            "verbosity": -1,
        }
        data = lgb.Dataset(x, label=y, feature_name=list(FEATURE_NAMES))
        boosters.append(lgb.train(params, data, num_boost_round=rounds))
    return x, boosters


def _raw(booster: lgb.Booster, x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(booster.predict(x, raw_score=True, num_threads=1), dtype=np.float64)


def _contrib(booster: lgb.Booster, x: NDArray[np.float64]) -> NDArray[np.float64]:
    out = booster.predict(x, pred_contrib=True, num_threads=1)
    return np.asarray(out, dtype=np.float64)


def test_merged_model_predicts_the_mean_of_its_members(members: Members) -> None:
    x, boosters = members
    merged = average_boosters(boosters)
    mean = np.mean([_raw(b, x) for b in boosters], axis=0)
    assert merged.num_trees() == sum(b.num_trees() for b in boosters)
    np.testing.assert_allclose(_raw(merged, x), mean, rtol=0, atol=1e-9)
    # The check can fail: no single member is that mean.
    for b in boosters:
        assert np.max(np.abs(_raw(b, x) - mean)) > 1e-3


def test_merged_contributions_are_the_mean_and_the_tables_agree(members: Members) -> None:
    x, boosters = members
    merged = average_boosters(boosters)
    expected = np.mean([_contrib(b, x) for b in boosters], axis=0)
    lightgbm_contrib = _contrib(merged, x)
    np.testing.assert_allclose(lightgbm_contrib, expected, rtol=0, atol=1e-9)
    tables = TreeShap.from_booster(merged).contributions(x[:200])
    np.testing.assert_allclose(tables, lightgbm_contrib[:200], rtol=0, atol=1e-9)


def test_monotone_check_accepts_the_merged_model(members: Members) -> None:
    x, boosters = members
    check_monotone(average_boosters(boosters), list(MONOTONE_CONSTRAINTS))


def test_bundle_loader_serves_the_merged_model(members: Members, tmp_path: Path) -> None:
    x, boosters = members
    manifest, _ = read_verified(DEMO_MODEL)
    manifest = {k: v for k, v in manifest.items() if k not in ("files", "format")}
    text = average_model_text([b.model_to_string() for b in boosters])
    bundle = load_bundle(write_bundle(tmp_path / "merged", text, manifest))
    mean = np.mean([_raw(b, x) for b in boosters], axis=0)
    np.testing.assert_allclose(bundle.margin(x), mean, rtol=0, atol=1e-9)


def test_members_with_different_features_are_refused(members: Members) -> None:
    x, boosters = members
    other = lgb.train(
        {"objective": "binary", "verbosity": -1, "num_threads": 1},
        lgb.Dataset(x[:, :3], label=(x[:, 0] > np.median(x[:, 0])).astype(np.int8)),
        num_boost_round=3,
    )
    with pytest.raises(ValueError, match="differ"):
        average_boosters([boosters[0], other])
    with pytest.raises(ValueError, match="at least one"):
        average_model_text([])


def test_weighted_merge_predicts_the_weighted_mean(members: Members) -> None:
    x, boosters = members
    weights = [1 / 6, 1 / 6, 2 / 3]  # e.g. two seeds of one setting and another setting
    merged = average_boosters(boosters, weights)
    expected = sum(w * _raw(b, x) for w, b in zip(weights, boosters, strict=True))
    np.testing.assert_allclose(_raw(merged, x), expected, rtol=0, atol=1e-9)
    # Unnormalised weights mean the same; the equal-weight merge is another model.
    np.testing.assert_allclose(_raw(average_boosters(boosters, [1, 1, 4]), x), expected, atol=1e-9)
    assert np.max(np.abs(_raw(average_boosters(boosters), x) - expected)) > 1e-3
    for bad in ([1.0, 1.0], [1.0, 0.0, 1.0], [1.0, -1.0, 2.0]):
        with pytest.raises(ValueError, match="weights"):
            average_boosters(boosters, bad)
