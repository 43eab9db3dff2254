"""client logos served from this origin; hosted credentials' issuance time

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("oauth_client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logo_png", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("hosted_credential", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issued_at", _TZ, nullable=True))
    # Rows upserted before: their upsert time is the best estimate at hand.
    op.execute("UPDATE hosted_credential SET issued_at = created_at")
    with op.batch_alter_table("hosted_credential", schema=None) as batch_op:
        batch_op.alter_column("issued_at", existing_type=_TZ, nullable=False)
        batch_op.create_index(
            batch_op.f("ix_hosted_credential_issued_at"), ["issued_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("hosted_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hosted_credential_issued_at"))
        batch_op.drop_column("issued_at")
    with op.batch_alter_table("oauth_client", schema=None) as batch_op:
        batch_op.drop_column("logo_png")
