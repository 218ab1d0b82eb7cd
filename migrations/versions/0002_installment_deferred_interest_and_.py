"""installment deferred interest and movement installment

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 14:18:50.833623
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("deferred_interest", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_installments_deferred_interest_non_negative"), "deferred_interest >= 0"
        )

    with op.batch_alter_table("loan_movements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("installment_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_loan_movements_installment_id_installments"),
            "installments",
            ["installment_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("loan_movements", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_loan_movements_installment_id_installments"), type_="foreignkey"
        )
        batch_op.drop_column("installment_id")

    with op.batch_alter_table("installments", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("ck_installments_deferred_interest_non_negative"), type_="check"
        )
        batch_op.drop_column("deferred_interest")
