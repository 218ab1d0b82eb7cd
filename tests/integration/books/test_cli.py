"""``creditapp books ...``: seed the chart, accrue, and read the books back."""

from __future__ import annotations

import csv
import io
import json

from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from creditapp.services.books.statements import EXPORT_COLUMNS
from tests.factories import loans as lf


def test_accrue_then_read_the_trial_balance_statement_and_export(
    runner: FlaskCliRunner, session: Session
) -> None:
    loan = lf.active_loan(session)
    session.commit()
    assert runner.invoke(args=["books", "seed-chart"]).exit_code == 0
    result = runner.invoke(args=["books", "accrue", "--as-of", "2026-11-04"])
    assert result.exit_code == 0, result.output
    assert "1 loans, Rp 8,333" in result.output  # 50 jt x 6 % / 360, one day
    again = runner.invoke(args=["books", "accrue", "--as-of", "2026-11-04"])
    assert "0 loans" in again.output

    result = runner.invoke(
        args=["books", "trial-balance", "--as-of", "2026-11-30", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["balanced"] and body["debit"] == body["credit"] == 50_008_333
    balances = {a["code"].split("-")[0]: a["balance"] for a in body["accounts"]}
    assert balances == {"1101": -50_000_000, "1201": 50_000_000, "1202": 8_333, "4101": 8_333}
    before = runner.invoke(
        args=["books", "trial-balance", "--as-of", "2026-11-02", "--format", "json"]
    )
    assert json.loads(before.output)["accounts"] == []

    code = next(a["code"] for a in body["accounts"] if a["code"].startswith("1201-"))
    result = runner.invoke(
        args=["books", "statement", "--account", code, "--from", "2026-11-01", "--to", "2026-11-30"]
    )
    assert result.exit_code == 0, result.output
    assert "opening 0" in result.output and "closing 50,000,000" in result.output

    result = runner.invoke(
        args=["books", "export-journal", "--from", "2026-11-01", "--to", "2026-11-30"]
    )
    rows = list(csv.reader(io.StringIO(result.output)))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert len(rows) == 1 + 4  # disbursement and accrual, two lines each
    assert {r[7].split("-")[0] for r in rows[1:]} == {"1101", "1201", "1202", "4101"}
    assert sum(int(r[9]) for r in rows[1:]) == sum(int(r[10]) for r in rows[1:])
    assert str(loan.id) in {r[4] for r in rows[1:]}


def test_bad_dates_and_accounts_are_refused_by_name(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["books", "accrue", "--as-of", "31/10/2026"])
    assert result.exit_code == 2 and "--as-of" in result.output
    result = runner.invoke(
        args=[
            "books",
            "statement",
            "--account",
            "9999",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ]
    )
    assert result.exit_code == 1 and "no account '9999'" in result.output
    result = runner.invoke(
        args=["books", "export-journal", "--from", "2026-11-30", "--to", "2026-11-01"]
    )
    assert result.exit_code == 2 and "--to" in result.output
    result = runner.invoke(
        args=["books", "trial-balance", "--as-of", "2026-11-30", "--program", "NOPE"]
    )
    assert result.exit_code == 2 and "--program" in result.output
