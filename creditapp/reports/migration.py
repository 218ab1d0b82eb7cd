"""How loans move over time: roll rates between DPD buckets and vintage curves."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, null, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from loanmath.dates import add_months

from .scope import HIST, LOANS, MOVEMENTS, Scope, month_index, month_label, ratio, run_on_or_before

# (label, largest dpd in the bucket); the last open bucket has no bound.
DPD_BUCKETS = (("current", 0), ("1-30", 30), ("31-60", 60), ("61-90", 90), ("91-180", 180))
OPEN_BUCKET = ">180"
ROLL_FROM = (*(b for b, _ in DPD_BUCKETS), OPEN_BUCKET)
ROLL_TO = (*ROLL_FROM, "written_off", "closed")


def bucket_of(dpd: int) -> int:
    """The index into ``ROLL_FROM`` of a number of days past due."""
    for i, (_, top) in enumerate(DPD_BUCKETS):
        if dpd <= top:
            return i
    return len(DPD_BUCKETS)


def month_before(day: date) -> date:
    """The same point one month earlier; a month's last day goes to the previous month's last.

    Plain ``add_months`` would take 30 April to 30 March, and the run of 31 March would be
    missed: a month-end report must compare with the previous month-end run.
    """
    if (day + timedelta(days=1)).day == 1:
        return day.replace(day=1) - timedelta(days=1)
    return add_months(day, -1)


def roll_rates(session: Session, scope: Scope) -> dict[str, Any]:
    """Month-to-month transition matrix of balances between DPD buckets.

    start = the ageing run on or before the same point one month before the snapshot (a
        month-end snapshot: the previous month's end); end = the snapshot.
    share[from][to] = sum(outstanding at start of loans in bucket `from` at start and `to`
        at end) / sum(outstanding at start of loans in `from`); a loan without a status row
        at the end is `written_off` when written off by then, otherwise `closed`.
    Each row with a balance sums to 1.
    """
    start = None
    if scope.snapshot is not None:
        start = run_on_or_before(session, month_before(scope.snapshot))
    out: dict[str, Any] = {**scope.describe(), "from_date": start and start.isoformat()}
    if start is None or scope.snapshot is None or start == scope.snapshot:
        out["rows"] = []
        return out
    # Both runs' rows come from the (as_of, loan_id) covering index already ordered by loan, so
    # PostgreSQL merge-joins them from the index alone; a hash join of two million-row runs
    # spent most of its time building the hash (measured in bench.reports).
    h0 = (
        select(HIST.c.loan_id, HIST.c.dpd, HIST.c.outstanding_principal)
        .where(HIST.c.as_of == start)
        .order_by(HIST.c.loan_id)
        .subquery("h0")
    )
    h1 = (
        select(HIST.c.loan_id, HIST.c.dpd)
        .where(HIST.c.as_of == scope.snapshot)
        .order_by(HIST.c.loan_id)
        .subquery("h1")
    )
    # Asked only of the few loans gone by the end (a look-up, not a join of every loan).
    gone = LOANS.alias("gone")
    written_off = exists().where(gone.c.id == h0.c.loan_id, gone.c.written_off_on <= scope.snapshot)
    source = h0.outerjoin(h1, h1.c.loan_id == h0.c.loan_id)
    if scope.filtered:
        source = source.join(LOANS, LOANS.c.id == h0.c.loan_id)
    # Grouped by the raw dpd pair (a few hundred distinct pairs, which the planner estimates
    # from the column statistics and hashes), bucketed here: grouped by bucket expressions, the
    # planner expected a group per row and sorted every row.
    ended_written_off = and_(h1.c.loan_id.is_(None), written_off).label("written_off")
    grouped = (
        select(
            h0.c.dpd,
            h1.c.dpd,
            ended_written_off,
            func.count(),
            func.sum(h0.c.outstanding_principal),
        )
        .select_from(source)
        .where(*scope.loan_filters())
        .group_by(h0.c.dpd, h1.c.dpd, ended_written_off)
    )
    cells: dict[str, dict[str, int]] = {}
    counts: dict[str, int] = {}
    for dpd0, dpd1, was_written_off, n, balance in session.execute(grouped):
        frm = ROLL_FROM[bucket_of(int(dpd0))]
        if dpd1 is not None:
            to = ROLL_FROM[bucket_of(int(dpd1))]
        else:
            to = "written_off" if was_written_off else "closed"
        row = cells.setdefault(frm, dict.fromkeys(ROLL_TO, 0))
        row[to] += int(balance)
        counts[frm] = counts.get(frm, 0) + int(n)
    rows = []
    for frm in ROLL_FROM:
        if frm not in cells:
            continue
        total = sum(cells[frm].values())
        rows.append(
            {
                "from": frm,
                "loans": counts[frm],
                "balance": total,
                **{to: ratio(cells[frm][to], total) for to in ROLL_TO},
            }
        )
    out["rows"] = rows
    return out


def vintages(session: Session, scope: Scope) -> dict[str, Any]:
    """Cumulative 30+ DPD, 90+ DPD and write-off shares by disbursement month and month on book.

    cohort = month of the disbursement; amount = principal disbursed that month, up to as_of
    mob = month of the end-of-day run - cohort month (0 = the disbursement month)
    dpd30[c][m] = sum(amount disbursed in month c to loans that were > 30 dpd in any run, or
        written off, by month on book m) / sum(amount disbursed in month c); dpd90 (> 90 dpd)
        and written_off likewise. A loan paid out in tranches counts each in its own month.
    "Ever reached by m" makes every curve non-decreasing in m.
    """
    out: dict[str, Any] = {**scope.describe(), "rows": []}
    if scope.snapshot is None:
        return out
    dialect, snap = scope.dialect, scope.snapshot
    # Each disbursement is counted in its own month: a loan paid out in tranches puts each
    # tranche in the vintage of its month (for the usual single disbursement: the loan's
    # month). Grouping the ledger by month needs no per-loan grouping of a million loans.
    tranche = and_(MOVEMENTS.c.kind == "disbursement", MOVEMENTS.c.posted_on <= snap)
    cohort = month_index(dialect, MOVEMENTS.c.posted_on)
    ledger = (
        MOVEMENTS.join(LOANS, LOANS.c.id == MOVEMENTS.c.loan_id) if scope.filtered else MOVEMENTS
    )
    totals_q = (
        select(cohort.label("cohort"), func.sum(MOVEMENTS.c.amount))
        .select_from(ledger)
        .where(tranche, *scope.loan_filters())
        .group_by(cohort)
    )
    totals = {int(c): int(a) for c, a in session.execute(totals_q)}
    # Only loans that ever passed 30 dpd or were written off have an event: most loans never
    # do, so the per-event grouping reads a small part of the portfolio (the late status rows
    # through their partial index, and the ledger rows of the event loans only).
    late = select(
        HIST.c.loan_id,
        HIST.c.as_of.label("h30"),
        case((HIST.c.dpd > 90, HIST.c.as_of)).label("h90"),
    ).where(HIST.c.as_of <= snap, HIST.c.dpd > 30)
    written = select(LOANS.c.id, null(), null()).where(LOANS.c.written_off_on <= snap)
    raw = union_all(late, written).subquery("raw")
    events = (
        select(
            raw.c.loan_id,
            func.min(raw.c.h30).label("hit30"),
            func.min(raw.c.h90).label("hit90"),
        )
        .group_by(raw.c.loan_id)
        .subquery("events")
    )
    wo = case((LOANS.c.written_off_on <= snap, LOANS.c.written_off_on))

    def first_of(hit: Any) -> ColumnElement[Any]:
        # A write-off counts as reaching 30+/90+ from its date, if the history did not earlier.
        return case((hit.is_(None), wo), (wo.is_(None), hit), (hit <= wo, hit), else_=wo)

    per_loan = (
        select(
            cohort.label("cohort"),
            MOVEMENTS.c.amount,
            first_of(events.c.hit30).label("d30"),
            first_of(events.c.hit90).label("d90"),
            wo.label("wo"),
        )
        .select_from(
            events.join(LOANS, LOANS.c.id == events.c.loan_id).join(
                MOVEMENTS, MOVEMENTS.c.loan_id == events.c.loan_id
            )
        )
        .where(tranche, *scope.loan_filters())
        .subquery("per_tranche")
    )
    mobs = [
        (month_index(dialect, per_loan.c[key]) - per_loan.c.cohort).label(key)
        for key in ("d30", "d90", "wo")
    ]
    grouped = select(per_loan.c.cohort, *mobs, func.sum(per_loan.c.amount)).group_by(
        per_loan.c.cohort, *mobs
    )
    firsts: dict[str, dict[tuple[int, int], int]] = {"d30": {}, "d90": {}, "wo": {}}
    for c, d30, d90, w, total in session.execute(grouped):
        for key, mob in (("d30", d30), ("d90", d90), ("wo", w)):
            if mob is not None:
                # An event before a later tranche counts from that tranche's month.
                cell = (int(c), max(int(mob), 0))
                firsts[key][cell] = firsts[key].get(cell, 0) + int(total)
    last = snap.year * 12 + snap.month
    rows = []
    for month in sorted(totals):
        running = dict.fromkeys(firsts, 0)
        for mob in range(0, last - month + 1):
            for key in firsts:
                running[key] += firsts[key].get((month, mob), 0)
            rows.append(
                {
                    "cohort": month_label(month),
                    "mob": mob,
                    "disbursed": totals[month],
                    "dpd30": ratio(running["d30"], totals[month]),
                    "dpd90": ratio(running["d90"], totals[month]),
                    "written_off": ratio(running["wo"], totals[month]),
                }
            )
    out["rows"] = rows
    return out
