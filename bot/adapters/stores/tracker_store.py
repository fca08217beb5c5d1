"""Rasa's SQL tracker store, with applicants' personal data masked before it is stored.

The conversation is understood from the raw message while it is processed; only the stored history
is masked — message texts, the parse data, event metadata, slot values and the assistant's own replies —
so that the tracker tables hold no more personal data than the records do. Transport keys the doors add
to a message's metadata for this turn only (the hashed client address) are dropped.
"""

from __future__ import annotations

import copy
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
        for event in super()._additional_events(session, tracker):
            yield masked(event)
