"""The small-data defaults: no bagging, half the learning rate, 63 bins below SMALL_DATA_ROWS."""

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
