"""``creditapp programs``: list, show, create and new-version from JSON, set-quota."""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import AuditEvent, CreditProgram, ProgramTerms
from tests.factories import core
from tests.factories import loans as lf
from tests.integration.programs.terms import kur_mikro


def _write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_create_new_version_show_and_list(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    program = {"code": "PC-1", "name": "KUR Mikro Jabar", "segment": "mikro",
               "active_from": "2026-01-01", "terms": kur_mikro()}  # fmt: skip
    made = runner.invoke(
        args=["programs", "create", "--from-json", _write(tmp_path, "p.json", program),
              "--today", "2026-01-01"]
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    version = {"program": "PC-1", "effective_from": "2026-08-01",
               "terms": kur_mikro(subsidy_rate_by_access=["0.11"])}  # fmt: skip
    added = runner.invoke(
        args=["programs", "new-version", "--from-json", _write(tmp_path, "v.json", version),
              "--today", "2026-07-01"]
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    shown = json.loads(runner.invoke(args=["programs", "show", "PC-1"]).output)
    assert [v["effective_from"] for v in shown["versions"]] == ["2026-01-01", "2026-08-01"]
    assert shown["versions"][1]["terms"]["subsidy_rate_by_access"] == ["0.11"]
    listed = runner.invoke(args=["programs", "list", "--on", "2026-08-01"])
    assert "PC-1" in listed.output and "terms since 2026-08-01" in listed.output
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("program.%")))
    assert {"program.create", "program.terms_version"} <= set(actions)


def test_refusals_name_the_field_and_store_nothing(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    bad = {"code": "pc 2", "name": "x", "segment": "mikro", "active_from": "2026-01-01",
           "terms": kur_mikro(day_count="daily")}  # fmt: skip
    result = runner.invoke(
        args=["programs", "create", "--from-json", _write(tmp_path, "b.json", bad)]
    )
    assert result.exit_code == 1
    assert "code:" in result.output and "terms.day_count:" in result.output
    assert session.scalar(select(CreditProgram).where(CreditProgram.name == "x")) is None
    not_json = tmp_path / "n.json"
    not_json.write_text("{", encoding="utf-8")
    result = runner.invoke(args=["programs", "create", "--from-json", str(not_json)])
    assert result.exit_code == 2 and "--from-json" in result.output


def test_set_quota_below_use_is_refused(runner: FlaskCliRunner, session: Session) -> None:
    lender, program = core.lender(session), core.program(session, "PC-3")
    lf.approved_loan(session, program_obj=program, lender_obj=lender, amount=30_000_000)
    session.commit()
    args = ["programs", "set-quota", "--program", "PC-3", "--lender", lender.code,
            "--segment", "mikro", "--year", "2026", "--quota"]  # fmt: skip
    low = runner.invoke(args=[*args, "29000000"])
    assert low.exit_code == 1 and "Rp 29.000.000" in low.output and "Rp 30.000.000" in low.output
    ok = runner.invoke(args=[*args, "45000000"])
    assert ok.exit_code == 0 and "used Rp 30.000.000" in ok.output
    # A program without versions (made outside the admin service) is listed on its columns.
    assert session.scalar(select(ProgramTerms).where(ProgramTerms.program_id == program.id)) is None
    assert "PC-3" in runner.invoke(args=["programs", "list"]).output
