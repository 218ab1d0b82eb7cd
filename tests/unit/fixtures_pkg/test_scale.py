"""Scale: 100,000 enterprises with ~7 million transactions in under 60 s and 4 GB."""

from __future__ import annotations

import resource
import time

import pytest

from fixtures import generate_population


@pytest.mark.slow
def test_100k_enterprises_within_budget() -> None:
    start = time.perf_counter()
    small = generate_population(1_000, 3)
    small_seconds = time.perf_counter() - start
    start = time.perf_counter()
    pop = generate_population(100_000, 3)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    records = pop.raw.transactions.app.size
    print(
        f"1k: {small_seconds:.2f} s; 100k: {seconds:.1f} s, {records:,} records, {peak_mb:.0f} MiB"
    )
    assert small.n == 1_000 and small_seconds < 5  # "about a second", with a margin for load
    assert 6_000_000 <= records <= 8_000_000
    assert seconds < 60
    assert peak_mb < 4 * 1024
