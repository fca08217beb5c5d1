"""The assistant's own tables (Rasa's tracker store keeps its ``events`` table beside them).

Changes here need a migration in ``bot/records/migrations/versions``; a test compares the two.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
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
    # A short hash of the request that started the matter: when a conversation's state is lost (a crash
    # mid-turn), a retried delivery of the same request is recognised and continues this matter.
    Column("digest", String(16)),
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
    # Optimistic lock: every change increments it, and a change applies only to the version read,
    # so two instances (or two clerks) never both move the same record.
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_records_conversation", "conversation_id", "matter"),
    Index("ix_records_state_due", "state", "due_on"),
)
# One open record of a kind per matter, whatever two instances (or a retried message) do at once: the
# database refuses the second insert and the store returns the first (bot.records.store.open_record).
OPEN_RECORD_STATES = ("opened", "accepted", "contacted", "submitted", "acknowledged", "escalated")
Index(
    "uq_records_open_matter",
    records.c.kind,
    records.c.conversation_id,
    records.c.matter,
    unique=True,
    sqlite_where=records.c.state.in_(OPEN_RECORD_STATES),
    postgresql_where=records.c.state.in_(OPEN_RECORD_STATES),
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

# Notifications for people outside the conversation (the leading-group office, R12), written in the
# same transaction as the change they announce; a channel delivers them later and marks them sent.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("recipient", String(64), nullable=False),
    Column("topic", String(32), nullable=False),
    Column("record_number", String(14)),
    Column("payload", JSON, nullable=False),
    Column("delivered_at", DateTime),
    # Delivery to applicants (WeChat): tries so far, when to try next, a claim so that one instance
    # sends it, and the last error for the operator.
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime),
    Column("claimed_until", DateTime),
    Column("last_error", String(255)),
    # Set for a notice that must be written once (the office told of an overdue top-tier escalation):
    # a unique index, so "tell once" is an insert that may do nothing, never a check then an insert.
    Column("dedupe_key", String(128)),
    Index("ix_outbox_pending", "delivered_at"),
    Index("uq_outbox_dedupe_key", "dedupe_key", unique=True),
)

# Staff who work the queues: role by tier, department where the role has one.
staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("department", String(16)),
    Column("display_name", String(64), nullable=False),
    # For first-unit staff: the first-consultation unit whose records they see (NULL: the default unit).
    Column("unit", String(64)),
    Column("active", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime, nullable=False),
)

staff_tokens = Table(
    "staff_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("staff_users.id"), nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

# Every login attempt and every refused request, for the security officer.
auth_log = Table(
    "auth_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("username", String(64)),
    Column("outcome", String(16), nullable=False),  # ok, bad_password, unknown_user, forbidden, ...
    Column("path", String(255)),
    Column("client", String(64)),
    Index("ix_auth_log_at", "at"),
)

# WeChat: every message (MsgId) or event (sender + time) seen, keyed by a hash, so that a retry is
# handled once even when it lands on another instance; the passive reply kept to answer a retry
# the same way. Purged after a few days.
wechat_messages = Table(
    "wechat_messages",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("received_at", Float, nullable=False),  # epoch seconds
    Column("state", String(16), nullable=False),  # processing, passive, sent, failed
    Column("reply", JSON),  # the passive reply's text, for a retry of a message already answered
    Index("ix_wechat_messages_received_at", "received_at"),
)

# WeChat applicants by a hash of their openid: when they last wrote (the 48-hour customer-service
# window) and the options their last reply offered ("1", "2"…).
wechat_users = Table(
    "wechat_users",
    metadata,
    Column("user_key", String(64), primary_key=True),
    Column("last_seen_at", Float, nullable=False),  # epoch seconds
    Column("options", JSON),
    Index("ix_wechat_users_last_seen_at", "last_seen_at"),
)

# The Official Account's access token, shared by all instances; one refreshes it under a lease.
wechat_tokens = Table(
    "wechat_tokens",
    metadata,
    Column("app_id", String(64), primary_key=True),
    Column("access_token", Text),
    Column("expires_at", Float, nullable=False),
    Column("force_refresh", Integer, nullable=False),
    Column("lease_until", Float, nullable=False),
    Column("lease_owner", String(32)),
)

# 转人工: conversations that asked for a person, one open row per conversation, worked by the first
# unit's desk. The applicant's words stay in the tracker store (masked); only a masked excerpt is here.
handovers = Table(
    "handovers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(255), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("first_unit", String(64), nullable=False),
    Column("state", String(16), nullable=False),  # waiting, answered, closed
    Column("excerpt", Text),  # masked
    Column("requested_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("answered_by", String(64)),
    Column("answers", Integer, nullable=False, server_default="0"),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_handovers_conversation", "conversation_id"),
    Index("ix_handovers_state", "state", "requested_at"),
)

# Speech recognition feeding the hotline console: one row per recognised segment of a call, read by
# the agent's console (several instances share them). Purged after a day.
call_segments = Table(
    "call_segments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agent", String(64), nullable=False),  # the staff username whose call it is
    Column("call_id", String(64), nullable=False),
    Column("speaker", String(16), nullable=False),  # caller, agent, unknown
    Column("text", Text, nullable=False),
    Column("at", DateTime, nullable=False),
    Index("ix_call_segments_call", "agent", "call_id", "id"),
    Index("ix_call_segments_at", "at"),
)
