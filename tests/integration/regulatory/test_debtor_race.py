"""Two lenders approve the same NIK at the same moment: one KUR is made, one is refused.

Approvals under two different KUR programs do not share the program row lock, so only the
debtor check's advisory lock on the person keeps the second from seeing "no other loan".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError
from creditapp.models import Loan
from creditapp.services.loans import approve_application
from tests.factories import core
from tests.factories import loans as lf
from tests.factories.regulatory import application_for
from tests.integration.loans.test_concurrency import engine, pytestmark, race

__all__ = ["engine", "pytestmark"]  # the fresh database fixture and the PostgreSQL-only mark


def test_racing_approvals_of_one_nik_make_one_kur(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as s:
        mikro, kecil = core.program(s), core.program(s)
        kecil.segment = "kecil"
        lenders = [(core.lender(s), mikro), (core.lender(s), kecil)]
        officers = [lf.user(s, lender).id for lender, _ in lenders]
        s.commit()

    def approve(application_id: int, officer_id: int) -> Any:
        return lambda session: approve_application(
            session, lf.SYSTEM, application_id, amount=20_000_000, tenor=12,
            decided_by=officer_id, decided_on=date(2026, 11, 3),
        ).id  # fmt: skip

    for person in range(1, 4):  # a few people, each raced for by both lenders
        nik = f"3273014107900{person:03d}"
        with Session(engine, expire_on_commit=False) as s:
            ids = [application_for(s, lender, program, nik).id for lender, program in lenders]
            s.commit()
        results = race(engine, [approve(i, o) for i, o in zip(ids, officers, strict=True)])
        refused = [r for r in results if isinstance(r, DomainError)]
        made = [r for r in results if isinstance(r, int)]
        assert len(made) == 1 and len(refused) == 1, results
        assert refused[0].errors == {"debtor_check": ["debtor_has_kur"]}
        with Session(engine) as s:
            assert s.scalar(select(func.count(Loan.id)).where(Loan.application_id.in_(ids))) == 1
