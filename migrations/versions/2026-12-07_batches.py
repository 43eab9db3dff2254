"""batches: an exam session's passers as a preview, then issued row by row

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "batch",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("issuer_id", sa.Uuid(), nullable=False),
        sa.Column("achievement_id", sa.Uuid(), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=True),
        sa.Column("exam_date", sa.Date(), nullable=True),
        sa.Column("on_duplicate", sa.String(length=10), nullable=False),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("ok_rows", sa.Integer(), nullable=False),
        sa.Column("warning_rows", sa.Integer(), nullable=False),
        sa.Column("error_rows", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_key_id", sa.Uuid(), nullable=True),
        sa.Column("source_filename", sa.String(length=255), nullable=True),
        sa.Column("source_encoding", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["achievement_id"], ["achievement.id"], name=op.f("fk_batch_achievement_id_achievement")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuer.id"], name=op.f("fk_batch_issuer_id_issuer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch")),
    )
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_batch_achievement_id"), ["achievement_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_batch_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_batch_issuer_id"), ["issuer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_batch_state"), ["state"], unique=False)

    op.create_table(
        "batch_row",
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("row_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=True),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=200), nullable=True),
        sa.Column("evidence_url", sa.String(length=2000), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=True),
        sa.Column("prefecture", sa.SmallInteger(), nullable=True),
        sa.Column("check", sa.String(length=8), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("duplicate_of", sa.Uuid(), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("credential_id", sa.Uuid(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batch.id"], name=op.f("fk_batch_row_batch_id_batch"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_batch_row_credential_id_issued_credential"),
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["issued_credential.id"],
            name=op.f("fk_batch_row_duplicate_of_issued_credential"),
        ),
        sa.PrimaryKeyConstraint("batch_id", "row_number", name=op.f("pk_batch_row")),
    )
    with op.batch_alter_table("batch_row", schema=None) as batch_op:
        batch_op.create_index("ix_batch_row_batch_id_state", ["batch_id", "state"], unique=False)

    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("prefecture", sa.SmallInteger(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_issued_credential_batch_id"), ["batch_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_issued_credential_batch_id_batch"), "batch", ["batch_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_issued_credential_batch_id_batch"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_issued_credential_batch_id"))
        batch_op.drop_column("prefecture")
        batch_op.drop_column("batch_id")
    op.drop_table("batch_row")
    op.drop_table("batch")
