"""The monthly provisioning run, priced by hand (see ``world`` for the book).

Default LGD 0.45, guarantee coverage 0.70 (D: none):
A  cover 7,000,000  net 3,000,000  loss 1,350,000  x 0.05            =    67,500 (stage 1)
B  cover 14,000,000 net 6,000,000  loss 2,700,000  x (1 - 0.9^2) 0.19 =   513,000 (stage 2)
C  cover 3,500,000  net 1,500,000  loss 675,000    x 1                =   675,000 (stage 3)
D  cover 0          net 8,000,000  loss 3,600,000  x 0.04 (n = 12)    =   144,000 (stage 2)
E  cover 700,007    net 300,003    loss 135,001.35 -> 135,001 x 0.5 = 67,500.5 -> 67,501
F  unscored PD 0.10: loss 1,350,000 x 0.10                            =   135,000 (stage 1)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError, NotFound
from creditapp.models import AuditEvent, LoanProvision, ProvisionRun, ProvisionTotal
from creditapp.services.audit import Actor
from creditapp.services.provisioning import (
    allowance_changes,
    run_provisioning,
    set_provisioning,
)
from tests.integration.provisioning.world import NOV, OCT, build

EXPECTED = {
    "A": (1, 67_500),
    "B": (2, 513_000),
    "C": (3, 675_000),
    "D": (2, 144_000),
    "E": (1, 67_501),
    "F": (1, 135_000),
}


def rows(session: Session, as_of: date) -> dict[int, LoanProvision]:
    run = session.scalar(select(ProvisionRun).where(ProvisionRun.as_of == as_of))
    assert run is not None
    found = session.scalars(select(LoanProvision).where(LoanProvision.run_id == run.id))
    return {r.loan_id: r for r in found}


def test_each_stage_priced_by_hand(session: Session) -> None:
    world = build(session)
    summary = run_provisioning(session, OCT)
    got = rows(session, OCT)
    assert world.loans["G"].id not in got  # written off: out
    for name, (stage, amount) in EXPECTED.items():
        row = got[world.loans[name].id]
        assert (name, row.stage, row.amount) == (name, stage, amount)
    assert summary.by_stage == {1: 67_500 + 67_501 + 135_000, 2: 513_000 + 144_000, 3: 675_000}
    assert summary.total == 1_602_001 and summary.loans == 6 and summary.snapshot == OCT


def test_stored_rates_and_cover(session: Session) -> None:
    world = build(session)
    run_provisioning(session, OCT)
    got = rows(session, OCT)
    b, c, d, e = (got[world.loans[k].id] for k in "BCDE")
    assert (b.pd_12m, b.pd, b.lgd) == (Decimal("0.1"), Decimal("0.19"), Decimal("0.45"))
    assert (c.pd, c.ead, c.cover) == (Decimal(1), 5_000_000, 3_500_000)
    assert (d.pd, d.cover) == (Decimal("0.04"), 0)  # 6 months left: at least 12-month PD
    assert (e.ead, e.cover) == (1_000_010, 700_007)  # floor(700,007.0)


def test_guarantee_cover_is_netted(session: Session) -> None:
    """The same loan A without cover provisions 10,000,000 x 0.45 x 0.05 = 225,000."""
    world = build(session)
    world.loans["A"].guarantee_coverage = Decimal(0)
    session.flush()
    run_provisioning(session, OCT)
    assert rows(session, OCT)[world.loans["A"].id].amount == 225_000


def test_rerun_returns_the_stored_run(session: Session) -> None:
    build(session)
    first = run_provisioning(session, OCT)
    again = run_provisioning(session, OCT)
    assert again.created is False and first.created is True
    assert (again.total, again.by_stage, again.loans) == (first.total, first.by_stage, 6)
    assert session.scalar(select(func.count()).select_from(ProvisionRun)) == 1
    assert session.scalar(select(func.count()).select_from(LoanProvision)) == 6
    audits = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "provisions.run")
    )
    assert audits == 1


def test_movement_per_program_against_the_previous_run(session: Session) -> None:
    world = build(session)
    run_provisioning(session, OCT)
    # November: A and C as before, F turns Kol 3 (1,350,000), the rest have left.
    book = world.book
    for name, dpd in (("A", 0), ("C", 100), ("F", 95)):
        loan = world.loans[name]
        book.status(loan, NOV, dpd, loan.outstanding_principal)
    book.run(NOV)
    run_provisioning(session, NOV)
    changes = {c.program_id: c for c in allowance_changes(session, NOV)}
    main, other = changes[book.program.id], changes[world.other.id]
    assert (main.opening, main.closing, main.change) == (1_467_001, 742_500, -724_501)
    assert (other.opening, other.closing, other.change) == (135_000, 1_350_000, 1_215_000)
    first = {c.program_id: c.change for c in allowance_changes(session, OCT)}
    assert first == {book.program.id: 1_467_001, world.other.id: 135_000}
    totals = session.scalars(select(ProvisionTotal).order_by(ProvisionTotal.stage)).all()
    assert sum(t.amount for t in totals) == 1_602_001 + 742_500 + 1_350_000


def test_lgd_setting_applies_from_its_date(session: Session) -> None:
    """LGD 0.60 for A's program: 3,000,000 x 0.6 = 1,800,000 x 0.05 = 90,000."""
    world = build(session)
    code = world.book.program.code
    set_provisioning(session, Actor.system(), code, lgd="0.60", effective_from=date(2026, 10, 1))
    set_provisioning(session, Actor.system(), code, lgd="0.10", effective_from=date(2026, 11, 1))
    run_provisioning(session, OCT)
    row = rows(session, OCT)[world.loans["A"].id]
    assert (row.lgd, row.amount) == (Decimal("0.6"), 90_000)
    audit = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "provisioning.set").limit(1)
    )
    assert audit is not None


