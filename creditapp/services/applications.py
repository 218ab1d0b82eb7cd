"""Application intake: validate, score with the champion, store everything immutably."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scoring.input_tables import EVENT_TABLES, InputColumn, InputTable
from scoring.parse import InvalidApplication, parse_payload
from scoring.parsed_application import ParsedApplication
from scoring.raw import from_day_number
from scoring.result import ScoreResult, score_parsed

from ..errors import DomainError, NotFound
from ..models import Application, CooperativeMembership, Enterprise, ScoreRecord, SizeObservation
from ..models.altdata import MODELS
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


def _program_for(session: Session, lookup: Lookup, code: str, as_of: date) -> ProgramInfo:
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


def parse(payload: dict[str, Any], as_of: date | None = None) -> ParsedApplication:
    """Parse a payload once (422 naming every bad field); what is scored is what is stored.

    ``as_of``, when a caller passes the date it read itself, must be the payload's own.
    """
    try:
        parsed = parse_payload(payload)
    except InvalidApplication as exc:
        raise DomainError("invalid application", exc.errors) from None
    if as_of is not None and as_of != parsed.as_of:
        raise DomainError("invalid application", {"as_of": [f"is not {as_of.isoformat()}"]})
    return parsed


def score_payload(
    session: Session,
    payload: dict[str, Any] | ParsedApplication,
    as_of: date | None = None,
    *,
    with_recourse: bool = False,
    lookup: Lookup | None = None,
) -> tuple[ScoreResult, ProgramInfo]:
    """Score a payload (or an application parsed already) with the champion, storing nothing."""
    parsed = payload if isinstance(payload, ParsedApplication) else parse(payload, as_of)
    lookup = lookup or Lookup()
    program = _program_for(session, lookup, parsed.request.program, parsed.as_of)
    _champion, bundle = lookup.champion_bundle(session)
    try:
        result = score_parsed(
            bundle, parsed, program.rules_on(parsed.as_of), with_recourse=with_recourse
        )
    except InvalidApplication as exc:
        raise DomainError("invalid application", exc.errors) from None
    return result, program


def submit(
    session: Session,
    actor: Actor,
    lender_id: int,
    payload: dict[str, Any],
    as_of: date | None = None,
    lookup: Lookup | None = None,
) -> Submitted:
    """Store an application with its alternative data and its score (flushes only).

    The payload is parsed once: the same parsed columns are scored, hashed and stored.
    """
    parsed = parse(payload, as_of)
    as_of = parsed.as_of
    result, program = score_payload(session, parsed, lookup=lookup)
    ent_data = payload["enterprise"]
    enterprise = _upsert_enterprise(session, lender_id, ent_data)
    req, profile = parsed.request, parsed.profile
    application = Application(
        lender_id=lender_id,
        enterprise_id=enterprise.id,
        program_id=program.id,
        reference=payload.get("reference"),
        applied_on=as_of,
        requested_amount=req.amount,
        tenor_months=req.tenor_months,
        purpose=req.purpose,
        status="scored",
        **_profile_snapshot(parsed),
    )
    session.add(application)
    session.flush()
    _store_alternative_data(session, application.id, parsed)
    session.add(
        SizeObservation(
            enterprise_id=enterprise.id,
            observed_on=as_of,
            source="application",
            annual_sales=profile["annual_sales"],
            assets=profile["assets"],
            workers=profile["workers"],
            size_class_sales=size_class_by_sales(profile["annual_sales"]),
            size_class_workers=size_class_by_workers(profile["workers"]),
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
        recommended_amount=int(policy["recommended_amount"]),  # type: ignore[call-overload]  # policy dict values are typed object
        recommended_tenor=int(policy["recommended_tenor_months"]),  # type: ignore[call-overload]  # as above
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


def _profile_snapshot(parsed: ParsedApplication) -> dict[str, Any]:
    """The enterprise profile this application was scored with, for its ``profile_*`` columns.

    Taken from the parsed values rather than the payload so the stored values are exactly the
    model's inputs (``services.rawdata`` rebuilds the training row from them).
    """
    p = parsed.profile
    return {
        "profile_founded_on": from_day_number(p["founded"]),
        "profile_kbli_division": p["kbli_division"],
        "profile_province": p["province"],
        "profile_workers": p["workers"],
        "profile_assets": p["assets"],
        "profile_annual_sales": p["annual_sales"],
        "profile_other_productive_credit": p["other_productive_credit"],
        "profile_entrepreneurship_training": p["entrepreneurship_training"],
        "profile_kur_access_count": p["kur_access_count"],
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
            {
                "enterprise.owner_nik": [
                    "this NIK is already held for an owner of another name "
                    "or gender; one NIK is one person"
                ]
            },
        )


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


def _to_stored(column: InputColumn) -> Callable[[Any], Any]:
    """Parsed value -> the value its database column stores."""
    if column.kind == "day":
        if column.nullable:
            return lambda v: None if v == -1 else from_day_number(v)  # -1: open ended
        return from_day_number
    if column.kind == "month":
        return _month_date
    if column.kind == "code":
        return column.codes.__getitem__
    if column.kind == "ratio":
        return lambda v: None if v != v else v  # NaN: no rating yet
    return int


def _rows(
    table: InputTable, parsed: ParsedApplication, parent: dict[str, Any]
) -> list[dict[str, Any]]:
    """The rows of one table, as ``insert().values`` takes them."""
    values: list[tuple[str, list[Any]]] = [
        (c.stored_as, list(map(_to_stored(c), parsed.column(table, c.field).tolist())))
        for c in table.columns
    ]
    values.extend(parsed.texts[table.name].items())
    keys = [f"{table.parent}_id"] + [k for k, _ in values]
    return [
        dict(zip(keys, row, strict=True))
        for row in zip(
            [parent[table.parent]] * len(values[0][1]), *(v for _, v in values), strict=True
        )
    ]


def _store_alternative_data(
    session: Session, application_id: int, parsed: ParsedApplication
) -> None:
    """Bulk-insert the alternative data (one executemany per table, no ORM object per row)."""
    parent: dict[str, Any] = {"application": application_id, "membership": None}
    since = parsed.profile["coop_member_since"]
    if since >= 0:
        membership = CooperativeMembership(
            application_id=application_id,
            cooperative_name=parsed.cooperative_name,
            member_since=from_day_number(since),
        )
        session.add(membership)
        session.flush()
        parent["membership"] = membership.id
    for table in EVENT_TABLES:
        if table.name in parsed.tables:
            session.execute(insert(MODELS[table.name]), _rows(table, parsed, parent))
    session.flush()
