"""OpenID4VCI: credential offer grants and c_nonce values

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oid4vci_grant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.Uuid(), nullable=False),
        sa.Column("offer_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("tx_code_hash", sa.String(length=64), nullable=True),
        sa.Column("tx_code_failures", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("holder", sa.String(length=4096), nullable=True),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_oid4vci_grant_credential_id_issued_credential"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oid4vci_grant")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_oid4vci_grant_code_hash")),
        sa.UniqueConstraint("offer_hash", name=op.f("uq_oid4vci_grant_offer_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_oid4vci_grant_token_hash")),
    )
    op.create_index(
        op.f("ix_oid4vci_grant_credential_id"), "oid4vci_grant", ["credential_id"], unique=False
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
    op.drop_index(op.f("ix_oid4vci_grant_credential_id"), table_name="oid4vci_grant")
    op.drop_table("oid4vci_grant")
