"""one claim per credential: a partial unique index on the claimed links

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CLAIMED = sa.text("claimed_at IS NOT NULL")


def upgrade() -> None:
    # A race before this index could have left two claimed links of one credential: keep the
    # earliest claim (the one the audit log recorded first), clear the others.
    op.execute(
        "UPDATE claim SET claimed_at = NULL WHERE claimed_at IS NOT NULL AND EXISTS ("
        "SELECT 1 FROM claim AS earlier WHERE earlier.credential_id = claim.credential_id"
        " AND earlier.claimed_at IS NOT NULL AND (earlier.claimed_at < claim.claimed_at"
        " OR (earlier.claimed_at = claim.claimed_at AND earlier.id < claim.id)))"
    )
    op.create_index(
        "uq_claim_claimed_credential",
        "claim",
        ["credential_id"],
        unique=True,
        sqlite_where=_CLAIMED,
        postgresql_where=_CLAIMED,
    )


def downgrade() -> None:
    op.drop_index("uq_claim_claimed_credential", table_name="claim")
