"""``creditapp provisions``: run (once per date), report in three formats, settings."""

from __future__ import annotations

import csv
import io
import json

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from creditapp.models import ProgramProvisioning, ProvisionRun
from tests.integration.provisioning.world import build


def test_run_then_rerun(runner: FlaskCliRunner, session: Session) -> None:
    build(session)
    session.commit()
    first = runner.invoke(args=["provisions", "run", "--as-of", "2026-10-31"])
    assert first.exit_code == 0, first.output
    assert "6 loans" in first.output and "Rp 1.602.001" in first.output
    assert "stage 3: Rp 675.000" in first.output
    again = runner.invoke(args=["provisions", "run", "--as-of", "2026-10-31"])
    assert again.exit_code == 0 and "already run" in again.output
    assert session.scalar(select(func.count()).select_from(ProvisionRun)) == 1


def test_bad_dates_are_usage_errors(runner: FlaskCliRunner, session: Session) -> None:
    build(session)
    session.commit()
    bad = runner.invoke(args=["provisions", "run", "--as-of", "31-10-2026"])
    assert bad.exit_code == 2 and "--as-of" in bad.output
    mid = runner.invoke(args=["provisions", "run", "--as-of", "2026-10-15"])
    assert mid.exit_code == 1 and "as_of: 2026-10-15 is not a month end" in mid.output
    assert session.scalar(select(func.count()).select_from(ProvisionRun)) == 0


def test_report_formats(runner: FlaskCliRunner, session: Session) -> None:
    world = build(session)
    session.commit()
    assert runner.invoke(args=["provisions", "run", "--as-of", "2026-10-31"]).exit_code == 0
    out = runner.invoke(args=["provisions", "report", "--as-of", "2026-10-31", "--format", "json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["total_allowance"] == 1_602_001 and report["run"] == "2026-10-31"
    stages = {r["stage"]: r["allowance"] for r in report["by_stage"]}
    assert stages == {1: 270_001, 2: 657_000, 3: 675_000}
    main = world.book.program.code
    moves = {m["program"]: m["change"] for m in report["movements"]}
    assert moves == {main: 1_467_001, world.other.code: 135_000}
    text = runner.invoke(args=["provisions", "report", "--as-of", "2026-10-31"])
    assert "Rp 1.602.001" in text.output
    raw = runner.invoke(args=["provisions", "report", "--as-of", "2026-10-31", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(raw.output)))
    assert {(r["program"], r["stage"], r["allowance"]) for r in rows} >= {(main, "3", "675000")}
    one = runner.invoke(
        args=["provisions", "report", "--as-of", "2026-10-31", "--program", world.other.code,
              "--format", "json"]
    )  # fmt: skip
    assert json.loads(one.output)["total_allowance"] == 135_000
    lender = runner.invoke(
        args=["provisions", "report", "--as-of", "2026-10-31", "--lender",
              world.book.lender.code, "--format", "json"]
    )  # fmt: skip
    assert json.loads(lender.output)["total_allowance"] == 1_602_001  # one lender holds all
    unknown = runner.invoke(
        args=["provisions", "report", "--as-of", "2026-10-31", "--program", "X"]
    )
    assert unknown.exit_code == 1 and "unknown program code" in unknown.output


def test_set_and_list_settings(runner: FlaskCliRunner, session: Session) -> None:
    world = build(session)
    session.commit()
    code = world.book.program.code
    ok = runner.invoke(
        args=["provisions", "set", "--program", code, "--lgd", "0.6", "--from", "2026-10-01"]
    )
    assert ok.exit_code == 0, ok.output
    listed = runner.invoke(args=["provisions", "settings", "--as-of", "2026-10-31"])
    assert f"{code}: LGD 0.600000, unscored PD 0.100000 (2026-10-01)" in listed.output
    assert f"{world.other.code}: LGD 0.45, unscored PD 0.10 (default)" in listed.output
    bad = runner.invoke(
        args=["provisions", "set", "--program", code, "--lgd", "2", "--from", "2026-10-01"]
    )
    assert bad.exit_code == 1 and "lgd: must be a fraction from 0 to 1" in bad.output
    assert session.scalar(select(func.count()).select_from(ProgramProvisioning)) == 1
