"""senior officers: users.senior, and who a referred application was referred to

A referred application goes to the senior officers of its lender (optionally one by name);
``applications.referred_to`` is the current referral the queue filters by, and
``decisions.referred_to`` keeps it on the immutable refer decision.

Revision ID: 0006_senior
Revises: 0005_reports
Create Date: 2026-12-04 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_senior"
down_revision: str | None = "0005_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("senior", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    for table in ("applications", "decisions"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("referred_to", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                f"fk_{table}_referred_to_users", "users", ["referred_to"], ["id"]
            )


def downgrade() -> None:
    for table in ("decisions", "applications"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_referred_to_users", type_="foreignkey")
            batch_op.drop_column("referred_to")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("senior")
