"""Bulk-load a closed historic loan book: scored applications, decisions, loans and outcomes.

``load_historic_book`` writes a population (``fixtures.generate_population`` with an early
application window) the way a lender's books would hold it after every loan ended:

- enterprises, applications and alternative data through ``bulkload.load_population_bulk``;
  references become ``HIST-<n>`` so they never meet the live demo's ``SYN-<n>``;
- score records from the real scoring library in batch (``scoring.result.score_batch``: exact
  contributions, reasons, data quality, program policy, the input hash of the payload) under the
  champion at load time, and the officers' decisions (approve / decline, overrides with reason);
- the loans of the approved applications from ``fixtures.loan_history.closed_history``: the
  final schedule with its paid amounts, a confirmed disbursement (maker-checker), one
  repayment per fixture payment allocated to its installment, the ledger movements that rebuild
  every cached balance, month-end status rows while open (what ``services.outcomes`` reads for
  "first day at 90+ dpd"), guarantee claims at Kol 4, approved write-offs, and the ageing runs
  of the months before the live book's.

Every historic loan is closed or written off before the as-of date, so the reports as of that
date (gross portfolio, PAR, NPL) see only the live book, while vintages, roll rates, write-offs
and past as-of dates see the history as it happened. Written-off loans get the live book's
recoveries (``demo_loans.recovery_share``). Not written for historic loans: audit records and
subsidy accruals (the live book has them).
Each table is one frame written by ``bulkload._write`` (COPY on PostgreSQL, executemany else).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import Connection, Table, bindparam, func, select, update
from sqlalchemy.orm import Session
from tqdm import tqdm

from scoring.canonical import parsed_input_hash
from scoring.explain import reasons_for_row
from scoring.parse import parse_payload
from scoring.policy import ProgramRules, evaluate_policy
from scoring.raw import day_number
from scoring.result import ScoreResult, policy_facts, score_batch

from ..models import (
    AgeingRun,
    Application,
    CreditProgram,
    Decision,
    Disbursement,
    Enterprise,
    GuaranteeClaim,
    GuaranteeCover,
    Installment,
    Loan,
    LoanMovement,
    LoanStatus,
    ProgramGuarantee,
    Recovery,
    Repayment,
    RepaymentAllocation,
    ScoreRecord,
    WriteOff,
)
from ..services import programs as program_service
from ..services.books.bulk import journal_loaded_loans
from ..services.claims.guarantees import ijp_amount
from ..services.lookup import Lookup
from .bulkload import BATCH_ROWS, _days, _reserve_ids, _table, _write, load_population_bulk
from .demo_loans import (
    POLICY_REASON,
    RECOVERY_AFTER_MONTHS,
    WRITE_OFF_AFTER_DPD,
    recovery_share,
)

# The override reason a historic officer gave when departing from the recommendation.
OVERRIDE_REASON = "relationship_history"
DECLINE_REASON = "score_too_low"
CLAIM_PAID_AFTER_DAYS = 90
SCORE_CHUNK = 2_000  # applications per scoring batch: bounds the contribution matrix


@dataclass(frozen=True)
class Officers:
    """The maker and checker of one lender (two different users)."""

    maker: int
    checker: int


def _frame(conn: Connection, model: Any, columns: dict[str, Any]) -> int:
    return _fast_write(conn, _table(model), pl.DataFrame(columns))


def _fast_write(conn: Connection, table: Table, frame: pl.DataFrame) -> int:
    """``bulkload._write``, with a faster SQLite path for the big tables of plain columns.

    SQLAlchemy's executemany builds a parameter dict per row (measured: half of a 3,000
    application load went there); on SQLite the rows go to the driver as tuples instead, dates
    and timestamps in the text format SQLAlchemy itself stores (``YYYY-MM-DD``,
    ``YYYY-MM-DD HH:MM:SS.ffffff``), booleans as 0/1. Frames with other types (Decimal rates)
    take ``bulkload._write``.
    """
    unknown = set(frame.columns) - set(table.c.keys())
    if unknown:
        raise ValueError(f"{table.name} has no columns {sorted(unknown)}")
    plain = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt32, pl.Float64, pl.String, pl.Boolean,
             pl.Date, pl.Datetime, pl.Null)  # fmt: skip
    if conn.dialect.name != "sqlite" or not all(
        any(isinstance(dtype, t) or dtype == t for t in plain) for dtype in frame.dtypes
    ):
        return _write(conn, table, frame)
    if frame.height == 0:
        return 0
    text_frame = frame.with_columns(
        [pl.col(name).dt.strftime("%Y-%m-%d") for name, dt in frame.schema.items() if dt == pl.Date]
        + [
            pl.col(name).dt.replace_time_zone(None).dt.strftime("%Y-%m-%d %H:%M:%S.%6f")
            for name, dt in frame.schema.items()
            if isinstance(dt, pl.Datetime)
        ]
        + [pl.col(name).cast(pl.Int8) for name, dt in frame.schema.items() if dt == pl.Boolean]
    )
    sql = (
        f"INSERT INTO {table.name} ({', '.join(frame.columns)}) "
        f"VALUES ({', '.join('?' for _ in frame.columns)})"
    )
    for chunk in text_frame.iter_slices(BATCH_ROWS):
        conn.exec_driver_sql(sql, chunk.rows())
    return frame.height


def _hashes(pop: Any, rows: NDArray[np.int64]) -> list[str]:
    """The input hash of each application's payload (what the API would have hashed)."""
    from fixtures.payloads import application_payload

    out = []
    for i in rows.tolist():
        payload = application_payload(pop, i)
        out.append(parsed_input_hash(parse_payload(payload)))
    return out


