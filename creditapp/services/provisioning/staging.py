"""The per-loan provision of one run as one SELECT (no loop over loans).

Stage (from the status row of the ageing run read, and the restructurings up to it):
- 3: Kol 3-5 (non-performing);
- 2: dpd 31-90, or restructured on or before the run (a restructuring hides arrears);
- 1: the rest (Kol 1, and Kol 2 with dpd <= 30: the PSAK 71 30-day backstop).

PD: the 12-month PD of the application's score record (the PD the loan was approved on),
or the program's ``unscored_pd`` when the application was never scored. Stage 2 uses the
lifetime PD 1 - (1 - PD12) ^ (n / 12), n = months from the run to the loan's maturity but
at least 12 (a loan past or near maturity never gets less than its 12-month loss; constant
hazard assumed). Stage 3 uses PD = 1.

Amount, whole Rupiah: EAD = outstanding principal of the status row (accrued interest is
left out: interest of Kol 3-5 is recognised on cash only, and for performing loans it is
at most one month); cover = floor(EAD x the loan's guarantee coverage) as the guarantee
report counts it; loss = round_half_up((EAD - cover) x LGD); amount = round_half_up(loss x
PD). All in integer millionths, so both databases give the same Rupiah.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    Select,
    Table,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.sql.elements import ColumnElement

from ...models import Loan, LoanStatus, Restructuring, ScoreRecord
from ...reports.scope import month_index
from ..loans.sqlparts import MICRO, micro
from .settings import settings_subquery

LOANS = cast(Table, Loan.__table__)
HIST = cast(Table, LoanStatus.__table__)
RESTRUCTURINGS = cast(Table, Restructuring.__table__)
SCORES = cast(Table, ScoreRecord.__table__)
NPL_GRADE = 3  # Kol 3-5: stage 3
STAGE2_DPD = 30  # more than 30 days past due: stage 2
LIFETIME_MIN_MONTHS = 12
HALF = MICRO // 2


def as_rate(millionths: Any) -> ColumnElement[Any]:
    """Integer millionths as a NUMERIC rate (exact on PostgreSQL, a float on SQLite)."""
    rate: ColumnElement[Any] = millionths / literal_column("1000000.0")
    return rate


def times_rate_rounded(amount: Any, millionths: Any) -> ColumnElement[int]:
    """round_half_up(amount x rate) for a non-negative amount, in integers."""
    return cast(ColumnElement[int], (amount * millionths + HALF) // MICRO)


def lifetime_pd_micro(pd12_micro: Any, months: Any) -> ColumnElement[int]:
    """1 - (1 - PD12) ^ (months / 12) in millionths (``months`` already at least 12)."""
    survive = sql_cast(1 - as_rate(pd12_micro), Float)
    years = sql_cast(months, Float) / 12.0
    return sql_cast(func.round((1 - func.power(survive, years)) * MICRO), BigInteger)


def provision_rows(dialect: str, as_of: date, snapshot: date, run_id: int) -> Select[Any]:
    """SELECT run_id, loan_id, program_id, stage, pd_12m, pd, lgd, ead, cover, amount."""
    restructured = (
        select(RESTRUCTURINGS.c.loan_id)
        .where(RESTRUCTURINGS.c.effective_on <= snapshot)
        .group_by(RESTRUCTURINGS.c.loan_id)
        .subquery("restructured")
    )
    # One score record per application in practice (scored once at intake); the latest
    # if there were ever more.
    latest_score = (
        select(SCORES.c.application_id, func.max(SCORES.c.id).label("id"))
        .group_by(SCORES.c.application_id)
        .subquery("latest_score")
    )
    scores = select(SCORES.c.application_id, SCORES.c.pd).select_from(
        SCORES.join(latest_score, latest_score.c.id == SCORES.c.id)
    )
    score = scores.subquery("score")
    settings = settings_subquery(as_of)
    ead = HIST.c.outstanding_principal
    maturity = func.coalesce(LOANS.c.maturity_on, literal(as_of, Date))
    remaining = month_index(dialect, maturity) - (as_of.year * 12 + as_of.month)
    stage = case(
        (HIST.c.collectibility >= NPL_GRADE, 3),
        (or_(HIST.c.dpd > STAGE2_DPD, restructured.c.loan_id.is_not(None)), 2),
        else_=1,
    )
    pd12 = func.coalesce(
        sql_cast(func.round(score.c.pd * MICRO), BigInteger), settings.c.unscored_pd_micro
    )
    source = (
        HIST.join(LOANS, LOANS.c.id == HIST.c.loan_id)
        .join(settings, settings.c.program_id == LOANS.c.program_id)
        .outerjoin(restructured, restructured.c.loan_id == HIST.c.loan_id)
        .outerjoin(score, score.c.application_id == LOANS.c.application_id)
    )
    staged = (
        select(
            HIST.c.loan_id,
            LOANS.c.program_id,
            stage.label("stage"),
            pd12.label("pd12"),
            settings.c.lgd,
            settings.c.lgd_micro,
            ead.label("ead"),
            (ead * micro(LOANS.c.guarantee_coverage) // MICRO).label("cover"),
            case((remaining > LIFETIME_MIN_MONTHS, remaining), else_=LIFETIME_MIN_MONTHS).label(
                "months"
            ),
        )
        .select_from(source)
        .where(
            HIST.c.as_of == snapshot,
            HIST.c.status == "active",
            # Written off after the status row but by the run date: out of the allowance.
            or_(LOANS.c.written_off_on.is_(None), LOANS.c.written_off_on > as_of),
        )
        .subquery("staged")
    )
    pd = case(
        (staged.c.stage == 3, MICRO),
        (staged.c.stage == 2, lifetime_pd_micro(staged.c.pd12, staged.c.months)),
        else_=staged.c.pd12,
    )
    priced = select(
        staged.c.loan_id,
        staged.c.program_id,
        staged.c.stage,
        staged.c.pd12,
        pd.label("pd"),
        staged.c.lgd,
        staged.c.ead,
        staged.c.cover,
        times_rate_rounded(staged.c.ead - staged.c.cover, staged.c.lgd_micro).label("loss"),
    ).subquery("priced")
    return select(
        literal(run_id),
        priced.c.loan_id,
        priced.c.program_id,
        priced.c.stage,
        as_rate(priced.c.pd12),
        as_rate(priced.c.pd),
        priced.c.lgd,
        priced.c.ead,
        priced.c.cover,
        times_rate_rounded(priced.c.loss, priced.c.pd),
    )


# The loan_provisions columns, in the order of ``provision_rows``.
COLUMNS = (
    "run_id",
    "loan_id",
    "program_id",
    "stage",
    "pd_12m",
    "pd",
    "lgd",
    "ead",
    "cover",
    "amount",
)
