"""Time-boxed choice of the booster settings on small data, inside the training rows only.

On small data (the crossfit strategy) no one setting wins everywhere: randomised split points
(``extra_trees``) and looser categorical grouping help a data set with many city/bank levels,
and hurt one of dense financial ratios. So a short, FIXED list of candidates is scored by
k-fold cross-validation on the training rows (the rows being scored never train the booster
that scores them, and the caller's evaluation rows are never seen at all: the search is
nested), then a greedy ensemble selection (Caruana et al. 2004) on the out-of-fold margins adds
a candidate whenever averaging it in raises the out-of-fold AUC by ``MIN_OOF_GAIN``; the
defaults stay unless that ensemble beats them by as much. The chosen candidates are refitted on
all rows and averaged into one booster (:mod:`training.ensemble`), so the served model is still
a single LightGBM model.

The last candidate is not a LightGBM setting: symmetric trees (:mod:`training.symmetric`),
which LightGBM cannot grow, written into LightGBM's format. On dense financial ratios they are
what closes the gap to CatBoost; they read no categorical codes and enforce no monotone
constraints, so the search leaves them out when the data has either.

The time budget only ever shortens the fixed list (the first candidate always runs), so with
the default budget the result is the same on every machine; a run cut short says so in its
parameters (``search.truncated``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import roc_auc_score

from training.symmetric import SymmetricParams, fit_symmetric

# Seconds the search may spend per trained model, by default; every candidate of the list
# below fits well within it on this machine's data sets (SBA, Polish: ~5-30 s each for the
# LightGBM settings, ~65 s for the symmetric trees' five folds on Polish).
DEFAULT_TIME_BUDGET = 600.0

# Another choice replaces the defaults only when its out-of-fold AUC beats theirs by this much.
# Smaller gains are within the noise of the inner folds: on Polish bankruptcy the candidates
# were 0.0004 apart and their greedy mix gained 0.0015 out of fold but lost 0.002 on the test
# fold, while on SBA the randomised settings gained 0.004-0.008 out of fold and 0.005 on test.
MIN_OOF_GAIN = 0.002

# The override that selects the symmetric learner instead of LightGBM's own trees.
SYMMETRIC = "symmetric_trees"

# Overrides of training.train.default_params, tried in this order. The first is the default
# itself, so the search can only pick another when the training rows' own CV prefers it.
SEARCH_CANDIDATES: tuple[Mapping[str, Any], ...] = (
    {},
    # Randomised thresholds and finer categorical grouping: for mixed data with many levels.
    {"extra_trees": True, "min_data_per_group": 10, "cat_smooth": 5.0, "max_cat_threshold": 64},
    # Deeper trees with smaller leaves: for dense numeric data with interactions.
    {"num_leaves": 31, "min_data_in_leaf": 10},
    # Symmetric trees (training.symmetric): for dense numeric data. Numeric features without
    # monotone constraints only; the caller drops it otherwise (see symmetric_allowed).
    {SYMMETRIC: True},
)  # fmt: skip


def symmetric_allowed(has_categorical: bool, has_monotone: bool) -> bool:
    """Whether the symmetric candidate may run: it reads no categories and enforces no signs."""
    return not has_categorical and not has_monotone


def check_time_budget(seconds: float) -> float:
    """Return ``seconds`` as a float, or refuse a budget that allows no search at all.

    Raises:
        ValueError: the budget is not a positive finite number of seconds.
    """
    value = float(seconds)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"time budget must be a positive number of seconds, got {seconds!r}")
    return value


@dataclass(frozen=True)
class CandidateFit:
    """One candidate's inner cross-validation."""

    overrides: Mapping[str, Any]
    rounds: int  # boosting rounds chosen by early stopping on the inner folds
    oof_margin: NDArray[np.float64]
    oof_auc: float


@dataclass(frozen=True)
class SearchResult:
    """The candidates chosen for the ensemble and what the search saw."""

    chosen: list[CandidateFit]
    scores: list[float]  # out-of-fold AUC of every candidate tried, in list order
    ensemble_auc: float  # out-of-fold AUC of the chosen candidates' averaged margins
    truncated: bool  # the time budget stopped the list early

    @property
    def oof_margin(self) -> NDArray[np.float64]:
        """The averaged out-of-fold margin of the chosen candidates (for calibration)."""
        return np.asarray(np.mean([c.oof_margin for c in self.chosen], axis=0), dtype=np.float64)

    def describe(self) -> dict[str, Any]:
        """JSON-ready summary for the model's parameters and card."""
        return {
            "candidates_tried": len(self.scores),
            "oof_auc": [round(s, 6) for s in self.scores],
            "chosen": [dict(c.overrides) for c in self.chosen],
            "ensemble_oof_auc": round(self.ensemble_auc, 6),
            "truncated": self.truncated,
        }


