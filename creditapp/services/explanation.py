"""What the application page shows beyond the stored score: the waterfall and the alt data.

The waterfall recomputes the exact contributions with the model version that scored the
application (from the registry, verified by hash) on the stored feature vector, and checks
that they add up to the stored margin. Score points are linear in the margin (Platt
calibration, then points-to-double-odds scaling), so each contribution converts exactly:
``points = -pdo / ln 2 * a * contribution``; the base value takes the bias, ``b`` and the
scaling's constants. The steps therefore add up from the base to the score (before rounding).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loanmath.dates import add_months
from scoring.explain import characteristic_contributions, contributions
from scoring.feature_spec import CHARACTERISTICS, FEATURES
from scoring.model import ModelBundle
from scoring.recourse import recourse

from ..errors import DomainError
from ..models import (
    CooperativeMembership,
    CooperativeSaving,
    MarketplaceMonth,
    ModelVersion,
    ScoreRecord,
    Transaction,
)
from .models import bundle_at
from .rawdata import raw_batch_for

MARGIN_TOLERANCE = 1e-4  # stored features are rounded to 6 digits


@dataclass(frozen=True)
class Step:
    characteristic: str
    points: float


@dataclass(frozen=True)
class Waterfall:
    base: float
    steps: list[Step]  # ordered by size, largest effect first
    score: float  # base + sum of steps (unrounded score)
    consistent: bool  # the recomputed margin equals the stored one


def _bundle_of(session: Session, record: ScoreRecord) -> ModelBundle | None:
    """The registered, verified bundle that scored ``record``; None if it is gone."""
    mv = session.scalar(
        select(ModelVersion).where(
            ModelVersion.name == record.model_name, ModelVersion.version == record.model_version
        )
    )
    if mv is None:
        return None
    try:
        return bundle_at(mv.name, mv.version, mv.path, mv.manifest_sha256)
    except DomainError:
        return None


def waterfall(session: Session, record: ScoreRecord) -> Waterfall | None:
    """The exact contributions of ``record`` in score points; None if its model is gone."""
    bundle = _bundle_of(session, record)
    if bundle is None:
        return None
    row = np.array(
        [
            [
                np.nan if record.features.get(f.name) is None else record.features[f.name]
                for f in FEATURES
            ]
        ],
        dtype=np.float64,
    )
    contrib = contributions(bundle, row)
    margin = float(contrib.sum())
    per_char = characteristic_contributions(contrib)[0]
    cal = bundle.manifest["calibration"]
    scaling = bundle.manifest["score_scaling"]
    a, b = float(cal["a"]), float(cal["b"])
    factor = float(scaling["pdo"]) / math.log(2.0)
    bias = float(contrib[0, -1])
    base = (
        float(scaling["base_points"])
        - factor * math.log(float(scaling["base_odds"]))
        - factor * (a * bias + b)
    )
    steps = [
        Step(name, -factor * a * float(value))
        for name, value in zip(CHARACTERISTICS, per_char, strict=True)
    ]
    steps.sort(key=lambda s: -abs(s.points))
    total = base + sum(s.points for s in steps)
    return Waterfall(base, steps, total, abs(margin - record.margin) <= MARGIN_TOLERANCE)


# Recourse searched on a page view, per worker, by what determines it: a score record's
# inputs and model never change, so neither does its recourse (bounded: oldest out first).
_RECOURSE: OrderedDict[tuple[int, str, str, str], list[dict[str, Any]]] = OrderedDict()
_RECOURSE_MAX = 512
_RECOURSE_LOCK = threading.Lock()


def recourse_steps(session: Session, record: ScoreRecord) -> list[dict[str, Any]]:
    """The stored recourse steps, or the same search run with the scoring model version.

    Intake stores no recourse (the search costs 10-50 ms and re-reads the alternative data);
    the application page and the letter run it once per worker and keep the answer.
    """
    if record.recourse is not None:
        return list(record.recourse)
    key = (record.id, record.input_hash, record.model_name, record.model_version)
    with _RECOURSE_LOCK:
        if key in _RECOURSE:
            _RECOURSE.move_to_end(key)
            return _RECOURSE[key]
    bundle = _bundle_of(session, record)
    if bundle is None:
        return []
    raw = raw_batch_for(session, [record.application_id])
    steps = [action.to_dict() for action in recourse(bundle, raw)]
    with _RECOURSE_LOCK:
        _RECOURSE[key] = steps
        while len(_RECOURSE) > _RECOURSE_MAX:
            _RECOURSE.popitem(last=False)
    return steps


@dataclass(frozen=True)
class MonthlyFlow:
    month: date
    inflow: int
    outflow: int


def monthly_flows(session: Session, application_id: int) -> list[MonthlyFlow]:
    """Inflows and outflows per calendar month (summed in SQL)."""
    month = func.strftime("%Y-%m-01", Transaction.occurred_on)
    if session.get_bind().dialect.name == "postgresql":
        month = func.to_char(func.date_trunc("month", Transaction.occurred_on), "YYYY-MM-DD")
    rows = session.execute(
        select(month.label("m"), Transaction.direction, func.sum(Transaction.amount))
        .where(Transaction.application_id == application_id)
        .group_by("m", Transaction.direction)
        .order_by("m")
    ).all()
    by_month: dict[str, list[int]] = {}
    for m, direction, total in rows:
        by_month.setdefault(str(m), [0, 0])[0 if direction == "in" else 1] = int(total)
    if not by_month:
        return []
    # Every month from the first to the last, months without a transaction as zero: gaps are
    # what the "cash-flow regularity" reason is about, so the chart must show them.
    first, last = date.fromisoformat(min(by_month)), date.fromisoformat(max(by_month))
    flows = []
    current = first
    while current <= last:
        inflow, outflow = by_month.get(current.isoformat(), [0, 0])
        flows.append(MonthlyFlow(current, inflow, outflow))
        current = add_months(current, 1)
    return flows


def marketplace(session: Session, application_id: int) -> list[MarketplaceMonth]:
    return list(
        session.scalars(
            select(MarketplaceMonth)
            .where(MarketplaceMonth.application_id == application_id)
            .order_by(MarketplaceMonth.month)
        )
    )


def savings(session: Session, application_id: int) -> list[tuple[date, str]]:
    """The cooperative's mandatory savings months and whether each was paid on time."""
    return [
        (m, s)
        for m, s in session.execute(
            select(CooperativeSaving.month, CooperativeSaving.status)
            .join(
                CooperativeMembership, CooperativeMembership.id == CooperativeSaving.membership_id
            )
            .where(CooperativeMembership.application_id == application_id)
            .order_by(CooperativeSaving.month)
        )
    ]
