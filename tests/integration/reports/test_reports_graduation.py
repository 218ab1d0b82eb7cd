"""Graduation, size transitions and strategy indicators against hand computations."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from creditapp.models import Application, Certification, Loan, SizeObservation
from creditapp.reports import resolve_scope
from creditapp.reports.graduation import graduation_rate, size_transitions, strategy_indicators
from tests.factories import core
from tests.factories.reports import Book

AS_OF = date(2026, 3, 31)
MILIAR = 1_000_000_000


def observe(session: Session, enterprise_id: int, on: date, sales: int, workers: int) -> None:
    """A size observation with its classes written out by hand (PP 7/2021 and BPS)."""
    by_sales = "micro" if sales <= 2 * MILIAR else "small"
    by_workers = "micro" if workers <= 4 else "small"
    session.add(
        SizeObservation(
            enterprise_id=enterprise_id,
            observed_on=on,
            source="survey",
            annual_sales=sales,
            assets=None,
            workers=workers,
            size_class_sales=by_sales,
            size_class_workers=by_workers,
        )
    )
    session.flush()


@pytest.fixture
def enterprises(session: Session) -> dict[str, int]:
    book = Book.new(session)
    jan24 = date(2024, 1, 10)
    loans: dict[str, Loan] = {
        "E1": book.loan(50_000_000, disbursed_on=jan24),
        "E2": book.loan(50_000_000, disbursed_on=jan24),
        "E3": book.loan(50_000_000, disbursed_on=jan24),
        "E4": book.loan(50_000_000, disbursed_on=date(2025, 12, 1)),  # window not over
    }
    ids = {k: loan.enterprise_id for k, loan in loans.items()}
    for key in ("E1", "E2", "E3"):
        observe(session, ids[key], date(2024, 1, 2), int(1.5 * MILIAR), 3)
    observe(session, ids["E1"], date(2024, 10, 1), 3 * MILIAR, 3)  # small by sales in 9 months
    observe(session, ids["E2"], date(2025, 6, 1), 3 * MILIAR, 6)  # small by both in 17 months
    observe(session, ids["E3"], date(2024, 6, 1), int(1.8 * MILIAR), 3)  # still micro
    observe(session, ids["E4"], date(2025, 11, 20), int(1.5 * MILIAR), 3)
    observe(session, ids["E4"], date(2026, 2, 1), 3 * MILIAR, 3)
    # The comparison group: applicants never financed.
    for key, follow_up in (("C1", True), ("C2", False)):
        app = core.application(session, book.lender, book.program)
        app.applied_on = date(2024, 2, 1)
        ids[key] = app.enterprise_id
        observe(session, app.enterprise_id, date(2024, 2, 1), int(1.5 * MILIAR), 3)
        if follow_up:
            observe(session, app.enterprise_id, date(2024, 12, 1), 3 * MILIAR, 3)
    # E1 comes back for a second application that reports a halal certificate from May 2024.
    later = Application(
        lender_id=book.lender.id,
        enterprise_id=ids["E1"],
        program_id=book.program.id,
        applied_on=date(2024, 11, 1),
        requested_amount=60_000_000,
        tenor_months=24,
        purpose="working_capital",
        profile_other_productive_credit=True,
    )
    session.add(later)
    session.flush()
    session.add(Certification(application_id=later.id, kind="HALAL", issued_on=date(2024, 5, 1)))
    session.flush()
    return ids


def test_graduation_rate_by_cohort(session: Session, enterprises: dict[str, int]) -> None:
    rows = graduation_rate(session, resolve_scope(session, AS_OF), "cohort")
    by = {(r["group"], r["cohort"]): r for r in rows}
    jan = by[("financed", "2024-01")]
    assert jan["enterprises"] == 3
    assert jan["followed_12"] == 2  # E1 and E3 (E2's follow-up came after 17 months)
    assert jan["rate_12_sales"] == pytest.approx(1 / 2)  # E1
    assert jan["rate_12_workers"] == 0.0
    assert jan["followed_24"] == 3
    assert jan["rate_24_sales"] == pytest.approx(2 / 3)  # E1, E2
    assert jan["rate_24_workers"] == pytest.approx(1 / 3)  # E2
    dec = by[("financed", "2025-12")]
    assert dec["enterprises"] == 1 and dec["followed_12"] == 0  # window ends after as_of
    comparison = by[("comparison", "2024-02")]
    assert comparison["enterprises"] == 2 and comparison["followed_12"] == 1
    assert comparison["rate_12_sales"] == 1.0


def test_size_transitions(session: Session, enterprises: dict[str, int]) -> None:
    rows = size_transitions(session, resolve_scope(session, AS_OF))["rows"]
    sales = next(r for r in rows if r["basis"] == "sales" and r["from"] == "micro")
    # Observed more than once: E1, E2, E3, E4, C1 (C2 once): four became small by sales.
    assert sales["enterprises"] == 5
    assert sales["small"] == pytest.approx(4 / 5) and sales["micro"] == pytest.approx(1 / 5)
    workers = next(r for r in rows if r["basis"] == "workers" and r["from"] == "micro")
    assert workers["small"] == pytest.approx(1 / 5)  # E2
    for row in rows:
        assert sum(row[c] for c in ("micro", "small", "medium", "large")) == pytest.approx(1.0)


def test_strategy_indicators(session: Session, enterprises: dict[str, int]) -> None:
    result = strategy_indicators(session, resolve_scope(session, AS_OF))
    assert "not causal" in result["note"]
    rows = {(r["group"], r["indicator"]): r for r in result["rows"]}
    halal = rows[("financed", "certification_HALAL")]
    assert halal["enterprises"] == 4
    assert halal["share_before"] == 0.0 and halal["share_after"] == pytest.approx(1 / 4)
    assert halal["share_new_after"] == pytest.approx(1 / 4)
    assert rows[("comparison", "certification_HALAL")]["share_after"] == 0.0
    assert rows[("financed", "commercial_credit_after")]["share_after"] == pytest.approx(1 / 4)
    growth = rows[("financed", "sales_growth_mean")]
    assert growth["followed"] == 4
    assert growth["value"] == pytest.approx((1.0 + 1.0 + 0.2 + 1.0) / 4)
    assert rows[("financed", "workers_change_mean")]["value"] == pytest.approx(3 / 4)  # E2 +3
    assert rows[("comparison", "sales_growth_mean")]["followed"] == 1


def test_empty(session: Session) -> None:
    scope = resolve_scope(session, AS_OF)
    assert graduation_rate(session, scope, "gender") == []
    assert size_transitions(session, scope)["rows"] == []
    rows = strategy_indicators(session, scope)["rows"]
    assert all(r.get("share_after") in (0.0, None) for r in rows)