def _inner_cv(
    x: NDArray[np.float64],
    y: NDArray[np.int8],
    params: dict[str, Any],
    ds_kwargs: dict[str, Any],
    folds: list[tuple[NDArray[np.int64], NDArray[np.int64]]],
    max_rounds: int,
    patience: int,
) -> tuple[int, NDArray[np.float64]]:
    ds_kwargs = dict(ds_kwargs, params={**ds_kwargs["params"], "max_bin": params["max_bin"]})
    result = lgb.cv(
        params,
        lgb.Dataset(x, label=y, **ds_kwargs),
        num_boost_round=max_rounds,
        folds=folds,
        stratified=False,
        callbacks=[lgb.early_stopping(patience, verbose=False)],
        return_cvbooster=True,
    )
    cvbooster = result["cvbooster"]
    assert isinstance(cvbooster, lgb.CVBooster)  # return_cvbooster=True guarantees it
    best = int(cvbooster.best_iteration)
    oof = np.empty(len(y), dtype=np.float64)
    for (_, valid_idx), booster in zip(folds, cvbooster.boosters, strict=True):
        oof[valid_idx] = booster.predict(
            x[valid_idx], raw_score=True, num_iteration=best, num_threads=params["num_threads"]
        )
    return best, oof


def _inner_cv_symmetric(
    x: NDArray[np.float64],
    y: NDArray[np.int8],
    folds: list[tuple[NDArray[np.int64], NDArray[np.int64]]],
    settings: SymmetricParams,
) -> tuple[int, NDArray[np.float64]]:
    # A fixed number of trees (CatBoost's defaults do not stop early either): the folds only
    # give the out-of-fold margins the selection and the calibration need.
    oof = np.empty(len(y), dtype=np.float64)
    for fit_idx, valid_idx in folds:
        model = fit_symmetric(x[fit_idx], y[fit_idx], settings)
        oof[valid_idx] = model.margin(x[valid_idx])
    return settings.rounds, oof


def search_candidates(
    x: NDArray[np.float64],
    y: NDArray[np.int8],
    base: Mapping[str, Any],
    ds_kwargs: dict[str, Any],
    folds: list[tuple[NDArray[np.int64], NDArray[np.int64]]],
    time_budget: float = DEFAULT_TIME_BUDGET,
    candidates: Sequence[Mapping[str, Any]] = SEARCH_CANDIDATES,
    max_rounds: int = 3000,
    patience: int = 100,
) -> SearchResult:
    """Score ``candidates`` by inner CV and greedily pick an ensemble of them.

    Args:
        x: training matrix (the caller's evaluation rows are not in it).
        y: 0/1 outcomes of ``x``.
        base: default parameters; each candidate overrides some of them.
        ds_kwargs: ``lightgbm.Dataset`` keyword arguments (feature names, categoricals).
        folds: inner (train, valid) index pairs over ``x``.
        time_budget: seconds after which no further candidate is started.
        candidates: parameter overrides, tried in order; the first always runs.
        max_rounds: boosting rounds at most.
        patience: early-stopping rounds.

    Returns:
        The chosen candidates (best first) and the scores seen.
    """
    deadline = time.monotonic() + check_time_budget(time_budget)
    fits: list[CandidateFit] = []
    truncated = False
    for i, overrides in enumerate(candidates):
        if i > 0 and time.monotonic() >= deadline:
            truncated = True
            break
        if overrides.get(SYMMETRIC):
            settings = SymmetricParams(seed=int(base.get("seed", 0)))
            rounds, oof = _inner_cv_symmetric(x, y, folds, settings)
        else:
            params = {**base, **overrides}
            rounds, oof = _inner_cv(x, y, params, ds_kwargs, folds, max_rounds, patience)
        fits.append(CandidateFit(overrides, rounds, oof, float(roc_auc_score(y, oof))))
    # Greedy selection without replacement: start from the best, add the candidate whose
    # averaged margin raises the out-of-fold AUC most, stop when none does by MIN_OOF_GAIN (a
    # smaller rise is inner-fold noise, as for the defaults below).
    order = sorted(range(len(fits)), key=lambda k: (-fits[k].oof_auc, k))
    chosen = [fits[order[0]]]
    best_auc = chosen[0].oof_auc
    remaining = [fits[k] for k in order[1:]]
    while remaining:
        trials = [
            float(roc_auc_score(y, np.mean([c.oof_margin for c in [*chosen, r]], axis=0)))
            for r in remaining
        ]
        k = int(np.argmax(trials))
        if trials[k] < best_auc + MIN_OOF_GAIN:
            break
        best_auc = trials[k]
        chosen.append(remaining.pop(k))
    if best_auc - fits[0].oof_auc < MIN_OOF_GAIN:
        chosen, best_auc = [fits[0]], fits[0].oof_auc  # the defaults, unless clearly beaten
    return SearchResult(chosen, [f.oof_auc for f in fits], best_auc, truncated)
