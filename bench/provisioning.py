"""Monthly provisioning (CKPN) benchmark on PostgreSQL: 1,000,000 loans (quick: 100,000).

``python -m bench.provisioning [--quick]`` creates a throwaway database (``bench.pgdb``) and
loads the portfolio of ``bench.reports`` (its programs, lenders, enterprises, applications,
loans, write-offs, restructurings and month-end status rows, server side by ``INSERT ...
SELECT generate_series``) without the instalments, which provisioning never reads, and with
two month-end runs instead of twelve; plus one score record per application (PD 0.010-0.106;
one application in fifty unscored). It then runs ``run_provisioning`` for the month end before
the last (so the timed run has a previous run to measure its movement against) and, timed,
for the last month end (one run: a second would be a no-op), committing each.

Reference, same run and data: a bare aggregate over the rows the run reads, the last run's
status rows joined to their loans and score records, ``count, sum(outstanding x pd)``
(median of 3 warm runs). ``run_vs_bare`` = provisioning seconds / bare seconds. The report
(``creditapp.reports.provisions``, unfiltered and filtered by a lender) is timed against the
same bare aggregate. The database is dropped at the end. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from bench.pgdb import throwaway_database
from bench.reports import AS_OF, LOAD, PRINCIPAL, TENOR, median_seconds, month_ends
from creditapp.reports import resolve_scope
from creditapp.reports.provisions import provisions
from creditapp.services.provisioning import run_provisioning

SCORES = """INSERT INTO score_records (application_id, model_name, model_version,
     feature_spec_version, input_hash, features, quality, margin, pd, score, band, reasons,
     policy, recommendation, recommended_amount, recommended_tenor, result_json, scored_at)
   SELECT g, 'bench', '1', '1', md5(g::text) || md5(g::text), '{}', '{}', 0,
     0.01 + (g % 97) / 1000.0, 600, 'B', '[]', '{}', 'approve', :principal, :tenor, '{}', now()
   FROM generate_series(1, :n) g WHERE g % 50 <> 0"""
BARE = """SELECT count(*), sum(h.outstanding_principal * s.pd) FROM loan_status_history h
   JOIN loans l ON l.id = h.loan_id
   LEFT JOIN score_records s ON s.application_id = l.application_id
   WHERE h.as_of = :as_of"""


def load(engine: Engine, n: int) -> float:
    """The reports bench's portfolio without instalments, two month-end runs, and scores."""
    params = {
        "n": n, "principal": PRINCIPAL, "tenor": TENOR, "part": PRINCIPAL // TENOR,
        "as_of": AS_OF, "ends": month_ends(AS_OF, 2),
    }  # fmt: skip
    statements = [s for s in LOAD if "INTO installments" not in s]
    started = time.perf_counter()
    with engine.begin() as conn:
        # Consistent generated rows in a throwaway database: skip the per-row FK triggers.
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for sql in [*statements[:-1], SCORES, statements[-1]]:
            step = time.perf_counter()
            conn.execute(text(sql), params)
            words = " ".join(sql.split()[:3])
            print(f"  {time.perf_counter() - step:6.1f} s  {words}", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


def provision(engine: Engine, day: Any) -> tuple[float, Any]:
    """One committed provisioning run; its seconds and summary."""
    with Session(engine) as session:
        started = time.perf_counter()
        summary = run_provisioning(session, day)
        session.commit()
        return time.perf_counter() - started, summary


def bare(conn: Connection) -> list[Any]:
    conn.exec_driver_sql("SET jit = off")
    return list(conn.execute(text(BARE), {"as_of": AS_OF}).all())


def report(engine: Engine, lender: str | None) -> dict[str, Any]:
    with Session(engine) as session:
        out = provisions(session, resolve_scope(session, AS_OF, lender=lender))
        session.rollback()
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description="monthly provisioning benchmark (PostgreSQL)")
    ap.add_argument("--quick", action="store_true", help="100,000 loans; finish within 60 s")
    ap.add_argument("--loans", type=int, default=None, help="override the number of loans")
    args = ap.parse_args()
    n = args.loans or (100_000 if args.quick else 1_000_000)
    with throwaway_database("bench_provisioning") as engine:
        load_s = load(engine, n)
        previous, last = month_ends(AS_OF, 2)
        first_s, _ = provision(engine, previous)
        run_s, summary = provision(engine, last)
        print(f"  provisioning {summary.loans} loans: {run_s:.2f} s", flush=True)
        with engine.connect() as conn:
            bare_s = median_seconds(partial(bare, conn))
        report_s = median_seconds(partial(report, engine, None))
        lender_s = median_seconds(partial(report, engine, "BANK-1"))
        results = {
            "loans": n,
            "loans_provisioned": summary.loans,
            "allowance": summary.total,
            "by_stage": {str(k): v for k, v in summary.by_stage.items()},
            "run_seconds": round(run_s, 3),
            "first_run_seconds": round(first_s, 3),
            "bare_seconds": round(bare_s, 3),
            "run_vs_bare": round(run_s / bare_s, 2),
            "report_seconds": round(report_s, 3),
            "report_lender_seconds": round(lender_s, 3),
            "report_lender_vs_bare": round(lender_s / bare_s, 2),
            "load_seconds": round(load_s, 1),
        }
        print(json.dumps(results))


if __name__ == "__main__":
    main()
