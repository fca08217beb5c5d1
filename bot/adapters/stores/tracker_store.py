"""Rasa's SQL tracker store, with applicants' personal data masked before it is stored.

The conversation is understood from the raw message while it is processed; only the stored history
is masked — message texts, the parse data, event metadata, slot values and the assistant's own replies —
so that the tracker tables hold no more personal data than the records do. Transport keys the doors add
to a message's metadata for this turn only (the hashed client address) are dropped.

Which of a tracker's events are new is decided by what is stored, not by how many events are stored:
after a database outage the tracker Rasa saves may be one it built in memory meanwhile, and counting would
then store only the tail of it (see :meth:`MaskingSQLTrackerStore._additional_events`).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.records.masking import mask, mask_value
from bot.vocabulary import TRANSIENT_METADATA


def _metadata(value: dict[str, Any] | None) -> dict[str, Any]:
    kept = {k: v for k, v in (value or {}).items() if k not in TRANSIENT_METADATA}
    return dict(mask_value(kept))


def masked(event: Event) -> Event:
    """A copy of ``event`` with every string that could identify an applicant masked (the same event
    when there is nothing to mask)."""
    clone = copy.deepcopy(event)
    clone.metadata = _metadata(event.metadata)
    if isinstance(clone, UserUttered):
        if clone.text:
            clone.text = mask(clone.text)
        clone.parse_data = mask_value(clone.parse_data)
    elif isinstance(clone, SlotSet):
        clone.value = mask_value(clone.value)
    elif isinstance(clone, BotUttered):
        if clone.text:
            clone.text = mask(clone.text)
        clone.data = mask_value(clone.data)
    return event if clone.as_dict() == event.as_dict() else clone


class MaskingSQLTrackerStore(SQLTrackerStore):
    """Configured in endpoints.yml as ``type: bot.adapters.stores.tracker_store.MaskingSQLTrackerStore``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rasa's engine does not ping pooled connections: after a database restart the first save on each
        # stale connection would fail and Rasa would keep that turn's events in memory only. A ping replaces
        # the dead connection first (the same setting as bot.records.db.make_engine).
        self.engine.pool._pre_ping = True

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
