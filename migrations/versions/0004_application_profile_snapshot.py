"""application profile snapshot

Each application keeps the enterprise profile as it submitted it, so training sets stop
reading later facts (the enterprise row holds only the latest profile).

No backfill: the only source for older rows is that same latest enterprise row (plus size
observations matched by date and order), which is exactly the value that may have changed
after the application. Copying it would dress a possibly leaked value up as a snapshot.
Left NULL, such rows are recognisably "not recorded" and ``services.rawdata`` falls back to
the old reading for them, so training sets built from them do not change.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 16:16:41.418035
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NON_NEGATIVE = (
    "profile_workers",
    "profile_assets",
    "profile_annual_sales",
    "profile_kur_access_count",
)


def upgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("profile_founded_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("profile_kbli_division", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("profile_province", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("profile_workers", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("profile_assets", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("profile_annual_sales", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("profile_other_productive_credit", sa.Boolean(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("profile_entrepreneurship_training", sa.Boolean(), nullable=True)
        )
        batch_op.add_column(sa.Column("profile_kur_access_count", sa.SmallInteger(), nullable=True))
        # autogenerate does not see CHECK constraints; these mirror the model's.
        for column in NON_NEGATIVE:
            batch_op.create_check_constraint(
                op.f(f"ck_applications_{column}_non_negative"), f"{column} >= 0"
            )


def downgrade() -> None:
    with op.batch_alter_table("applications", schema=None) as batch_op:
        for column in reversed(NON_NEGATIVE):
            batch_op.drop_constraint(op.f(f"ck_applications_{column}_non_negative"), type_="check")
        batch_op.drop_column("profile_kur_access_count")
        batch_op.drop_column("profile_entrepreneurship_training")
        batch_op.drop_column("profile_other_productive_credit")
        batch_op.drop_column("profile_annual_sales")
        batch_op.drop_column("profile_assets")
        batch_op.drop_column("profile_workers")
        batch_op.drop_column("profile_province")
        batch_op.drop_column("profile_kbli_division")
        batch_op.drop_column("profile_founded_on")
