"""Portfolio report benchmark on PostgreSQL: portfolio, PAR by program x province, roll rates
and vintages on a bulk-loaded synthetic portfolio.

``python -m bench.reports [--quick]`` creates a throwaway database ``bench_reports_<pid>`` on
the server of ``BENCH_DATABASE_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/
postgres``, used as admin), migrates it and loads N loans (1,000,000; quick 100,000) with 20
monthly instalments each (20,000,000; quick 2,000,000), their disbursement and write-off
movements, restructurings and twelve month-end end-of-day runs of ``loan_status_history``,
all server side by ``INSERT ... SELECT generate_series`` (as ``bench.loans`` does: no rows
travel from Python). One loan in eight stops paying from a varying instalment and is written
off a year later; one in eight others drifts 1-30 days late in even months; loans repaid at
maturity close. Three programs, three lenders, 34 provinces.

Each report is timed through ``creditapp.reports`` as of the last month end (median of 3 warm
runs) and set against a bare SQL aggregate over the same tables in the same run (median of 3):
- portfolio vs ``count, sum(outstanding)`` of the snapshot's status rows;
- PAR by program x province vs the same rows joined to loans and enterprises, grouped;
- roll rates vs the two snapshots joined loan by loan, summed;
- vintages vs the disbursements joined to each loan's first 30+ dpd run, summed.
``<name>_vs_bare`` = report seconds / bare seconds. The database is dropped at the end, also
on failure. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from bench.pgdb import throwaway_database
from creditapp.reports import resolve_scope
from creditapp.reports.migration import roll_rates, vintages
from creditapp.reports.portfolio import par_by_program_province, portfolio
from loanmath.dates import add_months

AS_OF = date(2026, 11, 30)
TENOR = 20
PRINCIPAL = 20_000_000
RUNS = 12

PROGRAM = """INSERT INTO credit_programs (id, code, name, segment, plafond_min, plafond_max,
     rate_by_access, subsidy_rate_by_access, max_tenor_working_capital, max_tenor_investment,
     max_grace_months, min_business_age_months, min_business_age_months_trained,
     allow_other_productive_credit, eligible_kbli_divisions, collateral_threshold,
     max_installment_share, guarantee_coverage, interest_method, allocation_order,
     prepayment_mode, penalty_daily_rate, quota_total, active_from, created_at, updated_at)
   SELECT k, 'KUR-' || k, 'KUR ' || k, 'mikro', 10000001, 100000000, '["0.06"]', '["0.10"]',
     36, 60, 0, 6, 3, false, '[]', 100000000, 0.35, 0.70, 'annuity',
     '["penalty","interest","principal"]', 'shorten_tenor', 0, NULL, '2024-01-01', now(), now()
   FROM generate_series(1, 3) k"""
LOAD = [
    """INSERT INTO lenders (id, code, name, kind, active, created_at)
       SELECT k, 'BANK-' || k, 'Bank ' || k, 'bank', true, now() FROM generate_series(1, 3) k""",
    PROGRAM,
    # The plan of each loan: disbursement day d, the instalment s it stops paying from (one
    # in eight), the write-off a year after that, or the closing at maturity.
    """CREATE UNLOGGED TABLE bench_plan AS
       SELECT g, d, s,
         CASE WHEN s IS NOT NULL AND (d + make_interval(months => s))::date + 361 <= :as_of
              THEN (d + make_interval(months => s))::date + 361 END AS wo,
         CASE WHEN s IS NULL AND (d + make_interval(months => :tenor))::date <= :as_of
              THEN (d + make_interval(months => :tenor))::date END AS closed
       FROM (SELECT g, date '2024-12-01' + (g % 700) AS d,
               CASE WHEN g % 8 = 0 THEN 1 + (g / 8) % 15 END AS s
             FROM generate_series(1, :n) g) x""",
    """INSERT INTO enterprises (id, lender_id, name, owner_name, owner_nik_enc, owner_nik_hash,
         owner_gender,
         kbli, kbli_division, province, regency, founded_on, workers, assets, annual_sales,
         other_productive_credit, entrepreneurship_training, kur_access_count, created_at)
       SELECT g, 1 + g % 3, 'UD ' || g, 'Owner ' || g, 'bench', md5(g::text) || md5(g::text),
         CASE WHEN g % 2 = 0 THEN 'F' ELSE 'M' END, '10792', 10, (11 + g % 34)::text, '3204',
         '2019-03-01', 3, 150000000, 600000000, false, false, 0, now()
       FROM generate_series(1, :n) g""",
    """INSERT INTO applications (id, lender_id, enterprise_id, program_id, applied_on,
         requested_amount, tenor_months, purpose, status, created_at)
       SELECT g, 1 + g % 3, g, 1 + (g / 3) % 3, '2024-11-01', :principal, :tenor,
         'working_capital', 'approved', now()
       FROM generate_series(1, :n) g""",
    """INSERT INTO loans (id, lender_id, application_id, enterprise_id, program_id, principal,
         annual_rate, subsidy_rate, guarantee_coverage, penalty_daily_rate, interest_method,
         frequency, tenor, grace_principal, prepayment_mode, allocation_order, purpose,
         approved_on, first_due_on, maturity_on, status, schedule_version, disbursed_amount,
         outstanding_principal, dpd, collectibility, closed_on, written_off_on, created_at)
       SELECT g, 1 + g % 3, g, g, 1 + (g / 3) % 3, :principal, 0.06, 0.10, 0.70, 0, 'annuity',
         'monthly', :tenor, 0, 'shorten_tenor', 'penalty,interest,principal', 'working_capital',
         d, (d + interval '1 month')::date, (d + make_interval(months => :tenor))::date,
         CASE WHEN wo IS NOT NULL THEN 'written_off' WHEN closed IS NOT NULL THEN 'closed'
              ELSE 'active' END, 1, :principal, 0, 0, 1, closed, wo, now()
       FROM bench_plan""",
    """INSERT INTO installments (loan_id, schedule_version, number, due_on, principal_due,
         interest_due, penalty_due, principal_paid, interest_paid, penalty_paid, superseded)
       SELECT g, 1, k, (d + make_interval(months => k))::date, :part, 100000, 0,
         CASE WHEN (s IS NULL OR k < s) AND (d + make_interval(months => k))::date < :as_of
              THEN :part ELSE 0 END, 0, 0, false
       FROM bench_plan CROSS JOIN generate_series(1, :tenor) k""",
    """INSERT INTO loan_movements (loan_id, kind, amount, principal_delta, posted_on, created_at)
       SELECT g, 'disbursement', :principal, :principal, d, now() FROM bench_plan""",
    """INSERT INTO loan_movements (loan_id, kind, amount, principal_delta, posted_on, created_at)
       SELECT g, 'write_off', :principal - :part * (s - 1), -(:principal - :part * (s - 1)),
         wo, now() FROM bench_plan WHERE wo IS NOT NULL""",
    """INSERT INTO restructurings (loan_id, effective_on, old_schedule_version,
         new_schedule_version, grace_months, extension_months, old_rate, new_rate, reason,
         created_at)
       SELECT g, (d + interval '6 months')::date, 1, 2, 0, 6, 0.06, 0.06, 'bench', now()
       FROM bench_plan WHERE g % 40 = 5 AND (d + interval '6 months')::date <= :as_of""",
    """INSERT INTO ageing_runs (as_of, loans_aged, created_at)
       SELECT m, 0, now() FROM unnest(CAST(:ends AS date[])) m""",
    # One status row per loan and month-end run while the loan is open.
    """INSERT INTO loan_status_history (loan_id, as_of, dpd, collectibility,
         outstanding_principal, arrears, status)
       SELECT g, m, dpd,
         CASE WHEN dpd = 0 THEN 1 WHEN dpd <= 90 THEN 2 WHEN dpd <= 120 THEN 3
              WHEN dpd <= 180 THEN 4 ELSE 5 END,
         :principal - :part * LEAST(elapsed, COALESCE(s - 1, :tenor - 1)), 0, 'active'
       FROM (SELECT p.g, p.s, e.m,
               CASE WHEN p.s IS NOT NULL AND e.m > (p.d + make_interval(months => p.s))::date
                    THEN e.m - (p.d + make_interval(months => p.s))::date
                    WHEN p.g % 8 = 1 AND extract(month FROM e.m)::int % 2 = 0
                    THEN 1 + p.g % 25 ELSE 0 END AS dpd,
               GREATEST(0, ((extract(year FROM e.m) - extract(year FROM p.d)) * 12
                 + extract(month FROM e.m) - extract(month FROM p.d))::int - 1) AS elapsed
             FROM bench_plan p CROSS JOIN unnest(CAST(:ends AS date[])) e(m)
             WHERE e.m >= p.d AND (p.wo IS NULL OR e.m < p.wo)
               AND (p.closed IS NULL OR e.m < p.closed)) x""",
    "DROP TABLE bench_plan",
    "SELECT setval(pg_get_serial_sequence(t, 'id'), :n) FROM (VALUES ('loans'),"
    " ('applications'), ('enterprises')) v(t)",
]

BARE = {
    "portfolio": """SELECT count(*), sum(outstanding_principal) FROM loan_status_history
        WHERE as_of = :as_of""",
    "par_by_program_province": """SELECT l.program_id, e.province, count(*),
        sum(h.outstanding_principal) FROM loan_status_history h
        JOIN loans l ON l.id = h.loan_id JOIN enterprises e ON e.id = l.enterprise_id
        WHERE h.as_of = :as_of GROUP BY l.program_id, e.province""",
    "roll_rates": """SELECT count(h1.loan_id), sum(h0.outstanding_principal)
        FROM loan_status_history h0 JOIN loans l ON l.id = h0.loan_id
        LEFT JOIN loan_status_history h1 ON h1.loan_id = h0.loan_id AND h1.as_of = :as_of
        WHERE h0.as_of = :start""",
    "vintages": """SELECT count(h.loan_id), sum(m.amount) FROM loan_movements m
        JOIN loans l ON l.id = m.loan_id
        LEFT JOIN (SELECT loan_id, min(as_of) AS hit FROM loan_status_history
                   WHERE dpd > 30 AND as_of <= :as_of GROUP BY loan_id) h ON h.loan_id = m.loan_id
        WHERE m.kind = 'disbursement' AND m.posted_on <= :as_of""",
}


def month_ends(last: date, n: int) -> list[date]:
    """The last ``n`` month ends up to ``last`` (a month end), oldest first."""
    first_of_next = last + timedelta(days=1)
    return [add_months(first_of_next, -k) - timedelta(days=1) for k in range(n - 1, -1, -1)]


def load(engine: Engine, n: int) -> float:
    params = {
        "n": n, "principal": PRINCIPAL, "tenor": TENOR, "part": PRINCIPAL // TENOR,
        "as_of": AS_OF, "ends": month_ends(AS_OF, RUNS),
    }  # fmt: skip
    started = time.perf_counter()
    with engine.begin() as conn:
        # A throwaway database of consistent generated rows: skip the per-row foreign-key
        # triggers, as bench.loans does.
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        # The instalments' secondary indexes are built once after the load, not row by row
        # (as bench.loans does): most of the load is the instalments.
        rebuild = conn.exec_driver_sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'installments'::regclass AND contype = 'u'"
        ).all()
        listed = conn.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'installments'"
            " AND indexname <> 'pk_installments'"
        ).all()
        indexes = [(n, d) for n, d in listed if n not in {u[0] for u in rebuild}]
        for name, _ in rebuild:
            conn.exec_driver_sql(f"ALTER TABLE installments DROP CONSTRAINT {name}")
        for name, _ in indexes:
            conn.exec_driver_sql(f"DROP INDEX {name}")
        for sql in LOAD:
            step = time.perf_counter()
            conn.execute(text(sql), params)
            words = sql.split()
            print(f"  {time.perf_counter() - step:6.1f} s  {' '.join(words[:3])}", flush=True)
        step = time.perf_counter()
        for name, definition in rebuild:
            conn.exec_driver_sql(f"ALTER TABLE installments ADD CONSTRAINT {name} {definition}")
        for _, definition in indexes:
            conn.exec_driver_sql(definition)
        print(f"  {time.perf_counter() - step:6.1f} s  installment indexes", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


def fetch_all(conn: Connection, sql: str, start: date) -> list[Any]:
    """Run a bare reference aggregate and fetch every row."""
    return list(conn.execute(text(sql), {"as_of": AS_OF, "start": start}).all())


def median_seconds(fn: Callable[[], Any], repeat: int = 3) -> float:
    fn()  # warm the cache so report and reference read the same pages
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description="portfolio report benchmark (PostgreSQL)")
    ap.add_argument("--quick", action="store_true", help="100,000 loans; finish within 60 s")
    ap.add_argument("--loans", type=int, default=None, help="override the number of loans")
    args = ap.parse_args()
    n = args.loans or (100_000 if args.quick else 1_000_000)
    with throwaway_database("bench_reports") as engine:
        load_s = load(engine, n)
        with engine.connect() as conn:
            counts = {
                t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
                for t in ("loans", "installments", "loan_status_history")
            }
        print(f"loaded {counts} in {load_s:.1f} s", flush=True)
        start = month_ends(AS_OF, 2)[0]
        results: dict[str, Any] = {"loans": n, **{f"rows_{k}": v for k, v in counts.items()}}
        reports = {
            "portfolio": portfolio,
            "par_by_program_province": par_by_program_province,
            "roll_rates": roll_rates,
            "vintages": vintages,
        }
        with Session(engine) as session:
            scope = resolve_scope(session, AS_OF)
            headline = portfolio(session, scope)
            print({k: headline[k] for k in ("gross_outstanding", "par30", "par90", "npl_ratio")})
            for key, fn in reports.items():
                seconds = median_seconds(partial(fn, session, scope))
                with engine.connect() as conn:
                    # The settings the reports run with (see creditapp.reports.scope).
                    conn.exec_driver_sql("SET jit = off")
                    conn.exec_driver_sql("SET work_mem = '64MB'")
                    bare = median_seconds(partial(fetch_all, conn, BARE[key], start))
                results[f"{key}_seconds"] = round(seconds, 3)
                results[f"{key}_bare_seconds"] = round(bare, 3)
                results[f"{key}_vs_bare"] = round(seconds / bare, 2)
                print(f"  {key}: {seconds:.3f} s (bare aggregate {bare:.3f} s)", flush=True)
        results["load_seconds"] = round(load_s, 1)
        print(json.dumps(results))


if __name__ == "__main__":
    main()
