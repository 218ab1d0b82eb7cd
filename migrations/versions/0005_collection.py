"""collection sheet and restructuring requests

Enterprises get an optional ``village`` (desa/kelurahan) so a field officer's collection
sheet can group by regency and village; older rows stay NULL ("not recorded"), since no
source knows their village. Restructurings get a maker-checker request table. A partial
index on the unsettled, current installments (covering their amounts on PostgreSQL) keeps
the collection sheet's "due on or before today" query small at any portfolio size.

Revision ID: 0005_collection
Revises: 0004
Create Date: 2026-12-04 07:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_collection"
down_revision: str | None = "0005_servicing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNSETTLED = "settled_on IS NULL AND NOT superseded"


def upgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("village", sa.String(length=100), nullable=True))
    op.create_table(
        "restructuring_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loan_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("grace_months", sa.SmallInteger(), nullable=False),
        sa.Column("extension_months", sa.SmallInteger(), nullable=False),
        sa.Column("new_rate", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("restructuring_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_restructuring_requests_status_allowed"),
        ),
        sa.CheckConstraint(
            "grace_months >= 0", name=op.f("ck_restructuring_requests_grace_months_non_negative")
        ),
        sa.CheckConstraint(
            "extension_months >= 0",
            name=op.f("ck_restructuring_requests_extension_months_non_negative"),
        ),
        sa.CheckConstraint(
            "decided_by IS NULL OR decided_by <> requested_by",
            name=op.f("ck_restructuring_requests_maker_is_not_checker"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_restructuring_requests_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_restructuring_requests_loan_id_loans")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_restructuring_requests_requested_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["restructuring_id"],
            ["restructurings.id"],
            name=op.f("fk_restructuring_requests_restructuring_id_restructurings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restructuring_requests")),
    )
    op.create_index(
        op.f("ix_restructuring_requests_loan_id"), "restructuring_requests", ["loan_id"]
    )
    op.create_index(
        "ix_installments_unsettled_due",
        "installments",
        ["due_on", "loan_id"],
        postgresql_include=[
            "principal_due",
            "principal_paid",
            "interest_due",
            "interest_paid",
            "penalty_due",
            "penalty_paid",
        ],
        postgresql_where=sa.text(UNSETTLED),
        sqlite_where=sa.text(UNSETTLED),
    )


def downgrade() -> None:
    op.drop_index("ix_installments_unsettled_due", table_name="installments")
    op.drop_index(op.f("ix_restructuring_requests_loan_id"), table_name="restructuring_requests")
    op.drop_table("restructuring_requests")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_column("village")
