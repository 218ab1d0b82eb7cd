"""Training: determinism, calibration on held-out rows, monotone constraints, the split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from training.calibration import fit_platt, sigmoid
from training.evaluate import calibration_error
from training.train import train_frame, validation_split


def make_data(n: int, seed: int) -> tuple[pd.DataFrame, NDArray[np.int8], NDArray[np.float64]]:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    cat = rng.choice(["a", "b", "c", "d"], size=n)
    logit = -1.5 + 1.2 * x1 - 0.8 * x2 + 0.7 * (cat == "a")
    p = 1.0 / (1.0 + np.exp(-logit))
    y = (rng.random(n) < p).astype(np.int8)
    frame = pd.DataFrame({"x1": x1, "x2": x2, "cat": pd.Categorical(cat)})
    return frame, y, p


@pytest.mark.parametrize("strategy", ["holdout", "crossfit"])
def test_same_seed_same_model_text(strategy: str) -> None:
    frame, y, _ = make_data(1500, 1)
    a = train_frame(frame, y, seed=7, strategy=strategy)
    b = train_frame(frame, y, seed=7, strategy=strategy)
    assert a.model_text() == b.model_text()
    assert a.calibration == b.calibration
    c = train_frame(frame, y, seed=8, strategy=strategy)
    assert c.model_text() != a.model_text()  # the seed really reaches the model


def test_platt_fixes_a_deliberately_miscalibrated_margin() -> None:
    rng = np.random.default_rng(11)
    z = rng.normal(-1.0, 1.5, size=20_000)
    y = (rng.random(z.size) < sigmoid(z)).astype(np.int8)
    bad_margin = 2.5 * z + 1.0  # overconfident and shifted
    fit, test = np.arange(0, 20_000, 2), np.arange(1, 20_000, 2)
    before = calibration_error(y[test], sigmoid(bad_margin[test]))
    cal = fit_platt(bad_margin[fit], y[fit])
    after = calibration_error(y[test], cal.apply(bad_margin[test]))
    assert before > 0.05
    assert after < 0.015
    assert abs(cal.slope - 0.4) < 0.05 and abs(cal.intercept + 0.4) < 0.1


def test_pipeline_calibration_undoes_class_reweighting() -> None:
    # scale_pos_weight pushes raw PDs far up; the held-out Platt map must bring them back.
    frame, y, _ = make_data(8000, 2)
    model = train_frame(frame, y, seed=3, params={"scale_pos_weight": 5.0}, strategy="holdout")
    new, y_new, _ = make_data(8000, 3)
    x_new = model.encoder.transform(new)
    raw = sigmoid(model.margin(x_new))
    calibrated = model.predict_pd(new)
    assert calibration_error(y_new, raw) > 0.1
    assert calibration_error(y_new, calibrated) < calibration_error(y_new, raw) / 3


def test_monotone_constraint_is_obeyed() -> None:
    frame, y, _ = make_data(3000, 4)
    # Declare x1 as lowering the PD although the data says it raises it: the constrained
    # model must be non-increasing in x1 everywhere.
    model = train_frame(frame, y, seed=1, monotone={"x1": -1}, strategy="holdout")
    grid = np.linspace(-3, 3, 61)
    rows = pd.DataFrame(
        {"x1": grid, "x2": np.zeros_like(grid), "cat": pd.Categorical(["b"] * grid.size)}
    )
    margin = model.margin(model.encoder.transform(rows))
    assert np.all(np.diff(margin) <= 1e-12)
    with pytest.raises(ValueError, match="categorical"):
        train_frame(frame, y, monotone={"cat": 1})


def test_out_of_time_split_takes_the_latest_rows() -> None:
    y = np.array([0, 1] * 50, dtype=np.int8)
    dates = np.arange(100, dtype=np.float64)[::-1].copy()  # row 0 is the latest
    fit, valid = validation_split(y, dates, fraction=0.2)
    assert sorted(valid.tolist()) == list(range(20))
    assert set(fit.tolist()).isdisjoint(valid.tolist())


def test_stratified_split_keeps_the_positive_rate() -> None:
    y = np.zeros(1000, dtype=np.int8)
    y[:100] = 1
    fit, valid = validation_split(y, None, fraction=0.2, seed=5)
    assert len(valid) == 200 and y[valid].sum() == 20
    assert len(fit) + len(valid) == 1000
