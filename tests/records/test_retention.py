"""Retention reaches every table that holds personal data, including Rasa's conversation events."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, func, insert, select
from sqlalchemy.engine import Engine

from bot.records.clock import LOCAL_TZ, FixedClock, to_db
from bot.records.store import MatterRef, RecordStore
from bot.records.tables import auth_log, outbox, staff_tokens, staff_users, wechat_messages, wechat_users
from bot.vocabulary import RecordKind, RecordState


def _count(engine: Engine, table: Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_purge_covers_events_outbox_auth_log_tokens_and_wechat(engine: Engine) -> None:
    clock = FixedClock(datetime(2026, 1, 5, 9, 0, tzinfo=LOCAL_TZ))
    store = RecordStore(engine, clock)
    events = Table(  # Rasa's tracker-store table, as Rasa creates it beside ours
        "events",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("sender_id", String(255)),
        Column("type_name", String(255)),
        Column("timestamp", Float),
        Column("data", Text),
    )
    events.create(engine)
    old, now = clock.now(), clock.now() + timedelta(days=800)
    record, _ = store.open_record(
        RecordKind.COORDINATION, MatterRef("c", "rest", 1), reason="r", departments=[], due_in=2
    )
    store.transition(record.number, RecordState.CLOSED, actor="staff:a", reason="办结")  # an applicant notice
    with engine.begin() as conn:
        conn.execute(insert(events).values(sender_id="c", type_name="user", timestamp=old.timestamp(), data="{}"))
        conn.execute(insert(events).values(sender_id="d", type_name="user", timestamp=now.timestamp(), data="{}"))
        conn.execute(insert(auth_log).values(at=to_db(old), username="x", outcome="bad_password"))
        uid = conn.execute(
            insert(staff_users).values(
                username="u", password_hash="h", role="district", display_name="u", created_at=to_db(old)
            )
        ).inserted_primary_key[0]
        conn.execute(
            insert(staff_tokens).values(token_hash="t", user_id=uid, expires_at=to_db(old), created_at=to_db(old))
        )
        conn.execute(insert(wechat_messages).values(key="k", received_at=old.timestamp(), state="sent"))
        conn.execute(insert(wechat_users).values(user_key="w", last_seen_at=old.timestamp()))
        conn.execute(insert(wechat_users).values(user_key="fresh", last_seen_at=time.time() + 800 * 86400))
    clock.advance(days=800)
    removed = store.purge(730)
    assert removed["conversation_events"] == 1 and _count(engine, events) == 1
    assert removed["outbox"] >= 1 and _count(engine, outbox) == 0
    assert removed["auth_log"] == 1 and removed["staff_tokens"] == 1
    assert removed["wechat_messages"] == 1 and removed["wechat_users"] == 1 and _count(engine, wechat_users) == 1
    assert removed["records_cleared"] == 1
    assert store.get(record.number) is not None  # numbers, states and the audit trail stay
