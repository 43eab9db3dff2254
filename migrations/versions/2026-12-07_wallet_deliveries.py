"""wallet deliveries: offers made by the claim page, and credentials delivered into wallets

Revision ID: 0009
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wallet_offer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.Uuid(), nullable=False),
        sa.Column("protocol", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("challenge", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("holder_did", sa.String(length=2048), nullable=True),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_wallet_offer_credential_id_issued_credential"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_offer")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_wallet_offer_token_hash")),
    )
    op.create_index(
        op.f("ix_wallet_offer_credential_id"), "wallet_offer", ["credential_id"], unique=False
    )
    op.create_table(
        "wallet_delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("credential_id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=True),
        sa.Column("protocol", sa.String(length=16), nullable=False),
        sa.Column("holder_did", sa.String(length=2048), nullable=False),
        sa.Column("status_list_id", sa.Uuid(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["credential_id"],
            ["issued_credential.id"],
            name=op.f("fk_wallet_delivery_credential_id_issued_credential"),
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["wallet_offer.id"],
            name=op.f("fk_wallet_delivery_offer_id_wallet_offer"),
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["status_list.id"],
            name=op.f("fk_wallet_delivery_status_list_id_status_list"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_delivery")),
        sa.UniqueConstraint("offer_id", name=op.f("uq_wallet_delivery_offer_id")),
        sa.UniqueConstraint(
            "status_list_id", "status_index", name="uq_wallet_delivery_status_position"
        ),
    )
    op.create_index(
        op.f("ix_wallet_delivery_credential_id"), "wallet_delivery", ["credential_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_wallet_delivery_credential_id"), table_name="wallet_delivery")
    op.drop_table("wallet_delivery")
    op.drop_index(op.f("ix_wallet_offer_credential_id"), table_name="wallet_offer")
    op.drop_table("wallet_offer")
