"""Evaluate a trained model on held-out rows and gather everything the model card shows.

``build_report`` is shared by ``train-csv`` (generic data) and ``train-population`` (the
product's own features): metrics, calibration and lift tables, score bands, fairness by group,
the WoE challenger, global importance and the PSI baseline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from training.delong import auc_interval
from training.evaluate import (
    auc,
    band_table,
    calibration_table,
    lift_table,
    summary_metrics,
)
from training.fairness import fairness_table
from training.importance import mean_abs_shap
from training.psi import Baseline
from training.scorecard import WoeScorecard
from training.train import TrainedModel

# Points-to-double-odds scaling, the same convention as scoring.model: 600 points at 50:1
# good:bad odds, 20 more points each time the odds double.
SCORE_SCALING = {"base_points": 600, "base_odds": 50, "pdo": 20}
# Score cut points of the band table (about PD 25%, 12%, 6%, 3%, 1.5%).
DEFAULT_SCORE_BANDS: tuple[float, ...] = (520.0, 545.0, 565.0, 585.0, 605.0)
PD_FLOOR = 1e-6
# Below this many bad outcomes in the holdout an AUC says little (its interval is wide).
MIN_HOLDOUT_BADS = 50
# Rows behind the SHAP beeswarm and the partial-dependence curves (seeded sample).
EXPLAIN_SAMPLE = 500
PDP_POINTS = 15


def score_points(pd: NDArray[np.float64]) -> NDArray[np.float64]:
    """Score points of PDs by points-to-double-odds scaling (higher = safer)."""
    q = np.clip(pd, PD_FLOOR, 1 - PD_FLOOR)
    factor = SCORE_SCALING["pdo"] / math.log(2.0)
    odds = (1.0 - q) / q
    log_base = math.log(SCORE_SCALING["base_odds"])
    return np.asarray(SCORE_SCALING["base_points"] + factor * (np.log(odds) - log_base))


def build_report(
    model: TrainedModel,
    x_train: NDArray[np.float64],
    y_train: NDArray[np.int8],
    x_test: NDArray[np.float64],
    y_test: NDArray[np.int8],
    data_description: dict[str, Any],
    groups: dict[str, NDArray[Any]] | None = None,
    cutoff: float | None = None,
    bands: Sequence[float] = DEFAULT_SCORE_BANDS,
    seed: int = 42,
) -> dict[str, Any]:
    """Evaluate on the holdout and collect the model card's content.

    Args:
        model: the trained model.
        x_train, y_train: encoded training rows (for the challenger and the PSI baseline).
        x_test, y_test: encoded holdout rows.
        data_description: facts about the data set (rows, columns, source...).
        groups: name -> group label per holdout row, for the fairness tables.
        cutoff: approve when PD <= cutoff; default: the PD that approves 80% of the holdout.
        bands: score cut points of the band table.
        seed: seed of the SHAP row sample.

    Returns:
        JSON-ready dict with ``metrics``, ``calibration``, ``lift``, ``bands``, ``fairness``,
        ``challenger``, ``importance``, ``baseline`` (PSI baseline JSON), ``params``,
        ``data`` and the arrays the plots need under ``_arrays`` (not JSON).
    """
    margin = model.margin(x_test)
    pd = model.calibration.apply(margin)
    score = score_points(pd)
    if cutoff is None:
        cutoff = float(np.quantile(pd, 0.8))
    card = WoeScorecard(categorical=model.encoder.categorical_indices).fit(x_train, y_train)
    challenger_auc = auc(y_test, card.predict_proba(x_test))
    names = model.feature_names
    importance = mean_abs_shap(model.booster, x_test, names, seed=seed)
    train_pd = model.calibration.apply(model.margin(x_train))
    baseline_columns = {"score": score_points(train_pd)}
    baseline_columns.update({n: x_train[:, j] for j, n in enumerate(names)})
    baseline = Baseline.fit(baseline_columns)
    fairness = {
        name: fairness_table(y_test, pd, labels, cutoff) for name, labels in (groups or {}).items()
    }
    rng = np.random.default_rng(seed)
    sample = x_test[np.sort(rng.choice(len(x_test), min(EXPLAIN_SAMPLE, len(x_test)), False))]
    contrib = np.asarray(model.booster.predict(sample, pred_contrib=True, num_threads=1))
    params = {k: v for k, v in model.params.items() if k != "monotone_constraints"}
    params["best_iteration"] = model.best_iteration
    params["calibration"] = model.calibration.to_dict()
    params["monotone"] = {k: v for k, v in sorted(model.monotone.items()) if v}
    bads = int(np.sum(y_test))
    goods = len(y_test) - bads
    interval = auc_interval(y_test, pd).to_dict() if min(bads, goods) >= 2 else None
    warnings = []
    if bads < MIN_HOLDOUT_BADS:
        warnings.append(
            f"The holdout holds only {bads} bad outcomes (fewer than {MIN_HOLDOUT_BADS}): "
            "its AUC and calibration are too uncertain to judge this model."
        )
    return {
        "metrics": {k: round(v, 6) for k, v in summary_metrics(y_test, pd).items()},
        "auc_interval": None if interval is None else {k: round(v, 6) for k, v in interval.items()},
        "holdout_bads": bads,
        "warnings": warnings,
        "pdp": partial_dependence(model, sample, names),
        "challenger_auc": round(challenger_auc, 6),
        "calibration": calibration_table(y_test, pd),
        "lift": lift_table(y_test, pd),
        "bands": band_table(y_test, score, bands),
        "cutoff": cutoff,
        "fairness": fairness,
        "importance": [(n, round(v, 6)) for n, v in importance],
        "baseline": baseline.to_json(),
        "params": params,
        "data": data_description,
        "_arrays": {
            "y": y_test,
            "pd": pd,
            "score": score,
            "shap": contrib[:, : len(names)],
            "shap_x": sample,
            "names": names,
        },
    }


def partial_dependence(
    model: TrainedModel, sample: NDArray[np.float64], names: Sequence[str]
) -> list[dict[str, Any]]:
    """Mean PD of ``sample`` with one monotone feature set to each of a grid of its values.

    The curve of each constrained feature must move only in its declared direction (the
    monotone check proves it leaf by leaf; the card shows it). Grid: quantiles 2%..98% of
    the sample's non-missing values.

    Returns:
        ``[{"feature", "direction", "grid", "pd"}]``, one per constrained feature.
    """
    curves: list[dict[str, Any]] = []
    for j, name in enumerate(names):
        direction = model.monotone.get(name, 0)
        column = sample[:, j]
        column = column[~np.isnan(column)]
        if direction == 0 or len(column) == 0:
            continue
        grid = np.unique(np.quantile(column, np.linspace(0.02, 0.98, PDP_POINTS)))
        values = []
        for g in grid:
            x = sample.copy()
            x[:, j] = g
            values.append(float(np.mean(model.calibration.apply(model.margin(x)))))
        curves.append(
            {
                "feature": name,
                "direction": direction,
                "grid": [round(float(g), 6) for g in grid],
                "pd": [round(v, 6) for v in values],
            }
        )
    return curves
