"""Model monitoring for data scientists: PSI by month, realised bad rate per risk band against
the band's expected rate, approval and override rates, champion history."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ..models import Application, AuditEvent, Decision, ModelVersion, ScoreRecord, User
from ..services import models as model_registry
from .outcomes_sql import loan_outcomes
from .scope import Scope, month_index, month_label, ratio

APPS, DECISIONS, SCORES = Application.__table__, Decision.__table__, ScoreRecord.__table__
USERS, AUDIT, VERSIONS = User.__table__, AuditEvent.__table__, ModelVersion.__table__
PSI_WATCH, PSI_ACT = 0.1, 0.25  # as ``creditapp training drift``
EPSILON = 1e-4  # an empty bin's share, as ``training.psi``
Z95, Z99 = 1.959964, 2.575829


def psi_from_counts(expected: list[float], counts: list[int]) -> float:
    """PSI = sum (a - e) ln(a / e) over bins, shares floored at EPSILON (``training.psi``)."""
    total = sum(counts)
    out = 0.0
    for e, n in zip(expected, counts, strict=True):
        a = max(n / total if total else 0.0, EPSILON)
        e = max(e, EPSILON)
        out += (a - e) * math.log(a / e)
    return out


def psi_status(value: float) -> str:
    return "act" if value >= PSI_ACT else ("watch" if value >= PSI_WATCH else "stable")


def bin_case(value: Any, edges: list[float]) -> ColumnElement[int]:
    """The bin of ``training.psi.bin_shares``: a value on an edge falls in the bin above it;
    missing values get the last bin."""
    whens = [(value.is_(None), len(edges) + 1)]
    whens += [(value < edge, i) for i, edge in enumerate(edges)]
    return case(*whens, else_=len(edges))


def champion_baseline(session: Session) -> tuple[ModelVersion | None, dict[str, Any] | None]:
    """The champion and the PSI baseline stored with its card (None when it has none)."""
    champion = model_registry.champion(session)
    if champion is None:
        return None, None
    stored = Path(champion.path).parent / f"{champion.version}.card" / "baseline.json"
    if not stored.is_file():
        return champion, None
    data: dict[str, Any] = json.loads(stored.read_text(encoding="utf-8"))
    return champion, data


def _records(scope: Scope, champion: ModelVersion) -> Any:
    return (
        SCORES.join(APPS, APPS.c.id == SCORES.c.application_id),
        [
            SCORES.c.model_name == champion.name,
            SCORES.c.model_version == champion.version,
            APPS.c.applied_on <= scope.as_of,
            *([APPS.c.program_id == scope.program_id] if scope.program_id else []),
            *([APPS.c.lender_id == scope.lender_id] if scope.lender_id else []),
        ],
    )


def psi_by_month(session: Session, scope: Scope) -> dict[str, Any]:
    """Score and feature PSI of the champion's score records by application month.

    PSI per month and column = sum over the baseline's bins of (a - e) ln(a / e), e = the
    baseline share, a = the month's share; stable < 0.1 <= watch < 0.25 <= act.
    Baseline: the one stored with the champion's card; a champion without one (the demo
    model) is compared with its own first month of score records (score only), and says so.
    """
    champion, baseline = champion_baseline(session)
    out: dict[str, Any] = {**scope.describe(), "model": None, "baseline": None, "rows": []}
    if champion is None:
        return out
    out["score_edges"] = None
    out["model"] = f"{champion.name} {champion.version}"
    source, where = _records(scope, champion)
    month = month_index(scope.dialect, APPS.c.applied_on).label("month")
    if baseline is None:
        first = session.scalar(select(func.min(month)).select_from(source).where(*where))
        if first is None:
            return out
        scores = sorted(
            float(s)
            for s in session.scalars(
                select(SCORES.c.score).select_from(source).where(*where, month == first)
            )
        )
        # Deciles of the reference month (at most one month of integer scores is read).
        edges = sorted(
            {scores[min(len(scores) - 1, int(len(scores) * q / 10))] for q in range(1, 10)}
        )
        reference = [0] * (len(edges) + 2)
        for s in scores:
            reference[sum(1 for e in edges if s >= e)] += 1
        baseline = {
            "edges": {"score": edges},
            "shares": {"score": [c / len(scores) for c in reference]},
        }
        out["baseline"] = f"first month of score records ({month_label(int(first))})"
    else:
        out["baseline"] = "stored with the champion's model card"
    out["score_edges"] = baseline["edges"].get("score")
    rows: dict[int, dict[str, Any]] = {}
    for column, edges in baseline["edges"].items():
        value = SCORES.c.score if column == "score" else SCORES.c.features[column].as_float()
        b = bin_case(value, [float(e) for e in edges]).label("bin")
        query = select(month, b, func.count()).select_from(source).where(*where).group_by(month, b)
        counts: dict[int, list[int]] = {}
        for m, k, n in session.execute(query):
            counts.setdefault(int(m), [0] * (len(edges) + 2))[int(k)] = int(n)
        for m, per_bin in counts.items():
            row = rows.setdefault(m, {"month": month_label(m), "records": sum(per_bin)})
            row[f"psi_{column}"] = psi_from_counts(list(baseline["shares"][column]), per_bin)
            if column == "score":
                # The month's score distribution over the baseline's bins (last: missing).
                row["score_shares"] = [ratio(n, sum(per_bin)) for n in per_bin]
    for m in sorted(rows):
        row = rows[m]
        psis = {k: v for k, v in row.items() if k.startswith("psi_")}
        worst = max(psis, key=lambda k: psis[k]) if psis else None
        row["score_status"] = psi_status(row.get("psi_score", 0.0))
        row["worst_column"] = worst and worst.removeprefix("psi_")
        row["worst_status"] = psi_status(psis[worst]) if worst else "stable"
        out["rows"].append(row)
    return out


def wilson(bad: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (0, 0 when n is 0)."""
    if n == 0:
        return 0.0, 0.0
    p = bad / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def traffic_light(expected: float, bad: int, n: int) -> str:
    """red: the band's expected rate is below the 99% interval of the realised rate;
    amber: below the 95% interval; green otherwise (no evidence the band is worse)."""
    if n == 0:
        return "grey"
    if wilson(bad, n, Z99)[0] > expected:
        return "red"
    if wilson(bad, n, Z95)[0] > expected:
        return "amber"
    return "green"


