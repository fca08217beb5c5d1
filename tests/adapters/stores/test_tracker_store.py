from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.adapters.stores.tracker_store import MaskingSQLTrackerStore, masked


def test_user_messages_are_masked_for_storage_only() -> None:
    event = UserUttered("我电话13812345678", {"name": "consult_item", "confidence": 0.9})
    stored = masked(event)
    assert stored.as_dict()["text"] == "我电话138****5678"
    assert stored.as_dict()["parse_data"]["text"] == "我电话138****5678"
    assert event.text == "我电话13812345678"  # the live conversation keeps what was said
    plain = UserUttered("补办身份证")
    assert masked(plain) is plain
    action = ActionExecuted("action_respond")
    assert masked(action) is action


def test_metadata_slots_and_replies_are_masked_and_transport_keys_dropped() -> None:
    from rasa.shared.core.events import BotUttered, SlotSet

    from bot.vocabulary import CLIENT_KEY

    said = UserUttered("身份证 440682 19900101 1234", metadata={CLIENT_KEY: "abc", "note": "邮箱 zhang@example.com"})
    stored = masked(said).as_dict()
    assert "19900101" not in json.dumps(stored, ensure_ascii=False)
    assert CLIENT_KEY not in stored["metadata"] and stored["metadata"]["note"] == "邮箱 z***@example.com"
    slot = masked(SlotSet("dialogue", {"dispute": {"item": "卡号 6222021234567890128"}})).as_dict()
    assert "6222021234567890128" not in json.dumps(slot, ensure_ascii=False)
    reply = masked(BotUttered("您的电话 13812345678", {"custom": {"title": "13812345678"}})).as_dict()
    assert "13812345678" not in json.dumps(reply, ensure_ascii=False)


def test_the_tracker_store_pings_its_pooled_connections(tmp_path: object) -> None:
    """After a database restart a stale connection is replaced before a save, not failed on."""
    from bot.adapters.stores.tracker_store import MaskingSQLTrackerStore

    store = MaskingSQLTrackerStore(dialect="sqlite", db=f"{tmp_path}/tracker.db")
    assert store.engine.pool._pre_ping is True


# --- which events a save writes (issue #15) ------------------------------------------------------------

SENDER = "c-outage"


def _turn(start: float, text: str) -> list[Event]:
    """The events of one turn, a millisecond apart from ``start``."""
    from rasa.shared.core.events import BotUttered

    made: list[Event] = [
        UserUttered(text, {"intent": {"name": "consult_item", "confidence": 0.9}}, timestamp=start),
        ActionExecuted("action_respond", timestamp=start + 0.001),
        SlotSet("dialogue", {"turn": text}, timestamp=start + 0.002),
        BotUttered("好的", timestamp=start + 0.003),
        ActionExecuted("action_listen", timestamp=start + 0.004),
    ]
    return made


def _session(start: float) -> list[Event]:
    return [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start + 0.001),
        ActionExecuted("action_listen", timestamp=start + 0.002),
    ]


@pytest.fixture
def tracker_store(db_url: str) -> Iterator[MaskingSQLTrackerStore]:
    """The tracker store on an empty database of each kind (SQLite file and PostgreSQL)."""
    store = MaskingSQLTrackerStore(host=db_url, domain=Domain.empty())
    yield store
    store.engine.dispose()


def _stored(store: MaskingSQLTrackerStore, sender: str = SENDER) -> list[dict[str, Any]]:
    """The sender's stored events, in the order they were written."""
    with store.session_scope() as session:
        rows = (
            session.query(store.SQLEvent.data)
            .filter(store.SQLEvent.sender_id == sender)
            .order_by(store.SQLEvent.id)
            .all()
        )
    return [json.loads(data) for (data,) in rows]


def _save(store: MaskingSQLTrackerStore, events: list[Event]) -> None:
    asyncio.run(store.save(DialogueStateTracker.from_events(SENDER, events)))


