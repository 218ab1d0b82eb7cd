"""Loss allowance (CKPN): program provisioning settings, runs, per-loan rows, totals, movements

Revision ID: 0011_provision
Revises: 0010_claims
Create Date: 2026-12-04 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_provision"
down_revision: str | None = "0010_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RATE = sa.Numeric(9, 6)


def _fk(column: str, table: str, source: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_{source}_{column}_{table}")
    )


def upgrade() -> None:
    op.create_table(
        "program_provisioning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("lgd", RATE, nullable=False),
        sa.Column("unscored_pd", RATE, nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "lgd >= 0 AND lgd <= 1", name=op.f("ck_program_provisioning_lgd_fraction")
        ),
        sa.CheckConstraint(
            "unscored_pd >= 0 AND unscored_pd <= 1",
            name=op.f("ck_program_provisioning_unscored_pd_fraction"),
        ),
        _fk("program_id", "credit_programs", "program_provisioning"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_provisioning")),
        sa.UniqueConstraint(
            "program_id",
            "effective_from",
            name=op.f("uq_program_provisioning_program_id_effective_from"),
        ),
    )
    op.create_table(
        "provision_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("snapshot", sa.Date(), nullable=False),
        sa.Column("previous_run_id", sa.Integer(), nullable=True),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("loans >= 0", name=op.f("ck_provision_runs_loans_non_negative")),
        sa.CheckConstraint(
            "total_amount >= 0", name=op.f("ck_provision_runs_total_amount_non_negative")
        ),
        _fk("previous_run_id", "provision_runs", "provision_runs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provision_runs")),
        sa.UniqueConstraint("as_of", name=op.f("uq_provision_runs_as_of")),
    )
    op.create_table(
        "loan_provisions",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.SmallInteger(), nullable=False),
        sa.Column("pd_12m", RATE, nullable=False),
        sa.Column("pd", RATE, nullable=False),
        sa.Column("lgd", RATE, nullable=False),
        sa.Column("ead", sa.BigInteger(), nullable=False),
        sa.Column("cover", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("stage BETWEEN 1 AND 3", name=op.f("ck_loan_provisions_stage_range")),
        sa.CheckConstraint("ead >= 0", name=op.f("ck_loan_provisions_ead_non_negative")),
        sa.CheckConstraint("cover >= 0", name=op.f("ck_loan_provisions_cover_non_negative")),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_loan_provisions_amount_non_negative")),
        sa.CheckConstraint(
            "amount <= ead - cover", name=op.f("ck_loan_provisions_amount_within_net_exposure")
        ),
        # No foreign keys: see the model (per-row triggers doubled the run's time).
        sa.PrimaryKeyConstraint("run_id", "loan_id", name=op.f("pk_loan_provisions")),
    )
    op.create_table(
        "provision_totals",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.SmallInteger(), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("ead", sa.BigInteger(), nullable=False),
        sa.Column("cover", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("loans >= 0", name=op.f("ck_provision_totals_loans_non_negative")),
        sa.CheckConstraint("ead >= 0", name=op.f("ck_provision_totals_ead_non_negative")),
        sa.CheckConstraint("cover >= 0", name=op.f("ck_provision_totals_cover_non_negative")),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_provision_totals_amount_non_negative")),
        _fk("run_id", "provision_runs", "provision_totals"),
        _fk("program_id", "credit_programs", "provision_totals"),
        sa.PrimaryKeyConstraint("run_id", "program_id", "stage", name=op.f("pk_provision_totals")),
    )
    op.create_table(
        "provision_movements",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("opening", sa.BigInteger(), nullable=False),
        sa.Column("closing", sa.BigInteger(), nullable=False),
        sa.Column("change", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "opening >= 0", name=op.f("ck_provision_movements_opening_non_negative")
        ),
        sa.CheckConstraint(
            "closing >= 0", name=op.f("ck_provision_movements_closing_non_negative")
        ),
        sa.CheckConstraint(
            "change = closing - opening",
            name=op.f("ck_provision_movements_change_is_difference"),
        ),
        _fk("run_id", "provision_runs", "provision_movements"),
        _fk("program_id", "credit_programs", "provision_movements"),
        sa.PrimaryKeyConstraint("run_id", "program_id", name=op.f("pk_provision_movements")),
    )


def downgrade() -> None:
    for table in (
        "provision_movements",
        "provision_totals",
        "loan_provisions",
        "provision_runs",
        "program_provisioning",
    ):
        op.drop_table(table)
