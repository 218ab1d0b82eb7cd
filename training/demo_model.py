"""Build the demo model bundle with the product's own training pipeline.

``python -m training.demo_model [--replace]`` trains the default pipeline
(``training.population.train_population``: monotone LightGBM with early stopping and Platt
calibration on held-out rows, evaluated on a holdout against the oracle) on the fixtures
population and writes it to ``fixtures/demo_model``, the bundle the app serves out of the box.
It is the code ``python -m training train-population`` runs for a data scientist; only the
bundle's name and version differ, so the demo is never a model the pipeline would not make.
Everything is seeded: the same arguments give the same bundle bytes.
"""

from __future__ import annotations

import argparse
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from training.population import train_population, write_population_bundle

DEMO_NAME = "imk-demo"


def demo_manifest(manifest: dict[str, Any], as_of: date, seed: int) -> dict[str, Any]:
    """Rename a pipeline manifest as the demo model (name and version only)."""
    return {**manifest, "name": DEMO_NAME, "version": f"{as_of.isoformat()}-s{seed}"}


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; prints the bundle path and its holdout metrics."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("fixtures/demo_model"))
    ap.add_argument("--n", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=20261031)
    ap.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 10, 31))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--replace", action="store_true", help="remove an existing bundle first")
    args = ap.parse_args(argv)
    model, _report, manifest = train_population(args.n, args.seed, args.as_of, args.threads)
    manifest = demo_manifest(manifest, args.as_of, args.seed)
    if args.replace and args.out.exists():
        shutil.rmtree(args.out)
    path = write_population_bundle(args.out, model, manifest)
    print(path, manifest["metrics"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
