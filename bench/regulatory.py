"""Regulatory file benchmark on PostgreSQL: the SLIK-like file of one lender and month.

``python -m bench.regulatory [--quick]`` loads the portfolio of ``bench.reports`` (1,000,000
loans over three lenders, twelve month-end runs; quick: 10,000) into a throwaway database,
then makes owners borrow twice at one lender (enterprises ``6k+j`` and ``6k+3+j`` share a
NIK hash) and gives
every enterprise the same real encrypted NIK, so each row decrypts as a file row does.

Timed (median of 3 warm runs) for lender ``BANK-1`` and the last month end:
- the file: ``creditapp.regulatory.files.csv_chunks`` streamed to nowhere (the SELECT with
  the per-debtor window, yield_per chunks, NIK decryption, formatting, CSV writing);
- the reference, in the same run: the bare SELECT of the same rows' raw columns, fetched
  (no window, no decryption, no formatting).
``file_vs_bare`` = file seconds / bare seconds. The worst-grade rule is checked against an
independent GROUP BY of the same run (``debtor_grade_mismatches`` must be 0). The last line
is one JSON object.
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import os
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from bench.pgdb import throwaway_database
from bench.reports import AS_OF, load, median_seconds
from creditapp.pii import NikCipher
from creditapp.regulatory import layouts
from creditapp.regulatory.files import csv_chunks, prepare

NIK = "3273014107900011"
BARE = """SELECT l.id, e.owner_nik_enc, e.owner_name, l.principal, l.approved_on, l.maturity_on,
    h.outstanding_principal, h.arrears, h.dpd, h.collectibility, h.restructured, h.status
  FROM loan_status_history h JOIN loans l ON l.id = h.loan_id
  JOIN enterprises e ON e.id = l.enterprise_id
  WHERE l.lender_id = :lender AND h.as_of = :as_of ORDER BY l.id"""
WORST = """SELECT count(*) FROM loan_status_history h JOIN loans l ON l.id = h.loan_id
  JOIN enterprises e ON e.id = l.enterprise_id
  JOIN (SELECT e2.owner_nik_hash AS k, max(h2.collectibility) AS worst
        FROM loan_status_history h2 JOIN loans l2 ON l2.id = h2.loan_id
        JOIN enterprises e2 ON e2.id = l2.enterprise_id
        WHERE l2.lender_id = :lender AND h2.as_of = :as_of GROUP BY e2.owner_nik_hash) w
    ON w.k = e.owner_nik_hash
  WHERE l.lender_id = :lender AND h.as_of = :as_of AND h.collectibility = w.worst"""


def main() -> None:
    ap = argparse.ArgumentParser(description="regulatory file benchmark (PostgreSQL)")
    ap.add_argument("--quick", action="store_true", help="10,000 loans; finish within 60 s")
    ap.add_argument("--loans", type=int, default=None, help="override the number of loans")
    args = ap.parse_args()
    n = args.loans or (10_000 if args.quick else 1_000_000)
    # A bench-only key: the app's cipher is read through pii.cipher(), which falls back to it.
    os.environ.setdefault(
        "NIK_KEY", base64.urlsafe_b64encode(b"bench-only-nik-key-32-bytes-ok!!").decode()
    )
    enc = NikCipher(base64.urlsafe_b64decode(os.environ["NIK_KEY"])).encrypt(NIK)
    with throwaway_database("bench_regulatory") as engine:
        load_s = load(engine, n)
        with engine.begin() as conn:
            conn.execute(
                # Enterprises 6k+j and 6k+3+j are one owner at one lender (lender 1 + id % 3).
                text(
                    "UPDATE enterprises SET owner_nik_enc = :enc,"
                    " owner_nik_hash = md5((id / 6)::text || '-' || (id % 3)::text)"
                ),
                {"enc": enc},
            )
            conn.exec_driver_sql("ANALYZE enterprises")
        results: dict[str, Any] = {"loans": n, "load_seconds": round(load_s, 1)}
        month = f"{AS_OF:%Y-%m}"
        with Session(engine) as session:
            req = prepare(session, "slik", "BANK-1", month)
            rows_out = 0

            def make_file() -> int:
                nonlocal rows_out
                rows_out = sum(rows for _text, rows in csv_chunks(session, req))
                return rows_out

            file_s = median_seconds(make_file)
            # The debtor grade column against the independent GROUP BY: every facility's
            # debtor grade must be its debtor's worst.
            worst_col = [c.name for c in layouts.LAYOUTS["slik"].columns].index("kolektibilitas")
            own_col = [c.name for c in layouts.LAYOUTS["slik"].columns].index("kol_fasilitas")
            text_all = "".join(t for t, _r in csv_chunks(session, req))
            parsed = list(csv.reader(io.StringIO(text_all)))[1:]
            worse_than_own = sum(1 for r in parsed if int(r[worst_col]) > int(r[own_col]))
            at_worst = sum(1 for r in parsed if r[worst_col] == r[own_col])
            session.rollback()
        with engine.connect() as conn:
            params = {"lender": 1, "as_of": req.snapshot}
            bare_s = median_seconds(lambda: conn.execute(text(BARE), params).all())
            reference_at_worst = int(conn.execute(text(WORST), params).scalar_one())
        results.update(
            rows=rows_out,
            file_seconds=round(file_s, 3),
            bare_seconds=round(bare_s, 3),
            file_vs_bare=round(file_s / bare_s, 2),
            rows_per_second=round(rows_out / file_s),
            facilities_graded_worse_than_own=worse_than_own,
            debtor_grade_mismatches=abs(at_worst - reference_at_worst),
        )
        print(json.dumps(results))


if __name__ == "__main__":
    main()
