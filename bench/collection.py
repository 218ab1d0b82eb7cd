"""Collection sheet benchmark on PostgreSQL: the officers' "due today and overdue" query.

``python -m bench.collection [--quick]`` creates a throwaway database on the server of
``BENCH_DATABASE_URL`` (as ``bench.loans`` does, whose bulk load it reuses: N loans (quick
100,000; else 1,000,000) with 12 installments each, one loan in ten in arrears), spreads the
enterprises over 20 regencies and 37 villages, then times ``collection_sheet`` for the
lender (the whole portfolio: every loan in arrears is aggregated, the first 500 lines
returned) and for one regency, each the median of 15 runs -> ``sheet_ms``,
``sheet_one_regency_ms``.

Reference, same run: the same queries with the partial index ``ix_installments_unsettled_due``
dropped inside a transaction that is rolled back (PostgreSQL DDL is transactional), i.e. what
the sheet would cost with only the ordinary indexes -> ``sheet_vs_without_partial_index``.
The plans (``EXPLAIN ANALYZE``) of both are printed before the JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import date

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from bench.loans import AS_OF, load
from bench.pgdb import throwaway_database
from creditapp.services.collection import collection_sheet, sheet_query

RUNS = 15
SPREAD = "UPDATE enterprises SET regency = (3201 + id % 20)::text, village = 'Desa ' || (id % 37)"


def _time(conn: Connection, regency: str | None) -> tuple[float, int]:
    """Median milliseconds of ``RUNS`` sheets, and the number of lines of the last one."""
    timings, lines = [], 0
    with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
        for _ in range(RUNS):
            started = time.perf_counter()
            sheet = collection_sheet(session, 1, AS_OF, regency=regency)
            timings.append((time.perf_counter() - started) * 1000)
            lines = len(sheet.lines)
    return statistics.median(timings), lines


def _plan(conn: Connection, as_of: date) -> str:
    sql = sheet_query(1, as_of).compile(conn, compile_kwargs={"literal_binds": True})
    rows = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS off, TIMING off) {sql}")
    return "\n".join(r[0] for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description="collection sheet benchmark (PostgreSQL)")
    ap.add_argument("--quick", action="store_true", help="100,000 loans; finish within 60 s")
    ap.add_argument("--loans", type=int, default=None, help="override the number of loans")
    args = ap.parse_args()
    n = args.loans or (100_000 if args.quick else 1_000_000)
    with throwaway_database("bench_collection") as engine:
        load_s = load(engine, n)
        with engine.begin() as conn:
            conn.execute(text(SPREAD))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE enterprises")
        print(f"loaded {n} loans in {load_s:.1f} s", flush=True)
        with engine.connect() as conn:
            _time(conn, None)  # warm the cache for both measurements
            sheet_ms, lines = _time(conn, None)
            regency_ms, regency_lines = _time(conn, "3204")
            print("with the partial index:\n" + _plan(conn, AS_OF), flush=True)
            conn.rollback()
            conn.exec_driver_sql("DROP INDEX ix_installments_unsettled_due")
            _time(conn, None)
            ref_ms, ref_lines = _time(conn, None)
            ref_regency_ms, _ = _time(conn, "3204")
            print("without it:\n" + _plan(conn, AS_OF), flush=True)
            conn.rollback()  # the index comes back
        assert ref_lines == lines
        print(
            json.dumps(
                {
                    "loans": n,
                    "sheet_lines": lines,
                    "sheet_ms": round(sheet_ms, 2),
                    "sheet_one_regency_lines": regency_lines,
                    "sheet_one_regency_ms": round(regency_ms, 2),
                    "without_partial_index_ms": round(ref_ms, 2),
                    "sheet_vs_without_partial_index": round(sheet_ms / ref_ms, 3),
                    "one_regency_vs_without_partial_index": round(regency_ms / ref_regency_ms, 3),
                }
            )
        )


if __name__ == "__main__":
    main()
