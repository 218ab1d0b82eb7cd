"""The small-data defaults below SMALL_DATA_ROWS: no bagging, half the learning rate, 63 bins,
leaf values smoothed towards their parents."""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.train import SMALL_DATA_ROWS, default_params, train_frame


def test_small_data_rule_switches_where_crossfit_starts() -> None:
    small = default_params(SMALL_DATA_ROWS - 1)
    large = default_params(SMALL_DATA_ROWS)
    # Every row in every tree on small data; bagging stays on large data.
    assert small["bagging_fraction"] == 1.0 and small["bagging_freq"] == 0
    assert large["bagging_fraction"] < 1.0 and large["bagging_freq"] > 0
    assert small["learning_rate"] < large["learning_rate"]
    assert small["max_bin"] < large["max_bin"]
    # Leaf values are smoothed towards their parent's on small data only.
    assert small["path_smooth"] > 0 and large["path_smooth"] == 0


def test_path_smoothing_reaches_the_trained_model() -> None:
    rng = np.random.default_rng(5)
    n = 1200
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n)})
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(-2.0 + frame["x1"])))).astype(np.int8)
    smoothed = train_frame(frame, y, seed=1, time_budget=1e-9)
    assert "[path_smooth: 10]" in smoothed.model_text()
    # The check can fail: switched off by the caller, the model records 0 and other leaves.
    plain = train_frame(frame, y, seed=1, params={"path_smooth": 0.0})
    assert "[path_smooth: 0]" in plain.model_text()
    assert plain.model_text() != smoothed.model_text()


def _thresholds_per_feature(max_bin: int | None) -> dict[str, int]:
    rng = np.random.default_rng(4)
    n = 3000
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.standard_cauchy(size=n)})
    logit = -1.5 + 1.2 * frame["x1"] - 0.8 * np.tanh(frame["x2"])
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int8)
    params = None if max_bin is None else {"max_bin": max_bin}
    model = train_frame(frame, y, seed=1, params=params)
    trees = model.booster.trees_to_dataframe()
    return {c: int(trees.loc[trees.split_feature == c, "threshold"].nunique()) for c in frame}


def test_coarse_bins_reach_the_dataset_on_small_data() -> None:
    # The bin count is a Dataset parameter: if it only reached the booster, the model would
    # still split on up to 255 distinct thresholds per feature.
    default = _thresholds_per_feature(None)
    assert max(default.values()) <= default_params(3000)["max_bin"]
    # The check can fail: with 255 bins the same data uses more distinct split points.
    fine = _thresholds_per_feature(255)
    assert max(fine.values()) > default_params(3000)["max_bin"]
