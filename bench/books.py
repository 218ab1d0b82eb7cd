"""General-ledger benchmark on PostgreSQL: the daily interest accrual run.

``python -m bench.books [--quick]`` creates a throwaway database ``bench_books_<pid>`` (see
``bench/pgdb.py``), loads N active loans (1,000,000; quick 200,000) with the same
``INSERT ... SELECT generate_series`` statements as ``bench.loans`` (loans only: accrual
reads no installments), then times ``accrue_interest`` (one commit each):

1. the first run (day 1: every loan accrues one day) -> ``first_accrual_seconds``;
2. one loan in ten graded Kol 3 (as an ageing run would), then the next day's run, which
   reverses those loans' accrued interest and accrues the rest -> ``accrual_seconds``
   (issue 15: < 60 s on 1,000,000 loans).

The reference, in the same run: one aggregate scan computing the same day's interest of
every performing loan in SQL (``SELECT count(*), sum(...) FROM loans``):
``accrual_vs_one_scan`` = accrual seconds / reference seconds. The run's accrued total is
checked against that scan's sum (they must be equal). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date, timedelta

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from bench.loans import LOAD, PRINCIPAL, TENOR
from bench.pgdb import throwaway_database
from creditapp.services.books.accrual import accrue_interest
from creditapp.services.books.chart import seed_chart

AS_OF = date(2026, 11, 30)
# The day's interest of one loan, half up, as accrual.daily_interest_sql computes it (30/360).
REFERENCE = """SELECT count(*), sum((outstanding_principal * round(annual_rate * 1000000)::bigint
                   * 2 + 360000000) / 720000000)
               FROM loans WHERE status = 'active' AND outstanding_principal > 0
                 AND collectibility <= 2"""


def load(engine: Engine, n: int) -> float:
    """Load ``n`` loans (no installments); return the seconds it took."""
    params = {"n": n, "principal": PRINCIPAL, "tenor": TENOR, "part": PRINCIPAL // TENOR}
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for sql in LOAD:
            if "INTO installments" in sql or "INTO loan_movements" in sql:
                continue
            conn.execute(text(sql), {**params, "as_of": AS_OF})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE loans")
    with Session(engine) as session:
        seed_chart(session)
        session.commit()
    return time.perf_counter() - started


def one_scan(engine: Engine) -> tuple[float, int, int]:
    """The reference: the day's interest of every performing loan in one aggregate scan."""
    with engine.connect() as conn:
        started = time.perf_counter()
        count, total = conn.execute(text(REFERENCE)).one()
        return time.perf_counter() - started, int(count), int(total or 0)


def time_accrual(engine: Engine, as_of: date) -> tuple[float, int, int, int]:
    """Run the accrual of ``as_of``; return seconds, loans accrued, amount, loans reversed."""
    with Session(engine) as session:
        started = time.perf_counter()
        summary = accrue_interest(session, as_of)
        session.commit()
        elapsed = time.perf_counter() - started
    return elapsed, summary.loans_accrued, summary.accrued, summary.loans_reversed


def main() -> None:
    ap = argparse.ArgumentParser(description="interest accrual benchmark (PostgreSQL)")
    ap.add_argument("--quick", action="store_true", help="200,000 loans; finish within 60 s")
    ap.add_argument("--loans", type=int, default=None, help="override the number of loans")
    args = ap.parse_args()
    n = args.loans or (200_000 if args.quick else 1_000_000)
    with throwaway_database("bench_books") as engine:
        load_s = load(engine, n)
        print(f"loaded {n} loans in {load_s:.1f} s", flush=True)
        first, first_loans, first_amount, _ = time_accrual(engine, AS_OF - timedelta(days=1))
        print(f"first accrual {first:.2f} s: {first_loans} loans, Rp {first_amount:,}")
        with engine.begin() as conn:  # what an ageing run would grade
            conn.exec_driver_sql("UPDATE loans SET collectibility = 3 WHERE id %% 10 = 0")
            conn.exec_driver_sql("ANALYZE loans")
        one_scan(engine)  # warm the cache so both timings read the same pages
        reference, ref_loans, ref_amount = one_scan(engine)
        accrual, loans, amount, reversed_loans = time_accrual(engine, AS_OF)
        print(
            f"next day {accrual:.2f} s: {loans} loans, Rp {amount:,}; {reversed_loans} reversed"
            f" (one scan {reference:.3f} s: {ref_loans} loans, Rp {ref_amount:,})"
        )
        if (loans, amount) != (ref_loans, ref_amount):
            raise SystemExit("the accrual run disagrees with the reference scan")
        print(
            json.dumps(
                {
                    "loans": n,
                    "first_accrual_seconds": round(first, 3),
                    "accrual_seconds": round(accrual, 3),
                    "loans_reversed": reversed_loans,
                    "accrual_vs_one_scan": round(accrual / reference, 1),
                    "matches_reference": True,
                }
            )
        )


if __name__ == "__main__":
    main()
