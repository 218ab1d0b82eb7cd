"""Train the demo model bundle from the synthetic population.

``python -m training.demo_model --out fixtures/demo_model`` draws the fixtures population,
computes features through ``scoring.features`` (the serving path), trains a monotone-constrained
LightGBM model, fits Platt calibration on a held-out split, measures the test split and writes
the bundle with ``scoring.bundle.write_bundle``. Everything is seeded: the same arguments give
the same bundle bytes. The later training pipeline replaces how the model is trained, not the
bundle format.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray

from fixtures import generate_population, oracle_auc
from scoring.bundle import write_bundle
from scoring.feature_spec import (
    FEATURE_NAMES,
    FEATURE_SPEC_VERSION,
    MONOTONE_CONSTRAINTS,
)
from scoring.features import compute_features

F64 = NDArray[np.float64]
# Band upper PD bounds: wide enough that each band holds a useful share of applicants.
BAND_PD_MAX: tuple[tuple[str, float], ...] = (
    ("A", 0.03),
    ("B", 0.06),
    ("C", 0.12),
    ("D", 0.25),
    ("E", 1.0),
)
SCORE_SCALING = {"base_points": 600, "base_odds": 50, "pdo": 20}


def lgb_params(seed: int, num_threads: int) -> dict[str, Any]:
    """Return the LightGBM parameters: shallow trees keep ``pred_contrib`` cheap."""
    return {
        "objective": "binary",
        "learning_rate": 0.05,
        "num_leaves": 15,
        "max_depth": 4,
        "min_data_in_leaf": 100,
        "feature_fraction": 0.9,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "monotone_constraints": list(MONOTONE_CONSTRAINTS),
        "monotone_constraints_method": "intermediate",
        "deterministic": True,
        "force_col_wise": True,
        "num_threads": num_threads,
        "seed": seed,
        "verbose": -1,
    }


def auc(score: F64, label: NDArray[np.bool_]) -> float:
    """Return the ROC AUC (Mann-Whitney with average ranks for ties)."""
    order = np.argsort(score, kind="stable")
    ranks = np.empty(len(score))
    sorted_scores = score[order]
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    pos = label.astype(bool)
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def fit_platt(margin: F64, label: NDArray[np.bool_], iterations: int = 50) -> tuple[float, float]:
    """Fit ``pd = 1 / (1 + exp(-(a * margin + b)))`` by Newton's method on the log-loss.

    Args:
        margin: raw model margins of the calibration split.
        label: realised defaults.
        iterations: Newton steps (converges in a handful).

    Returns:
        ``(a, b)``.
    """
    x = np.column_stack([margin, np.ones_like(margin)])
    y = label.astype(np.float64)
    w = np.array([1.0, 0.0])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y)
        hess = (x * (p * (1 - p))[:, None]).T @ x + 1e-9 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-12:
            break
    return float(w[0]), float(w[1])


def train_demo(
    n: int, seed: int, as_of: date, num_threads: int, rounds: int
) -> tuple[str, dict[str, Any]]:
    """Train the demo model and return (model text, manifest fields).

    Args:
        n: population size.
        seed: seed of the population, the split and LightGBM.
        as_of: population observation date (also the bundle's ``created``).
        num_threads: LightGBM training threads (the caller knows how busy the machine is).
        rounds: boosting rounds.

    Returns:
        The booster text and every manifest field ``write_bundle`` needs.
    """
    pop = generate_population(n, seed, as_of)
    X = compute_features(pop.raw).values
    y = pop.defaulted
    rng = np.random.default_rng(seed)
    part = rng.permutation(n) % 5  # 0-2 train, 3 calibration, 4 test
    train, cal, test = part <= 2, part == 3, part == 4
    ds = lgb.Dataset(X[train], y[train].astype(np.float64), feature_name=list(FEATURE_NAMES),
                     free_raw_data=True)  # fmt: skip
    booster = lgb.train(lgb_params(seed, num_threads), ds, num_boost_round=rounds)
    margin = np.asarray(booster.predict(X, raw_score=True, num_threads=num_threads))
    a, b = fit_platt(margin[cal], y[cal])
    pd = 1.0 / (1.0 + np.exp(-(a * margin + b)))
    approved = pop.applications.approved
    bounds = np.array([m for _, m in BAND_PD_MAX])
    band_of = np.searchsorted(bounds, pd, side="left")
    held = cal | test
    bands = []
    for k, (name, pd_max) in enumerate(BAND_PD_MAX):
        in_band = held & (band_of == k)
        rate = float(y[in_band].mean()) if in_band.any() else float(pd_max)
        bands.append({"band": name, "pd_max": pd_max, "expected_bad_rate": round(rate, 4),
                      "share": round(float(in_band.sum() / held.sum()), 4)})  # fmt: skip
    metrics = {
        "auc_test": round(auc(margin[test], y[test]), 4),
        "auc_test_approved": round(auc(margin[test & approved], y[test & approved]), 4),
        "oracle_auc_approved": round(oracle_auc(pop), 4),
        "oracle_auc_test": round(auc(pop.true_pd[test], y[test]), 4),
        "brier_test": round(float(np.mean((pd[test] - y[test]) ** 2)), 5),
        "mean_pd_test": round(float(pd[test].mean()), 4),
        "bad_rate_test": round(float(y[test].mean()), 4),
        "n_train": int(train.sum()),
        "n_calibration": int(cal.sum()),
        "n_test": int(test.sum()),
        "trees": booster.num_trees(),
    }
    data_hash = hashlib.sha256(np.ascontiguousarray(X).tobytes() + y.tobytes()).hexdigest()
    manifest = {
        "name": "imk-demo",
        "version": f"{as_of.isoformat()}-s{seed}",
        "created": as_of.isoformat(),
        "feature_spec_version": FEATURE_SPEC_VERSION,
        "feature_names": list(FEATURE_NAMES),
        "monotone_constraints": list(MONOTONE_CONSTRAINTS),
        "calibration": {"method": "platt", "a": a, "b": b},
        "score_scaling": SCORE_SCALING,
        "bands": bands,
        "metrics": metrics,
        "training_data_hash": data_hash,
        "training": {"population_n": n, "seed": seed, "rounds": rounds,
                     "params": lgb_params(seed, 1) | {"num_threads": None}},
        "library_versions": {"lightgbm": lgb.__version__, "numpy": np.__version__,
                             "python": platform.python_version()},
    }  # fmt: skip
    return booster.model_to_string(), manifest


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; prints the bundle path and its test metrics."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("fixtures/demo_model"))
    ap.add_argument("--n", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=20261031)
    ap.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 10, 31))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=150)
    ap.add_argument("--replace", action="store_true", help="remove an existing bundle first")
    args = ap.parse_args(argv)
    text, manifest = train_demo(args.n, args.seed, args.as_of, args.threads, args.rounds)
    if args.replace and args.out.exists():
        shutil.rmtree(args.out)
    path = write_bundle(args.out, text, manifest)
    print(path, manifest["metrics"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
