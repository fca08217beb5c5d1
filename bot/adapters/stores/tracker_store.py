"""Rasa's SQL tracker store, with applicants' mobile and ID numbers masked before they are stored.

The conversation is understood from the raw message while it is processed; only the stored history
is masked, so that the tracker tables hold no more personal data than the records do.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.records.masking import mask


def masked(event: Event) -> Event:
    """A copy of a user message with its text masked; other events unchanged."""
    if not isinstance(event, UserUttered) or not event.text:
        return event
    safe = mask(event.text)
    if safe == event.text:
        return event
    clone = copy.deepcopy(event)
    clone.text = safe
    clone.parse_data["text"] = safe
    return clone


class MaskingSQLTrackerStore(SQLTrackerStore):
    """Configured in endpoints.yml as ``type: bot.adapters.stores.tracker_store.MaskingSQLTrackerStore``."""

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        for event in super()._additional_events(session, tracker):
            yield masked(event)
