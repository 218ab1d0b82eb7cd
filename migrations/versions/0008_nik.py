"""NIK at rest: enterprises.owner_nik becomes owner_nik_enc (AES-GCM) + owner_nik_hash (HMAC)

A data migration: every stored NIK is encrypted and hashed with the instance's NIK key
(``NIK_KEY`` or ``instance/nik_key``, see creditapp.pii), then the clear column is dropped.
Downgrade decrypts them back (it needs the same key).

Revision ID: 0008_nik
Revises: 0007_status_cover
Create Date: 2026-12-04 11:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0008_nik"
down_revision: str | None = "0007_status_cover"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def _cipher():  # type: ignore[no-untyped-def]  # migrations stay free of app types
    """The caller's cipher (creditapp.migrate passes the app's), else the instance's."""
    from creditapp.pii import cipher

    return context.config.attributes.get("nik_cipher") or cipher()


def upgrade() -> None:
    with op.batch_alter_table("enterprises") as batch_op:
        batch_op.add_column(sa.Column("owner_nik_enc", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("owner_nik_hash", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    table = sa.table(
        "enterprises",
        sa.column("id", sa.Integer),
        sa.column("owner_nik", sa.String),
        sa.column("owner_nik_enc", sa.String),
        sa.column("owner_nik_hash", sa.String),
    )
    rows = conn.execute(sa.select(table.c.id, table.c.owner_nik)).all()
    if rows:  # a fresh database needs no key yet
        c = _cipher()
        update = (
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values(owner_nik_enc=sa.bindparam("enc"), owner_nik_hash=sa.bindparam("hash"))
        )
        for start in range(0, len(rows), BATCH):
            conn.execute(
                update,
                [
                    {"row_id": r.id, "enc": c.encrypt(r.owner_nik), "hash": c.hash(r.owner_nik)}
                    for r in rows[start : start + BATCH]
                ],
            )
    with op.batch_alter_table("enterprises") as batch_op:
        batch_op.drop_index("ix_enterprises_lender_nik")
        batch_op.alter_column("owner_nik_enc", existing_type=sa.String(length=80), nullable=False)
        batch_op.alter_column("owner_nik_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("owner_nik")
        batch_op.create_index(
            "ix_enterprises_lender_nik_hash", ["lender_id", "owner_nik_hash"], unique=False
        )
        batch_op.create_index("ix_enterprises_owner_nik_hash", ["owner_nik_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("enterprises") as batch_op:
        batch_op.add_column(sa.Column("owner_nik", sa.String(length=16), nullable=True))
    conn = op.get_bind()
    table = sa.table(
        "enterprises",
        sa.column("id", sa.Integer),
        sa.column("owner_nik", sa.String),
        sa.column("owner_nik_enc", sa.String),
    )
    rows = conn.execute(sa.select(table.c.id, table.c.owner_nik_enc)).all()
    if rows:
        c = _cipher()
        update = (
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values(owner_nik=sa.bindparam("nik"))
        )
        for start in range(0, len(rows), BATCH):
            conn.execute(
                update,
                [
                    {"row_id": r.id, "nik": c.decrypt(r.owner_nik_enc)}
                    for r in rows[start : start + BATCH]
                ],
            )
    with op.batch_alter_table("enterprises") as batch_op:
        batch_op.drop_index("ix_enterprises_owner_nik_hash")
        batch_op.drop_index("ix_enterprises_lender_nik_hash")
        batch_op.alter_column("owner_nik", existing_type=sa.String(length=16), nullable=False)
        batch_op.drop_column("owner_nik_hash")
        batch_op.drop_column("owner_nik_enc")
        batch_op.create_index("ix_enterprises_lender_nik", ["lender_id", "owner_nik"], unique=False)
