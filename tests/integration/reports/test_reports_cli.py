"""``creditapp reports NAME``: the fixed JSON contract, CSV and XLSX, clear errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.factories.reports import Book

M = 1_000_000
MAR = date(2026, 3, 31)


@pytest.fixture
def book(session: Session) -> Book:
    book = Book.new(session)
    a, b = book.loan(20 * M, gender="F"), book.loan(60 * M, gender="M")
    book.status(a, MAR, 0, 20 * M)
    book.status(b, MAR, 35, 60 * M)
    book.run(MAR)
    session.commit()
    return book


def test_portfolio_json_contract(runner: FlaskCliRunner, book: Book) -> None:
    result = runner.invoke(
        args=["reports", "portfolio", "--as-of", "2026-03-31", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["gross_outstanding"] == 80 * M and isinstance(body["gross_outstanding"], int)
    assert body["par1"] == body["par30"] == pytest.approx(60 / 80)
    assert body["par60"] == body["par90"] == body["npl_ratio"] == 0.0
    assert body["loans_active"] == 2
    assert body["collectibility"] == {"1": 20 * M, "2": 60 * M, "3": 0, "4": 0, "5": 0}


def test_csv_and_xlsx_keep_numbers(runner: FlaskCliRunner, book: Book, tmp_path: Path) -> None:
    args = ["reports", "volume", "--as-of", "2026-03-31", "--by", "gender"]
    out = runner.invoke(args=[*args, "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert {r["gender"]: int(r["outstanding"]) for r in rows} == {"F": 20 * M, "M": 60 * M}
    path = tmp_path / "volume.xlsx"
    made = runner.invoke(args=[*args, "--format", "xlsx", "--out", str(path)])
    assert made.exit_code == 0, made.output
    sheet = load_workbook(path)["rows"]
    header = [c.value for c in sheet[1]]
    values = {
        r[header.index("gender")]: r[header.index("outstanding")]
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert values == {"F": 20 * M, "M": 60 * M}  # numbers, not text
    summary = tmp_path / "p.xlsx"
    runner.invoke(
        args=[
            "reports",
            "portfolio",
            "--as-of",
            "2026-03-31",
            "--format",
            "xlsx",
            "--out",
            str(summary),
        ]
    )
    figures = {r[0]: r[1] for r in load_workbook(summary)["summary"].iter_rows(values_only=True)}
    assert figures["gross_outstanding"] == 80 * M
    assert figures["par30"] == pytest.approx(0.75)


def test_clear_errors(runner: FlaskCliRunner, book: Book) -> None:
    late = runner.invoke(args=["reports", "portfolio", "--as-of", "2026-04-30"])
    assert late.exit_code != 0 and "2026-03-31" in late.output and "as_of" in late.output
    unknown = runner.invoke(
        args=["reports", "portfolio", "--as-of", "2026-03-31", "--program", "X"]
    )
    assert unknown.exit_code != 0 and "unknown program code 'X'" in unknown.output
    lender = runner.invoke(args=["reports", "quota", "--as-of", "2026-03-31", "--lender", "X"])
    assert lender.exit_code != 0 and "unknown lender code 'X'" in lender.output
    bad = runner.invoke(args=["reports", "portfolio", "--as-of", "31-03-2026"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
    future = runner.invoke(args=["reports", "portfolio", "--as-of", "2999-01-01"])
    assert future.exit_code != 0 and "future" in future.output


def _no_nan(text: str) -> object:
    def refuse(name: str) -> object:
        raise AssertionError(f"{name} in a report")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("with_data", [True, False])
def test_every_report_runs_without_nan(
    runner: FlaskCliRunner, session: Session, with_data: bool, tmp_path: Path
) -> None:
    from creditapp.reports import REPORTS

    if with_data:
        book = Book.new(session)
        loan = book.loan(20 * M)
        book.status(loan, MAR, 95, 20 * M)
        book.run(MAR)
        session.commit()
    for name in REPORTS:
        result = runner.invoke(args=["reports", name, "--as-of", "2026-03-31"])
        assert result.exit_code == 0, (name, result.output)
        body = _no_nan(result.output)
        assert isinstance(body, dict) and body["as_of"] == "2026-03-31", name
        csv_out = runner.invoke(args=["reports", name, "--as-of", "2026-03-31", "--format", "csv"])
        assert csv_out.exit_code == 0, (name, csv_out.output)
        book_path = tmp_path / f"{name}.xlsx"
        xlsx = runner.invoke(
            args=[
                "reports",
                name,
                "--as-of",
                "2026-03-31",
                "--format",
                "xlsx",
                "--out",
                str(book_path),
            ]
        )
        assert xlsx.exit_code == 0, (name, xlsx.output)
        assert "summary" in load_workbook(book_path).sheetnames
