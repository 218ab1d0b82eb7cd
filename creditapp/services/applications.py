"""Application intake: validate, score with the champion, store everything immutably."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scoring.payload import InvalidApplication, parse_application
from scoring.raw import (
    CHANNELS,
    COOP_LOAN_STATUSES,
    SAVINGS_STATUSES,
    RawBatch,
    from_day_number,
)
from scoring.result import ScoreResult, score_application

from ..errors import DomainError, NotFound
from ..models import (
    Application,
    Certification,
    CooperativeLoan,
    CooperativeMembership,
    CooperativeSaving,
    Enterprise,
    ExportRecord,
    MarketplaceMonth,
    Partnership,
    ScoreRecord,
    SizeObservation,
    Transaction,
)
from .audit import Actor, record
from .lookup import Lookup, ProgramInfo
from .sizeclass import size_class_by_sales, size_class_by_workers

PROFILE_FIELDS = ("name", "owner_name", "owner_nik", "owner_gender", "kbli", "province", "regency",
                  "village", "workers", "assets", "annual_sales", "other_productive_credit",
                  "entrepreneurship_training", "kur_access_count")  # fmt: skip
PROFILE_DEFAULTS = {
    "other_productive_credit": False,
    "entrepreneurship_training": False,
    "kur_access_count": 0,
}


@dataclass(frozen=True)
class Submitted:
    application: Application
    score_record: ScoreRecord
    result: ScoreResult


def _program_for(
    session: Session, lookup: Lookup, payload: dict[str, Any], as_of: date
) -> ProgramInfo:
    code = payload["request"]["program"]
    try:
        program = lookup.program(session, code)
    except NotFound:
        raise DomainError(
            "unknown program", {"request.program": [f"no program with code {code!r}"]}
        ) from None
    if not program.is_active(as_of):
        raise DomainError(
            "program not active", {"request.program": [f"{code} is not active on {as_of}"]}
        )
    return program


def score_payload(
    session: Session,
    payload: dict[str, Any],
    as_of: date,
    *,
    with_recourse: bool = False,
    lookup: Lookup | None = None,
) -> tuple[ScoreResult, ProgramInfo]:
    """Score a validated payload with the champion model, storing nothing."""
    lookup = lookup or Lookup()
    program = _program_for(session, lookup, payload, as_of)
    _champion, bundle = lookup.champion_bundle(session)
    try:
        result = score_application(bundle, payload, program.rules, with_recourse=with_recourse)
    except InvalidApplication as exc:
        raise DomainError("invalid application", exc.errors) from None
    return result, program


def submit(
    session: Session,
    actor: Actor,
    lender_id: int,
    payload: dict[str, Any],
    as_of: date,
    lookup: Lookup | None = None,
) -> Submitted:
    """Store an application with its alternative data and its score (flushes only)."""
    result, program = score_payload(session, payload, as_of, lookup=lookup)
    raw = parse_application(payload)  # the exact arrays that were scored
    ent_data = payload["enterprise"]
    enterprise = _upsert_enterprise(session, lender_id, ent_data)
    req = payload["request"]
    application = Application(
        lender_id=lender_id,
        enterprise_id=enterprise.id,
        program_id=program.id,
        reference=payload.get("reference"),
        applied_on=as_of,
        requested_amount=req["amount"],
        tenor_months=req["tenor_months"],
        purpose=req["purpose"],
        status="scored",
        **_profile_snapshot(raw),
    )
    session.add(application)
    session.flush()
    _store_alternative_data(session, application.id, raw, payload)
    session.add(
        SizeObservation(
            enterprise_id=enterprise.id,
            observed_on=as_of,
            source="application",
            annual_sales=ent_data["annual_sales"],
            assets=ent_data["assets"],
            workers=ent_data["workers"],
            size_class_sales=size_class_by_sales(ent_data["annual_sales"]),
            size_class_workers=size_class_by_workers(ent_data["workers"]),
        )
    )
    policy = result.policy
    score_record = ScoreRecord(
        application_id=application.id,
        model_name=result.model_name,
        model_version=result.model_version,
        feature_spec_version=result.feature_spec_version,
        input_hash=result.input_hash,
        features=result.features,
        quality=result.data_quality,
        margin=result.margin,
        pd=result.pd,
        score=result.score,
        band=result.band,
        reasons=result.reasons + [{"positive": True, **r} for r in result.positive_factors],
        recourse=result.recourse,
        policy=policy,
        recommendation=str(policy["recommendation"]),
        recommended_amount=int(policy["recommended_amount"]),  # type: ignore[call-overload]
        recommended_tenor=int(policy["recommended_tenor_months"]),  # type: ignore[call-overload]
        result_json=result.to_json().decode(),
    )
    session.add(score_record)
    application.score, application.band = result.score, result.band  # the queue's copy
    session.flush()
    record(
        session,
        actor,
        "application.submit",
        "application",
        application.id,
        after={"program": program.code, "score": result.score, "band": result.band},
        as_of=as_of,
    )
    return Submitted(application, score_record, result)


def _profile_snapshot(raw: RawBatch) -> dict[str, Any]:
    """The enterprise profile this application was scored with, for its ``profile_*`` columns.

    Taken from the parsed arrays rather than the payload so the stored values are exactly the
    model's inputs (``services.rawdata`` rebuilds the training row from them).
    """
    p = raw.profiles
    return {
        "profile_founded_on": from_day_number(int(p.founded[0])),
        "profile_kbli_division": int(p.kbli_division[0]),
        "profile_province": int(p.province[0]),
        "profile_workers": int(p.workers[0]),
        "profile_assets": int(p.assets[0]),
        "profile_annual_sales": int(p.annual_sales[0]),
        "profile_other_productive_credit": bool(p.other_productive_credit[0]),
        "profile_entrepreneurship_training": bool(p.entrepreneurship_training[0]),
        "profile_kur_access_count": int(p.kur_access_count[0]),
    }


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def _check_owner_identity(session: Session, lender_id: int, data: dict[str, Any]) -> None:
    """One national ID number is one person: refuse a NIK the lender already holds for an
    owner of another name or gender (a typo or a borrowed NIK), naming ``owner_nik``.

    An owner may run several enterprises, so the same person under the same NIK is fine.
    """
    known = session.execute(
        select(Enterprise.owner_name, Enterprise.owner_gender)
        .where(Enterprise.lender_id == lender_id, Enterprise.owner_nik == data["owner_nik"])
        .limit(1)
    ).first()
    if known is None:
        return
    name, gender = known
    if not _same_person(name, data["owner_name"]) or gender != data["owner_gender"]:
        raise DomainError(
            "national ID number of another owner",
            {"enterprise.owner_nik": ["this NIK is already held for an owner of another name "
                                      "or gender; one NIK is one person"]},
        )  # fmt: skip


def _upsert_enterprise(session: Session, lender_id: int, data: dict[str, Any]) -> Enterprise:
    """Find the lender's enterprise by its reference (or owner NIK and name), else create it.

    The profile columns hold the latest values; what each application said is kept in its
    ``profile_*`` snapshot, size observation and alternative data.
    """
    _check_owner_identity(session, lender_id, data)
    stmt = select(Enterprise).where(Enterprise.lender_id == lender_id)
    if data.get("reference"):
        stmt = stmt.where(Enterprise.reference == data["reference"])
    else:
        stmt = stmt.where(
            Enterprise.owner_nik == data["owner_nik"], Enterprise.name == data["name"]
        )
    enterprise = session.scalars(stmt).first()
    if enterprise is None:
        enterprise = Enterprise(lender_id=lender_id)
        session.add(enterprise)
    enterprise.reference = data.get("reference")
    for field in PROFILE_FIELDS:
        setattr(enterprise, field, data.get(field, PROFILE_DEFAULTS.get(field)))
    enterprise.founded_on = date.fromisoformat(data["founded_on"])
    enterprise.kbli_division = int(data["kbli"][:2])
    session.flush()
    return enterprise


def _month_date(month_number: int) -> date:
    return date(month_number // 12, month_number % 12 + 1, 1)


def _store_alternative_data(
    session: Session, application_id: int, raw: RawBatch, payload: dict[str, Any]
) -> None:
    """Bulk-insert the alternative data (one executemany per table, no ORM object per row)."""
    t = raw.transactions
    if len(t.app):
        session.execute(
            insert(Transaction),
            [
                {
                    "application_id": application_id,
                    "occurred_on": from_day_number(d),
                    "amount": a,
                    "direction": "in" if i else "out",
                    "channel": CHANNELS[c],
                }
                for d, a, i, c in zip(
                    t.day.tolist(),
                    t.amount.tolist(),
                    t.inflow.tolist(),
                    t.channel.tolist(),
                    strict=True,
                )  # fmt: skip
            ],
        )
    m = raw.marketplace
    if len(m.app):
        session.execute(
            insert(MarketplaceMonth),
            [
                {
                    "application_id": application_id,
                    "month": _month_date(mo),
                    "gmv": g,
                    "orders": o,
                    "rating": None if np.isnan(r) else r,
                    "return_rate": rr,
                }
                for mo, g, o, r, rr in zip(
                    m.month.tolist(),
                    m.gmv.tolist(),
                    m.orders.tolist(),
                    m.rating.tolist(),
                    m.return_rate.tolist(),
                    strict=True,
                )  # fmt: skip
            ],
        )
    coop = payload.get("cooperative")
    if coop:
        membership = CooperativeMembership(
            application_id=application_id,
            cooperative_name=coop.get("name"),
            member_since=from_day_number(int(raw.profiles.coop_member_since[0])),
        )
        session.add(membership)
        session.flush()
        s = raw.savings
        for mo, st in zip(s.month.tolist(), s.status.tolist(), strict=True):
            session.add(
                CooperativeSaving(
                    membership_id=membership.id, month=_month_date(mo), status=SAVINGS_STATUSES[st]
                )
            )
        cl = raw.coop_loans
        for d, a, st, dpd in zip(
            cl.disbursed.tolist(), cl.amount.tolist(), cl.status.tolist(), cl.max_dpd.tolist(),
            strict=True,
        ):  # fmt: skip
            session.add(
                CooperativeLoan(
                    membership_id=membership.id,
                    disbursed_on=from_day_number(d),
                    amount=a,
                    status=COOP_LOAN_STATUSES[st],
                    max_dpd=dpd,
                )
            )
    # Short lists: stored from the validated payload, which also carries names the arrays drop.
    ent = payload["enterprise"]
    iso = date.fromisoformat
    for cert in ent.get("certifications", []):
        expires = cert.get("expires_on")
        session.add(
            Certification(
                application_id=application_id,
                kind=cert["kind"],
                issued_on=iso(cert["issued_on"]),
                expires_on=iso(expires) if expires else None,
            )
        )
    for part in ent.get("partnerships", []):
        until = part.get("until")
        session.add(
            Partnership(
                application_id=application_id,
                partner_name=part.get("partner_name"),
                partner_size=part["partner_size"],
                since=iso(part["since"]),
                until=iso(until) if until else None,
                annual_value=part["annual_value"],
            )
        )
    for exp in ent.get("exports", []):
        year, month = (int(x) for x in exp["month"].split("-"))
        session.add(
            ExportRecord(
                application_id=application_id,
                month=date(year, month, 1),
                destination=exp.get("destination"),
                value=exp["value"],
            )
        )
    session.flush()
