"""Train the product model on the synthetic population and write a scoring bundle.

The features come from ``scoring.features.compute_features`` on the population's raw batch,
the same code the API scores with, so there is no train/serve skew. The holdout gives the
model card and the quality bars: AUC against the oracle AUC (the true PD's AUC on the same
rows) and the calibration error by decile.
"""

from __future__ import annotations

import hashlib
import platform
from datetime import date
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray

from fixtures import generate_population
from fixtures.tables import Population
from scoring.bundle import write_bundle
from scoring.feature_spec import FEATURE_NAMES, FEATURE_SPEC_VERSION, MONOTONE_CONSTRAINTS
from scoring.features import compute_features
from training.encoding import CategoryEncoder
from training.evaluate import auc
from training.report import SCORE_SCALING, build_report
from training.train import DEFAULT_NUM_THREADS, TrainedModel, train_matrix, validation_split

# Band upper PD bounds of the product's risk bands (A best).
BAND_PD_MAX: tuple[tuple[str, float], ...] = (
    ("A", 0.03),
    ("B", 0.06),
    ("C", 0.12),
    ("D", 0.25),
    ("E", 1.0),
)
HOLDOUT_FRACTION = 0.2


def numeric_encoder(names: tuple[str, ...]) -> CategoryEncoder:
    """An encoder that passes float64 columns through (the product's features are numeric)."""
    return CategoryEncoder(columns=list(names))


def train_population(
    n: int,
    seed: int,
    as_of: date | None = None,
    num_threads: int = DEFAULT_NUM_THREADS,
    pop: Population | None = None,
) -> tuple[TrainedModel, dict[str, Any], dict[str, Any]]:
    """Train on ``fixtures.generate_population(n, seed)`` and evaluate on a holdout.

    Args:
        n: population size.
        seed: seed of the population, the holdout split and the model.
        as_of: population observation date (default: the fixtures' default).
        num_threads: training threads.
        pop: an already generated population of these arguments (saves regenerating it).

    Returns:
        (model, report for the card, bundle manifest fields).
    """
    if pop is None:
        pop = generate_population(n, seed) if as_of is None else generate_population(n, seed, as_of)
    x = compute_features(pop.raw).values
    y = pop.defaulted.astype(np.int8)
    train_idx, test_idx = validation_split(y, None, HOLDOUT_FRACTION, seed=seed + 1)
    encoder = numeric_encoder(FEATURE_NAMES)
    monotone = dict(zip(FEATURE_NAMES, MONOTONE_CONSTRAINTS, strict=True))
    model = train_matrix(
        x[train_idx], y[train_idx], encoder, seed=seed, num_threads=num_threads, monotone=monotone
    )
    gender = np.where(pop.raw.profiles.owner_female[test_idx], "F", "M")
    province = pop.raw.profiles.province[test_idx].astype(str)
    description: dict[str, Any] = {
        "source": f"fixtures.generate_population(n={n}, seed={seed})",
        "as_of": pop.as_of.isoformat(),
        "rows": n,
        "train_rows": int(len(train_idx)),
        "holdout_rows": int(len(test_idx)),
        "bad_rate": round(float(y.mean()), 6),
        "features": len(FEATURE_NAMES),
        "feature_spec_version": FEATURE_SPEC_VERSION,
    }
    report = build_report(
        model,
        x[train_idx],
        y[train_idx],
        x[test_idx],
        y[test_idx],
        description,
        groups={"owner_gender": gender, "province": province},
        seed=seed,
    )
    pd = report["_arrays"]["pd"]
    oracle = auc(y[test_idx], pop.true_pd[test_idx])
    approved = pop.applications.approved[test_idx]
    oracle_approved = auc(y[test_idx][approved], pop.true_pd[test_idx][approved])
    model_approved = auc(y[test_idx][approved], pd[approved])
    report["metrics"]["oracle_auc"] = round(oracle, 6)
    report["metrics"]["auc_over_oracle"] = round(report["metrics"]["auc"] / oracle, 6)
    report["metrics"]["auc_approved"] = round(model_approved, 6)
    report["metrics"]["oracle_auc_approved"] = round(oracle_approved, 6)
    manifest = bundle_manifest(model, x, y, pd, y[test_idx], report, pop.as_of, seed, n)
    return model, report, manifest


def bundle_manifest(
    model: TrainedModel,
    x: NDArray[np.float64],
    y: NDArray[np.int8],
    holdout_pd: NDArray[np.float64],
    holdout_y: NDArray[np.int8],
    report: dict[str, Any],
    as_of: date,
    seed: int,
    n: int,
) -> dict[str, Any]:
    """Manifest fields for ``scoring.bundle.write_bundle``."""
    bounds = np.array([m for _, m in BAND_PD_MAX])
    band_of = np.searchsorted(bounds, holdout_pd, side="left")
    bands = []
    for k, (name, pd_max) in enumerate(BAND_PD_MAX):
        m = band_of == k
        rate = float(holdout_y[m].mean()) if m.any() else float(pd_max)
        bands.append(
            {
                "band": name,
                "pd_max": pd_max,
                "expected_bad_rate": round(rate, 4),
                "share": round(float(m.mean()), 4),
            }
        )
    data_hash = hashlib.sha256(np.ascontiguousarray(x).tobytes() + y.tobytes()).hexdigest()
    params = {k: v for k, v in model.params.items() if k != "monotone_constraints"}
    params["num_threads"] = None  # a property of the machine, not of the model
    return {
        "name": "imk-pipeline",
        "version": f"{as_of.isoformat()}-n{n}-s{seed}",
        "created": as_of.isoformat(),
        "feature_spec_version": FEATURE_SPEC_VERSION,
        "feature_names": list(FEATURE_NAMES),
        "monotone_constraints": list(MONOTONE_CONSTRAINTS),
        "calibration": model.calibration.to_dict(),
        "score_scaling": dict(SCORE_SCALING),
        "bands": bands,
        "metrics": dict(report["metrics"], challenger_auc=report["challenger_auc"]),
        "training_data_hash": data_hash,
        "training": {
            "population_n": n,
            "seed": seed,
            "best_iteration": model.best_iteration,
            "params": params,
        },
        "library_versions": {
            "lightgbm": lgb.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }


def write_population_bundle(out: Path, model: TrainedModel, manifest: dict[str, Any]) -> Path:
    """Write the bundle (``out`` must not exist: bundles are immutable)."""
    return write_bundle(out, model.model_text(), manifest)
