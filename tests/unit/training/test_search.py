"""The small-data settings search: budget, determinism, nesting, monotone directions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from training.__main__ import main
from training.search import MIN_OOF_GAIN, SEARCH_CANDIDATES, SYMMETRIC, check_time_budget
from training.train import train_frame


def _data(n: int = 1500, seed: int = 3) -> tuple[pd.DataFrame, NDArray[np.int8]]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "savings_on_time": rng.uniform(0, 1, n),
            "debt_ratio": rng.gamma(2.0, 0.5, n),
            "noise": rng.normal(size=n),
            "city": pd.Categorical(rng.choice([f"c{i}" for i in range(40)], n)),
        }
    )
    city_effect = frame["city"].cat.codes.to_numpy() % 3 * 0.4
    logit = -1.2 - 2.0 * frame["savings_on_time"] + 1.0 * frame["debt_ratio"] + city_effect
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int8)
    return frame, y


@pytest.mark.parametrize("budget", [0, -1, -0.5, float("nan"), float("inf")])
def test_a_budget_that_allows_no_search_is_refused(budget: float) -> None:
    with pytest.raises(ValueError, match="time budget must be a positive number of seconds"):
        check_time_budget(budget)
    frame, y = _data(300)
    with pytest.raises(ValueError, match="time budget"):
        train_frame(frame, y, time_budget=budget)


def test_evaluate_csv_refuses_a_zero_budget_with_a_json_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame, y = _data(200)
    path = tmp_path / "d.csv"
    frame.assign(bad=y).to_csv(path, index=False)
    code = main(["evaluate-csv", str(path), "--target", "bad", "--time-budget", "0"])
    assert code == 2
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "time budget" in last["error"] and "0" in last["error"]


def test_same_seed_same_model_bytes() -> None:
    frame, y = _data()
    a = train_frame(frame, y, seed=7)
    b = train_frame(frame, y, seed=7)
    assert a.model_text() == b.model_text()
    assert a.calibration == b.calibration
    assert a.params["search"] == b.params["search"]
    # The check can fail: another seed gives other trees.
    assert train_frame(frame, y, seed=8).model_text() != a.model_text()


def test_full_search_tries_every_candidate_and_records_its_choice() -> None:
    frame, y = _data()
    search = train_frame(frame, y, seed=1).params["search"]
    # "city" is categorical: every candidate but the symmetric trees (numeric data only) runs.
    lightgbm_candidates = [c for c in SEARCH_CANDIDATES if SYMMETRIC not in c]
    assert search["candidates_tried"] == len(lightgbm_candidates)
    assert not search["truncated"]
    assert 1 <= len(search["chosen"]) <= len(lightgbm_candidates)
    # Greedy selection only adds a member when the out-of-fold AUC rises by MIN_OOF_GAIN, and
    # the defaults are replaced only by such a gain.
    if search["chosen"] == [dict(SEARCH_CANDIDATES[0])]:
        assert search["ensemble_oof_auc"] == search["oof_auc"][0]
    else:
        best_single = max(search["oof_auc"])
        assert search["ensemble_oof_auc"] >= best_single + MIN_OOF_GAIN * (
            len(search["chosen"]) - 1
        )
        assert search["ensemble_oof_auc"] >= search["oof_auc"][0] + MIN_OOF_GAIN


def test_a_tiny_budget_stops_after_the_first_candidate_and_says_so() -> None:
    frame, y = _data()
    model = train_frame(frame, y, seed=1, time_budget=1e-9)
    search = model.params["search"]
    assert search["candidates_tried"] == 1 and search["truncated"]
    assert search["chosen"] == [dict(SEARCH_CANDIDATES[0])]


def test_parameters_fixed_by_the_caller_are_not_searched() -> None:
    frame, y = _data()
    search = train_frame(frame, y, seed=1, params={"num_leaves": 4}).params["search"]
    assert search["candidates_tried"] == 1 and search["chosen"] == [{}]


def test_declared_directions_hold_for_the_searched_model() -> None:
    frame, y = _data()
    model = train_frame(frame, y, seed=2, monotone={"savings_on_time": -1, "debt_ratio": 1})
    grid = np.linspace(0, 1, 41)
    rows = frame.sample(50, random_state=0)
    for sign, col, values in ((-1, "savings_on_time", grid), (1, "debt_ratio", grid * 4)):
        for _, row in rows.iterrows():
            probe = pd.DataFrame([row] * len(values)).astype({"city": frame["city"].dtype})
            probe[col] = values
            pd_curve = model.predict_pd(probe)
            steps = np.diff(pd_curve) * sign
            assert steps.min() >= -1e-12, (col, steps.min())