def _score_records(
    session: Session, pop: Any, app_ids: NDArray[np.int64], rules: dict[str, ProgramRules]
) -> dict[str, Any]:
    """Score every application in batch; return the score-record columns."""
    from scoring.raw_ops import take_rows

    _ref, bundle = Lookup().champion_bundle(session)
    a = pop.applications
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "features",
            "quality",
            "margin",
            "pd",
            "score",
            "band",
            "reasons",
            "policy",
            "recommendation",
            "recommended_amount",
            "recommended_tenor",
            "result_json",
            "input_hash",
        )
    }
    n = int(pop.n)
    with tqdm(total=n, desc="historic scores", unit="app") as bar:
        for lo in range(0, n, SCORE_CHUNK):
            rows = np.arange(lo, min(lo + SCORE_CHUNK, n), dtype=np.int64)
            raw = take_rows(pop.raw, rows)
            s = score_batch(bundle, raw)
            assert s.contributions is not None
            hashes = _hashes(pop, rows)
            for k, i in enumerate(rows.tolist()):
                values = s.features.values[k]
                adverse, positive = reasons_for_row(s.contributions[k], values)
                band = bundle.bands[int(s.band_index[k])]
                outcome = evaluate_policy(
                    rules[str(a.program[i])],
                    policy_facts(raw, s.features, k),
                    float(s.pd[k]),
                    band.band,
                    int(a.requested_amount[i]),
                    int(a.tenor_months[i]),
                    str(a.purpose[i]),
                )
                result = ScoreResult(
                    model_name=bundle.name,
                    model_version=bundle.version,
                    feature_spec_version=str(bundle.manifest["feature_spec_version"]),
                    input_hash=hashes[k],
                    as_of=_iso(int(a.applied[i])),
                    features={
                        name: _r6(v)
                        for name, v in zip(s.features.names, values.tolist(), strict=True)
                    },
                    data_quality=s.features.quality(k),
                    margin=round(float(s.margin[k]), 6),
                    pd=round(float(s.pd[k]), 6),
                    score=int(np.rint(s.score[k])),
                    band=band.band,
                    expected_bad_rate=band.expected_bad_rate,
                    reasons=[r.to_dict() for r in adverse],
                    positive_factors=[r.to_dict() for r in positive],
                    recourse=None,
                    policy=outcome.to_dict(),
                )
                policy = result.policy
                cols["features"].append(result.features)
                cols["quality"].append(result.data_quality)
                cols["margin"].append(result.margin)
                cols["pd"].append(result.pd)
                cols["score"].append(result.score)
                cols["band"].append(result.band)
                cols["reasons"].append(
                    result.reasons + [{"positive": True, **r} for r in result.positive_factors]
                )
                cols["policy"].append(policy)
                cols["recommendation"].append(str(policy["recommendation"]))
                # policy dict values are typed object (ints here, as in services.applications)
                cols["recommended_amount"].append(int(policy["recommended_amount"]))  # type: ignore[call-overload]
                cols["recommended_tenor"].append(int(policy["recommended_tenor_months"]))  # type: ignore[call-overload]  # as above
                cols["result_json"].append(result.to_json().decode())
                cols["input_hash"].append(result.input_hash)
            bar.update(rows.size)
    cols["model_name"] = [bundle.name] * n
    cols["model_version"] = [bundle.version] * n
    cols["feature_spec_version"] = [str(bundle.manifest["feature_spec_version"])] * n
    cols["application_id"] = app_ids.tolist()
    return cols


