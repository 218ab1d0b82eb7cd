"""How loans move over time: roll rates between DPD buckets and vintage curves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from loanmath.dates import add_months

from .scope import HIST, LOANS, MOVEMENTS, Scope, month_index, month_label, ratio, run_on_or_before

# (label, largest dpd in the bucket); the last open bucket has no bound.
DPD_BUCKETS = (("current", 0), ("1-30", 30), ("31-60", 60), ("61-90", 90), ("91-180", 180))
OPEN_BUCKET = ">180"
ROLL_FROM = (*(b for b, _ in DPD_BUCKETS), OPEN_BUCKET)
ROLL_TO = (*ROLL_FROM, "written_off", "closed")


def dpd_bucket(dpd: Any) -> ColumnElement[str]:
    return case(*((dpd <= top, label) for label, top in DPD_BUCKETS), else_=OPEN_BUCKET)


def roll_rates(session: Session, scope: Scope) -> dict[str, Any]:
    """Month-to-month transition matrix of balances between DPD buckets.

    start = the ageing run on or before (snapshot - 1 month); end = the snapshot.
    share[from][to] = sum(outstanding at start of loans in bucket `from` at start and `to`
        at end) / sum(outstanding at start of loans in `from`); a loan without a status row
        at the end is `written_off` when written off by then, otherwise `closed`.
    Each row with a balance sums to 1.
    """
    start = None
    if scope.snapshot is not None:
        start = run_on_or_before(session, add_months(scope.snapshot, -1))
    out: dict[str, Any] = {**scope.describe(), "from_date": start and start.isoformat()}
    if start is None or scope.snapshot is None or start == scope.snapshot:
        out["rows"] = []
        return out
    h0, h1 = aliased(HIST, name="h0"), aliased(HIST, name="h1")
    to_bucket = case(
        (h1.c.loan_id.is_not(None), dpd_bucket(h1.c.dpd)),
        (LOANS.c.written_off_on <= scope.snapshot, "written_off"),
        else_="closed",
    )
    moved = (
        select(
            dpd_bucket(h0.c.dpd).label("from_bucket"),
            to_bucket.label("to_bucket"),
            h0.c.outstanding_principal.label("balance"),
        )
        .select_from(
            h0.join(LOANS, LOANS.c.id == h0.c.loan_id).outerjoin(
                h1, and_(h1.c.loan_id == h0.c.loan_id, h1.c.as_of == scope.snapshot)
            )
        )
        .where(h0.c.as_of == start, *scope.loan_filters())
        .subquery("moved")
    )
    grouped = select(
        moved.c.from_bucket, moved.c.to_bucket, func.count(), func.sum(moved.c.balance)
    ).group_by(moved.c.from_bucket, moved.c.to_bucket)
    cells: dict[str, dict[str, int]] = {}
    counts: dict[str, int] = {}
    for frm, to, n, balance in session.execute(grouped):
        cells.setdefault(frm, dict.fromkeys(ROLL_TO, 0))[to] = int(balance)
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

    cohort = month of the loan's first disbursement; amount = principal disbursed up to as_of
    mob = month of the end-of-day run - cohort month (0 = the disbursement month)
    dpd30[c][m] = sum(amount of cohort-c loans that were > 30 dpd in any run, or written off,
        by month on book m) / sum(amount of cohort c); dpd90 and written_off likewise.
    "Ever reached by m" makes every curve non-decreasing in m.
    """
    out: dict[str, Any] = {**scope.describe(), "rows": []}
    if scope.snapshot is None:
        return out
    dialect, snap = scope.dialect, scope.snapshot
    disbursed = (
        select(
            MOVEMENTS.c.loan_id,
            func.min(MOVEMENTS.c.posted_on).label("first_on"),
            func.sum(MOVEMENTS.c.amount).label("amount"),
        )
        .where(MOVEMENTS.c.kind == "disbursement", MOVEMENTS.c.posted_on <= snap)
        .group_by(MOVEMENTS.c.loan_id)
        .subquery("disbursed")
    )
    hits = (
        select(
            HIST.c.loan_id,
            func.min(HIST.c.as_of).filter(HIST.c.dpd > 30).label("hit30"),
            func.min(HIST.c.as_of).filter(HIST.c.dpd > 90).label("hit90"),
        )
        .where(HIST.c.as_of <= snap, HIST.c.dpd > 30)
        .group_by(HIST.c.loan_id)
        .subquery("hits")
    )
    wo = case((LOANS.c.written_off_on <= snap, LOANS.c.written_off_on))

    def first_of(hit: Any) -> ColumnElement[Any]:
        # A write-off counts as reaching 30+/90+ from its date, if the history did not earlier.
        return case((hit.is_(None), wo), (wo.is_(None), hit), (hit <= wo, hit), else_=wo)

    loans = (
        select(
            month_index(dialect, disbursed.c.first_on).label("cohort"),
            disbursed.c.amount,
            first_of(hits.c.hit30).label("d30"),
            first_of(hits.c.hit90).label("d90"),
            wo.label("wo"),
        )
        .select_from(
            disbursed.join(LOANS, LOANS.c.id == disbursed.c.loan_id).outerjoin(
                hits, hits.c.loan_id == disbursed.c.loan_id
            )
        )
        .where(*scope.loan_filters())
        .subquery("per_loan")
    )
    # One pass: amounts grouped by cohort and the month on book each event was first reached.
    mobs = [
        (month_index(dialect, loans.c[key]) - loans.c.cohort).label(key)
        for key in ("d30", "d90", "wo")
    ]
    grouped = select(loans.c.cohort, *mobs, func.sum(loans.c.amount)).group_by(
        loans.c.cohort, *mobs
    )
    totals: dict[int, int] = {}
    firsts: dict[str, dict[tuple[int, int], int]] = {"d30": {}, "d90": {}, "wo": {}}
    for cohort, d30, d90, w, amount in session.execute(grouped):
        c, a = int(cohort), int(amount)
        totals[c] = totals.get(c, 0) + a
        for key, mob in (("d30", d30), ("d90", d90), ("wo", w)):
            if mob is not None:
                firsts[key][(c, int(mob))] = firsts[key].get((c, int(mob)), 0) + a
    last = snap.year * 12 + snap.month
    rows = []
    for cohort in sorted(totals):
        running = dict.fromkeys(firsts, 0)
        for mob in range(0, last - cohort + 1):
            for key in firsts:
                running[key] += firsts[key].get((cohort, mob), 0)
            rows.append(
                {
                    "cohort": month_label(cohort),
                    "mob": mob,
                    "disbursed": totals[cohort],
                    "dpd30": ratio(running["d30"], totals[cohort]),
                    "dpd90": ratio(running["d90"], totals[cohort]),
                    "written_off": ratio(running["wo"], totals[cohort]),
                }
            )
    out["rows"] = rows
    return out
