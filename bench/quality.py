"""Quality of the default pipeline against strong references on the public credit data sets.

``python -m bench.quality [--quick] [--threads N] [--time-budget S]``. On each data set of
``../shared/datasets`` (its README gives the exclusions) and the same five folds as
``python -m training evaluate-csv --cv 5 --seed 42`` (``StratifiedKFold(5, shuffle=True,
random_state=42)``), in the same run:

- pipeline: ``training.train.train_frame`` (what ``evaluate-csv`` and ``train-csv`` run);
- LightGBM defaults: ``LGBMClassifier(random_state=42)``, non-numeric columns as categories;
- XGBoost defaults: ``XGBClassifier(enable_categorical=True, tree_method="hist")``;
- CatBoost defaults: ``CatBoostClassifier(random_seed=0)``, non-numeric columns as
  ``cat_features`` (missing as ``"NA"``).

It prints each ROC AUC (mean ± sd over the folds), the pipeline's margin over the best
reference, and its training time as a ratio to LightGBM defaults (every model gets the same
thread count). ``--quick`` runs SBA only, on the first of the five folds (within 60 s).
XGBoost and CatBoost are bench extras (``pip install -e '.[bench]'``); the served code never
imports them, and the bench leaves out, saying so, a reference not installed. Skips cleanly,
with a message, when the data sets are absent. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from tqdm import tqdm

from training.search import DEFAULT_TIME_BUDGET, check_time_budget
from training.tabular import TabularData, load_tabular
from training.train import train_frame

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
SBA_EXCLUDE = (
    "Selected LoanNr_ChkDgt Name ChgOffDate ChgOffPrinGr MIS_Status BalanceGross xx daysterm Term"
).split()


@dataclass(frozen=True)
class Dataset:
    """One public data set as the shared README describes it."""

    name: str
    file: str
    target: str
    exclude: tuple[str, ...]


SETS = (
    Dataset("taiwan", "taiwan_default_credit_card_clients.csv", "default.payment.next.month",
            ("ID",)),
    Dataset("sba_without_term", "sba_case.csv", "Default", tuple(SBA_EXCLUDE)),
    Dataset("polish_year5", "polish_bankruptcy_5year.csv", "class", ()),
)  # fmt: skip

FitPredict = Callable[[pd.DataFrame, NDArray[np.int8], pd.DataFrame], NDArray[np.float64]]


def _pipeline(threads: int, budget: float) -> FitPredict:
    def run(train: pd.DataFrame, y: NDArray[np.int8], test: pd.DataFrame) -> NDArray[np.float64]:
        model = train_frame(train, y, seed=42, num_threads=threads, time_budget=budget)
        return model.predict_pd(test)

    return run


def _lightgbm(threads: int) -> FitPredict:
    import lightgbm as lgb

    def run(train: pd.DataFrame, y: NDArray[np.int8], test: pd.DataFrame) -> NDArray[np.float64]:
        model = lgb.LGBMClassifier(random_state=42, verbose=-1, n_jobs=threads).fit(train, y)
        return np.asarray(np.asarray(model.predict_proba(test))[:, 1], dtype=np.float64)

    return run


def _xgboost(threads: int) -> FitPredict:
    import xgboost as xgb

    def run(train: pd.DataFrame, y: NDArray[np.int8], test: pd.DataFrame) -> NDArray[np.float64]:
        model = xgb.XGBClassifier(enable_categorical=True, tree_method="hist", n_jobs=threads)
        model.fit(train, y)
        return np.asarray(model.predict_proba(test)[:, 1], dtype=np.float64)

    return run


def _catboost(threads: int) -> FitPredict:
    import catboost as cb

    def as_text(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        for col in out.columns:
            if isinstance(out[col].dtype, pd.CategoricalDtype):
                out[col] = out[col].astype(object).where(out[col].notna(), "NA").astype(str)
        return out

    def run(train: pd.DataFrame, y: NDArray[np.int8], test: pd.DataFrame) -> NDArray[np.float64]:
        cats = [c for c in train.columns if isinstance(train[c].dtype, pd.CategoricalDtype)]
        model = cb.CatBoostClassifier(
            random_seed=0,
            verbose=0,
            thread_count=threads,
            cat_features=cats,
            allow_writing_files=False,
        )
        model.fit(as_text(train), y)
        return np.asarray(model.predict_proba(as_text(test))[:, 1], dtype=np.float64)

    return run


def score_folds(
    data: TabularData, fit_predict: FitPredict, folds: list[int]
) -> tuple[list[float], float]:
    """ROC AUC of ``fit_predict`` on the chosen folds of the evaluate-csv split, and seconds."""
    y = data.target
    splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=42)
    aucs: list[float] = []
    seconds = 0.0
    for k, (tr, te) in enumerate(splitter.split(np.zeros(len(y)), y)):
        if k not in folds:
            continue
        start = time.perf_counter()
        p = fit_predict(data.frame.iloc[tr], y[tr], data.frame.iloc[te])
        seconds += time.perf_counter() - start
        aucs.append(float(roc_auc_score(y[te], p)))
    return aucs, seconds


def available_references() -> tuple[list[str], list[str]]:
    """Names of the references whose library is installed, and of those that are not."""
    found: list[str] = ["lightgbm_defaults"]
    missing: list[str] = []
    for name, module in (("xgboost_defaults", "xgboost"), ("catboost_defaults", "catboost")):
        (found if importlib.util.find_spec(module) is not None else missing).append(name)
    return found, missing


def bench_dataset(
    ds: Dataset, threads: int, budget: float, folds: list[int], references: list[str]
) -> dict[str, Any]:
    """Run the pipeline and the installed references on one data set."""
    data = load_tabular(DATASETS / ds.file, ds.target, None, list(ds.exclude))
    makers = {"lightgbm_defaults": _lightgbm, "xgboost_defaults": _xgboost,
              "catboost_defaults": _catboost}  # fmt: skip
    models: dict[str, FitPredict] = {"pipeline": _pipeline(threads, budget)}
    models.update({name: makers[name](threads) for name in references})
    out: dict[str, Any] = {}
    for name, fit_predict in tqdm(models.items(), desc=ds.name, file=sys.stderr):
        aucs, seconds = score_folds(data, fit_predict, folds)
        out[name] = {
            "auc_mean": round(float(np.mean(aucs)), 4),
            "auc_sd": round(float(np.std(aucs)), 4),
            "folds": [round(a, 4) for a in aucs],
            "seconds": round(seconds, 2),
        }
    best_name = max((n for n in models if n != "pipeline"), key=lambda n: out[n]["auc_mean"])
    out["best_reference"] = best_name
    out["margin"] = round(out["pipeline"]["auc_mean"] - out[best_name]["auc_mean"], 4)
    out["time_ratio"] = round(
        out["pipeline"]["seconds"] / max(out["lightgbm_defaults"]["seconds"], 1e-9), 1
    )
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; print a table per data set and the JSON summary last."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="SBA only, the first of the five folds")
    ap.add_argument("--threads", type=int, default=1, help="threads for every model")
    ap.add_argument(
        "--dataset",
        choices=[d.name for d in SETS],
        default=None,
        help="only this data set (default: all; --quick: SBA)",
    )
    ap.add_argument(
        "--time-budget",
        type=float,
        default=DEFAULT_TIME_BUDGET,
        help="the pipeline's search budget in seconds",
    )
    args = ap.parse_args(argv)
    try:
        check_time_budget(args.time_budget)
    except ValueError as exc:
        ap.error(str(exc))
    if not DATASETS.is_dir():
        out: dict[str, Any] = {"skipped": f"{DATASETS} absent: public data sets not here"}
        print(out["skipped"], file=sys.stderr)
        print(json.dumps(out))
        return out
    references, missing = available_references()
    if missing:
        print(f"not installed, left out: {missing} (pip install -e '.[bench]')", file=sys.stderr)
    only = args.dataset or ("sba_without_term" if args.quick else None)
    chosen = [d for d in SETS if only in (None, d.name)]
    folds = [0] if args.quick else [0, 1, 2, 3, 4]
    results: dict[str, Any] = {}
    for ds in chosen:
        res = bench_dataset(ds, args.threads, args.time_budget, folds, references)
        results[ds.name] = res
        print(f"\n{ds.name} (folds {folds})")
        for name in ("pipeline", *references):
            r = res[name]
            auc = f"{r['auc_mean']:.4f} ± {r['auc_sd']:.4f}"
            print(f"  {name:18s} AUC {auc}  {r['seconds']:7.1f} s")
        print(
            f"  margin over {res['best_reference']}: {res['margin']:+.4f}; "
            f"time ratio to LightGBM defaults: {res['time_ratio']}x"
        )
    summary = {
        "datasets": results,
        "folds": folds,
        "references_missing": missing,
        "threads": args.threads,
        "time_budget": args.time_budget,
        "min_margin": min(r["margin"] for r in results.values()),
        "reaches_best_everywhere": all(r["margin"] >= 0 for r in results.values()),
    }
    print(json.dumps(summary, sort_keys=True))
    return summary


if __name__ == "__main__":
    main()
