"""reports: partial indexes on late status rows and on written-off loans

Vintages look up each loan's first run at more than 30 (and 90) days past due. Measured on
100,000 loans x 12 month-end runs (bench.reports): 0.55 s without the late-rows index (a scan
of every status row), 0.15 s with it; with ``dpd`` in it the look-up reads the index only.
Only late rows are indexed, so the daily insert of mostly current rows stays cheap. The
written-off loans (a few percent) are found without scanning every loan.

Revision ID: 0005_reports
Revises: 0004
Create Date: 2026-12-04 08:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_reports"
down_revision: str | None = "0005_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("loans") as batch_op:
        batch_op.create_index(
            "ix_loans_written_off_on",
            ["written_off_on"],
            unique=False,
            postgresql_where=sa.text("written_off_on IS NOT NULL"),
            sqlite_where=sa.text("written_off_on IS NOT NULL"),
        )
    with op.batch_alter_table("loan_status_history") as batch_op:
        batch_op.create_index(
            "ix_loan_status_history_late",
            ["loan_id", "as_of", "dpd"],
            unique=False,
            postgresql_where=sa.text("dpd > 30"),
            sqlite_where=sa.text("dpd > 30"),
        )


def downgrade() -> None:
    with op.batch_alter_table("loans") as batch_op:
        batch_op.drop_index("ix_loans_written_off_on")
    with op.batch_alter_table("loan_status_history") as batch_op:
        batch_op.drop_index("ix_loan_status_history_late")
