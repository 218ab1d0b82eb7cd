"""Inclusion and model monitoring against hand computations."""

from __future__ import annotations

import dataclasses
import io
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from creditapp.models import Application, Enterprise
from creditapp.reports import resolve_scope
from creditapp.reports.export import to_csv, to_xlsx
from creditapp.reports.inclusion import inclusion
from creditapp.reports.monitoring import (
    band_performance,
    champion_history,
    decision_rates,
    psi_by_month,
    psi_from_counts,
    traffic_light,
    wilson,
)
from tests.api.conftest import register_demo_model
from tests.factories import core
from tests.factories.loans import user
from tests.factories.reports import Book, decided, scored
from training.psi import psi_from_shares

M = 1_000_000
AS_OF = date(2026, 3, 31)


def _application(session: Session, book: Book, gender: str, applied: date) -> Application:
    app = core.application(session, book.lender, book.program)
    app.applied_on = applied
    enterprise = session.get(Enterprise, app.enterprise_id)
    assert enterprise is not None
    enterprise.owner_gender = gender
    session.flush()
    return app


def test_inclusion_by_gender(session: Session) -> None:
    book = Book.new(session)
    officer = user(session, book.lender)
    outcomes = {
        "F": ["approve", "approve", "approve", "decline"],
        "M": ["approve", "approve", "decline", "decline", "refer"],
    }
    pds = {"F": [0.02, 0.04, 0.06, 0.08], "M": [0.10, 0.10, 0.20, 0.20, 0.40]}
    for gender, decisions in outcomes.items():
        for outcome, pd in zip(decisions, pds[gender], strict=True):
            app = _application(session, book, gender, date(2025, 1, 2))
            record = scored(session, app.id, pd=pd)
            decided(
                session, app.id, officer.id, outcome, date(2025, 1, 5), score_record_id=record.id
            )
    # Loans: two women's (one bad at 95 dpd in month 6), one man's, one too recent to observe.
    f_bad = book.loan(10 * M, gender="F", disbursed_on=date(2025, 1, 10))
    book.loan(30 * M, gender="F", disbursed_on=date(2025, 1, 10))
    book.loan(20 * M, gender="M", disbursed_on=date(2025, 2, 10))
    book.loan(40 * M, gender="M", disbursed_on=date(2025, 12, 1))  # window ends after as_of
    book.status(f_bad, date(2025, 6, 30), 95, 10 * M)
    book.run(date(2025, 6, 30))
    book.run(AS_OF)
    rows = {r["gender"]: r for r in inclusion(session, resolve_scope(session, AS_OF), "gender")}
    assert rows["F"]["approval_rate"] == pytest.approx(3 / 4)
    assert rows["M"]["approval_rate"] == pytest.approx(2 / 5)
    assert rows["F"]["average_pd"] == pytest.approx(0.05)
    assert rows["M"]["average_pd"] == pytest.approx(0.2)
    assert rows["F"]["bad_rate"] == pytest.approx(1 / 2) and rows["F"]["observed_loans"] == 2
    assert rows["M"]["bad_rate"] == 0.0 and rows["M"]["observed_loans"] == 1
    assert rows["M"]["average_loan"] == 30 * M and rows["F"]["average_loan"] == 20 * M
    assert rows["F"]["four_fifths_ratio"] == 1.0 and not rows["F"]["below_four_fifths"]
    assert rows["M"]["four_fifths_ratio"] == pytest.approx(0.4 / 0.75)
    assert rows["M"]["below_four_fifths"]


def test_wilson_interval_and_traffic_light() -> None:
    low, high = wilson(10, 100, 1.959964)
    assert (round(low, 4), round(high, 4)) == (0.0552, 0.1744)  # textbook Wilson 10/100
    assert wilson(0, 0, 1.96) == (0.0, 0.0)
    assert traffic_light(0.10, 10, 100) == "green"
    assert traffic_light(0.05, 10, 100) == "amber"  # 0.05 < 0.0552 but > 99% low bound
    assert traffic_light(0.02, 10, 100) == "red"
    assert traffic_light(0.02, 0, 0) == "grey"


def test_psi_formula_is_the_training_one() -> None:
    expected = [0.1] * 10 + [0.0]
    counts = [3, 0, 1, 1, 1, 1, 1, 1, 1, 0, 2]
    actual = np.array(counts) / sum(counts)
    assert psi_from_counts(expected, counts) == pytest.approx(
        psi_from_shares(np.array(expected), actual)
    )


