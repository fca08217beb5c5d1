"""First-consultation records, numbered records with their audit trail, 好差评 ratings.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The audit trail is append-only: the database itself refuses to change or remove an entry.
SQLITE_GUARDS = [
    "CREATE TRIGGER record_events_no_update BEFORE UPDATE ON record_events "
    "BEGIN SELECT RAISE(ABORT, 'record_events is append-only'); END",
    "CREATE TRIGGER record_events_no_delete BEFORE DELETE ON record_events "
    "BEGIN SELECT RAISE(ABORT, 'record_events is append-only'); END",
]
POSTGRES_GUARDS = [
    "CREATE FUNCTION record_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'record_events is append-only'; END $$",
    "CREATE TRIGGER record_events_no_change BEFORE UPDATE OR DELETE ON record_events "
    "FOR EACH ROW EXECUTE FUNCTION record_events_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("matter", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("first_unit", sa.String(64), nullable=False),
        sa.Column("request_type", sa.String(32), nullable=False),
        sa.Column("department", sa.String(16), nullable=True),
        sa.Column("item_id", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("record_number", sa.String(14), nullable=True),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_consultations"),
        sa.UniqueConstraint("conversation_id", "matter", name="uq_consultations_matter"),
    )
    op.create_index("ix_consultations_created_at", "consultations", ["created_at"])
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(14), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("first_unit", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("matter", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("accepted_by", sa.String(16), nullable=True),
        sa.Column("item_id", sa.String(64), nullable=True),
        sa.Column("tier", sa.Integer(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("ack_due_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
        sa.UniqueConstraint("number", name="uq_records_number"),
    )
    op.create_index("ix_records_conversation", "records", ["conversation_id", "matter"])
    op.create_index("ix_records_state_due", "records", ["state", "due_on"])
    op.create_table(
        "record_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("rule", sa.String(16), nullable=True),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], name="fk_record_events_record_id_records"),
        sa.PrimaryKeyConstraint("id", name="pk_record_events"),
    )
    op.create_index("ix_record_events_record_id", "record_events", ["record_id"])
    op.create_table(
        "record_sequences",
        sa.Column("prefix", sa.String(2), nullable=False),
        sa.Column("day", sa.String(8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "day", name="pk_record_sequences"),
    )
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("matter", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("follow_up", sa.String(14), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ratings"),
        sa.UniqueConstraint("conversation_id", "matter", name="uq_ratings_matter"),
    )
    guards = POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else SQLITE_GUARDS
    for statement in guards:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS record_events_no_change ON record_events")
        op.execute("DROP FUNCTION IF EXISTS record_events_append_only()")
    for table in ("ratings", "record_sequences", "record_events", "records", "consultations"):
        op.drop_table(table)
