"""claims: subsidy claims with their lines, guarantors, IJP rates per program, covers per
loan, subrogation payments; a rejected guarantee claim's reason and date

Revision ID: 0010_claims
Revises: 0009_programs
Create Date: 2026-12-04 14:22:18.946476
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_claims"
down_revision: str | None = "0009_programs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guarantors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guarantors")),
        sa.UniqueConstraint("code", name=op.f("uq_guarantors_code")),
    )
    op.create_table(
        "program_guarantees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("guarantor_id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("ijp_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ijp_rate >= 0 AND ijp_rate < 1", name=op.f("ck_program_guarantees_ijp_rate_range")
        ),
        sa.ForeignKeyConstraint(
            ["guarantor_id"],
            ["guarantors.id"],
            name=op.f("fk_program_guarantees_guarantor_id_guarantors"),
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["credit_programs.id"],
            name=op.f("fk_program_guarantees_program_id_credit_programs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_guarantees")),
        sa.UniqueConstraint(
            "program_id",
            "effective_from",
            name=op.f("uq_program_guarantees_program_id_effective_from"),
        ),
    )
    with op.batch_alter_table("program_guarantees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_guarantees_guarantor_id"), ["guarantor_id"], unique=False
        )

    op.create_table(
        "subsidy_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("lender_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("accrued_total", sa.BigInteger(), nullable=False),
        sa.Column("verified_total", sa.BigInteger(), nullable=False),
        sa.Column("paid_amount", sa.BigInteger(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('submitted', 'verified', 'paid')",
            name=op.f("ck_subsidy_claims_status_allowed"),
        ),
        sa.CheckConstraint(
            "accrued_total >= 0", name=op.f("ck_subsidy_claims_accrued_total_non_negative")
        ),
        sa.CheckConstraint(
            "paid_amount <= verified_total", name=op.f("ck_subsidy_claims_paid_within_verified")
        ),
        sa.CheckConstraint(
            "paid_amount >= 0", name=op.f("ck_subsidy_claims_paid_amount_non_negative")
        ),
        sa.CheckConstraint(
            "verified_total <= accrued_total",
            name=op.f("ck_subsidy_claims_verified_within_accrued"),
        ),
        sa.CheckConstraint(
            "verified_total >= 0", name=op.f("ck_subsidy_claims_verified_total_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["lender_id"], ["lenders.id"], name=op.f("fk_subsidy_claims_lender_id_lenders")
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["credit_programs.id"],
            name=op.f("fk_subsidy_claims_program_id_credit_programs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_claims")),
        sa.UniqueConstraint(
            "program_id",
            "lender_id",
            "month",
            name=op.f("uq_subsidy_claims_program_id_lender_id_month"),
        ),
    )
    with op.batch_alter_table("subsidy_claims", schema=None) as batch_op:
        batch_op.create_index(
            "ix_subsidy_claims_lender_month", ["lender_id", "month"], unique=False
        )

    op.create_table(
        "guarantee_covers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("guarantor_id", sa.Integer(), nullable=False),
        sa.Column("program_guarantee_id", sa.Integer(), nullable=False),
        sa.Column("share", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("ijp_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("covered_amount", sa.BigInteger(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ijp_amount", sa.BigInteger(), nullable=False),
        sa.Column("ijp_paid_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "covered_amount >= 0", name=op.f("ck_guarantee_covers_covered_amount_non_negative")
        ),
        sa.CheckConstraint(
            "ijp_amount >= 0", name=op.f("ck_guarantee_covers_ijp_amount_non_negative")
        ),
        sa.CheckConstraint(
            "ijp_rate >= 0 AND ijp_rate < 1", name=op.f("ck_guarantee_covers_ijp_rate_range")
        ),
        sa.CheckConstraint(
            "share > 0 AND share <= 1", name=op.f("ck_guarantee_covers_share_range")
        ),
        sa.ForeignKeyConstraint(
            ["guarantor_id"],
            ["guarantors.id"],
            name=op.f("fk_guarantee_covers_guarantor_id_guarantors"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_guarantee_covers_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["program_guarantee_id"],
            ["program_guarantees.id"],
            name=op.f("fk_guarantee_covers_program_guarantee_id_program_guarantees"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guarantee_covers")),
        sa.UniqueConstraint("loan_id", name=op.f("uq_guarantee_covers_loan_id")),
    )
    with op.batch_alter_table("guarantee_covers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guarantee_covers_guarantor_id"), ["guarantor_id"], unique=False
        )

    op.create_table(
        "subrogation_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recovery_id", sa.Integer(), nullable=False),
        sa.Column("guarantor_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_subrogation_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["guarantor_id"],
            ["guarantors.id"],
            name=op.f("fk_subrogation_payments_guarantor_id_guarantors"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_subrogation_payments_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["recovery_id"],
            ["recoveries.id"],
            name=op.f("fk_subrogation_payments_recovery_id_recoveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subrogation_payments")),
        sa.UniqueConstraint("recovery_id", name=op.f("uq_subrogation_payments_recovery_id")),
    )
    with op.batch_alter_table("subrogation_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subrogation_payments_guarantor_id"), ["guarantor_id"], unique=False
        )

    op.create_table(
        "subsidy_claim_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("accrual_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("rejected_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "(status = 'rejected') = (rejection_reason IS NOT NULL)",
            name=op.f("ck_subsidy_claim_lines_rejected_has_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('claimed', 'rejected')", name=op.f("ck_subsidy_claim_lines_status_allowed")
        ),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_subsidy_claim_lines_amount_non_negative")),
        sa.ForeignKeyConstraint(
            ["accrual_id"],
            ["subsidy_accruals.id"],
            name=op.f("fk_subsidy_claim_lines_accrual_id_subsidy_accruals"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["subsidy_claims.id"],
            name=op.f("fk_subsidy_claim_lines_claim_id_subsidy_claims"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_subsidy_claim_lines_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subsidy_claim_lines")),
        sa.UniqueConstraint("accrual_id", name=op.f("uq_subsidy_claim_lines_accrual_id")),
    )
    with op.batch_alter_table("subsidy_claim_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_subsidy_claim_lines_claim_id"), ["claim_id"], unique=False
        )

    with op.batch_alter_table("guarantee_claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rejection_reason", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("rejected_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("guarantee_claims", schema=None) as batch_op:
        batch_op.drop_column("rejected_on")
        batch_op.drop_column("rejection_reason")

    with op.batch_alter_table("subsidy_claim_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subsidy_claim_lines_claim_id"))

    op.drop_table("subsidy_claim_lines")
    with op.batch_alter_table("subrogation_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subrogation_payments_guarantor_id"))

    op.drop_table("subrogation_payments")
    with op.batch_alter_table("guarantee_covers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guarantee_covers_guarantor_id"))

    op.drop_table("guarantee_covers")
    with op.batch_alter_table("subsidy_claims", schema=None) as batch_op:
        batch_op.drop_index("ix_subsidy_claims_lender_month")

    op.drop_table("subsidy_claims")
    with op.batch_alter_table("program_guarantees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_guarantees_guarantor_id"))

    op.drop_table("program_guarantees")
    op.drop_table("guarantors")
