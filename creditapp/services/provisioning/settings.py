"""Per-program provisioning settings: LGD and the PD of unscored loans, from a date on.

A program without a setting uses ``DEFAULT_LGD`` (0.45: the Basel II foundation-IRB loss
given default of senior unsecured claims, a common starting point before a bank has its
own recovery history) and ``DEFAULT_UNSCORED_PD`` (0.10: conservative, above the demo
model's average PD, for loans made without a stored score). A setting applies to the runs
on or after its ``effective_from``; a setting dated on or before an existing run is refused,
so a stored run always reproduces from the settings in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import cast

from sqlalchemy import Subquery, Table, func, literal, select
from sqlalchemy.orm import Session

from ...errors import DomainError, NotFound
from ...models import CreditProgram, ProgramProvisioning, ProvisionRun
from ..audit import Actor, record
from ..loans.sqlparts import micro

DEFAULT_LGD = Decimal("0.45")
DEFAULT_UNSCORED_PD = Decimal("0.10")
SETTINGS = cast(Table, ProgramProvisioning.__table__)
PROGRAMS = cast(Table, CreditProgram.__table__)


@dataclass(frozen=True)
class Setting:
    program: str
    lgd: Decimal
    unscored_pd: Decimal
    effective_from: date | None  # None: the defaults (no setting yet)


def _fraction(raw: str | Decimal, field: str) -> Decimal:
    """A fraction 0..1 with at most six decimals, else a DomainError naming ``field``."""
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise DomainError("bad setting", {field: [f"not a number: {raw!r}"]}) from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise DomainError("bad setting", {field: ["must be a fraction from 0 to 1"]})
    if value != value.quantize(Decimal("0.000001")):
        raise DomainError("bad setting", {field: ["at most six decimals"]})
    return value


def set_provisioning(
    session: Session,
    actor: Actor,
    program_code: str,
    *,
    lgd: str | Decimal,
    effective_from: date,
    unscored_pd: str | Decimal | None = None,
) -> ProgramProvisioning:
    """Record a program's LGD (and unscored PD) from ``effective_from`` on; audited.

    Raises:
        NotFound: unknown program.
        DomainError: a value outside 0..1, or a date on or before the last provisioning run.
    """
    program = session.scalar(select(CreditProgram).where(CreditProgram.code == program_code))
    if program is None:
        raise NotFound("no such program", {"program": [f"unknown program code {program_code!r}"]})
    lgd_value = _fraction(lgd, "lgd")
    before = setting_on(session, program, effective_from)
    pd_value = (
        _fraction(unscored_pd, "unscored_pd") if unscored_pd is not None else before.unscored_pd
    )
    last_run = session.scalar(select(func.max(ProvisionRun.as_of)))
    if last_run is not None and effective_from <= last_run:
        raise DomainError(
            "the setting would change a stored run",
            {
                "effective_from": [
                    f"must be after the last provisioning run ({last_run.isoformat()})"
                ]
            },
        )
    row = session.scalar(
        select(ProgramProvisioning).where(
            ProgramProvisioning.program_id == program.id,
            ProgramProvisioning.effective_from == effective_from,
        )
    )
    if row is None:
        row = ProgramProvisioning(program_id=program.id, effective_from=effective_from)
        session.add(row)
    row.lgd, row.unscored_pd = lgd_value, pd_value
    session.flush()
    record(
        session,
        actor,
        "provisioning.set",
        "program_provisioning",
        row.id,
        before={"lgd": str(before.lgd), "unscored_pd": str(before.unscored_pd)},
        after={
            "program": program.code,
            "lgd": str(lgd_value),
            "unscored_pd": str(pd_value),
            "effective_from": effective_from.isoformat(),
        },
        as_of=effective_from,
    )
    return row


def setting_on(session: Session, program: CreditProgram, day: date) -> Setting:
    """The setting of ``program`` in force on ``day`` (the defaults when there is none)."""
    row = session.scalar(
        select(ProgramProvisioning)
        .where(
            ProgramProvisioning.program_id == program.id,
            ProgramProvisioning.effective_from <= day,
        )
        .order_by(ProgramProvisioning.effective_from.desc())
        .limit(1)
    )
    if row is None:
        return Setting(program.code, DEFAULT_LGD, DEFAULT_UNSCORED_PD, None)
    return Setting(program.code, Decimal(row.lgd), Decimal(row.unscored_pd), row.effective_from)


def settings_in_force(session: Session, day: date) -> list[Setting]:
    """Every program's setting on ``day``, by program code."""
    programs = session.scalars(select(CreditProgram).order_by(CreditProgram.code))
    return [setting_on(session, p, day) for p in programs]


def settings_subquery(day: date) -> Subquery:
    """program_id, lgd, unscored_pd (rates) and lgd_micro, unscored_pd_micro (integers) of
    every program on ``day``: its latest setting, else the defaults."""
    latest = (
        select(SETTINGS.c.program_id, func.max(SETTINGS.c.effective_from).label("since"))
        .where(SETTINGS.c.effective_from <= day)
        .group_by(SETTINGS.c.program_id)
        .subquery("latest")
    )
    chosen = SETTINGS.join(
        latest,
        (latest.c.program_id == SETTINGS.c.program_id)
        & (latest.c.since == SETTINGS.c.effective_from),
    )
    in_force = select(SETTINGS.c.program_id, SETTINGS.c.lgd, SETTINGS.c.unscored_pd).select_from(
        chosen
    )
    found = in_force.subquery("in_force")
    lgd = func.coalesce(found.c.lgd, literal(DEFAULT_LGD))
    unscored = func.coalesce(found.c.unscored_pd, literal(DEFAULT_UNSCORED_PD))
    return (
        select(
            PROGRAMS.c.id.label("program_id"),
            lgd.label("lgd"),
            micro(lgd).label("lgd_micro"),
            micro(unscored).label("unscored_pd_micro"),
        )
        .select_from(PROGRAMS.outerjoin(found, found.c.program_id == PROGRAMS.c.id))
        .subquery("settings")
    )
