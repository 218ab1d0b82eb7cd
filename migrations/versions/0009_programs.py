"""program terms with effective dates; annual quotas per program x lender x segment x year

- new table program_terms: one version of a program's terms per effective_from, with the
  servicing terms that were code constants (claim grade, arrears-at-maturity claim, subsidy
  basis and frequency, write-off grade) and ProgramServicing's day count and subsidy grade;
- every existing program gets one version, effective from its active_from, holding its
  columns and its servicing row (or the defaults);
- loans.program_terms_id: the version in force on the approval date; existing loans point
  at their program's single version;
- program_lender_quotas gains segment and year: each old (lifetime) allotment becomes one
  row per year from the program's first year to the year of its latest approved loan, in
  the program's segment.

Revision ID: 0009_programs
Revises: 0008_nik
Create Date: 2026-12-04 14:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_programs"
down_revision: str | None = "0008_nik"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Term columns and their types (as 0001 created them on credit_programs).
TERM_TYPES: dict[str, sa.types.TypeEngine[object]] = {
    "plafond_min": sa.BigInteger(),
    "plafond_max": sa.BigInteger(),
    "rate_by_access": sa.JSON(),
    "subsidy_rate_by_access": sa.JSON(),
    "max_tenor_working_capital": sa.Integer(),
    "max_tenor_investment": sa.Integer(),
    "max_grace_months": sa.Integer(),
    "min_business_age_months": sa.Integer(),
    "min_business_age_months_trained": sa.Integer(),
    "allow_other_productive_credit": sa.Boolean(),
    "eligible_kbli_divisions": sa.JSON(),
    "collateral_threshold": sa.BigInteger(),
    "max_installment_share": sa.Numeric(9, 6),
    "guarantee_coverage": sa.Numeric(9, 6),
    "interest_method": sa.String(),
    "allocation_order": sa.JSON(),
    "prepayment_mode": sa.String(),
    "penalty_daily_rate": sa.Numeric(9, 6),
}
TERM_COLUMNS = tuple(TERM_TYPES)


def upgrade() -> None:
    op.create_table(
        "program_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("plafond_min", sa.BigInteger(), nullable=False),
        sa.Column("plafond_max", sa.BigInteger(), nullable=False),
        sa.Column("rate_by_access", sa.JSON(), nullable=False),
        sa.Column("subsidy_rate_by_access", sa.JSON(), nullable=False),
        sa.Column("max_tenor_working_capital", sa.Integer(), nullable=False),
        sa.Column("max_tenor_investment", sa.Integer(), nullable=False),
        sa.Column("max_grace_months", sa.Integer(), nullable=False),
        sa.Column("min_business_age_months", sa.Integer(), nullable=False),
        sa.Column("min_business_age_months_trained", sa.Integer(), nullable=False),
        sa.Column("allow_other_productive_credit", sa.Boolean(), nullable=False),
        sa.Column("eligible_kbli_divisions", sa.JSON(), nullable=False),
        sa.Column("collateral_threshold", sa.BigInteger(), nullable=False),
        sa.Column("max_installment_share", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("guarantee_coverage", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("interest_method", sa.String(length=16), nullable=False),
        sa.Column("allocation_order", sa.JSON(), nullable=False),
        sa.Column("prepayment_mode", sa.String(length=20), nullable=False),
        sa.Column("penalty_daily_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("day_count", sa.String(length=12), nullable=False),
        sa.Column("subsidy_max_grade", sa.SmallInteger(), nullable=False),
        sa.Column("subsidy_after_maturity", sa.Boolean(), nullable=False),
        sa.Column("subsidy_basis", sa.String(length=24), nullable=False),
        sa.Column("subsidy_frequency", sa.String(length=12), nullable=False),
        sa.Column("claim_grade", sa.SmallInteger(), nullable=False),
        sa.Column("claim_on_arrears_at_maturity", sa.Boolean(), nullable=False),
        sa.Column("write_off_grade", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "interest_method IN ('annuity', 'equal_principal', 'flat')",
            name=op.f("ck_program_terms_interest_method_allowed"),
        ),
        sa.CheckConstraint(
            "prepayment_mode IN ('shorten_tenor', 'reduce_installment')",
            name=op.f("ck_program_terms_prepayment_mode_allowed"),
        ),
        sa.CheckConstraint(
            "day_count IN ('30/360', 'actual/365')", name=op.f("ck_program_terms_day_count_allowed")
        ),
        sa.CheckConstraint(
            "subsidy_basis IN ('average_outstanding')",
            name=op.f("ck_program_terms_subsidy_basis_allowed"),
        ),
        sa.CheckConstraint(
            "subsidy_frequency IN ('monthly')",
            name=op.f("ck_program_terms_subsidy_frequency_allowed"),
        ),
        sa.CheckConstraint(
            "plafond_min >= 0", name=op.f("ck_program_terms_plafond_min_non_negative")
        ),
        sa.CheckConstraint(
            "plafond_max >= 0", name=op.f("ck_program_terms_plafond_max_non_negative")
        ),
        sa.CheckConstraint(
            "collateral_threshold >= 0",
            name=op.f("ck_program_terms_collateral_threshold_non_negative"),
        ),
        sa.CheckConstraint(
            "plafond_min <= plafond_max", name=op.f("ck_program_terms_plafond_ordered")
        ),
        sa.CheckConstraint(
            "subsidy_max_grade BETWEEN 1 AND 5",
            name=op.f("ck_program_terms_subsidy_max_grade_range"),
        ),
        sa.CheckConstraint(
            "claim_grade BETWEEN 2 AND 5", name=op.f("ck_program_terms_claim_grade_range")
        ),
        sa.CheckConstraint(
            "write_off_grade BETWEEN 2 AND 5", name=op.f("ck_program_terms_write_off_grade_range")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["credit_programs.id"],
            name=op.f("fk_program_terms_program_id_credit_programs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_terms")),
        sa.UniqueConstraint(
            "program_id",
            "effective_from",
            name=op.f("uq_program_terms_program_id_effective_from"),
        ),
    )
    with op.batch_alter_table("program_terms") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_terms_program_id"), ["program_id"], unique=False
        )
    with op.batch_alter_table("loans") as batch_op:
        batch_op.add_column(sa.Column("program_terms_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_loans_program_terms_id_program_terms"),
            "program_terms",
            ["program_terms_id"],
            ["id"],
        )
    with op.batch_alter_table("program_lender_quotas") as batch_op:
        batch_op.add_column(sa.Column("segment", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("year", sa.SmallInteger(), nullable=True))
    _versions_from_programs()
    _yearly_quotas()
    with op.batch_alter_table("program_lender_quotas") as batch_op:
        batch_op.alter_column("segment", existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column("year", existing_type=sa.SmallInteger(), nullable=False)
        batch_op.drop_constraint("uq_program_lender_quotas_program_id_lender_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_program_lender_quotas_program_id_lender_id_segment_year"),
            ["program_id", "lender_id", "segment", "year"],
        )
        batch_op.create_check_constraint(
            "segment_allowed", "segment IN ('super_mikro', 'mikro', 'kecil', 'other')"
        )
        batch_op.create_check_constraint("year_range", "year BETWEEN 2000 AND 2100")


def _versions_from_programs() -> None:
    """One version per program: its own columns, its servicing row or the old defaults."""
    conn = op.get_bind()
    programs = sa.table(
        "credit_programs",
        sa.column("id", sa.Integer),
        sa.column("active_from", sa.Date),
        *(sa.column(c, t) for c, t in TERM_TYPES.items()),
    )
    servicing = sa.table(
        "program_servicing",
        sa.column("program_id", sa.Integer),
        sa.column("day_count", sa.String),
        sa.column("subsidy_max_grade", sa.SmallInteger),
        sa.column("subsidy_after_maturity", sa.Boolean),
    )
    terms = sa.table(
        "program_terms",
        sa.column("program_id", sa.Integer),
        sa.column("effective_from", sa.Date),
        sa.column("created_at", sa.DateTime(timezone=True)),
        *(sa.column(c, t) for c, t in TERM_TYPES.items()),
        sa.column("day_count", sa.String),
        sa.column("subsidy_max_grade", sa.SmallInteger),
        sa.column("subsidy_after_maturity", sa.Boolean),
        sa.column("subsidy_basis", sa.String),
        sa.column("subsidy_frequency", sa.String),
        sa.column("claim_grade", sa.SmallInteger),
        sa.column("claim_on_arrears_at_maturity", sa.Boolean),
        sa.column("write_off_grade", sa.SmallInteger),
    )
    rules = {r.program_id: r for r in conn.execute(sa.select(servicing))}
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    for row in conn.execute(sa.select(programs)).mappings():
        rule = rules.get(row["id"])
        values = {c: row[c] for c in TERM_COLUMNS}
        values["penalty_daily_rate"] = values["penalty_daily_rate"] or 0
        conn.execute(
            sa.insert(terms).values(
                program_id=row["id"],
                effective_from=row["active_from"],
                created_at=now,
                day_count=rule.day_count if rule else "30/360",
                subsidy_max_grade=rule.subsidy_max_grade if rule else 2,
                subsidy_after_maturity=rule.subsidy_after_maturity if rule else False,
                subsidy_basis="average_outstanding",
                subsidy_frequency="monthly",
                claim_grade=4,
                claim_on_arrears_at_maturity=True,
                write_off_grade=5,
                **values,
            )
        )
    conn.execute(
        sa.text(
            "UPDATE loans SET program_terms_id = (SELECT t.id FROM program_terms t"
            " WHERE t.program_id = loans.program_id)"
        )
    )


def _yearly_quotas() -> None:
    conn = op.get_bind()
    old = conn.execute(
        sa.text(
            "SELECT q.id, q.program_id, q.lender_id, q.quota, p.segment, p.active_from,"
            " (SELECT max(l.approved_on) FROM loans l WHERE l.program_id = p.id) AS last"
            " FROM program_lender_quotas q JOIN credit_programs p ON p.id = q.program_id"
        )
    ).mappings()
    for row in list(old):
        first = _year(row["active_from"])
        last = max(first, _year(row["last"]) if row["last"] else first)
        conn.execute(
            sa.text("UPDATE program_lender_quotas SET segment = :s, year = :y WHERE id = :id"),
            {"s": row["segment"], "y": first, "id": row["id"]},
        )
        for year in range(first + 1, last + 1):
            conn.execute(
                sa.text(
                    "INSERT INTO program_lender_quotas (program_id, lender_id, quota, segment,"
                    " year) VALUES (:p, :l, :q, :s, :y)"
                ),
                {
                    "p": row["program_id"],
                    "l": row["lender_id"],
                    "q": row["quota"],
                    "s": row["segment"],
                    "y": year,
                },
            )


def _year(value: object) -> int:
    """A date's year (SQLite hands back a string from raw SQL)."""
    return int(str(value)[:4])


