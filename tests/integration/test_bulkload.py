"""Bulk loading a population: row counts equal the arrays, data reads back as generated."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from flask.testing import FlaskCliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.commands.bulkload import _days, _months, load_population_bulk
from creditapp.models import (
    Application,
    CooperativeMembership,
    CreditProgram,
    Enterprise,
    ScoreRecord,
    SizeObservation,
    Transaction,
)
from creditapp.services import access, programs
from creditapp.services.audit import Actor
from fixtures import Population, generate_population
from scoring.raw import CHANNELS, from_day_number


@pytest.fixture
def loaded(session: Session) -> tuple[Population, dict[str, int]]:
    actor = Actor.system()
    programs.seed_kur_programs(session, actor, date(2023, 1, 1))
    lenders = [
        access.create_lender(session, actor, f"BL{i}", f"Bulk {i}", "bank").id for i in (1, 2)
    ]
    program_ids = {p.code: p.id for p in session.scalars(select(CreditProgram))}
    pop = generate_population(40, 11)
    counts = load_population_bulk(session, pop, lenders, program_ids)
    return pop, counts


def test_row_counts_equal_the_population_arrays(
    session: Session, loaded: tuple[Population, dict[str, int]]
) -> None:
    pop, counts = loaded
    raw = pop.raw
    expected = {
        "enterprises": pop.n,
        "applications": pop.n,
        "transactions": raw.transactions.app.size,
        "marketplace_months": raw.marketplace.app.size,
        "cooperative_memberships": int((raw.profiles.coop_member_since >= 0).sum()),
        "cooperative_savings": raw.savings.app.size,
        "cooperative_loans": raw.coop_loans.app.size,
        "certifications": raw.certifications.app.size,
        "partnerships": raw.partnerships.app.size,
        "export_records": raw.exports.app.size,
        "size_observations": pop.size_observations.enterprise_id.size,
    }
    assert counts == expected
    for model, table in (
        (Enterprise, "enterprises"),
        (Transaction, "transactions"),
        (CooperativeMembership, "cooperative_memberships"),
        (SizeObservation, "size_observations"),
    ):
        assert session.scalar(select(func.count()).select_from(model)) == expected[table]
    assert session.scalar(select(func.count()).select_from(ScoreRecord)) == 0
    statuses = set(session.scalars(select(Application.status)))
    assert statuses == {"submitted"}


@pytest.mark.parametrize("i", [0, 7, 39])
def test_transactions_read_back_as_the_raw_batch(
    session: Session, loaded: tuple[Population, dict[str, int]], i: int
) -> None:
    pop, _ = loaded
    t = pop.raw.transactions
    rows = np.flatnonzero(t.app == i)
    want = sorted(
        (
            from_day_number(int(t.day[k])),
            int(t.amount[k]),
            "in" if t.inflow[k] else "out",
            CHANNELS[int(t.channel[k])],
        )
        for k in rows
    )
    application = session.scalar(select(Application).where(Application.reference == f"SYN-{i + 1}"))
    assert application is not None
    got = sorted(
        tuple(row)
        for row in session.execute(
            select(
                Transaction.occurred_on,
                Transaction.amount,
                Transaction.direction,
                Transaction.channel,
            ).where(Transaction.application_id == application.id)
        )
    )
    assert len(want) > 0
    assert got == want
    enterprise = session.get(Enterprise, application.enterprise_id)
    assert enterprise is not None
    assert enterprise.owner_nik == str(pop.enterprises.owner_nik[i])
    assert enterprise.annual_sales == int(pop.raw.profiles.annual_sales[i])


def test_load_population_command_needs_the_demo_setup(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["load-population", "--enterprises", "5"])
    assert result.exit_code != 0
    assert "seed-demo" in result.output


@given(st.integers(min_value=1970 * 12, max_value=2100 * 12))
def test_month_numbers_become_first_days(month: int) -> None:
    assert _months(np.array([month])).to_list() == [date(month // 12, month % 12 + 1, 1)]


@given(st.lists(st.integers(min_value=-1, max_value=60_000), max_size=20))
def test_day_numbers_become_dates_and_minus_one_none(days: list[int]) -> None:
    want = [None if d < 0 else from_day_number(d) for d in days]
    assert _days(np.array(days, dtype=np.int32)).to_list() == want


def test_load_population_command_commits_a_population(
    runner: FlaskCliRunner, session: Session
) -> None:
    actor = Actor.system()
    programs.seed_kur_programs(session, actor, date(2023, 1, 1))
    for code in ("BANK-DEMO", "KSP-DEMO"):
        access.create_lender(session, actor, code, code, "bank")
    session.commit()
    result = runner.invoke(args=["load-population", "--enterprises", "6", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "enterprises: 6 rows" in result.output
    assert session.scalar(select(func.count()).select_from(Enterprise)) == 6


def test_features_read_back_equal_the_population_features(
    session: Session, loaded: tuple[Population, dict[str, int]]
) -> None:
    # Bulk-loaded applications carry their profile snapshot, so a training set built from the
    # database is the population's own feature matrix (no latest-profile fallback involved).
    from creditapp.services.rawdata import raw_batch_for
    from scoring.features import compute_features

    pop, _ = loaded
    refs = [f"SYN-{i + 1}" for i in range(pop.n)]
    ids = {ref: id_ for ref, id_ in session.execute(select(Application.reference, Application.id))}
    apps = session.scalars(select(Application).where(Application.reference.in_(refs))).all()
    assert all(a.profile_kur_access_count is not None for a in apps)
    raw = raw_batch_for(session, [ids[r] for r in refs])
    want = compute_features(pop.raw).values
    assert np.array_equal(compute_features(raw).values, want, equal_nan=True)
