"""Invariant on random loans: 0 <= allowance <= EAD net of guarantee cover, and the run's
totals add up to its loans' rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import LoanProvision, ProvisionTotal
from creditapp.services.audit import Actor
from creditapp.services.provisioning import run_provisioning, set_provisioning
from tests.factories.reports import Book, scored

OCT = date(2026, 10, 31)
rates = st.integers(0, 1_000_000).map(lambda m: Decimal(m) / 1_000_000)
loans = st.lists(
    st.tuples(
        st.integers(0, 5_000_000_000),  # outstanding principal
        rates,  # guarantee coverage
        st.one_of(st.none(), st.floats(0.0, 1.0)),  # score PD (None: unscored)
        st.integers(0, 400),  # dpd
        st.booleans(),  # restructured
        st.integers(-24, 120),  # months from the run to maturity
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cases=loans, lgd=rates, unscored=rates)
def test_allowance_within_net_exposure(
    session: Session,
    cases: list[tuple[int, Decimal, float | None, int, bool, int]],
    lgd: Decimal,
    unscored: Decimal,
) -> None:
    nested = session.begin_nested()
    try:
        book = Book.new(session)
        set_provisioning(
            session,
            Actor.system(),
            book.program.code,
            lgd=lgd,
            unscored_pd=unscored,
            effective_from=date(2026, 1, 1),
        )
        for outstanding, coverage, pd, dpd, restructured, months in cases:
            loan = book.loan(max(outstanding, 1))
            loan.outstanding_principal = outstanding
            loan.guarantee_coverage = coverage
            year, month0 = divmod(2026 * 12 + 9 + months, 12)
            loan.maturity_on = date(year, month0 + 1, 28)
            if pd is not None:
                scored(session, loan.application_id, pd=pd)
            if restructured:
                book.restructure(loan, date(2026, 5, 1))
            book.status(loan, OCT, dpd, outstanding)
        book.run(OCT)
        summary = run_provisioning(session, OCT)
        found = session.scalars(select(LoanProvision)).all()
        assert len(found) == len(cases)
        for row in found:
            assert 0 <= row.cover <= row.ead
            assert 0 <= row.amount <= row.ead - row.cover
            assert 0 <= row.pd_12m <= row.pd <= 1
        total = session.scalar(select(func.sum(ProvisionTotal.amount)))
        assert total == summary.total == sum(r.amount for r in found)
    finally:
        nested.rollback()
