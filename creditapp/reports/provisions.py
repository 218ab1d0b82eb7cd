"""Loss allowance (CKPN) by stage and program, from the provisioning run of a date.

Reads the latest provisioning run on or before the as-of date (none: every figure 0):
- rows: per program x stage, loans, EAD (outstanding principal), guarantee cover, allowance,
  coverage = allowance / EAD;
- by_stage: the same summed over programs; total_allowance, total_ead;
- movements: per program, opening = allowance at the run before it, closing = at this run,
  change = closing - opening (> 0 provision expense, < 0 release).
Unfiltered figures come from the run's stored totals; a lender or province filter sums the
run's per-loan rows of the loans in scope (SQL aggregates either way).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Select, Table, func, select
from sqlalchemy.orm import Session

from ..models import LoanProvision, ProvisionRun, ProvisionTotal
from .scope import LOANS, PROGRAMS, Scope, ratio

ROWS = cast(Table, LoanProvision.__table__)
TOTALS = cast(Table, ProvisionTotal.__table__)
RUNS = cast(Table, ProvisionRun.__table__)
STAGES = (1, 2, 3)


def _grouped(scope: Scope, run_id: int) -> Select[Any]:
    """program code, stage, loans, ead, cover, amount of one run within the scope."""
    if scope.lender_id is None and scope.province is None:  # the stored totals suffice
        source = TOTALS.join(PROGRAMS, PROGRAMS.c.id == TOTALS.c.program_id)
        query = select(
            PROGRAMS.c.code,
            TOTALS.c.stage,
            func.sum(TOTALS.c.loans),
            func.sum(TOTALS.c.ead),
            func.sum(TOTALS.c.cover),
            func.sum(TOTALS.c.amount),
        ).select_from(source)
        query = query.where(TOTALS.c.run_id == run_id)
        if scope.program_id is not None:
            query = query.where(TOTALS.c.program_id == scope.program_id)
        return query.group_by(PROGRAMS.c.code, TOTALS.c.stage)
    source = ROWS.join(LOANS, LOANS.c.id == ROWS.c.loan_id).join(
        PROGRAMS, PROGRAMS.c.id == ROWS.c.program_id
    )
    return (
        select(
            PROGRAMS.c.code,
            ROWS.c.stage,
            func.count(),
            func.sum(ROWS.c.ead),
            func.sum(ROWS.c.cover),
            func.sum(ROWS.c.amount),
        )
        .select_from(source)
        .where(ROWS.c.run_id == run_id, *scope.loan_filters())
        .group_by(PROGRAMS.c.code, ROWS.c.stage)
    )


def _figures(session: Session, scope: Scope, run_id: int | None) -> list[dict[str, Any]]:
    if run_id is None:
        return []
    out = []
    for code, stage, loans, ead, cover, amount in session.execute(_grouped(scope, run_id)):
        out.append(
            {
                "program": code,
                "stage": int(stage),
                "loans": int(loans),
                "ead": int(ead),
                "cover": int(cover),
                "allowance": int(amount),
                "coverage": ratio(int(amount), int(ead)),
            }
        )
    return sorted(out, key=lambda r: (r["program"], r["stage"]))


def _by_stage(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sum the (few) program x stage rows per stage; every stage listed, 0 when empty."""
    out = []
    for stage in STAGES:
        mine = [r for r in rows if r["stage"] == stage]
        sums = {k: sum(r[k] for r in mine) for k in ("loans", "ead", "cover", "allowance")}
        out.append({"stage": stage, **sums, "coverage": ratio(sums["allowance"], sums["ead"])})
    return out


def _movements(
    closing: list[dict[str, Any]], opening: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per program: opening, closing, change (programs of either run)."""
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    for rows, into in ((opening, before), (closing, after)):
        for r in rows:
            into[r["program"]] = into.get(r["program"], 0) + r["allowance"]
    return [
        {
            "program": p,
            "opening": before.get(p, 0),
            "closing": after.get(p, 0),
            "change": after.get(p, 0) - before.get(p, 0),
        }
        for p in sorted(before.keys() | after.keys())
    ]


def provisions(session: Session, scope: Scope) -> dict[str, Any]:
    """Loss allowance by program x stage, by stage, and its movement per program.

    allowance = Σ per-loan round_half_up(round_half_up((EAD - cover) x LGD) x PD), PD by stage
    (see ``creditapp.services.provisioning.staging``); coverage = allowance / EAD;
    change = allowance at this run - allowance at the previous run, per program.
    """
    run = session.execute(
        select(RUNS.c.id, RUNS.c.as_of, RUNS.c.snapshot, RUNS.c.previous_run_id)
        .where(RUNS.c.as_of <= scope.as_of)
        .order_by(RUNS.c.as_of.desc())
        .limit(1)
    ).first()
    rows = _figures(session, scope, run.id if run else None)
    opening = _figures(session, scope, run.previous_run_id if run else None)
    by_stage = _by_stage(rows)
    total = sum(r["allowance"] for r in by_stage)
    ead = sum(r["ead"] for r in by_stage)
    return {
        **scope.describe(),
        "run": run.as_of.isoformat() if run else None,
        "run_snapshot": run.snapshot.isoformat() if run else None,
        "rows": rows,
        "by_stage": by_stage,
        "movements": _movements(rows, opening),
        "total_allowance": total,
        "total_ead": ead,
        "total_coverage": ratio(total, ead),
    }
