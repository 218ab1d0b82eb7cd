"""Migration 0009_programs: every program gets one version from its own columns and its
servicing row, and a lender's lifetime quota becomes a quota of the program's first year."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from creditapp.db import make_engine
from creditapp.migrate import upgrade
from tests.integration.test_migrations import empty_database_url  # noqa: F401  (fixture)


def test_programs_get_a_version_and_quotas_a_year(empty_database_url: str) -> None:  # noqa: F811
    url = empty_database_url
    upgrade(url, "0008_nik")
    engine = make_engine(url)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO lenders (id, code, name, kind, active, created_at) "
                "VALUES (1, 'BANK-M', 'Bank M', 'bank', true, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO credit_programs (id, code, name, segment, plafond_min, plafond_max,"
                " rate_by_access, subsidy_rate_by_access, max_tenor_working_capital,"
                " max_tenor_investment, max_grace_months, min_business_age_months,"
                " min_business_age_months_trained, allow_other_productive_credit,"
                " eligible_kbli_divisions, collateral_threshold, max_installment_share,"
                " guarantee_coverage, interest_method, allocation_order, prepayment_mode,"
                " penalty_daily_rate, quota_total, active_from, created_at, updated_at)"
                " VALUES (7, 'KUR-M', 'KUR Mikro', 'mikro', 10000001, 100000000,"
                ' \'["0.06", "0.07"]\', \'["0.10", "0.09"]\', 36, 60, 6, 6, 3, false, \'[]\','
                ' 100000000, 0.35, 0.7, \'annuity\', \'["penalty", "interest", "principal"]\','
                " 'shorten_tenor', 0.0005, 1000000000, :from, :now, :now)"
            ),
            {"from": date(2025, 3, 1), "now": now},
        )
        conn.execute(
            text(
                "INSERT INTO program_servicing (program_id, back_value_days, day_count,"
                " subsidy_max_grade, subsidy_after_maturity, updated_at)"
                " VALUES (7, 7, 'actual/365', 3, false, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO program_lender_quotas (program_id, lender_id, quota)"
                " VALUES (7, 1, 250000000)"
            )
        )
    upgrade(url, "0009_programs")
    with engine.connect() as conn:
        version = conn.execute(text("SELECT * FROM program_terms")).mappings().one()
        quota = conn.execute(text("SELECT * FROM program_lender_quotas")).mappings().one()
    engine.dispose()
    assert version["program_id"] == 7 and str(version["effective_from"]) == "2025-03-01"
    assert version["day_count"] == "actual/365" and version["subsidy_max_grade"] == 3
    assert version["claim_grade"] == 4 and version["write_off_grade"] == 5
    assert version["plafond_max"] == 100_000_000
    assert float(version["penalty_daily_rate"]) == 0.0005
    assert (quota["segment"], quota["year"], quota["quota"]) == ("mikro", 2025, 250_000_000)