def test_monitoring_with_the_demo_champion(app: Flask, session: Session) -> None:
    register_demo_model(session, Path(app.config["MODEL_DIR"]))
    book = Book.new(session)
    officer = user(session, book.lender)
    months = {
        date(2026, 1, 5): list(range(100, 1001, 100)),
        date(2026, 2, 5): list(range(100, 1001, 100)),
        date(2026, 3, 5): [100] * 10,
    }
    for applied, scores in months.items():
        for k, s in enumerate(scores):
            app_row = _application(session, book, "F", applied)
            rec = scored(session, app_row.id, score=s, band="B")
            decided(
                session,
                app_row.id,
                officer.id,
                "approve" if k % 2 else "decline",
                applied,
                score_record_id=rec.id,
                overrides=k == 0,
                reason_code="R1" if k == 0 else None,
            )
    book.run(AS_OF)
    scope = resolve_scope(session, AS_OF)
    psi = psi_by_month(session, scope)
    assert psi["baseline"].startswith("first month")
    rows = {r["month"]: r for r in psi["rows"]}
    assert rows["2026-01"]["psi_score"] == pytest.approx(0.0)
    assert rows["2026-02"]["psi_score"] == pytest.approx(0.0)
    # March: every score in the lowest decile bin; nine bins empty (share floored at 1e-4).
    eps = 1e-4
    hand = (1 - 0.1) * math.log(1 / 0.1) + 9 * (eps - 0.1) * math.log(eps / 0.1)
    assert rows["2026-03"]["psi_score"] == pytest.approx(hand)
    assert rows["2026-03"]["score_status"] == "act"
    assert rows["2026-01"]["score_shares"] == pytest.approx([0.1] * 10 + [0.0])
    assert rows["2026-03"]["score_shares"][0] == 1.0
    sheets = load_workbook(io.BytesIO(to_xlsx(psi)))  # lists become JSON text in a cell
    assert sheets["rows"].max_row == 1 + 3
    assert to_csv(psi).splitlines()[0].startswith("month,records")
    by_month = {r["month"]: r for r in decision_rates(session, scope, "month")}
    assert by_month["2026-01"]["approval_rate"] == pytest.approx(5 / 10)
    assert by_month["2026-01"]["override_rate"] == pytest.approx(1 / 10)
    reasons = {r["reason"]: r["decisions"] for r in decision_rates(session, scope, "reason")}
    assert reasons == {"R1": 3, "-": 27}
    later = dataclasses.replace(scope, as_of=date(2999, 1, 1))  # promoted "today"
    history = champion_history(session, later)
    assert [h["version"] for h in history] == ["2026-10-31-s20261031"]
    bands = band_performance(session, scope)
    assert bands["rows"] == []  # no loans yet: no outcome to compare


def test_band_performance(app: Flask, session: Session) -> None:
    register_demo_model(session, Path(app.config["MODEL_DIR"]))
    book = Book.new(session)
    loans = [book.loan(10 * M, disbursed_on=date(2025, 1, 10)) for _ in range(4)]
    for i, loan in enumerate(loans):
        scored(session, loan.application_id, band="A" if i < 2 else "E")
    book.status(loans[0], date(2025, 6, 30), 120, 10 * M)  # an A loan goes bad
    book.run(date(2025, 6, 30))
    book.run(AS_OF)
    rows = {r["band"]: r for r in band_performance(session, resolve_scope(session, AS_OF))["rows"]}
    assert rows["A"]["realised_bad_rate"] == 0.5 and rows["A"]["expected_bad_rate"] == 0.0198
    assert rows["E"]["realised_bad_rate"] == 0.0
    # Wilson 95% for 1/2: centre (0.5 + z^2/4) / (1 + z^2/2) = 0.5; lower bound above 0.0198.
    z = 1.959964
    half = z * math.sqrt(0.25 / 2 + z * z / 16) / (1 + z * z / 2)
    assert rows["A"]["ci95_low"] == pytest.approx(0.5 - half)
    z99 = 2.575829
    half99 = z99 * math.sqrt(0.25 / 2 + z99**2 / 16) / (1 + z99**2 / 2)
    assert 0.5 - half99 > 0.0198  # even the 99% interval lies above the expected rate
    assert rows["A"]["light"] == "red"
    assert rows["E"]["light"] == "green"
