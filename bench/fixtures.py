"""Benchmark: generating the synthetic population, against drawing raw random numbers.

``python -m bench.fixtures [--quick]`` generates 100,000 enterprises (``--quick``: 20,000, and
says so; figures scale about linearly) and reports seconds, transactions per second and the
process's peak memory. The reference, measured in the same run, is the floor of any generator:
the time to draw ``rng.random`` for as many numbers as the transaction table has values
(records x 5 columns). The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from typing import Any

import numpy as np

from fixtures import Population, bad_rate, generate_population, oracle_auc
from fixtures.growth import graduated

TRANSACTION_COLUMNS = 5  # app, day, amount, inflow, channel


def peak_rss_mb() -> float:
    """Return the peak resident memory of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def generate_and_time(n: int, seed: int) -> tuple[Population, float]:
    """Generate a population and time it.

    Args:
        n: enterprises.
        seed: seed.

    Returns:
        (population, seconds of wall time).
    """
    start = time.perf_counter()
    pop = generate_population(n, seed)
    return pop, time.perf_counter() - start


def raw_rng_seconds(count: int, seed: int) -> float:
    """Return the seconds to draw ``count`` uniform numbers in 1M chunks (memory stays flat)."""
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    left = count
    while left > 0:
        rng.random(min(left, 1_000_000))
        left -= 1_000_000
    return time.perf_counter() - start


def run(n: int, seed: int) -> dict[str, Any]:
    """Measure generation of ``n`` enterprises; return the figures."""
    pop, seconds = generate_and_time(n, seed)
    records = int(pop.raw.transactions.app.size)
    floor = raw_rng_seconds(records * TRANSACTION_COLUMNS, seed)
    return {
        "enterprises": n,
        "transactions": records,
        "loan_payments": int(pop.loan_payments.loan_id.size),
        "seconds": round(seconds, 3),
        "transactions_per_s": round(records / seconds),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "raw_rng_seconds": round(floor, 3),
        "ratio_to_raw_rng": round(seconds / floor, 2),
        "oracle_auc": round(oracle_auc(pop), 4),
        "bad_rate": round(bad_rate(pop), 4),
        "graduation_share": round(float(graduated(pop.size_observations).mean()), 4),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures (last line: JSON)."""
    parser = argparse.ArgumentParser(prog="python -m bench.fixtures")
    parser.add_argument("--quick", action="store_true", help="20,000 enterprises (< 60 s)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    n = 20_000 if args.quick else 100_000
    if args.quick:
        print("quick run: 20,000 enterprises; generation time scales about linearly with n")
    figures = run(n, args.seed)
    print(
        f"{figures['enterprises']:,} enterprises, {figures['transactions']:,} transactions in "
        f"{figures['seconds']} s ({figures['transactions_per_s']:,}/s), peak RSS "
        f"{figures['peak_rss_mb']} MiB; {figures['ratio_to_raw_rng']}x the time to draw the "
        f"same count of raw random numbers ({figures['raw_rng_seconds']} s)"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
