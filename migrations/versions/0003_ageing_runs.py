"""ageing runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 14:51:50.265506
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ageing_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("loans_aged", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ageing_runs")),
        sa.UniqueConstraint("as_of", name=op.f("uq_ageing_runs_as_of")),
    )


def downgrade() -> None:
    op.drop_table("ageing_runs")
