"""The assistant's own tables (Rasa's tracker store keeps its ``events`` table beside them).

Changes here need a migration in ``bot/records/migrations/versions``; a test compares the two.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# R4: one row per matter a conversation carries.
consultations = Table(
    "consultations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(255), nullable=False),
    Column("matter", Integer, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("first_unit", String(64), nullable=False),
    Column("request_type", String(32), nullable=False),
    Column("department", String(16)),
    Column("item_id", String(64)),
    Column("outcome", String(32), nullable=False),
    Column("record_number", String(14)),
    Column("excerpt", Text),  # masked
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("conversation_id", "matter", name="uq_consultations_matter"),
    Index("ix_consultations_created_at", "created_at"),
)

# Numbered records: coordination (XT, R2), escalation (TJ, R6–R12), 好差评 follow-up (HP).
records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(14), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("first_unit", String(64), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("conversation_id", String(255), nullable=False),
    Column("matter", Integer, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("departments", JSON, nullable=False),  # codes, most likely first
    Column("accepted_by", String(16)),
    Column("item_id", String(64)),
    Column("tier", Integer),
    Column("facts", JSON),
    Column("summary", Text),  # masked
    Column("ack_due_on", Date),
    Column("due_on", Date, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_records_conversation", "conversation_id", "matter"),
    Index("ix_records_state_due", "state", "due_on"),
)

# The append-only audit trail of every record (database triggers refuse updates and deletes).
record_events = Table(
    "record_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_state", String(16)),
    Column("to_state", String(16), nullable=False),
    Column("reason", Text),
    Column("rule", String(16)),
)

record_sequences = Table(
    "record_sequences",
    metadata,
    Column("prefix", String(2), primary_key=True),
    Column("day", String(8), primary_key=True),
    Column("last", Integer, nullable=False),
)

# 好差评: one rating per matter; a poor one opens an HP record.
ratings = Table(
    "ratings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(255), nullable=False),
    Column("matter", Integer, nullable=False),
    Column("channel", String(32), nullable=False),
    Column("score", Integer, nullable=False),  # 5 非常满意 … 1 非常不满意
    Column("comment", Text),  # masked
    Column("follow_up", String(14)),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("conversation_id", "matter", name="uq_ratings_matter"),
)