def _write_rows(store: MaskingSQLTrackerStore, events: list[Event]) -> None:
    """Rows written as Rasa's ``save`` writes them, by some other path than this tracker's save."""
    with store.session_scope() as session:
        for event in events:
            data = event.as_dict()
            session.add(
                store.SQLEvent(
                    sender_id=SENDER,
                    type_name=event.type_name,
                    timestamp=event.timestamp,
                    action_name=data.get("name"),
                    data=json.dumps(data),
                )
            )
        session.commit()


def _keys(events: Iterable[Event | dict[str, Any]]) -> list[tuple[str, float, Any]]:
    dicts = [e if isinstance(e, dict) else e.as_dict() for e in events]
    return [(d["event"], d["timestamp"], d.get("name")) for d in dicts]


def test_a_tracker_built_during_an_outage_is_stored_whole_after_it(
    tracker_store: MaskingSQLTrackerStore,
) -> None:
    """The measured fault: the database was down, Rasa's fail-safe store kept a new tracker in memory (a new
    session, with its own start), and on the first turn after recovery Rasa's count of stored events
    since the last session start skipped as many of that tracker's events, none of which were stored."""
    before = [*_session(1000.0), *_turn(1001.0, "补办身份证")]
    _save(tracker_store, before)

    during = [
        ActionExecuted("action_listen", timestamp=1999.0),  # the tracker Rasa created when it could not read one
        *_session(2000.0),
        *_turn(2001.0, "我电话13812345678"),
        *_turn(2002.0, "还要带什么"),
    ]
    _save(tracker_store, during)

    stored = _stored(tracker_store)
    assert _keys(stored) == _keys(before + during)  # every event once, in order
    assert "13812345678" not in json.dumps(stored, ensure_ascii=False)  # still masked on the way in
    again = asyncio.run(tracker_store.retrieve(SENDER))
    assert again is not None and _keys(again.events) == _keys(during[2:])  # the new session, from its start


def test_events_partly_stored_by_another_path_are_written_once_each(
    tracker_store: MaskingSQLTrackerStore,
) -> None:
    """A tracker whose stored rows are not its first N events: each missing one is written, none twice."""
    first = [*_session(1000.0), *_turn(1001.0, "补办身份证")]
    later = _turn(1002.0, "要带什么材料")
    # Two slots set at the same instant: told apart by name, not only by time and type.
    twins = [SlotSet("a", 1, timestamp=1003.0), SlotSet("b", 2, timestamp=1003.0)]
    _save(tracker_store, first)
    # Another path stored the reply and the second slot, but not the rest of the turn.
    _write_rows(tracker_store, [later[3], twins[1]])

    whole = [*first, *later, *twins]
    _save(tracker_store, whole)

    stored = _keys(_stored(tracker_store))
    assert sorted(stored, key=str) == sorted(_keys(whole), key=str)  # each exactly once
    assert stored == _keys([*first, later[3], twins[1], *later[:3], later[4], twins[0]])


def test_a_normal_turn_stores_exactly_its_new_events(tracker_store: MaskingSQLTrackerStore) -> None:
    """Rasa's own case: the tracker read back plus one turn. Clock timestamps, as a turn has them, so the
    stored floats must compare equal to the events' own on both databases."""
    now = time.time()
    earlier = [*_session(now - 60), *_turn(now - 50, "你好")]
    _save(tracker_store, earlier)
    tracker = asyncio.run(tracker_store.retrieve(SENDER))
    assert tracker is not None
    turn = _turn(now, "补办身份证")
    for event in turn:
        tracker.update(event)
    asyncio.run(tracker_store.save(tracker))
    asyncio.run(tracker_store.save(tracker))  # saved again with nothing new: nothing written

    assert _keys(_stored(tracker_store)) == _keys(earlier + turn)


# --- a turn loads a bounded window of the session (issue #16) --------------------------------------------