@pytest.mark.parametrize(
    ("lgd", "field"), [("1.5", "lgd"), ("-0.1", "lgd"), ("abc", "lgd"), ("0.1234567", "lgd")]
)
def test_bad_setting_is_refused(session: Session, lgd: str, field: str) -> None:
    world = build(session)
    with pytest.raises(DomainError) as caught:
        set_provisioning(
            session, Actor.system(), world.book.program.code, lgd=lgd, effective_from=OCT
        )
    assert field in caught.value.errors


def test_setting_dated_before_a_stored_run_is_refused(session: Session) -> None:
    world = build(session)
    run_provisioning(session, OCT)
    with pytest.raises(DomainError) as caught:
        set_provisioning(
            session, Actor.system(), world.book.program.code, lgd="0.5", effective_from=OCT
        )
    assert "effective_from" in caught.value.errors


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 10, 30), "not a month end"),
        (NOV, "after the last end-of-day run"),
    ],
)
def test_dates_it_cannot_answer_are_refused(session: Session, day: date, reason: str) -> None:
    build(session)
    with pytest.raises(DomainError) as caught:
        run_provisioning(session, day)
    assert reason in caught.value.errors["as_of"][0]
    assert session.scalar(select(func.count()).select_from(ProvisionRun)) == 0


def test_runs_move_forward(session: Session) -> None:
    world = build(session)
    world.book.run(NOV)
    run_provisioning(session, NOV)
    with pytest.raises(DomainError) as caught:
        run_provisioning(session, OCT)
    assert "before the last provisioning run" in caught.value.errors["as_of"][0]


def test_no_ageing_run_yet_is_refused(session: Session) -> None:
    with pytest.raises(DomainError) as caught:
        run_provisioning(session, OCT)
    assert "age-loans" in caught.value.errors["as_of"][0]


def test_allowance_changes_of_a_date_without_a_run(session: Session) -> None:
    build(session)
    with pytest.raises(NotFound) as caught:
        allowance_changes(session, OCT)
    assert "as_of" in caught.value.errors
