"""Refer to a senior officer: who receives a referral, and who may then decide it."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.errors import DomainError, Forbidden
from creditapp.models import Application, AuditEvent, Decision, Lender, User
from creditapp.services import access, decisions, queue
from creditapp.services.audit import Actor
from tests.factories import core
from tests.factories import loans as lf

ON = date(2026, 11, 3)
ACTOR = Actor.system()


def _senior(session: Session, lender: Lender) -> User:
    user = lf.user(session, lender)
    user.senior = True
    session.flush()
    return user


def _refer(session: Session, officer: User, app_id: int, to: int | None = None) -> Decision:
    req = decisions.DecisionRequest("refer", ON, text="Omzet naik tajam", referred_to=to)
    outcome = decisions.decide(session, ACTOR, officer, app_id, req)
    assert outcome.decision is not None
    return outcome.decision


@pytest.fixture
def world(session: Session) -> dict[str, object]:
    lender, other = core.lender(session), core.lender(session)
    program = core.program(session)
    return {
        "lender": lender,
        "program": program,
        "app": core.application(session, lender, program),
        "officer": lf.user(session, lender),
        "senior": _senior(session, lender),
        "foreign_senior": _senior(session, other),
    }


def test_a_referral_goes_to_the_seniors_and_only_a_senior_decides_it(
    session: Session, world: dict[str, object]
) -> None:
    app, officer, senior = world["app"], world["officer"], world["senior"]
    assert isinstance(app, Application) and isinstance(officer, User)
    assert isinstance(senior, User)
    decision = _refer(session, officer, app.id)
    assert app.status == "referred" and app.referred_to is None and decision.referred_to is None
    decline = decisions.DecisionRequest("decline", ON, reason_code="affordability", text="x")
    with pytest.raises(Forbidden) as refused:
        decisions.decide(session, ACTOR, officer, app.id, decline)
    assert refused.value.status_code == 403
    assert refused.value.errors == {"officer": ["senior_required"]}
    assert app.status == "referred"
    outcome = decisions.decide(session, ACTOR, senior, app.id, decline)
    assert outcome.decision is not None and outcome.decision.decided_by == senior.id
    assert app.status == "declined"
    audited = session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.entity == "application", AuditEvent.entity_id == app.id
        )
    ).all()
    assert {"application.refer", "application.referred_to", "application.decline"} <= set(audited)


def test_a_senior_approves_a_referred_application(
    session: Session, world: dict[str, object]
) -> None:
    app, officer, senior = world["app"], world["officer"], world["senior"]
    assert isinstance(app, Application) and isinstance(officer, User)
    assert isinstance(senior, User)
    _refer(session, officer, app.id, to=senior.id)
    assert app.referred_to == senior.id
    approve = decisions.DecisionRequest("approve", ON, amount=20_000_000, tenor=12)
    with pytest.raises(Forbidden):
        decisions.decide(session, ACTOR, officer, app.id, approve)
    outcome = decisions.decide(session, ACTOR, senior, app.id, approve)
    assert outcome.loan is not None and outcome.loan.principal == 20_000_000
    assert app.status == "approved"


def test_a_referral_names_only_an_active_senior_of_the_same_lender(
    session: Session, world: dict[str, object]
) -> None:
    app, officer = world["app"], world["officer"]
    foreign, senior = world["foreign_senior"], world["senior"]
    assert isinstance(app, Application) and isinstance(officer, User)
    assert isinstance(foreign, User) and isinstance(senior, User)
    junior = lf.user(session, world["lender"])  # type: ignore[arg-type]
    for target in (foreign.id, junior.id, officer.id, 0):
        with pytest.raises(DomainError) as refused:
            _refer(session, officer, app.id, to=target)
        assert refused.value.errors == {"referred_to": ["not_a_senior"]}
    senior.active = False
    session.flush()
    with pytest.raises(DomainError) as nobody:
        _refer(session, officer, app.id)
    assert nobody.value.errors == {"referred_to": ["no_senior"]}
    assert app.status != "referred"
    assert session.scalar(select(Decision).where(Decision.application_id == app.id)) is None


def test_referred_to_me_counts_my_and_all_seniors_referrals(
    session: Session, world: dict[str, object]
) -> None:
    lender, program = world["lender"], world["program"]
    officer, senior = world["officer"], world["senior"]
    assert isinstance(lender, Lender) and isinstance(officer, User)
    assert isinstance(senior, User)
    other_senior = _senior(session, lender)
    apps = [core.application(session, lender, program) for _ in range(4)]  # type: ignore[arg-type]
    _refer(session, officer, apps[0].id)  # to all seniors
    _refer(session, officer, apps[1].id, to=senior.id)
    _refer(session, officer, apps[2].id, to=other_senior.id)
    # apps[3] and the world's application stay unreferred
    assert queue.referral_counts(session, lender.id, senior.id) == (2, 3)
    assert queue.referral_counts(session, lender.id, other_senior.id) == (2, 3)
    page = queue.queue_page(session, lender.id, queue.QueueFilters(referred_to_me=senior.id))
    assert sorted(r.id for r in page.rows) == sorted([apps[0].id, apps[1].id])
    assert page.total == 2


def test_cli_marks_a_senior_and_approve_follows_the_rule(
    runner: FlaskCliRunner, session: Session, world: dict[str, object]
) -> None:
    app, officer = world["app"], world["officer"]
    lender = world["lender"]
    assert isinstance(app, Application) and isinstance(officer, User)
    assert isinstance(lender, Lender)
    user = access.create_user(
        session,
        ACTOR,
        email="sari@bank.id",
        name="Sari",
        role="loan_officer",
        password="a-long-test-password",
        lender=lender,
    )
    _refer(session, officer, app.id)
    session.commit()
    args = ["approve-application", "--application", str(app.id), "--amount", "20000000",
            "--tenor", "12", "--on", "2026-11-03"]  # fmt: skip
    refused = runner.invoke(args=[*args, "--by", user.email])
    assert refused.exit_code == 1 and "senior" in refused.output
    marked = runner.invoke(args=["set-senior", "--email", "sari@bank.id"])
    assert marked.exit_code == 0, marked.output
    session.expire_all()
    assert session.get(User, user.id).senior is True  # type: ignore[union-attr]
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "user.senior", AuditEvent.entity_id == user.id
        )
    )
    assert event is not None
    approved = runner.invoke(args=[*args, "--by", user.email])
    assert approved.exit_code == 0, approved.output
    unmark = runner.invoke(args=["set-senior", "--email", "x@nowhere.id", "--not-senior"])
    assert unmark.exit_code == 1 and "email" in unmark.output
    manager = runner.invoke(
        args=[
            "create-user",
            "--email",
            "pm@p.id",
            "--name",
            "PM",
            "--role",
            "program_manager",
            "--senior",
            "--password",
            "a-long-test-password",
        ]
    )
    assert manager.exit_code == 1 and "senior" in manager.output
