"""Stratified k-fold cross-validation of the DEFAULT pipeline, with the WoE challenger.

Each fold runs exactly what training runs (encoder fitted on the fold's training rows, the
same early-stopping split and calibration), so the figures estimate what ``train-csv`` would
deliver on new rows from the same population. No per-dataset tuning happens here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from training.delong import Z95, auc_interval
from training.evaluate import auc, summary_metrics
from training.scorecard import WoeScorecard
from training.search import DEFAULT_TIME_BUDGET
from training.tabular import TabularData
from training.train import DEFAULT_NUM_THREADS, train_frame


def cross_validate(
    data: TabularData,
    folds: int = 5,
    seed: int = 42,
    num_threads: int = DEFAULT_NUM_THREADS,
    on_fold: Callable[[int], None] | None = None,
    time_budget: float = DEFAULT_TIME_BUDGET,
) -> dict[str, Any]:
    """Cross-validate the default pipeline and the scorecard challenger.

    Args:
        data: parsed data (see :func:`training.tabular.load_tabular`).
        folds: number of stratified folds.
        seed: seed of the fold shuffle and of every model.
        num_threads: LightGBM training threads.
        on_fold: called with the fold number after each fold (progress bars).
        time_budget: seconds each fold's settings search may spend (see ``training.search``).

    Returns:
        JSON-ready dict: ``auc_mean`` with its 95% interval ``auc_ci_low``/``auc_ci_high``
        (DeLong per fold, combined over the disjoint test folds), ``auc_std``, ``folds``
        (per-fold AUCs), ``gini_mean``,
        ``ks_mean``, ``brier_mean``, ``log_loss_mean``, ``calibration_error_mean``,
        ``challenger_auc_mean``, ``challenger_folds``, ``best_iterations``, ``rows``,
        ``features``, ``positive_rate``, ``cv``, ``seed``.
    """
    y = data.target
    if int(y.sum()) < folds or int(len(y) - y.sum()) < folds:
        raise ValueError(f"need at least {folds} rows of each class for {folds}-fold CV")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    per_fold: list[dict[str, float]] = []
    fold_se: list[float] = []
    challenger: list[float] = []
    iterations: list[int] = []
    for k, (tr, te) in enumerate(splitter.split(np.zeros(len(y)), y)):
        dates = None if data.dates is None else data.dates[tr]
        model = train_frame(
            data.frame.iloc[tr],
            y[tr],
            dates,
            seed=seed,
            num_threads=num_threads,
            time_budget=time_budget,
        )
        p = model.predict_pd(data.frame.iloc[te])
        per_fold.append(summary_metrics(y[te], p))
        fold_se.append(auc_interval(y[te], p).se)
        iterations.append(model.best_iteration)
        card = WoeScorecard(categorical=model.encoder.categorical_indices)
        card.fit(model.encoder.transform(data.frame.iloc[tr]), y[tr])
        x_test = model.encoder.transform(data.frame.iloc[te])
        challenger.append(auc(y[te], card.predict_proba(x_test)))
        if on_fold is not None:
            on_fold(k)

    def mean(key: str) -> float:
        return round(float(np.mean([f[key] for f in per_fold])), 6)

    aucs = [round(f["auc"], 6) for f in per_fold]
    # the folds' test rows are disjoint, so the mean's variance is the sum of the folds' / k^2
    se_mean = math.sqrt(sum(se * se for se in fold_se)) / len(fold_se)
    return {
        "auc_mean": mean("auc"),
        "auc_ci_low": round(max(0.0, mean("auc") - Z95 * se_mean), 6),
        "auc_ci_high": round(min(1.0, mean("auc") + Z95 * se_mean), 6),
        "auc_std": round(float(np.std(aucs)), 6),
        "folds": aucs,
        "gini_mean": mean("gini"),
        "ks_mean": mean("ks"),
        "brier_mean": mean("brier"),
        "log_loss_mean": mean("log_loss"),
        "calibration_error_mean": mean("calibration_error"),
        "challenger_auc_mean": round(float(np.mean(challenger)), 6),
        "challenger_folds": [round(a, 6) for a in challenger],
        "best_iterations": iterations,
        "rows": int(len(y)),
        "features": int(data.frame.shape[1]),
        "positive_rate": round(float(y.mean()), 6),
        "cv": folds,
        "seed": seed,
    }
