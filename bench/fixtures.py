"""Benchmark: generating the synthetic population, against drawing raw random numbers.

``python -m bench.fixtures [--quick]`` generates 100,000 enterprises (``--quick``: 20,000, and
says so; figures scale about linearly) and reports seconds, transactions per second and the
process's peak memory. The reference, measured in the same run, is the floor of any generator:
the time to draw ``rng.random`` for as many numbers as the transaction table has values
(records x 5 columns).

Then it loads the population into a throwaway PostgreSQL database (``bench_fixtures_<pid>``,
created from ``BENCH_DATABASE_URL``, migrated, dropped at the end even on failure; skipped
with a message when PostgreSQL does not answer) with ``load_population_bulk`` and reports
``db_load_seconds``, ``db_rows`` and ``db_rows_per_s``. Its reference, in the same database
and run: a bare ``COPY`` of the same transaction rows into an unindexed, unconstrained temp
table (``db_load_vs_bare_copy`` = load seconds per row / bare COPY seconds per row). The last
line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import time
from datetime import date
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
    return run_figures(pop, seconds, seed)


def run_figures(pop: Population, seconds: float, seed: int) -> dict[str, Any]:
    """The generation figures of ``pop``, generated in ``seconds``."""
    n = pop.n
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


DEFAULT_BENCH_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _bare_copy_seconds(conn: Any, pop: Population) -> float:
    """Seconds to COPY the population's transaction rows into an unindexed temp table."""
    import polars as pl

    t = pop.raw.transactions
    frame = pl.DataFrame(
        {
            "application_id": t.app.astype(np.int64) + 1,
            "occurred_on": pl.Series(t.day).cast(pl.Date),
            "amount": t.amount,
            "direction": np.where(t.inflow, "in", "out"),
            "channel": np.asarray(["bank_transfer", "qris", "ewallet", "cash_deposit"])[t.channel],
        }
    )
    raw = conn.connection.driver_connection
    cur = raw.cursor()
    cur.execute(
        "CREATE TEMP TABLE bare_transactions (application_id bigint, occurred_on date, "
        "amount bigint, direction text, channel text)"
    )
    start = time.perf_counter()
    with cur.copy(
        "COPY bare_transactions (application_id, occurred_on, amount, direction, channel) "
        "FROM STDIN (FORMAT csv)"
    ) as copy:
        for chunk in frame.iter_slices(500_000):
            buffer = io.BytesIO()
            chunk.write_csv(buffer, include_header=False)
            copy.write(buffer.getvalue())
    seconds = time.perf_counter() - start
    cur.execute("DROP TABLE bare_transactions")
    return seconds


def db_load(pop: Population, admin_url: str) -> dict[str, Any]:
    """Load ``pop`` into a throwaway database; return the DB figures (or why they are missing)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from creditapp.commands.bulkload import load_population_bulk
    from creditapp.db import make_engine
    from creditapp.migrate import upgrade
    from creditapp.services import access, programs
    from creditapp.services.audit import Actor

    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"bench_fixtures_{os.getpid()}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as exc:
        admin.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return {"db_skipped": f"PostgreSQL did not answer at {admin_url}: {reason}"}
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = None
    try:
        upgrade(url)
        engine = make_engine(url)
        with engine.begin() as conn:
            session = Session(bind=conn)
            actor = Actor.system()
            programs.seed_kur_programs(session, actor, date(2023, 1, 1))
            lenders = [
                access.create_lender(session, actor, f"BENCH{i}", f"Bench {i}", "bank").id
                for i in (1, 2)
            ]
            session.flush()
            rows = conn.exec_driver_sql("SELECT code, id FROM credit_programs")
            program_ids = {code: pid for code, pid in rows}
            start = time.perf_counter()
            counts = load_population_bulk(conn, pop, lenders, program_ids)
            load_seconds = time.perf_counter() - start
            bare = _bare_copy_seconds(conn, pop)
        total = sum(counts.values())
        per_row_load = load_seconds / total
        per_row_bare = bare / max(int(pop.raw.transactions.app.size), 1)
        return {
            "db_load_seconds": round(load_seconds, 3),
            "db_rows": total,
            "db_rows_per_s": round(total / load_seconds),
            "db_bare_copy_seconds": round(bare, 3),
            "db_bare_copy_rows_per_s": round(1 / per_row_bare),
            "db_load_vs_bare_copy": round(per_row_load / per_row_bare, 2),
        }
    finally:
        if engine is not None:
            engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures (last line: JSON)."""
    parser = argparse.ArgumentParser(prog="python -m bench.fixtures")
    parser.add_argument("--quick", action="store_true", help="20,000 enterprises (< 60 s)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    n = 20_000 if args.quick else 100_000
    if args.quick:
        print("quick run: 20,000 enterprises; generation time scales about linearly with n")
    pop, seconds = generate_and_time(n, args.seed)
    figures = run_figures(pop, seconds, args.seed)
    print(
        f"{figures['enterprises']:,} enterprises, {figures['transactions']:,} transactions in "
        f"{figures['seconds']} s ({figures['transactions_per_s']:,}/s), peak RSS "
        f"{figures['peak_rss_mb']} MiB; {figures['ratio_to_raw_rng']}x the time to draw the "
        f"same count of raw random numbers ({figures['raw_rng_seconds']} s)"
    )
    # Quick mode loads a 4,000-enterprise population so the whole run stays within 60 s;
    # rows/s and the ratio to a bare COPY do not depend much on the size.
    db_pop = generate_population(4_000, args.seed) if args.quick else pop
    figures.update(db_load(db_pop, os.environ.get("BENCH_DATABASE_URL", DEFAULT_BENCH_URL)))
    if "db_skipped" in figures:
        print(f"database load skipped: {figures['db_skipped']}")
    else:
        print(
            f"database load: {figures['db_rows']:,} rows in {figures['db_load_seconds']} s "
            f"({figures['db_rows_per_s']:,} rows/s); {figures['db_load_vs_bare_copy']}x the time "
            f"per row of a bare COPY into an unindexed temp table "
            f"({figures['db_bare_copy_rows_per_s']:,} rows/s)"
        )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