def band_performance(session: Session, scope: Scope) -> dict[str, Any]:
    """Realised 90+ dpd rate per risk band against the band's expected bad rate.

    realised = bad / observed loans of applications last scored in the band (outcome: 90+ dpd
    or written off within 12 months of disbursement, whole window observed by as_of)
    interval = Wilson 95% interval; light = red / amber / green (see ``traffic_light``)
    expected = the champion's ``expected_bad_rate`` for the band
    """
    out: dict[str, Any] = {**scope.describe(), "model": None, "rows": []}
    bundle = model_registry.load_champion(session)
    expected = {b.band: b.expected_bad_rate for b in bundle.bands} if bundle else {}
    latest = (
        select(SCORES.c.application_id, func.max(SCORES.c.id).label("score_id"))
        .group_by(SCORES.c.application_id)
        .subquery("latest")
    )
    outcomes = loan_outcomes(scope)
    query = (
        select(
            SCORES.c.band,
            func.sum(outcomes.c.observed),
            func.sum(outcomes.c.bad * outcomes.c.observed),
        )
        .select_from(
            outcomes.join(latest, latest.c.application_id == outcomes.c.application_id).join(
                SCORES, SCORES.c.id == latest.c.score_id
            )
        )
        .group_by(SCORES.c.band)
        .order_by(SCORES.c.band)
    )
    for band, observed, bad in session.execute(query):
        n, k = int(observed or 0), int(bad or 0)
        low, high = wilson(k, n, Z95)
        exp = expected.get(band)
        out["rows"].append(
            {
                "band": band,
                "observed_loans": n,
                "bad": k,
                "realised_bad_rate": ratio(k, n),
                "ci95_low": low,
                "ci95_high": high,
                "expected_bad_rate": exp,
                "light": traffic_light(exp, k, n) if exp is not None else "grey",
            }
        )
    if bundle is not None:
        out["model"] = f"{bundle.manifest.get('name')} {bundle.manifest.get('version')}"
    return out


def decision_rates(session: Session, scope: Scope, by: str = "month") -> list[dict[str, Any]]:
    """Approval and override rates of officers' decisions up to as_of, by month, by override
    reason or by officer.

    approval_rate = approve / decisions; override_rate = decisions against the
    recommendation / decisions
    """
    keys: dict[str, Any] = {
        "month": month_index(scope.dialect, DECISIONS.c.decided_on),
        "reason": func.coalesce(DECISIONS.c.reason_code, "-"),
        "officer": USERS.c.email,
    }
    key = keys.get(by, keys["month"]).label("key")
    filters = [DECISIONS.c.decided_on <= scope.as_of]
    if scope.program_id is not None:
        filters.append(APPS.c.program_id == scope.program_id)
    if scope.lender_id is not None:
        filters.append(APPS.c.lender_id == scope.lender_id)
    query = (
        select(
            key,
            func.count(),
            func.count().filter(DECISIONS.c.outcome == "approve"),
            func.count().filter(DECISIONS.c.overrides_recommendation.is_(True)),
        )
        .select_from(
            DECISIONS.join(APPS, APPS.c.id == DECISIONS.c.application_id).join(
                USERS, USERS.c.id == DECISIONS.c.decided_by
            )
        )
        .where(*filters)
        .group_by(key)
        .order_by(key)
    )
    name = by if by in keys else "month"
    return [
        {
            name: month_label(int(k)) if name == "month" else k,
            "decisions": int(n),
            "approval_rate": ratio(int(a), int(n)),
            "override_rate": ratio(int(o), int(n)),
        }
        for k, n, a, o in session.execute(query)
    ]


def champion_history(session: Session, scope: Scope) -> list[dict[str, Any]]:
    """Every promotion (and rollback, which promotes the earlier version) up to as_of."""
    query = (
        select(AUDIT.c.occurred_at, AUDIT.c.before, AUDIT.c.after)
        .where(AUDIT.c.action == "model.promote", func.date(AUDIT.c.occurred_at) <= scope.as_of)
        .order_by(AUDIT.c.occurred_at, AUDIT.c.id)
    )
    rows = []
    for at, before, after in session.execute(query):
        rows.append(
            {
                "promoted_at": at.isoformat() if at else None,
                "model": (after or {}).get("name"),
                "version": (after or {}).get("version"),
                "replaced": (before or {}).get("version"),
            }
        )
    return rows
