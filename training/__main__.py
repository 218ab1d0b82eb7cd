"""Command line: ``python -m training {evaluate-csv,train-csv,train-population} ...``.

``evaluate-csv`` cross-validates the default pipeline on any labelled CSV/Parquet file and
prints one JSON object as its last line; ``train-csv`` trains on a file and writes the model,
its preprocessing and a model card; ``train-population`` trains the product model on the
synthetic population and writes a scoring bundle and a model card. Bad input exits with
status 2 and a message naming the problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from tqdm import tqdm

from training.card import write_card
from training.crossval import cross_validate
from training.report import build_report
from training.search import DEFAULT_TIME_BUDGET, check_time_budget
from training.tabular import TabularDataError, load_tabular
from training.train import DEFAULT_NUM_THREADS, train_frame, validation_split

EXIT_BAD_INPUT = 2


def _data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", type=Path, help="CSV (UTF-8, BOM allowed) or Parquet file")
    p.add_argument("--target", required=True, help="target column")
    p.add_argument("--positive", default=None, help="target value meaning bad/default")
    p.add_argument("--exclude", nargs="*", default=[], help="columns never used as features")
    p.add_argument("--date", default=None, help="date column (out-of-time validation split)")
    p.add_argument("--id", default=None, help="row id column (dropped from the features)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--threads", type=int, default=DEFAULT_NUM_THREADS, help="LightGBM threads")
    p.add_argument(
        "--time-budget",
        type=float,
        default=DEFAULT_TIME_BUDGET,
        help="seconds the small-data settings search may spend per trained model "
        f"(default {DEFAULT_TIME_BUDGET:.0f}; more than 0)",
    )


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the three commands."""
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate-csv", help="k-fold CV of the default pipeline")
    _data_args(ev)
    ev.add_argument("--cv", type=int, default=5, help="number of stratified folds")
    tr = sub.add_parser("train-csv", help="train on a file, evaluate a holdout, write a card")
    _data_args(tr)
    tr.add_argument("--out", type=Path, required=True, help="output folder")
    tr.add_argument("--group", nargs="*", default=[], help="columns for fairness tables")
    tp = sub.add_parser("train-population", help="train on the synthetic population")
    tp.add_argument("--n", type=int, default=50_000)
    tp.add_argument("--seed", type=int, default=42)
    tp.add_argument("--as-of", type=date.fromisoformat, default=None)
    tp.add_argument("--threads", type=int, default=DEFAULT_NUM_THREADS)
    tp.add_argument("--out", type=Path, required=True, help="bundle folder (must not exist)")
    return parser


def _evaluate_csv(args: argparse.Namespace) -> dict[str, Any]:
    check_time_budget(args.time_budget)  # before reading a large file, not after
    data = load_tabular(args.path, args.target, args.positive, args.exclude, args.id, args.date)
    with tqdm(total=args.cv, desc="folds", file=sys.stderr) as bar:

        def step(_fold: int) -> None:
            bar.update()

        result = cross_validate(data, args.cv, args.seed, args.threads, step, args.time_budget)
    return result


def _train_csv(args: argparse.Namespace) -> dict[str, Any]:
    check_time_budget(args.time_budget)
    data = load_tabular(
        args.path, args.target, args.positive, args.exclude, args.id, args.date, args.group
    )
    y = data.target
    with tqdm(total=3, desc="train-csv", file=sys.stderr) as bar:
        train_idx, test_idx = validation_split(y, data.dates, seed=args.seed + 1)
        dates = None if data.dates is None else data.dates[train_idx]
        model = train_frame(
            data.frame.iloc[train_idx],
            y[train_idx],
            dates,
            seed=args.seed,
            num_threads=args.threads,
            time_budget=args.time_budget,
        )
        bar.update()
        x_train = model.encoder.transform(data.frame.iloc[train_idx])
        x_test = model.encoder.transform(data.frame.iloc[test_idx])
        groups = {g: v[test_idx] for g, v in data.groups.items()}
        description = dict(data.description, train_rows=len(train_idx), holdout_rows=len(test_idx))
        report = build_report(
            model,
            x_train,
            y[train_idx],
            x_test,
            y[test_idx],
            description,
            groups=groups,
            seed=args.seed,
        )
        bar.update()
        out: Path = args.out
        out.mkdir(parents=True, exist_ok=True)
        (out / "model.txt").write_text(model.model_text(), encoding="utf-8")
        preprocessing = {
            "encoder": model.encoder.to_dict(),
            "calibration": model.calibration.to_dict(),
            "target": args.target,
            "positive": args.positive,
        }
        (out / "preprocessing.json").write_text(json.dumps(preprocessing, indent=1, sort_keys=True))
        (out / "baseline.json").write_text(report["baseline"])
        write_card(report, out, Path(args.path).name)
        bar.update()
    return {"out": str(out), **report["metrics"], "challenger_auc": report["challenger_auc"]}


def _train_population(args: argparse.Namespace) -> dict[str, Any]:
    from training.population import train_population, write_population_bundle

    if args.out.exists():
        raise TabularDataError(f"{args.out} exists; bundles are immutable, choose a new folder")
    with tqdm(total=2, desc="train-population", file=sys.stderr) as bar:
        model, report, manifest = train_population(args.n, args.seed, args.as_of, args.threads)
        bar.update()
        path = write_population_bundle(args.out, model, manifest)
        write_card(report, path.parent / f"{path.name}_card", f"IMK model {manifest['version']}")
        bar.update()
    return {"bundle": str(path), **report["metrics"], "challenger_auc": report["challenger_auc"]}


def main(argv: list[str] | None = None) -> int:
    """Run one command; the last line printed is a JSON object.

    Args:
        argv: arguments (default: ``sys.argv[1:]``).

    Returns:
        0 on success, 2 on bad input.
    """
    args = build_parser().parse_args(argv)
    commands = {
        "evaluate-csv": _evaluate_csv,
        "train-csv": _train_csv,
        "train-population": _train_population,
    }
    try:
        result = commands[args.command](args)
    except (TabularDataError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(json.dumps({"error": str(exc)}))
        return EXIT_BAD_INPUT
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