def test_a_long_conversation_loads_its_latest_events_and_every_slot(db_url: str) -> None:
    """A turn's cost must not grow with the conversation: only the latest HOT_EVENTS events are loaded, a
    slot last set before that window keeps its value, and the next save still writes only the new turn."""
    from bot.adapters.stores.tracker_store import HOT_EVENTS

    domain = Domain.from_dict({"slots": {"dialogue": {"type": "any", "mappings": [{"type": "custom"}]}}})
    store = MaskingSQLTrackerStore(host=db_url, domain=domain)
    try:
        events: list[Event] = [*_session(1000.0)]
        for i in range(30):
            events += _turn(1001.0 + i, f"第{i}句")
        # Then turns whose action set no slot (as when the action server was down): the window holds none.
        for i in range(20):
            events += [e for e in _turn(1100.0 + i, f"无槽{i}") if not isinstance(e, SlotSet)]
        _save(store, events)

        tracker = asyncio.run(store.retrieve(SENDER))
        assert tracker is not None
        assert len(tracker.events) == HOT_EVENTS + 1  # the window, and the slot event carried in front of it
        assert tracker.get_slot("dialogue") == {"turn": "第29句"}
        assert _keys(list(tracker.events)[1:]) == _keys(events[-HOT_EVENTS:])

        for event in _turn(1200.0, "再问一句"):
            tracker.update(event)
        asyncio.run(store.save(tracker))
        assert len(_stored(store)) == len(events) + 5  # the new turn only: nothing of the window again
        full = asyncio.run(store.retrieve_full_tracker(SENDER))
        assert full is not None and len(full.events) == len(events) + 5
    finally:
        store.engine.dispose()


def test_a_tracker_read_from_the_store_saves_its_tail_without_asking(
    tracker_store: MaskingSQLTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read back, appended to and saved: the new events are known without a query; a tracker built
    elsewhere (the fail-safe store's, during an outage) still asks the database."""
    now = time.time()
    earlier = [*_session(now - 60), *_turn(now - 50, "你好")]
    _save(tracker_store, earlier)
    tracker = asyncio.run(tracker_store.retrieve(SENDER))
    assert tracker is not None
    asked: list[str] = []
    original = MaskingSQLTrackerStore._additional_events

    def spy(self: MaskingSQLTrackerStore, session: Any, t: DialogueStateTracker) -> Any:
        real_query = session.query

        def counting(*args: Any, **kwargs: Any) -> Any:
            asked.append("query")
            return real_query(*args, **kwargs)

        session.query = counting
        return original(self, session, t)

    monkeypatch.setattr(MaskingSQLTrackerStore, "_additional_events", spy)
    for turn in (_turn(now, "补办身份证"), _turn(now + 1, "要带什么")):
        for event in turn:
            tracker.update(event)
        asyncio.run(tracker_store.save(tracker))
    assert asked == []
    assert _keys(_stored(tracker_store)) == _keys(earlier + _turn(now, "补办身份证") + _turn(now + 1, "要带什么"))

    elsewhere = DialogueStateTracker.from_events(SENDER, list(tracker.events))  # same events, not read here
    asyncio.run(tracker_store.save(elsewhere))
    assert asked == ["query"]
    assert len(_stored(tracker_store)) == len(earlier) + 10  # nothing written twice


def test_rows_carry_the_columns_rasa_writes(tracker_store: MaskingSQLTrackerStore) -> None:
    """The multi-row insert fills every column as Rasa's ORM save did (queries and retention read them)."""
    said = UserUttered("补办身份证", {"name": "consult_item", "confidence": 0.9}, timestamp=1001.0)
    _save(tracker_store, [*_session(1000.0), said, *_turn(1001.0, "补办身份证")[1:]])
    row = tracker_store.SQLEvent
    with tracker_store.session_scope() as session:
        got = session.query(row.sender_id, row.type_name, row.timestamp, row.intent_name, row.action_name).all()
    assert (SENDER, "user", 1001.0, "consult_item", None) in got
    assert (SENDER, "action", 1001.001, None, "action_respond") in got
    assert (SENDER, "slot", 1001.002, None, "dialogue") in got
