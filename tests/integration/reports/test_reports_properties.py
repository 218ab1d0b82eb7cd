"""Invariants on random portfolios: PAR90 <= PAR60 <= PAR30 <= PAR1 <= 1, roll-rate rows sum
to 1, vintage curves never fall."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from creditapp.reports import resolve_scope
from creditapp.reports.migration import roll_rates, vintages
from creditapp.reports.portfolio import portfolio
from tests.factories.reports import Book

RUNS = (date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31))
loan_paths = st.lists(
    st.tuples(
        st.integers(1, 500_000_000),  # balance
        st.integers(0, 2),  # first run with a status row (disbursement month)
        st.lists(st.integers(0, 400), min_size=3, max_size=3),  # dpd per run
        st.booleans(),  # leaves before the last run (closed)
    ),
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(paths=loan_paths)
def test_report_invariants(session: Session, paths: list[tuple[int, int, list[int], bool]]) -> None:
    nested = session.begin_nested()
    try:
        book = Book.new(session)
        for balance, first, dpds, leaves in paths:
            loan = book.loan(balance, disbursed_on=RUNS[first].replace(day=1))
            last = 2 if leaves else 3
            for k in range(first, last):
                book.status(loan, RUNS[k], dpds[k], balance)
        for day in RUNS:
            book.run(day)
        scope = resolve_scope(session, RUNS[-1], program=book.program.code)
        f = portfolio(session, scope)
        assert 0.0 <= f["par90"] <= f["par60"] <= f["par30"] <= f["par1"] <= 1.0
        assert f["npl_ratio"] <= f["par90"] + 1e-12  # Kol 3-5 is dpd > 90
        for row in roll_rates(session, scope)["rows"]:
            shares = [v for k, v in row.items() if k not in ("from", "loans", "balance")]
            assert abs(sum(shares) - 1.0) < 1e-9
        curves: dict[str, list[tuple[int, float, float]]] = {}
        for r in vintages(session, scope)["rows"]:
            curves.setdefault(r["cohort"], []).append((r["mob"], r["dpd30"], r["dpd90"]))
        for points in curves.values():
            points.sort()
            assert [p[1] for p in points] == sorted(p[1] for p in points)
            assert [p[2] for p in points] == sorted(p[2] for p in points)
            assert all(p[2] <= p[1] <= 1.0 for p in points)
    finally:
        nested.rollback()
