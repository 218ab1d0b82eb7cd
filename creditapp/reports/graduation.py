"""Graduation: do the enterprises the program finances grow (micro -> small -> medium)?

Financed enterprises are compared with a comparison group, applicants never financed. The
comparison is DESCRIPTIVE, NOT CAUSAL: the groups differ in who applied, who was approved
and why, so a difference in graduation is not the effect of the credit.

Reference date: the first disbursement of a financed enterprise; the first application of a
comparison enterprise. Size class at an observation: PP 7/2021 by annual sales and BPS by
workers (``size_observations``, written with every application and follow-up).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Subquery, and_, case, exists, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..errors import DomainError
from ..models import (
    Application,
    Certification,
    ExportRecord,
    MarketplaceMonth,
    Partnership,
    SizeObservation,
)
from .outcomes_sql import plus_months
from .scope import ENTERPRISES, LOANS, MOVEMENTS, PROGRAMS, Scope, month_index, month_label, ratio

APPS, SIZES = Application.__table__, SizeObservation.__table__
CERTS, PARTNERS = Certification.__table__, Partnership.__table__
EXPORTS, MARKET = ExportRecord.__table__, MarketplaceMonth.__table__
CLASSES = ("micro", "small", "medium", "large")
BASES = {"sales": SIZES.c.size_class_sales, "workers": SIZES.c.size_class_workers}
WINDOWS = (12, 24)
GRADUATION_GROUPS = ("cohort", "program", "province", "sector", "gender")
NOT_CAUSAL = (
    "Descriptive, not causal: the comparison group (applicants not financed) differs from "
    "the financed enterprises in who applied and who was approved."
)


def _in_province(province: str) -> Select[Any]:
    return select(ENTERPRISES.c.id).where(ENTERPRISES.c.province == province)


def rank(column: Any) -> ColumnElement[int]:
    """micro 1 < small 2 < medium 3 < large 4."""
    return case(*((column == c, i) for i, c in enumerate(CLASSES, start=1)), else_=0)


def reference(scope: Scope, financed: bool) -> Subquery:
    """(enterprise_id, ref_on, program_id): first disbursement, or for enterprises never
    financed, first application, up to as_of (one row per enterprise)."""
    if financed:
        first = (
            select(MOVEMENTS.c.loan_id, func.min(MOVEMENTS.c.posted_on).label("on"))
            .where(MOVEMENTS.c.kind == "disbursement", MOVEMENTS.c.posted_on <= scope.as_of)
            .group_by(MOVEMENTS.c.loan_id)
            .subquery("first")
        )
        order = func.row_number().over(
            partition_by=LOANS.c.enterprise_id, order_by=(first.c.on, LOANS.c.id)
        )
        ranked = (
            select(
                LOANS.c.enterprise_id,
                first.c.on.label("ref_on"),
                LOANS.c.program_id,
                order.label("n"),
            )
            .select_from(first.join(LOANS, LOANS.c.id == first.c.loan_id))
            .where(*scope.loan_filters())
            .subquery("ranked")
        )
    else:
        order = func.row_number().over(
            partition_by=APPS.c.enterprise_id, order_by=(APPS.c.applied_on, APPS.c.id)
        )
        filters = [APPS.c.applied_on <= scope.as_of]
        if scope.program_id is not None:
            filters.append(APPS.c.program_id == scope.program_id)
        if scope.lender_id is not None:
            filters.append(APPS.c.lender_id == scope.lender_id)
        if scope.province is not None:
            filters.append(APPS.c.enterprise_id.in_(_in_province(scope.province)))
        never = ~exists().where(LOANS.c.enterprise_id == APPS.c.enterprise_id)
        ranked = (
            select(
                APPS.c.enterprise_id,
                APPS.c.applied_on.label("ref_on"),
                APPS.c.program_id,
                order.label("n"),
            )
            .where(never, *filters)
            .subquery("ranked")
        )
    return (
        select(ranked.c.enterprise_id, ranked.c.ref_on, ranked.c.program_id)
        .where(ranked.c.n == 1)
        .subquery("reference")
    )


def _per_enterprise(scope: Scope, ref: Subquery) -> Subquery:
    """Baseline class (last observation on or before the reference date) and the best class
    observed within 12 and 24 months after it, by sales and by workers."""
    columns: list[Any] = [ref.c.enterprise_id, ref.c.ref_on, ref.c.program_id]
    for basis, klass in BASES.items():
        base = (
            select(rank(klass))
            .where(
                SIZES.c.enterprise_id == ref.c.enterprise_id, SIZES.c.observed_on <= ref.c.ref_on
            )
            .order_by(SIZES.c.observed_on.desc(), SIZES.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        columns.append(base.label(f"base_{basis}"))
        for months in WINDOWS:
            end = plus_months(scope.dialect, ref.c.ref_on, months)
            best = (
                select(func.max(rank(klass)))
                .where(
                    SIZES.c.enterprise_id == ref.c.enterprise_id,
                    SIZES.c.observed_on > ref.c.ref_on,
                    SIZES.c.observed_on <= end,
                )
                .scalar_subquery()
            )
            columns.append(best.label(f"best_{basis}_{months}"))
    for months in WINDOWS:
        ended = plus_months(scope.dialect, ref.c.ref_on, months) <= scope.as_of
        columns.append(case((ended, 1), else_=0).label(f"ended_{months}"))
    return select(*columns).subquery("per_enterprise")


def graduation_rate(session: Session, scope: Scope, by: str = "cohort") -> list[dict[str, Any]]:
    """Graduation within 12 and 24 months, financed against the comparison group.

    followed_N = enterprises whose N-month window ended by as_of and that were observed again
        within it; graduated_N_basis = of those, a larger size class than at the reference
    rate_N_basis = graduated_N_basis / followed_N      (basis: sales or workers)
    cohort = month of the reference date.
    """
    if by not in GRADUATION_GROUPS:
        raise DomainError(
            "unknown grouping", {"by": [f"{by!r} is not one of {list(GRADUATION_GROUPS)}"]}
        )
    rows = []
    for group, financed in (("financed", True), ("comparison", False)):
        per = _per_enterprise(scope, reference(scope, financed))
        keys: dict[str, Any] = {
            "cohort": month_index(scope.dialect, per.c.ref_on),
            "program": PROGRAMS.c.code,
            "province": ENTERPRISES.c.province,
            "sector": ENTERPRISES.c.kbli_division,
            "gender": ENTERPRISES.c.owner_gender,
        }
        key = keys[by].label("key")
        aggregates: list[Any] = [func.count().label("enterprises")]
        for months in WINDOWS:
            seen = and_(per.c[f"ended_{months}"] == 1, per.c[f"best_sales_{months}"].is_not(None))
            aggregates.append(func.count().filter(seen).label(f"followed_{months}"))
            for basis in BASES:
                up = per.c[f"best_{basis}_{months}"] > per.c[f"base_{basis}"]
                aggregates.append(
                    func.count().filter(and_(seen, up)).label(f"graduated_{months}_{basis}")
                )
        query = (
            select(key, *aggregates)
            .select_from(
                per.join(ENTERPRISES, ENTERPRISES.c.id == per.c.enterprise_id).join(
                    PROGRAMS, PROGRAMS.c.id == per.c.program_id
                )
            )
            .group_by(key)
            .order_by(key)
        )
        for row in session.execute(query):
            value = month_label(int(row.key)) if by == "cohort" else row.key
            out: dict[str, Any] = {"group": group, by: value, "enterprises": int(row.enterprises)}
            for months in WINDOWS:
                followed = int(getattr(row, f"followed_{months}"))
                out[f"followed_{months}"] = followed
                for basis in BASES:
                    n = int(getattr(row, f"graduated_{months}_{basis}"))
                    out[f"graduated_{months}_{basis}"] = n
                    out[f"rate_{months}_{basis}"] = ratio(n, followed)
            rows.append(out)
    return rows


def size_transitions(session: Session, scope: Scope) -> dict[str, Any]:
    """Transition matrix of size class from the first to the last observation up to as_of,
    for every enterprise observed more than once; share = enterprises from -> to / from.
    Filtered to the enterprises of the lender, those that applied to the program, and those
    of the province, as asked."""
    order = (SIZES.c.observed_on, SIZES.c.id)
    numbered = select(
        SIZES.c.enterprise_id,
        SIZES.c.size_class_sales,
        SIZES.c.size_class_workers,
        func.row_number().over(partition_by=SIZES.c.enterprise_id, order_by=order).label("first"),
        func.row_number()
        .over(partition_by=SIZES.c.enterprise_id, order_by=(order[0].desc(), order[1].desc()))
        .label("last"),
    ).where(SIZES.c.observed_on <= scope.as_of)
    if scope.lender_id is not None:
        numbered = numbered.join(ENTERPRISES, ENTERPRISES.c.id == SIZES.c.enterprise_id).where(
            ENTERPRISES.c.lender_id == scope.lender_id
        )
    if scope.program_id is not None:
        applied = select(APPS.c.enterprise_id).where(APPS.c.program_id == scope.program_id)
        numbered = numbered.where(SIZES.c.enterprise_id.in_(applied))
    if scope.province is not None:
        numbered = numbered.where(SIZES.c.enterprise_id.in_(_in_province(scope.province)))
    obs = numbered.subquery("numbered")
    first, last = obs.alias("f"), obs.alias("l")
    rows = []
    for basis in ("sales", "workers"):
        col = f"size_class_{basis}"
        query = (
            select(first.c[col], last.c[col], func.count())
            .select_from(
                first.join(
                    last, and_(last.c.enterprise_id == first.c.enterprise_id, last.c.last == 1)
                )
            )
            .where(first.c.first == 1, last.c["first"] > 1)
            .group_by(first.c[col], last.c[col])
        )
        cells = {(a, b): int(n) for a, b, n in session.execute(query)}
        for a in CLASSES:
            total = sum(n for (x, _), n in cells.items() if x == a)
            if total:
                rows.append(
                    {
                        "basis": basis,
                        "from": a,
                        "enterprises": total,
                        **{b: ratio(cells.get((a, b), 0), total) for b in CLASSES},
                    }
                )
    return {**scope.describe(), "rows": rows}


def _indicator_exists(ref: Subquery, table: Any, day: Any, when: str, *extra: Any) -> Any:
    relation = exists().where(
        APPS.c.id == table.c.application_id,
        APPS.c.enterprise_id == ref.c.enterprise_id,
        day <= ref.c.ref_on if when == "before" else day > ref.c.ref_on,
        *extra,
    )
    return case((relation, 1), else_=0)


def strategy_indicators(session: Session, scope: Scope) -> dict[str, Any]:
    """Shares of enterprises with each strategy indicator before and after the reference date
    (financed: first disbursement; comparison: first application), and new after it.

    Indicators: certifications (PIRT, HALAL, SNI, BPOM; issued_on), partnership with a medium
    or large firm (since), export (a month with value > 0), digital sales (a marketplace month
    with GMV > 0), other productive credit reported on a later application (graduation to
    commercial credit), plus mean growth of annual sales and of workers from the baseline to
    the last observation up to as_of.
    """
    indicators: list[tuple[str, Any, Any, tuple[Any, ...]]] = [
        *((f"certification_{k}", CERTS, CERTS.c.issued_on, (CERTS.c.kind == k,))
          for k in ("PIRT", "HALAL", "SNI", "BPOM")),
        ("partnership_larger_firm", PARTNERS, PARTNERS.c.since, ()),
        ("export", EXPORTS, EXPORTS.c.month, (EXPORTS.c.value > 0,)),
        ("digital_sales", MARKET, MARKET.c.month, (MARKET.c.gmv > 0,)),
    ]  # fmt: skip
    rows = []
    for group, financed in (("financed", True), ("comparison", False)):
        ref = reference(scope, financed)
        n = int(session.scalar(select(func.count()).select_from(ref)) or 0)
        for name, table, day, extra in indicators:
            upto = (day <= scope.as_of,)
            before = _indicator_exists(ref, table, day, "before", *extra, *upto)
            after = _indicator_exists(ref, table, day, "after", *extra, *upto)
            query = select(
                func.coalesce(func.sum(before), 0),
                func.coalesce(func.sum(after), 0),
                func.coalesce(func.sum(case((and_(before == 0, after == 1), 1), else_=0)), 0),
            ).select_from(ref)
            b, a, new = (int(v) for v in session.execute(query).one())
            rows.append(
                {
                    "group": group,
                    "indicator": name,
                    "enterprises": n,
                    "share_before": ratio(b, n),
                    "share_after": ratio(a, n),
                    "share_new_after": ratio(new, n),
                }
            )
        commercial = exists().where(
            APPS.c.enterprise_id == ref.c.enterprise_id,
            APPS.c.applied_on > ref.c.ref_on,
            APPS.c.applied_on <= scope.as_of,
            APPS.c.profile_other_productive_credit.is_(True),
        )
        later = int(session.scalar(select(func.count()).select_from(ref).where(commercial)) or 0)
        rows.append(
            {
                "group": group,
                "indicator": "commercial_credit_after",
                "enterprises": n,
                "share_before": None,
                "share_after": ratio(later, n),
                "share_new_after": None,
            }
        )
        rows.extend(_growth(session, scope, ref, group, n))
    return {**scope.describe(), "note": NOT_CAUSAL, "rows": rows}


def _growth(
    session: Session, scope: Scope, ref: Subquery, group: str, n: int
) -> list[dict[str, Any]]:
    """Mean relative sales growth and mean change in workers, baseline -> last observation."""

    def at(direction: str, column: Any) -> Any:
        where = [SIZES.c.enterprise_id == ref.c.enterprise_id]
        if direction == "base":
            where.append(SIZES.c.observed_on <= ref.c.ref_on)
        else:
            where += [SIZES.c.observed_on > ref.c.ref_on, SIZES.c.observed_on <= scope.as_of]
        return (
            select(column)
            .where(*where)
            .order_by(SIZES.c.observed_on.desc(), SIZES.c.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    pairs = (
        select(
            at("base", SIZES.c.annual_sales).label("s0"),
            at("last", SIZES.c.annual_sales).label("s1"),
            at("base", SIZES.c.workers).label("w0"),
            at("last", SIZES.c.workers).label("w1"),
        )
        .select_from(ref)
        .subquery("pairs")
    )
    seen = and_(pairs.c.s0 > 0, pairs.c.s1.is_not(None))
    query = select(
        func.count().filter(seen),
        func.avg(case((seen, (pairs.c.s1 - pairs.c.s0) * literal(1.0) / pairs.c.s0))),
        func.avg(case((seen, pairs.c.w1 - pairs.c.w0))),
    ).select_from(pairs)
    followed, sales, workers = session.execute(query).one()
    return [
        {
            "group": group,
            "indicator": "sales_growth_mean",
            "enterprises": n,
            "followed": int(followed or 0),
            "value": float(sales or 0.0),
        },
        {
            "group": group,
            "indicator": "workers_change_mean",
            "enterprises": n,
            "followed": int(followed or 0),
            "value": float(workers or 0.0),
        },
    ]
