"""WeChat door: messages seen (exactly once across instances), applicants' options and last contact,
the shared access token, and delivery state on the outbox.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_error", sa.String(255), nullable=True))
    op.create_table(
        "wechat_messages",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reply", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_wechat_messages"),
    )
    op.create_index("ix_wechat_messages_received_at", "wechat_messages", ["received_at"])
    op.create_table(
        "wechat_users",
        sa.Column("user_key", sa.String(64), nullable=False),
        sa.Column("last_seen_at", sa.Float(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("user_key", name="pk_wechat_users"),
    )
    op.create_table(
        "wechat_tokens",
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("force_refresh", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.Float(), nullable=False),
        sa.Column("lease_owner", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("app_id", name="pk_wechat_tokens"),
    )


def downgrade() -> None:
    op.drop_table("wechat_tokens")
    op.drop_table("wechat_users")
    op.drop_index("ix_wechat_messages_received_at", table_name="wechat_messages")
    op.drop_table("wechat_messages")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("last_error")
        batch.drop_column("claimed_until")
        batch.drop_column("next_attempt_at")
        batch.drop_column("attempts")
