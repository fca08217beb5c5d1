"""Abuse and faults (#15): one open record of a kind per matter, notices written once, first-unit staff
by unit, indexes for retention.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN_RECORD_STATES = ("opened", "accepted", "contacted", "submitted", "acknowledged", "escalated")


def upgrade() -> None:
    open_state = sa.column("state").in_(OPEN_RECORD_STATES)
    op.create_index(
        "uq_records_open_matter",
        "records",
        ["kind", "conversation_id", "matter"],
        unique=True,
        sqlite_where=open_state,
        postgresql_where=open_state,
    )
    with op.batch_alter_table("consultations") as batch:
        batch.add_column(sa.Column("digest", sa.String(16), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("dedupe_key", sa.String(128), nullable=True))
    op.create_index("uq_outbox_dedupe_key", "outbox", ["dedupe_key"], unique=True)
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("unit", sa.String(64), nullable=True))
    op.create_index("ix_auth_log_at", "auth_log", ["at"])
    op.create_index("ix_wechat_users_last_seen_at", "wechat_users", ["last_seen_at"])


def downgrade() -> None:
    op.drop_index("ix_wechat_users_last_seen_at", table_name="wechat_users")
    op.drop_index("ix_auth_log_at", table_name="auth_log")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("unit")
    op.drop_index("uq_outbox_dedupe_key", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("dedupe_key")
    op.drop_index("uq_records_open_matter", table_name="records")
    with op.batch_alter_table("consultations") as batch:
        batch.drop_column("digest")
