"""claim reminders: one row per reminder mailed for an unclaimed badge

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claim_reminder",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_claim_reminder_credential_id_issued_credential"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_reminder")),
        sa.UniqueConstraint(
            "credential_id", "number", name=op.f("uq_claim_reminder_credential_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("claim_reminder")
