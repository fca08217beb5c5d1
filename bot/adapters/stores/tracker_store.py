"""Rasa's SQL tracker store, with applicants' personal data masked before it is stored.

The conversation is understood from the raw message while it is processed; only the stored history
is masked — message texts, the parse data, event metadata, slot values and the assistant's own replies —
so that the tracker tables hold no more personal data than the records do. Transport keys the doors add
to a message's metadata for this turn only (the hashed client address) are dropped.

Which of a tracker's events are new is decided by what is stored, not by how many events are stored:
after a database outage the tracker Rasa saves may be one it built in memory meanwhile, and counting would
then store only the tail of it (see :meth:`MaskingSQLTrackerStore._additional_events`).

A turn loads only the latest events of the conversation's session (``HOT_EVENTS``), so a turn costs the
same at turn 50 as at turn 1 (#16); the dialogue's own state is one slot set on every turn, and Rasa's
rules look at the last turn only. The full history (the widget's and staff pages' transcripts) still
comes from ``retrieve_full_tracker``.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import DEFAULT_SLOT_NAMES
from rasa.shared.core.events import BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.records.masking import mask, mask_value
from bot.vocabulary import TRANSIENT_METADATA

# Events of the current session a turn loads: about four turns, more than the rules look at (one). Rasa's rule
# matching reads every loaded event, so a larger window makes every later turn dearer (#16: 60 events made
# turns 46–50 cost 1.4× turns 1–5).
HOT_EVENTS = 24


def _metadata(value: dict[str, Any] | None) -> dict[str, Any]:
    kept = {k: v for k, v in (value or {}).items() if k not in TRANSIENT_METADATA}
    return dict(mask_value(kept))


def masked(event: Event) -> Event:
    """A copy of ``event`` with every string that could identify an applicant masked (the same event
    when there is nothing to mask). The masking helpers build new containers, so a shallow copy with the
    masked fields put back leaves the live event untouched (a deep copy cost 4 % of a turn, #16)."""
    fields: dict[str, Any] = {"metadata": _metadata(event.metadata)}
    if isinstance(event, UserUttered):
        fields["text"] = mask(event.text) if event.text else event.text
        fields["parse_data"] = mask_value(event.parse_data)
    elif isinstance(event, SlotSet):
        fields["value"] = mask_value(event.value)
    elif isinstance(event, BotUttered):
        fields["text"] = mask(event.text) if event.text else event.text
        fields["data"] = mask_value(event.data)
    if all(value == getattr(event, name) for name, value in fields.items()):
        return event
    clone = copy.copy(event)
    for name, value in fields.items():
        setattr(clone, name, value)
    return clone


_STORED = "_shouzi_stored"


def _sqlite_conversation_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """Conversation events on SQLite: WAL without an fsync per commit, and a lock wait of its own.

    Several Rasa workers and the action server write to one file; each writer holds the lock for its
    commit, and SQLite's busy handler makes a waiter sleep in steps of up to 100 ms, blocking that
    worker's event loop. Not fsyncing every commit (``synchronous=NORMAL``, still safe against a
    crashed process; a power cut may lose the last moments of conversation history, never a record:
    the records' own connections keep ``FULL``) makes each hold a fraction of a millisecond."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _remember_stored(tracker: DialogueStateTracker) -> None:
    """Marks every event the tracker now holds as stored: how many, and the last one itself."""
    tracker.__dict__[_STORED] = (len(tracker.events), tracker.events[-1] if tracker.events else None)


def _stored_prefix(tracker: DialogueStateTracker, events: list[Event]) -> int | None:
    """How many leading events are known to be stored, when the tracker was read from or saved to this
    store and only appended to since (its last stored event is still in place); None when unknown."""
    mark = tracker.__dict__.get(_STORED)
    if mark is None:
        return None
    count, last = mark
    if count == 0 or count > len(events) or events[count - 1] is not last:
        return None
    return int(count)


class MaskingSQLTrackerStore(SQLTrackerStore):
    """Configured in endpoints.yml as ``type: bot.adapters.stores.tracker_store.MaskingSQLTrackerStore``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rasa's engine does not ping pooled connections: after a database restart the first save on each
        # stale connection would fail and Rasa would keep that turn's events in memory only. A ping replaces
        # the dead connection first (the same setting as bot.records.db.make_engine).
        self.engine.pool._pre_ping = True
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_conversation_pragmas)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest ``HOT_EVENTS`` events of the current session, with every slot's latest value.

        One indexed query (the newest rows of the session first, limited; the session start as a subquery,
        as Rasa's own); a slot not set within that window gets its latest value from one more query, which a
        normal turn never needs (``action_respond`` sets the dialogue slot on every turn). The tracker
        remembers which of its events came from here, so that saving it needs no query (``_additional_events``).
        """
        row = self.SQLEvent
        with self.session_scope() as session:
            start = (
                sa.select(sa.func.max(row.timestamp))
                .where(row.sender_id == sender_id, row.type_name == SessionStarted.type_name)
                .scalar_subquery()
            )
            in_session = [row.sender_id == sender_id, sa.or_(start.is_(None), row.timestamp >= start)]
            rows = session.query(row.data).filter(*in_session).order_by(row.id.desc()).limit(HOT_EVENTS).all()
            events = [json.loads(r.data) for r in reversed(rows)]
            if not events or self.domain is None:
                return None
            if len(rows) == HOT_EVENTS:
                events = self._earlier_slots(session, in_session, events) + events
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        _remember_stored(tracker)
        return tracker

    def _earlier_slots(self, session: Any, in_session: list[Any], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The latest ``slot`` event of each domain slot the window does not set (so its value survives)."""
        row = self.SQLEvent
        window = {e.get("name") for e in events if e.get("event") == SlotSet.type_name}
        found = []
        for slot in self.domain.slots if self.domain else []:
            if slot.name in window or slot.name in DEFAULT_SLOT_NAMES:  # Rasa's own: never steer our turns
                continue
            latest = (
                session.query(row.data)
                .filter(*in_session, row.type_name == SlotSet.type_name, row.action_name == slot.name)
                .order_by(row.id.desc())
                .limit(1)
                .scalar()
            )
            if latest is not None:
                found.append(json.loads(latest))
        return found

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save, with the new events written as one multi-row insert instead of ORM objects (the ORM's
        unit of work was a quarter of a worker's time in a turn, #16); the tracker then counts as stored up
        to its last event, once committed."""
        await self.stream_events(tracker)
        try:
            with self.session_scope() as session:
                rows = [self._row(tracker.sender_id, event) for event in self._additional_events(session, tracker)]
                if rows:
                    session.execute(sa.insert(self.SQLEvent.__table__), rows)
                session.commit()
        except BaseException:
            tracker.__dict__.pop(_STORED, None)  # not known to be stored: the next save asks the database
            raise
        _remember_stored(tracker)

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        """The columns Rasa's own ``save`` writes for an event."""
        data = event.as_dict()
        intent = (data.get("parse_data") or {}).get("intent") or {}
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": intent.get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The tracker's events not yet stored, in the tracker's order, masked.

        Rasa counts the sender's stored events since the last session start and skips that many of the
        tracker's events, which holds only while the tracker is exactly what was stored plus a tail. A
        tracker from the fail-safe store's outage (a new session built in memory while the database was
        down) or one whose events were partly stored by another path breaks that count: events are lost
        or written twice. Here an event counts as stored when a stored row has its timestamp, type and
        name (the columns Rasa's ``save`` writes); a multiset, so two events alike in all three are
        matched one row each. One query, on the sender and the timestamps the tracker spans (an event's
        row, if any, has the event's own timestamp), so it reads about the rows the count did.
        """
        events = list(tracker.events)
        if not events:
            return
        known = _stored_prefix(tracker, events)
        if known is not None:  # read from this store and only appended to since: the tail is new
            yield from (masked(event) for event in events[known:])
            return
        stamps = [event.timestamp for event in events]
        row = self.SQLEvent
        stored = Counter(
            (timestamp, type_name, name)
            for timestamp, type_name, name in session.query(row.timestamp, row.type_name, row.action_name).filter(
                row.sender_id == tracker.sender_id, row.timestamp >= min(stamps), row.timestamp <= max(stamps)
            )
        )
        for event in events:
            key = (event.timestamp, event.type_name, event.as_dict().get("name"))
            if stored[key] > 0:
                stored[key] -= 1
            else:
                yield masked(event)