def downgrade() -> None:
    conn = op.get_bind()
    # Keep one row per program x lender (the latest year's) under the old unique key.
    conn.execute(
        sa.text(
            "DELETE FROM program_lender_quotas WHERE id NOT IN (SELECT max(id) FROM"
            " program_lender_quotas GROUP BY program_id, lender_id)"
        )
    )
    with op.batch_alter_table("program_lender_quotas") as batch_op:
        batch_op.drop_constraint(
            op.f("uq_program_lender_quotas_program_id_lender_id_segment_year"), type_="unique"
        )
        batch_op.drop_constraint(op.f("ck_program_lender_quotas_segment_allowed"), type_="check")
        batch_op.drop_constraint(op.f("ck_program_lender_quotas_year_range"), type_="check")
        batch_op.drop_column("year")
        batch_op.drop_column("segment")
        batch_op.create_unique_constraint(
            op.f("uq_program_lender_quotas_program_id_lender_id"), ["program_id", "lender_id"]
        )
    with op.batch_alter_table("loans") as batch_op:
        batch_op.drop_constraint(
            op.f("fk_loans_program_terms_id_program_terms"), type_="foreignkey"
        )
        batch_op.drop_column("program_terms_id")
    with op.batch_alter_table("program_terms") as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_terms_program_id"))
    op.drop_table("program_terms")