def _text_where(mask: NDArray[np.bool_], text: str) -> pl.Series:
    """``text`` where ``mask``, else null."""
    return pl.Series([text if m else None for m in mask.tolist()], dtype=pl.String)


def _r6(x: float) -> float | None:
    return None if x != x else round(float(x), 6)


def _iso(day: int) -> str:
    return date.fromordinal(day + date(1970, 1, 1).toordinal()).isoformat()


def _json_rows(session: Session, model: Any, ids: NDArray[np.int64], cols: dict[str, Any]) -> None:
    """Insert rows with JSON columns through Core (the dialect serialises the JSON)."""
    from sqlalchemy import insert

    keys = list(cols)
    rows = [dict(zip(keys, values, strict=True)) for values in zip(*cols.values(), strict=True)]
    for row, i in zip(rows, ids.tolist(), strict=True):
        row["id"] = i
    for lo in range(0, len(rows), 5_000):
        session.execute(insert(model), rows[lo : lo + 5_000])


def load_historic_book(
    session: Session,
    pop: Any,
    lender_ids: list[int],
    officers: dict[int, Officers],
    as_of: date,
) -> dict[str, int]:
    """Write ``pop`` as a closed historic book (see the module docstring); flushes only.

    Args:
        session: the command's session; the caller commits.
        pop: a ``fixtures.Population`` whose loans all began at least a year before ``as_of``.
        lender_ids: application ``i`` goes to ``lender_ids[i % len(lender_ids)]``.
        officers: lender id -> its maker and checker.
        as_of: every historic loan has ended before this date (the month before it).

    Returns:
        Rows written per table name.
    """
    from fixtures.loan_history import closed_history

    now = datetime.now(UTC)  # created_at: a timestamp of the load, not business logic
    conn = session.connection()
    found = session.execute(select(CreditProgram.code, CreditProgram.id))
    program_ids = {code: pid for code, pid in found}
    programs = {p.code: p for p in session.scalars(select(CreditProgram))}
    rules = {code: program_service.rules_for(p) for code, p in programs.items()}
    before = int(session.scalar(select(func.coalesce(func.max(Application.id), 0))) or 0)
    counts = load_population_bulk(session, pop, lender_ids, program_ids)
    n = int(pop.n)
    app_ids = np.fromiter(
        session.scalars(
            select(Application.id).where(Application.id > before).order_by(Application.id)
        ),
        dtype=np.int64,
    )
    if app_ids.size != n:
        raise RuntimeError(f"expected {n} new applications, found {app_ids.size}")
    ent_ids = np.fromiter(
        session.scalars(
            select(Application.enterprise_id)
            .where(Application.id > before)
            .order_by(Application.id)
        ),
        dtype=np.int64,
    )
    for model, ids in ((Application, app_ids), (Enterprise, ent_ids)):
        for lo in range(0, n, 5_000):
            session.execute(
                update(model)
                .where(model.id.in_(ids[lo : lo + 5_000].tolist()))
                .values(reference=func.replace(model.reference, "SYN-", "HIST-")),
                execution_options={"synchronize_session": False},
            )
    lender = np.asarray(lender_ids, dtype=np.int64)[np.arange(n) % len(lender_ids)]
    a = pop.applications

    # Score records and decisions.
    records = _score_records(session, pop, app_ids, rules)
    record_ids = _reserve_ids(conn, _table(ScoreRecord), n)
    records["scored_at"] = [now] * n
    _json_rows(session, ScoreRecord, record_ids, records)
    counts["score_records"] = n
    approved = np.asarray(a.approved, dtype=bool)
    recommendation = np.asarray(records["recommendation"])
    outcome = np.where(approved, "approve", "decline")
    overrides = outcome != recommendation
    maker = np.array([officers[int(x)].maker for x in lender], dtype=np.int64)
    checker = np.array([officers[int(x)].checker for x in lender], dtype=np.int64)
    apps_table = _table(Application)
    conn.execute(
        update(apps_table)
        .where(apps_table.c.id == bindparam("app_id"))
        .values(
            status=bindparam("new_status"),
            score=bindparam("new_score"),
            band=bindparam("new_band"),
        ),
        [
            {
                "app_id": int(i),
                "new_status": "approved" if ok else "declined",
                "new_score": sc,
                "new_band": bd,
            }
            for i, ok, sc, bd in zip(
                app_ids.tolist(), approved.tolist(), records["score"], records["band"], strict=True
            )
        ],
    )
    lo_ = pop.loans
    principal_of = np.zeros(n, dtype=np.int64)
    principal_of[lo_.app] = lo_.principal
    tenor_of = np.zeros(n, dtype=np.int64)
    tenor_of[lo_.app] = lo_.tenor_months
    decided = _days(a.applied)
    counts["decisions"] = _frame(
        conn,
        Decision,
        {
            "application_id": app_ids,
            "score_record_id": record_ids,
            "decided_by": maker,
            "outcome": outcome,
            "overrides_recommendation": overrides,
            "reason_code": _text_where(~approved, DECLINE_REASON),
            "reason_text": _text_where(overrides, "historic decision (bulk-loaded)"),
            "approved_amount": pl.Series(np.where(approved, principal_of, 0)).scatter(
                np.flatnonzero(~approved), None
            ),
            "approved_tenor": pl.Series(np.where(approved, tenor_of, 0)).scatter(
                np.flatnonzero(~approved), None
            ),
            "decided_on": decided,
            "created_at": pl.Series([now] * n),
            "recommendation": recommendation,
            "model_version": np.asarray(records["model_version"]),
            "override_reason_code": _text_where(overrides, OVERRIDE_REASON),
        },
    )

    # Loans and their histories.
    closed_by = day_number(as_of) - 31
    h = closed_history(
        lo_,
        pop.loan_payments,
        pop.defaulted[lo_.app],
        closed_by,
        write_off_after_dpd=WRITE_OFF_AFTER_DPD,
    )
    m = lo_.loan_id.size
    loan_ids = _reserve_ids(conn, _table(Loan), m)
    app_row = lo_.app.astype(np.int64)
    loan_lender = lender[app_row]
    code = np.asarray(lo_.program).astype(str)
    prog = [programs[c] for c in code.tolist()]
    access = np.asarray(pop.raw.profiles.kur_access_count, dtype=np.int64)[app_row]
    subsidy = [
        p.subsidy_rate_by_access[min(int(k), len(p.subsidy_rate_by_access) - 1)]
        for p, k in zip(prog, access.tolist(), strict=True)
    ]
    inst_first = np.searchsorted(h.inst_loan, np.arange(m), "left")
    inst_last = np.searchsorted(h.inst_loan, np.arange(m), "right") - 1
    last_status = np.searchsorted(h.st_loan, np.arange(m), "right") - 1
    wo = h.written_off
    counts["loans"] = _frame(
        conn,
        Loan,
        {
            "id": loan_ids,
            "lender_id": loan_lender,
            "application_id": app_ids[app_row],
            "enterprise_id": ent_ids[app_row],
            "program_id": [p.id for p in prog],
            "principal": h.principal,
            "annual_rate": [Decimal(str(r)) for r in lo_.annual_rate],
            "subsidy_rate": [Decimal(str(s)) for s in subsidy],
            "guarantee_coverage": [Decimal(p.guarantee_coverage) for p in prog],
            "penalty_daily_rate": [Decimal(p.penalty_daily_rate) for p in prog],
            "interest_method": [p.interest_method for p in prog],
            "frequency": ["monthly"] * m,
            "tenor": h.tenor,
            "grace_principal": np.zeros(m, np.int64),
            "prepayment_mode": [p.prepayment_mode for p in prog],
            "allocation_order": [",".join(p.allocation_order) for p in prog],
            "purpose": np.asarray(a.purpose)[app_row],
            "approved_on": _days(a.applied[app_row]),
            "first_due_on": _days(h.inst_due[inst_first]),
            "maturity_on": _days(h.inst_due[inst_last]),
            "status": np.where(wo, "written_off", "closed"),
            "schedule_version": np.ones(m, np.int64),
            "disbursed_amount": h.principal,
            "outstanding_principal": np.zeros(m, np.int64),
            "dpd": h.final_dpd,
            "collectibility": np.where(wo, 5, 1),
            "last_aged_on": _days(
                np.where(last_status >= 0, h.st_day[np.maximum(last_status, 0)], -1)
            ),
            "closed_on": _days(np.where(wo, -1, h.closed_day)),
            "written_off_on": _days(np.where(wo, h.closed_day, -1)),
            "created_at": pl.Series([now] * m),
            "restructured": np.zeros(m, bool),
            "restructure_count": np.zeros(m, np.int64),
            "on_time_streak": np.zeros(m, np.int64),
            "credit_balance": np.zeros(m, np.int64),
            "day_count": ["30/360"] * m,
            "kur_access_count": access,
            "kur_access_mismatch": np.zeros(m, bool),
        },
    )
    inst_ids = _reserve_ids(conn, _table(Installment), h.inst_loan.size)
    k = h.inst_loan.size
    counts["installments"] = _frame(
        conn,
        Installment,
        {
            "id": inst_ids,
            "loan_id": loan_ids[h.inst_loan],
            "schedule_version": np.ones(k, np.int64),
            "number": h.inst_no,
            "due_on": _days(h.inst_due),
            "principal_due": h.inst_principal,
            "interest_due": h.inst_interest,
            "penalty_due": np.zeros(k, np.int64),
            "principal_paid": h.inst_principal_paid,
            "interest_paid": h.inst_interest_paid,
            "penalty_paid": np.zeros(k, np.int64),
            "deferred_interest": np.zeros(k, np.int64),
            "settled_on": _days(h.inst_settled),
            "superseded": np.zeros(k, bool),
        },
    )
    disb_ids = _reserve_ids(conn, _table(Disbursement), m)
    disbursed = _days(lo_.disbursed)
    counts["disbursements"] = _frame(
        conn,
        Disbursement,
        {
            "id": disb_ids,
            "loan_id": loan_ids,
            "amount": h.principal,
            "disbursed_on": disbursed,
            "status": ["confirmed"] * m,
            "idempotency_key": np.char.add("hist-", loan_ids.astype(str)),
            "requested_by": maker[app_row],
            "confirmed_by": checker[app_row],
            "created_at": pl.Series([now] * m),
            "confirmed_at": pl.Series([now] * m),
        },
    )
    counts["guarantee_covers"] = _covers(
        session, conn, loan_ids, prog, h.principal, h.tenor, a.applied[app_row], lo_.disbursed
    )
    paying = (h.pay_principal + h.pay_interest) > 0
    p_loan, p_inst = h.pay_loan[paying], h.pay_inst[paying]
    p_prin, p_int, p_day = h.pay_principal[paying], h.pay_interest[paying], h.pay_day[paying]
    r = p_loan.size
    rep_ids = _reserve_ids(conn, _table(Repayment), r)
    counts["repayments"] = _frame(
        conn,
        Repayment,
        {
            "id": rep_ids,
            "loan_id": loan_ids[p_loan],
            "lender_id": loan_lender[p_loan],
            "idempotency_key": np.char.add("hist-", rep_ids.astype(str)),
            "amount": p_prin + p_int,
            "paid_on": _days(p_day),
            "channel": ["bank_transfer"] * r,
            "principal_part": p_prin,
            "interest_part": p_int,
            "penalty_part": np.zeros(r, np.int64),
            "excess_part": np.zeros(r, np.int64),
            "created_at": pl.Series([now] * r),
            "apply_as": ["auto"] * r,
            "credit_part": np.zeros(r, np.int64),
            "schedule_version_before": np.ones(r, np.int64),
        },
    )
    counts["repayment_allocations"] = _frame(
        conn,
        RepaymentAllocation,
        {
            "repayment_id": rep_ids,
            "installment_id": inst_ids[p_inst],
            "principal": p_prin,
            "interest": p_int,
            "penalty": np.zeros(r, np.int64),
        },
    )

    # The ledger: every cached balance rebuilds from these.
    wo_rows = np.flatnonzero(wo)
    wi_rows = np.flatnonzero(wo & (h.write_off_interest > 0))
    pp, ip = np.flatnonzero(p_prin > 0), np.flatnonzero(p_int > 0)
    parts = [
        ("disbursement", loan_ids, h.principal, h.principal, disbursed, disb_ids, None, None),
        ("principal_repayment", loan_ids[p_loan[pp]], p_prin[pp], -p_prin[pp], _days(p_day[pp]),
         None, rep_ids[pp], inst_ids[p_inst[pp]]),
        ("interest_repayment", loan_ids[p_loan[ip]], p_int[ip], np.zeros(ip.size, np.int64),
         _days(p_day[ip]), None, rep_ids[ip], inst_ids[p_inst[ip]]),
        ("write_off", loan_ids[wo_rows], h.write_off_amount[wo_rows],
         -h.write_off_amount[wo_rows], _days(h.closed_day[wo_rows]), None, None, None),
        ("interest_write_off", loan_ids[wi_rows], h.write_off_interest[wi_rows],
         np.zeros(wi_rows.size, np.int64), _days(h.closed_day[wi_rows]), None, None, None),
    ]  # fmt: skip
    frames = []
    for kind, lid, amount, delta, posted, disb, rep, inst in parts:
        size = len(lid)
        none = pl.Series([None] * size, dtype=pl.Int64)
        frames.append(
            pl.DataFrame(
                {
                    "loan_id": lid,
                    "kind": [kind] * size,
                    "amount": amount,
                    "principal_delta": delta,
                    "posted_on": posted,
                    "repayment_id": none if rep is None else pl.Series(rep, dtype=pl.Int64),
                    "disbursement_id": none if disb is None else pl.Series(disb, dtype=pl.Int64),
                    "installment_id": none if inst is None else pl.Series(inst, dtype=pl.Int64),
                    "created_at": pl.Series([now] * size),
                }
            )
        )
    counts["loan_movements"] = _fast_write(conn, _table(LoanMovement), pl.concat(frames))
    s = h.st_loan.size
    counts["loan_status_history"] = _frame(
        conn,
        LoanStatus,
        {
            "loan_id": loan_ids[h.st_loan],
            "as_of": _days(h.st_day),
            "dpd": h.st_dpd,
            "collectibility": h.st_grade,
            "outstanding_principal": h.st_outstanding,
            "arrears": h.st_arrears,
            "status": ["active"] * s,
            "restructured": np.zeros(s, bool),
            "restructure_count": np.zeros(s, np.int64),
        },
    )
    counts["write_offs"] = _frame(
        conn,
        WriteOff,
        {
            "loan_id": loan_ids[wo_rows],
            "amount": h.write_off_amount[wo_rows],
            "requested_on": _days(h.closed_day[wo_rows]),
            "requested_by": maker[app_row[wo_rows]],
            "approved_by": checker[app_row[wo_rows]],
            "approved_on": _days(h.closed_day[wo_rows]),
            "status": ["approved"] * wo_rows.size,
            "reason": [POLICY_REASON] * wo_rows.size,
            "interest_amount": h.write_off_interest[wo_rows],
            "grade": np.full(wo_rows.size, 5),
        },
    )
    cl = h.claim_loan
    coverage = np.array([float(prog[i].guarantee_coverage) for i in cl.tolist()])
    amount = np.floor(h.claim_outstanding * coverage).astype(np.int64)
    paid_day = h.claim_day + CLAIM_PAID_AFTER_DAYS
    paid = paid_day <= day_number(as_of)
    counts["guarantee_claims"] = _frame(
        conn,
        GuaranteeClaim,
        {
            "loan_id": loan_ids[cl],
            "trigger": ["collectibility_4"] * cl.size,
            "claimed_on": _days(h.claim_day),
            "outstanding_principal": h.claim_outstanding,
            "coverage": [prog[i].guarantee_coverage for i in cl.tolist()],
            "amount": amount,
            "status": np.where(paid, "paid", "submitted"),
            "paid_amount": np.where(paid, amount, 0),
            "paid_on": _days(np.where(paid, paid_day, -1)),
        },
    )
    counts["recoveries"] = _recoveries(
        conn, h, loan_ids, day_number(as_of), cl, h.claim_outstanding, np.where(paid, amount, 0)
    )
    counts["ageing_runs"] = _ageing_runs(session, h.st_loan, h.st_day)
    if loan_ids.size:
        # The bulk path bypasses the services' journaling: post the book in monthly sums.
        counts["journal_entries"] = journal_loaded_loans(
            session, int(loan_ids.min()), int(loan_ids.max())
        )
    return counts


