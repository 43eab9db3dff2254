"""passer accounts and the Open Badges API's OAuth 2.0 tables

Revision ID: 0011
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "passer_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("profile", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passer_account")),
    )
    op.create_table(
        "passer_address",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("email_lower", sa.String(length=254), nullable=False),
        sa.Column("confirmed_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["passer_account.id"],
            name=op.f("fk_passer_address_account_id_passer_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passer_address")),
        sa.UniqueConstraint("email_lower", name=op.f("uq_passer_address_email_lower")),
    )
    op.create_index(
        op.f("ix_passer_address_account_id"), "passer_address", ["account_id"], unique=False
    )
    op.create_table(
        "passer_sign_in",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("next_path", sa.String(length=2000), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("used_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["passer_account.id"],
            name=op.f("fk_passer_sign_in_account_id_passer_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passer_sign_in")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_passer_sign_in_token_hash")),
    )
    op.create_index(
        op.f("ix_passer_sign_in_expires_at"), "passer_sign_in", ["expires_at"], unique=False
    )
    op.create_table(
        "passer_session",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["passer_account.id"],
            name=op.f("fk_passer_session_account_id_passer_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_passer_session")),
    )
    op.create_index(
        op.f("ix_passer_session_account_id"), "passer_session", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_passer_session_expires_at"), "passer_session", ["expires_at"], unique=False
    )
    op.create_table(
        "oauth_client",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("client_secret_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", _TZ, nullable=False),
        sa.Column("client_metadata", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_client")),
        sa.UniqueConstraint("client_id", name=op.f("uq_oauth_client_client_id")),
    )
    op.create_table(
        "oauth_code",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2000), nullable=False),
        sa.Column("scope", sa.String(length=1000), nullable=False),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("code_challenge_method", sa.String(length=10), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("used_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["passer_account.id"],
            name=op.f("fk_oauth_code_account_id_passer_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["oauth_client.id"],
            name=op.f("fk_oauth_code_client_id_oauth_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_code")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_oauth_code_code_hash")),
    )
    op.create_index(op.f("ix_oauth_code_account_id"), "oauth_code", ["account_id"], unique=False)
    op.create_index(op.f("ix_oauth_code_client_id"), "oauth_code", ["client_id"], unique=False)
    op.create_index(op.f("ix_oauth_code_expires_at"), "oauth_code", ["expires_at"], unique=False)
    op.create_table(
        "oauth_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("access_token_hash", sa.String(length=64), nullable=False),
        sa.Column("refresh_token_hash", sa.String(length=64), nullable=True),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("code_id", sa.Uuid(), nullable=True),
        sa.Column("scope", sa.String(length=1000), nullable=False),
        sa.Column("issued_at", _TZ, nullable=False),
        sa.Column("expires_at", _TZ, nullable=False),
        sa.Column("revoked_at", _TZ, nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["passer_account.id"],
            name=op.f("fk_oauth_token_account_id_passer_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["oauth_client.id"],
            name=op.f("fk_oauth_token_client_id_oauth_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["code_id"],
            ["oauth_code.id"],
            name=op.f("fk_oauth_token_code_id_oauth_code"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_token")),
        sa.UniqueConstraint("access_token_hash", name=op.f("uq_oauth_token_access_token_hash")),
        sa.UniqueConstraint("refresh_token_hash", name=op.f("uq_oauth_token_refresh_token_hash")),
    )
    op.create_index(op.f("ix_oauth_token_account_id"), "oauth_token", ["account_id"], unique=False)
    op.create_index(op.f("ix_oauth_token_client_id"), "oauth_token", ["client_id"], unique=False)
    op.create_index(op.f("ix_oauth_token_code_id"), "oauth_token", ["code_id"], unique=False)
    op.create_table(
        "oauth_grant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=1000), nullable=False),
        sa.Column("granted_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["passer_account.id"],
            name=op.f("fk_oauth_grant_account_id_passer_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["oauth_client.id"],
            name=op.f("fk_oauth_grant_client_id_oauth_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_grant")),
        sa.UniqueConstraint("account_id", "client_id", name=op.f("uq_oauth_grant_account_id")),
    )
    op.create_index(op.f("ix_oauth_grant_client_id"), "oauth_grant", ["client_id"], unique=False)
    op.create_table(
        "hosted_credential",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("identity_hash", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("updated_at", _TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["passer_account.id"],
            name=op.f("fk_hosted_credential_account_id_passer_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hosted_credential")),
        sa.UniqueConstraint(
            "account_id",
            "identity_hash",
            name=op.f("uq_hosted_credential_account_id"),
        ),
    )
    op.create_index(
        op.f("ix_hosted_credential_created_at"), "hosted_credential", ["created_at"], unique=False
    )
    # A sign-in mail names no credential.
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("credential_id", existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM outbox_message WHERE credential_id IS NULL")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("credential_id", existing_type=sa.Uuid(), nullable=False)
    for table in (
        "hosted_credential",
        "oauth_grant",
        "oauth_token",
        "oauth_code",
        "oauth_client",
        "passer_session",
        "passer_sign_in",
        "passer_address",
        "passer_account",
    ):
        op.drop_table(table)
