"""web users: sign-in throttling, four-eyes approvals, what a decision was made against

Failed sign-ins are counted in the database so every gunicorn worker sees the same count.

Revision ID: 0005_web
Revises: 0004
Create Date: 2026-12-04 07:01:45.363402
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_web"
down_revision: str | None = "0005_collection"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=254), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_failures_account_at", ["account", "at"], unique=False)
        batch_op.create_index("ix_sign_in_failures_client_at", ["client", "at"], unique=False)

    op.create_table(
        "approval_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("lender_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("tenor", sa.SmallInteger(), nullable=False),
        sa.Column("grace_principal", sa.SmallInteger(), nullable=False),
        sa.Column("override_reason_code", sa.String(length=32), nullable=True),
        sa.Column("reason_text", sa.String(length=1000), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'rejected')",
            name=op.f("ck_approval_requests_status_allowed"),
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_approval_requests_amount_positive")),
        sa.CheckConstraint("tenor > 0", name=op.f("ck_approval_requests_tenor_positive")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_approval_requests_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["lender_id"], ["lenders.id"], name=op.f("fk_approval_requests_lender_id_lenders")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_approval_requests_requested_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["users.id"], name=op.f("fk_approval_requests_resolved_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
    )
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_approval_requests_application", ["application_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_approval_requests_lender_id"), ["lender_id"], unique=False
        )

    with op.batch_alter_table("lenders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("four_eyes_amount", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("contact", sa.String(length=300), nullable=True))

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("score", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("band", sa.String(length=1), nullable=True))
    # The queue's copy of the latest score of every application scored so far.
    for column in ("score", "band"):
        op.execute(
            f"UPDATE applications SET {column} = (SELECT s.{column} FROM score_records s "
            "WHERE s.application_id = applications.id ORDER BY s.id DESC LIMIT 1)"
        )
    awaiting = sa.text("status IN ('submitted', 'scored', 'referred')")
    partial = {"postgresql_where": awaiting, "sqlite_where": awaiting}
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_applications_queue_waiting", ["lender_id", "applied_on", "id"], **partial
        )
        batch_op.create_index(
            "ix_applications_queue_amount", ["lender_id", "requested_amount", "id"], **partial
        )
        batch_op.create_index("ix_applications_queue_band", ["lender_id", "band"], **partial)
        batch_op.create_index(
            "ix_applications_queue_score", ["lender_id", "score", "id"], **partial
        )

    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recommendation", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("model_version", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("override_reason_code", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("confirmed_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_decisions_confirmed_by_users"), "users", ["confirmed_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        for name in ("amount", "band", "score", "waiting"):
            batch_op.drop_index(f"ix_applications_queue_{name}")
        batch_op.drop_column("band")
        batch_op.drop_column("score")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_decisions_confirmed_by_users"), type_="foreignkey")
        batch_op.drop_column("confirmed_by")
        batch_op.drop_column("override_reason_code")
        batch_op.drop_column("model_version")
        batch_op.drop_column("recommendation")

    with op.batch_alter_table("lenders", schema=None) as batch_op:
        batch_op.drop_column("contact")
        batch_op.drop_column("four_eyes_amount")

    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_requests_lender_id"))
        batch_op.drop_index("ix_approval_requests_application")

    op.drop_table("approval_requests")
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_failures_client_at")
        batch_op.drop_index("ix_sign_in_failures_account_at")

    op.drop_table("sign_in_failures")