def _covers(
    session: Session,
    conn: Connection,
    loan_ids: NDArray[np.int64],
    prog: list[CreditProgram],
    principal: NDArray[np.int64],
    tenor: NDArray[np.int64],
    approved: NDArray[np.int64],
    disbursed: NDArray[np.int64],
) -> int:
    """Each loan's guarantee cover, opened at its disbursement as ``claims.open_cover`` opens
    it: the program's guarantor and IJP rate in force on the approval date, the loan's share,
    covered amount and one-off IJP rounded down the same way. The IJP is left unpaid: the
    demo's claim calendar pays it per quarter like the live book's."""
    terms: dict[int, list[tuple[int, int, int, Decimal]]] = {}
    for row in session.execute(
        select(
            ProgramGuarantee.program_id,
            ProgramGuarantee.effective_from,
            ProgramGuarantee.id,
            ProgramGuarantee.guarantor_id,
            ProgramGuarantee.ijp_rate,
        ).order_by(ProgramGuarantee.effective_from)
    ):
        terms.setdefault(row.program_id, []).append(
            (day_number(row.effective_from), row.id, row.guarantor_id, Decimal(row.ijp_rate))
        )  # fmt: skip
    cols: dict[str, list[Any]] = {k: [] for k in (
        "loan_id", "guarantor_id", "program_guarantee_id", "share", "ijp_rate",
        "covered_amount", "started_on", "ijp_amount", "created_at")}  # fmt: skip
    now = datetime.now(UTC)
    for i, program in enumerate(prog):
        share = Decimal(program.guarantee_coverage or 0)
        in_force = [t for t in terms.get(program.id, []) if t[0] <= approved[i]]
        if not share or not in_force:
            continue
        _, row_id, guarantor_id, rate = in_force[-1]
        amount = int(principal[i])
        cols["loan_id"].append(int(loan_ids[i]))
        cols["guarantor_id"].append(guarantor_id)
        cols["program_guarantee_id"].append(row_id)
        cols["share"].append(share)
        cols["ijp_rate"].append(rate)
        cols["covered_amount"].append(int((amount * share).to_integral_value(ROUND_DOWN)))
        cols["started_on"].append(int(disbursed[i]))
        cols["ijp_amount"].append(ijp_amount(amount, rate, int(tenor[i])))
        cols["created_at"].append(now)
    frame = {**cols, "started_on": _days(np.asarray(cols["started_on"], dtype=np.int64))}
    return _frame(conn, GuaranteeCover, frame)


