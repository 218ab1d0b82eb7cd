"""The claim commands: build, verify with rejections, pay, export, reconcile, statement."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import SubsidyClaim, SubsidyClaimLine
from tests.factories import loans as lf
from tests.integration.claims.test_guarantees import guaranteed_program
from tests.integration.claims.test_subsidy_claims import FIFTY_NOV, TWENTY_NOV, _book


def test_the_subsidy_claim_cycle_from_the_command_line(
    session: Session, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    program, bank, coop, a, b, c = _book(session)
    session.commit()
    result = runner.invoke(
        args=[
            "subsidy-claims",
            "build",
            "--month",
            "2026-11",
            "--on",
            "2026-12-05",
            "--lender",
            bank.code,
        ]
    )
    assert result.exit_code == 0, result.output
    claim = session.scalar(select(SubsidyClaim).where(SubsidyClaim.lender_id == bank.id))
    assert claim is not None and claim.accrued_total == FIFTY_NOV + TWENTY_NOV
    line_b = session.scalar(select(SubsidyClaimLine.id).where(SubsidyClaimLine.loan_id == b.id))
    result = runner.invoke(
        args=[
            "subsidy-claims",
            "verify",
            str(claim.id),
            "--on",
            "2026-12-20",
            "--reject",
            f"{line_b}=tidak di SIKP",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "subsidy-claims",
            "pay",
            str(claim.id),
            "--amount",
            "Rp 388.000",
            "--on",
            "2027-01-10",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "short-paid by Rp 888" in result.output
    again = runner.invoke(
        args=["subsidy-claims", "pay", str(claim.id), "--amount", "888", "--on", "2027-01-11"]
    )
    assert again.exit_code == 1 and "already paid" in again.output
    out = tmp_path / "claim.csv"
    result = runner.invoke(
        args=["subsidy-claims", "export", "--month", "2026-11", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert sorted((r["line_status"], int(r["amount"])) for r in rows) == [
        ("claimed", FIFTY_NOV),
        ("rejected", TWENTY_NOV),
    ]
    result = runner.invoke(
        args=[
            "subsidy-claims",
            "reconcile",
            "--from",
            "2026-11",
            "--to",
            "2026-11",
            "--format",
            "json",
        ]
    )
    assert result.exit_code == 0, result.output
    [prog] = json.loads(result.output)
    assert (prog["paid"], prog["unclaimed"]) == (388_000, FIFTY_NOV)


def test_bad_options_are_named(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["subsidy-claims", "build", "--month", "Nov", "--on", "2026-12-05"])
    assert result.exit_code == 2 and "--month" in result.output
    result = runner.invoke(
        args=["subsidy-claims", "pay", "1", "--amount", "12,5", "--on", "2027-01-01"]
    )
    assert result.exit_code == 2 and "--amount" in result.output


def test_the_guarantor_statement_from_the_command_line(
    session: Session, runner: FlaskCliRunner
) -> None:
    program, _ = guaranteed_program(session)
    lf.active_loan(session, program_obj=program)
    session.commit()
    result = runner.invoke(
        args=[
            "guarantee",
            "statement",
            "--guarantor",
            "ASKRINDO",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--format",
            "json",
        ]
    )
    assert result.exit_code == 0, result.output
    s = json.loads(result.output)
    assert (s["covers_opened"], s["ijp_charged"], s["ijp_unpaid"]) == (1, 750_000, 750_000)
    text = runner.invoke(
        args=[
            "guarantee",
            "statement",
            "--guarantor",
            "askrindo",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ]
    )
    assert "IJP charged Rp 750.000" in text.output
