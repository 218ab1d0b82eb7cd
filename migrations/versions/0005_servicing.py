"""servicing: advance payment, restructured grade, value dates, reversal, recoveries, rules

Only columns and tables are added; nothing other modules read is renamed or dropped.
- loans: restructured flag, restructure count, floor grade and on-time count (POJK 40/2019),
  credit balance, day count, KUR access count used and a mismatch flag;
- loan_status_history: restructured flag, count and floor grade of each day;
- repayments: how the payer wanted it applied, the credit part, the schedule version before
  it and when it was reversed (the parts check now includes the credit part);
- installments: the schedule version that superseded a row (a reversal restores it);
- write_offs: interest written off, the grade and an override reason;
- recoveries: costs / principal / interest split, cost note, guarantor share (existing rows
  are backfilled as principal);
- new tables repayment_reversals (maker-checker) and program_servicing (per-program rules);
- movement kinds: repayment_reversal, credit_balance, refund, interest_write_off,
  penalty_correction.

Revision ID: 0005_servicing
Revises: 0004
Create Date: 2026-12-04 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_servicing"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = (
    "disbursement",
    "principal_repayment",
    "interest_repayment",
    "penalty_repayment",
    "penalty_charge",
    "write_off",
    "recovery",
    "restructure",
)
NEW_KINDS = (
    *OLD_KINDS,
    "repayment_reversal",
    "credit_balance",
    "refund",
    "interest_write_off",
    "penalty_correction",
)


RECOVERY_PARTS = ("principal_part", "interest_part", "cost_part", "guarantor_share")


def _kinds(kinds: tuple[str, ...]) -> str:
    return "kind IN ({})".format(", ".join(f"'{k}'" for k in kinds))


def upgrade() -> None:
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("restructured", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("restructure_count", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("restructure_floor_grade", sa.SmallInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("on_time_streak", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("credit_balance", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("day_count", sa.String(length=12), server_default="30/360", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_loans_day_count_allowed"), "day_count IN ('30/360', 'actual/365')"
        )
        batch_op.add_column(sa.Column("kur_access_count", sa.SmallInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("kur_access_mismatch", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_loans_credit_balance_non_negative"), "credit_balance >= 0"
        )
        batch_op.create_check_constraint(
            op.f("ck_loans_restructure_count_non_negative"), "restructure_count >= 0"
        )
        batch_op.create_check_constraint(
            op.f("ck_loans_restructure_floor_range"),
            "restructure_floor_grade IS NULL OR restructure_floor_grade BETWEEN 1 AND 5",
        )
    with op.batch_alter_table("loan_status_history", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("restructured", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("restructure_count", sa.SmallInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("restructure_floor_grade", sa.SmallInteger(), nullable=True))
    with op.batch_alter_table("repayments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("apply_as", sa.String(length=12), server_default="auto", nullable=False)
        )
        batch_op.add_column(
            sa.Column("credit_part", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("reversed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("schedule_version_before", sa.SmallInteger(), nullable=True))
        batch_op.drop_constraint(op.f("ck_repayments_parts_sum_to_amount"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_repayments_parts_add_up_to_amount"),
            "principal_part + interest_part + penalty_part + excess_part + credit_part = amount",
        )
        batch_op.create_check_constraint(
            op.f("ck_repayments_credit_part_non_negative"), "credit_part >= 0"
        )
        batch_op.create_check_constraint(
            op.f("ck_repayments_apply_as_allowed"),
            "apply_as IN ('auto', 'advance', 'prepayment')",
        )
    with op.batch_alter_table("loan_movements", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_loan_movements_kind_allowed"), type_="check")
        batch_op.create_check_constraint(op.f("ck_loan_movements_kind_allowed"), _kinds(NEW_KINDS))
    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("superseded_in", sa.SmallInteger(), nullable=True))
    op.create_table(
        "repayment_reversals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repayment_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "approved_by IS NULL OR approved_by <> requested_by",
            name=op.f("ck_repayment_reversals_maker_is_not_checker"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_repayment_reversals_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["users.id"],
            name=op.f("fk_repayment_reversals_approved_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_repayment_reversals_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["repayment_id"],
            ["repayments.id"],
            name=op.f("fk_repayment_reversals_repayment_id_repayments"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_repayment_reversals_requested_by_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repayment_reversals")),
    )
    with op.batch_alter_table("write_offs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("interest_amount", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("grade", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("override_reason", sa.String(length=500), nullable=True))
    with op.batch_alter_table("recoveries", schema=None) as batch_op:
        for column in RECOVERY_PARTS:
            batch_op.add_column(
                sa.Column(column, sa.BigInteger(), server_default="0", nullable=False)
            )
        batch_op.add_column(sa.Column("cost_note", sa.String(length=500), nullable=True))
        for column in RECOVERY_PARTS:
            batch_op.create_check_constraint(
                op.f(f"ck_recoveries_{column}_non_negative"), f"{column} >= 0"
            )
        # Existing recoveries had no split: they were principal (backfilled before the check).
    op.execute("UPDATE recoveries SET principal_part = amount")
    with op.batch_alter_table("recoveries", schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f("ck_recoveries_parts_add_up_to_amount"),
            "cost_part + principal_part + interest_part = amount",
        )
    op.create_table(
        "program_servicing",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("back_value_days", sa.SmallInteger(), nullable=False),
        sa.Column("day_count", sa.String(length=12), nullable=False),
        sa.Column("subsidy_max_grade", sa.SmallInteger(), nullable=False),
        sa.Column("subsidy_after_maturity", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "back_value_days >= 0", name=op.f("ck_program_servicing_back_value_days_non_negative")
        ),
        sa.CheckConstraint(
            "day_count IN ('30/360', 'actual/365')",
            name=op.f("ck_program_servicing_day_count_allowed"),
        ),
        sa.CheckConstraint(
            "subsidy_max_grade BETWEEN 1 AND 5",
            name=op.f("ck_program_servicing_subsidy_max_grade_range"),
        ),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["credit_programs.id"],
            name=op.f("fk_program_servicing_program_id_credit_programs"),
        ),
        sa.PrimaryKeyConstraint("program_id", name=op.f("pk_program_servicing")),
    )
    with op.batch_alter_table("repayment_reversals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_repayment_reversals_loan_id"), ["loan_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_repayment_reversals_repayment_id"), ["repayment_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("program_servicing")
    with op.batch_alter_table("recoveries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_recoveries_parts_add_up_to_amount"), type_="check")
        for column in RECOVERY_PARTS:
            batch_op.drop_constraint(op.f(f"ck_recoveries_{column}_non_negative"), type_="check")
        batch_op.drop_column("cost_note")
        for column in reversed(RECOVERY_PARTS):
            batch_op.drop_column(column)
    with op.batch_alter_table("write_offs", schema=None) as batch_op:
        batch_op.drop_column("override_reason")
        batch_op.drop_column("grade")
        batch_op.drop_column("interest_amount")
    op.drop_table("repayment_reversals")
    with op.batch_alter_table("loan_movements", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_loan_movements_kind_allowed"), type_="check")
        batch_op.create_check_constraint(op.f("ck_loan_movements_kind_allowed"), _kinds(OLD_KINDS))
    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.drop_column("superseded_in")
    with op.batch_alter_table("repayments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_repayments_apply_as_allowed"), type_="check")
        batch_op.drop_constraint(op.f("ck_repayments_credit_part_non_negative"), type_="check")
        batch_op.drop_constraint(op.f("ck_repayments_parts_add_up_to_amount"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_repayments_parts_sum_to_amount"),
            "principal_part + interest_part + penalty_part + excess_part = amount",
        )
        batch_op.drop_column("schedule_version_before")
        batch_op.drop_column("reversed_on")
        batch_op.drop_column("credit_part")
        batch_op.drop_column("apply_as")
    with op.batch_alter_table("loan_status_history", schema=None) as batch_op:
        batch_op.drop_column("restructure_floor_grade")
        batch_op.drop_column("restructure_count")
        batch_op.drop_column("restructured")
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_loans_restructure_floor_range"), type_="check")
        batch_op.drop_constraint(op.f("ck_loans_restructure_count_non_negative"), type_="check")
        batch_op.drop_constraint(op.f("ck_loans_credit_balance_non_negative"), type_="check")
        batch_op.drop_constraint(op.f("ck_loans_day_count_allowed"), type_="check")
        batch_op.drop_column("kur_access_mismatch")
        batch_op.drop_column("kur_access_count")
        batch_op.drop_column("day_count")
        batch_op.drop_column("credit_balance")
        batch_op.drop_column("on_time_streak")
        batch_op.drop_column("restructure_floor_grade")
        batch_op.drop_column("restructure_count")
        batch_op.drop_column("restructured")
