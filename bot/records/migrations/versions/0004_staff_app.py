"""Staff web application: the 转人工 desk's handovers and the speech-recognition feed of hotline calls.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("first_unit", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("answered_by", sa.String(64), nullable=True),
        sa.Column("answers", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("id", name="pk_handovers"),
    )
    op.create_index("ix_handovers_conversation", "handovers", ["conversation_id"])
    op.create_index("ix_handovers_state", "handovers", ["state", "requested_at"])
    op.create_table(
        "call_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_call_segments"),
    )
    op.create_index("ix_call_segments_call", "call_segments", ["agent", "call_id", "id"])
    op.create_index("ix_call_segments_at", "call_segments", ["at"])


def downgrade() -> None:
    op.drop_index("ix_call_segments_at", table_name="call_segments")
    op.drop_index("ix_call_segments_call", table_name="call_segments")
    op.drop_table("call_segments")
    op.drop_index("ix_handovers_state", table_name="handovers")
    op.drop_index("ix_handovers_conversation", table_name="handovers")
    op.drop_table("handovers")
