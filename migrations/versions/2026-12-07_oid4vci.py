"""OpenID4VCI: credential offer grants and c_nonce values

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oid4vci_grant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("tx_code_hash", sa.String(length=64), nullable=True),
        sa.Column("tx_code_failures", sa.Integer(), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["wallet_offer.id"], name=op.f("fk_oid4vci_grant_offer_id_wallet_offer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oid4vci_grant")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_oid4vci_grant_code_hash")),
        sa.UniqueConstraint("offer_id", name=op.f("uq_oid4vci_grant_offer_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_oid4vci_grant_token_hash")),
    )
    op.create_table(
        "oid4vci_nonce",
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("nonce_hash", name=op.f("pk_oid4vci_nonce")),
    )
    op.create_index(
        op.f("ix_oid4vci_nonce_expires_at"), "oid4vci_nonce", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_oid4vci_nonce_expires_at"), table_name="oid4vci_nonce")
    op.drop_table("oid4vci_nonce")
    op.drop_table("oid4vci_grant")