def _recoveries(
    conn: Connection,
    h: Any,
    loan_ids: NDArray[np.int64],
    as_of_day: int,
    claim_loan: NDArray[np.int64],
    claimed: NDArray[np.int64],
    claim_paid: NDArray[np.int64],
) -> int:
    """The live book's collection rule (``demo_loans.recovery_share``) on historic write-offs:
    one recovery of principal at the third month end after the write-off, by the as-of date,
    with the guarantor's share as ``record_recovery`` computes it (principal part x claim paid
    / principal claimed, rounded down)."""
    from fixtures.calendar import month_of_day, month_start

    rows = np.flatnonzero(h.written_off)
    share = np.array(
        [
            recovery_share(int(i), int(w))
            for i, w in zip(loan_ids[rows].tolist(), h.write_off_amount[rows].tolist(), strict=True)
        ]
    )
    day = month_start(month_of_day(h.closed_day[rows]) + RECOVERY_AFTER_MONTHS + 1) - 1
    keep = (share > 0) & (day <= as_of_day)
    rows, share, day = rows[keep], share[keep], day[keep].astype(np.int64)
    paid = np.zeros(h.written_off.size, dtype=np.int64)
    paid[claim_loan] = claim_paid
    base = np.ones(h.written_off.size, dtype=np.int64)
    base[claim_loan] = np.maximum(claimed, 1)
    guarantor = np.minimum(share * paid[rows] // base[rows], paid[rows])
    k = rows.size
    written = _frame(
        conn,
        Recovery,
        {
            "loan_id": loan_ids[rows],
            "amount": share,
            "recovered_on": _days(day),
            "created_at": pl.Series([datetime.now(UTC)] * k),
            "principal_part": share,
            "interest_part": np.zeros(k, np.int64),
            "cost_part": np.zeros(k, np.int64),
            "guarantor_share": guarantor,
        },
    )
    _frame(
        conn,
        LoanMovement,
        {
            "loan_id": loan_ids[rows],
            "kind": ["recovery"] * k,
            "amount": share,
            "principal_delta": np.zeros(k, np.int64),
            "posted_on": _days(day),
            "created_at": pl.Series([datetime.now(UTC)] * k),
        },
    )
    return written


def _ageing_runs(session: Session, st_loan: NDArray[np.int64], st_day: NDArray[np.int64]) -> int:
    """Record the month-end runs the historic status rows belong to, where none exists."""
    have = {day_number(d) for d in session.scalars(select(AgeingRun.as_of))}
    days, aged = np.unique(st_day, return_counts=True)
    new = [(int(d), int(c)) for d, c in zip(days, aged, strict=True) if int(d) not in have]
    if not new:
        return 0
    return _frame(
        session.connection(),
        AgeingRun,
        {
            "as_of": _days(np.array([d for d, _ in new])),
            "loans_aged": [c for _, c in new],
            "created_at": pl.Series([datetime.now(UTC)] * len(new)),
        },
    )
