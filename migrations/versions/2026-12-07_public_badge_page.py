"""public badge page: issuer time zone, LinkedIn organization id and name setting;
credential listing and public revocation reasons

Revision ID: 0006
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("issuer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "time_zone", sa.String(length=64), nullable=False, server_default="Asia/Tokyo"
            )
        )
        batch_op.add_column(
            sa.Column("linkedin_organization_id", sa.String(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "recipient_name_in_credential",
                sa.Boolean(),
                nullable=False,
                server_default=sa.true(),
            )
        )
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("listed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "revocation_reason_public",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("issued_credential", schema=None) as batch_op:
        batch_op.drop_column("revocation_reason_public")
        batch_op.drop_column("listed")
    with op.batch_alter_table("issuer", schema=None) as batch_op:
        batch_op.drop_column("recipient_name_in_credential")
        batch_op.drop_column("linkedin_organization_id")
        batch_op.drop_column("time_zone")
